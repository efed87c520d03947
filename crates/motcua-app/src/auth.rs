//! Passwords (argon2id), random secrets and API tokens. Tokens and dossier secrets are stored
//! only as SHA-256 hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use motcua_domain::audit::sha256_hex;

/// Unambiguous alphabet for secrets people type from a slip (no 0/O, 1/I/L).
const SECRET_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// `n` random bytes from the OS.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if getrandom::fill(&mut b).is_err() {
        // The OS generator failing is unrecoverable for a security boundary.
        panic!("the operating system's random generator is unavailable");
    }
    b
}

/// A dossier lookup secret: 12 characters (≈ 59 bits), random, never derived from the code.
pub fn new_secret() -> String {
    random_bytes::<12>().iter().map(|b| SECRET_ALPHABET[usize::from(*b) % SECRET_ALPHABET.len()] as char).collect()
}

/// A bearer token: 32 random bytes, hex.
pub fn new_token() -> String {
    random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored for a token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(&[b"token:", token.as_bytes()])
}

/// What is stored for a dossier secret (secrets are compared case-insensitively).
pub fn secret_hash(secret: &str) -> String {
    sha256_hex(&[b"secret:", secret.trim().to_ascii_uppercase().as_bytes()])
}

/// Hashes a password with argon2id (default parameters). CPU-heavy: call from `spawn_blocking`.
pub fn hash_password(plain: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::encode_b64(&random_bytes::<16>())?;
    Ok(Argon2::default().hash_password(plain.as_bytes(), &salt)?.to_string())
}

/// Checks a password against its stored hash. CPU-heavy: call from `spawn_blocking`.
pub fn verify_password(plain: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(plain.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_twelve_unambiguous_characters_and_differ() {
        let a = new_secret();
        assert_eq!(a.len(), 12);
        assert!(a.bytes().all(|b| SECRET_ALPHABET.contains(&b)));
        assert_ne!(a, new_secret());
        assert_eq!(secret_hash(&a.to_lowercase()), secret_hash(&a));
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("demo").unwrap();
        assert!(verify_password("demo", &h));
        assert!(!verify_password("Demo", &h));
        assert!(!verify_password("demo", "not a hash"));
    }

    #[test]
    fn a_cached_token_is_fresh_only_for_its_ttl_of_the_application_clock() {
        let t0 = time::macros::datetime!(2026-04-29 09:00 UTC);
        assert!(fresh(t0, t0) && fresh(t0, t0 + time::Duration::seconds(29)));
        assert!(!fresh(t0, t0 + TOKEN_CACHE_TTL), "expired with its TTL");
        assert!(!fresh(t0, t0 - time::Duration::seconds(1)), "the clock went back: read again");
    }
}

/// Recently verified tokens, so the hot path (actions, inbox) does not read the account on
/// every request. Entries live [`TOKEN_CACHE_TTL`] of the application's clock (so a test that
/// moves the clock past a token's expiry sees it refused); a disabled account stops working
/// within it. An entry from the "future" (the clock went back) is stale too.
#[derive(Default)]
pub struct TokenCache {
    map: std::sync::Mutex<std::collections::HashMap<String, (motcua_store::users::User, time::OffsetDateTime)>>,
}

/// How long a verified token is trusted without reading the database again.
pub const TOKEN_CACHE_TTL: time::Duration = time::Duration::seconds(30);

fn fresh(verified_at: time::OffsetDateTime, now: time::OffsetDateTime) -> bool {
    let age = now - verified_at;
    !age.is_negative() && age < TOKEN_CACHE_TTL
}

impl TokenCache {
    /// The cached account for a token hash, if verified less than the TTL before `now`.
    pub fn get(&self, hash: &str, now: time::OffsetDateTime) -> Option<motcua_store::users::User> {
        let map = self.map.lock().ok()?;
        map.get(hash).filter(|(_, at)| fresh(*at, now)).map(|(u, _)| u.clone())
    }

    /// Forgets every token of `username`: its account just changed (roles, password, disabled),
    /// so the next request reads it again.
    pub fn forget_user(&self, username: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.retain(|_, (u, _)| u.username != username);
        }
    }

    /// Remembers a token verified at `now`; drops stale entries when the map grows.
    pub fn put(&self, hash: String, user: motcua_store::users::User, now: time::OffsetDateTime) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() > 10_000 {
                map.retain(|_, (_, at)| fresh(*at, now));
            }
            map.insert(hash, (user, now));
        }
    }
}
