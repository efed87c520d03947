//! Officer accounts, their roles per unit, and API tokens (stored hashed).

use motcua_domain::dossier::Role;
use motcua_domain::ids::UnitCode;
use sqlx::Row;

use crate::{Result, Store, format_ts};

/// An officer account.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub default_password: bool,
    /// Set by an administrator's reset: the officer must choose a new password at the next
    /// sign-in before doing anything else.
    pub must_change_password: bool,
    pub active: bool,
    /// (unit, role) pairs.
    pub roles: Vec<(UnitCode, Role)>,
}

impl User {
    /// The domain's view of this officer: their roles, each in the unit it was granted in.
    pub fn actor(&self) -> motcua_domain::dossier::Actor {
        motcua_domain::dossier::Actor::Officer { username: self.username.clone(), grants: self.roles.clone() }
    }

    /// Distinct roles.
    pub fn role_set(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.roles.iter().map(|(_, r)| *r).collect();
        r.sort();
        r.dedup();
        r
    }
    /// Distinct units.
    pub fn units(&self) -> Vec<String> {
        let mut u: Vec<String> = self.roles.iter().map(|(u, _)| u.to_string()).collect();
        u.sort();
        u.dedup();
        u
    }
}

/// A stored `user_roles` row as a grant; none for a row naming no unit code or no known role
/// (only a hand-edited row), which grants nothing.
pub(crate) fn grant(unit: &str, role: &str) -> Option<(UnitCode, Role)> {
    Some((UnitCode::parse(unit).ok()?, Role::parse(role)?))
}

impl Store {
    /// Creates or replaces an account with its roles, stamped `at`.
    pub async fn put_user(&self, u: &User, at: time::OffsetDateTime) -> Result<()> {
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM user_roles WHERE username = $1").bind(u.username.clone()).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM users WHERE username = $1").bind(u.username.clone()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO users (username, full_name, password_hash, default_password, active, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(u.username.clone())
            .bind(u.full_name.clone())
            .bind(u.password_hash.clone())
            .bind(i16::from(u.default_password))
            .bind(i16::from(u.active))
            .bind(format_ts(at))
            .bind(i16::from(u.must_change_password))
            .execute(&mut *tx)
            .await?;
        for (unit, role) in &u.roles {
            sqlx::query("INSERT INTO user_roles (username, unit, role) VALUES ($1, $2, $3)")
                .bind(u.username.clone())
                .bind(unit.to_string())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces an account's password hash (the argon2id PHC string) with `hash`, if it is still
    /// `expected` (the one its owner just proved): of two changes at once, one wins and the other
    /// answers false. Clears the default password's and the temporary password's flags. Its API
    /// tokens stay valid.
    pub async fn replace_password(&self, username: &str, expected: &str, hash: &str) -> Result<bool> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, default_password = 0, must_change_password = 0 \
             WHERE username = $2 AND password_hash = $3",
        )
        .bind(hash.to_owned())
        .bind(username.to_owned())
        .bind(expected.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// An account by username.
    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT username, full_name, password_hash, default_password, must_change_password, active FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let roles = sqlx::query("SELECT unit, role FROM user_roles WHERE username = $1 ORDER BY unit, role")
            .bind(username)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .filter_map(|r| grant(&r.try_get::<String, _>("unit").ok()?, &r.try_get::<String, _>("role").ok()?))
            .collect();
        Ok(Some(User {
            username: row.try_get("username")?,
            full_name: row.try_get("full_name")?,
            password_hash: row.try_get("password_hash")?,
            default_password: row.try_get::<i16, _>("default_password")? != 0,
            must_change_password: row.try_get::<i16, _>("must_change_password")? != 0,
            active: row.try_get::<i16, _>("active")? != 0,
            roles,
        }))
    }

    /// Usernames holding `role` in `unit`.
    pub async fn users_with_role(&self, unit: &str, role: Role) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT username FROM user_roles WHERE unit = $1 AND role = $2 ORDER BY username")
            .bind(unit)
            .bind(role.as_str())
            .fetch_all(&self.pool)
            .await?)
    }

    /// Number of active accounts still on a default password.
    pub async fn default_password_accounts(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE default_password = 1 AND active = 1")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Records an API token (its SHA-256) for `username`, issued `at`, until `expires_at`.
    pub async fn put_token(
        &self,
        token_hash: &str,
        username: &str,
        at: time::OffsetDateTime,
        expires_at: time::OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(username)
            .bind(format_ts(at))
            .bind(format_ts(expires_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every sign-in of `username`: its API tokens and its web sessions (after an
    /// administrator sets a new password, whoever held the old one is out).
    pub async fn revoke_sign_ins(&self, username: &str) -> Result<()> {
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM api_tokens WHERE username = $1").bind(username.to_owned()).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM web_sessions WHERE username = $1").bind(username.to_owned()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account behind a token still live at `now`.
    pub async fn token_user(&self, token_hash: &str, now: time::OffsetDateTime) -> Result<Option<User>> {
        let username: Option<String> =
            sqlx::query_scalar("SELECT username FROM api_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(format_ts(now))
                .fetch_optional(&self.pool)
                .await?;
        match username {
            Some(u) => Ok(self.user(&u).await?.filter(|u| u.active)),
            None => Ok(None),
        }
    }
}
