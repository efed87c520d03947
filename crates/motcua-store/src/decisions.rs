//! Publication decisions (quyết định công bố, NĐ 63/2010 Art. 13–15 as amended): applying one
//! stores it and, in the same transaction, the procedure versions it publishes, each effective
//! from the decision's `effective_from`.

use motcua_domain::DomainError;
use motcua_domain::ErrorCode;
use motcua_domain::catalog::decision::Decision;

use crate::catalog::{ABOLISHED, insert_version, parse};
use crate::{Result, Store, StoreError, format_date, format_ts};

impl Store {
    /// Applies a validated decision: `new` procedures must not exist yet, `amended` and
    /// `abolished` ones must. Abolition stores a marker version (a copy of the latest one with
    /// status `abolished`). `at` is when it is recorded. Returns the decision with the version
    /// numbers given.
    pub async fn apply_decision(&self, d: &Decision, at: time::OffsetDateTime) -> Result<Decision> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO decisions (number, signed_on, effective_from, signer, new_codes, amended_codes, abolished_codes, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (number) DO NOTHING",
        )
        .bind(d.number.clone())
        .bind(format_date(d.signed_on))
        .bind(format_date(d.effective_from))
        .bind(d.signer.clone())
        .bind(json(&codes(&d.new))?)
        .bind(json(&codes(&d.amended))?)
        .bind(json(&d.abolished)?)
        .bind(String::new())
        .bind(format_ts(at))
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(rule(
                ErrorCode::DecisionExists,
                format!("decision {} is already recorded", d.number),
                format!("quyết định {} đã được ghi nhận", d.number),
            ));
        }
        let from = format_date(d.effective_from);
        let mut out = d.clone();
        for p in out.new.iter_mut() {
            if latest(&mut tx, &p.code).await?.is_some() {
                return Err(rule(
                    ErrorCode::ProcedureExists,
                    format!("procedure {} already exists: publish it as amended", p.code),
                    format!("thủ tục {} đã có: công bố dưới dạng sửa đổi, bổ sung", p.code),
                ));
            }
            p.version = insert_version(&mut tx, p, &from, Some(&d.number), "new").await?;
        }
        for p in out.amended.iter_mut() {
            if latest(&mut tx, &p.code).await?.is_none() {
                return Err(unknown(&p.code));
            }
            p.version = insert_version(&mut tx, p, &from, Some(&d.number), "amended").await?;
        }
        for code in &d.abolished {
            let Some((status, data, since)) = latest(&mut tx, code).await? else {
                return Err(unknown(code));
            };
            if status == ABOLISHED {
                return Err(rule(
                    ErrorCode::ProcedureAbolished,
                    format!("procedure {code} is already abolished (or scheduled to be) from {since}"),
                    format!("thủ tục {code} đã bị bãi bỏ (hoặc đã có quyết định bãi bỏ) từ ngày {since}"),
                ));
            }
            insert_version(&mut tx, &parse(&data)?, &from, Some(&d.number), ABOLISHED).await?;
        }
        sqlx::query("UPDATE decisions SET data = $1 WHERE number = $2")
            .bind(json(&out)?)
            .bind(d.number.clone())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Every decision, latest effective date first.
    pub async fn decisions(&self) -> Result<Vec<Decision>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM decisions ORDER BY effective_from DESC, signed_on DESC, number")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|s| serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("decision: {e}"))))
            .collect()
    }
}

/// (status, data) of the latest stored version of a procedure.
/// The latest stored version of a procedure: (status, data, effective_from).
async fn latest(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    code: &str,
) -> Result<Option<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT status, data, effective_from FROM procedures WHERE code = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(code.to_owned())
    .fetch_optional(&mut **tx)
    .await?)
}

fn codes(ps: &[motcua_domain::catalog::Procedure]) -> Vec<String> {
    ps.iter().map(|p| p.code.to_string()).collect()
}

fn rule(code: ErrorCode, en: String, vi: String) -> StoreError {
    StoreError::Domain(DomainError::rule(code, en, vi))
}

fn unknown(code: &str) -> StoreError {
    rule(
        ErrorCode::UnknownProcedure,
        format!("procedure {code} is not in the catalog"),
        format!("thủ tục {code} không có trong danh mục"),
    )
}

/// JSON text for a TEXT column.
fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}
