//! Catalog import (issue 4 item 2): every procedure of a file as a new version, in one
//! transaction, so that a failure part-way leaves the catalog as it was.

use motcua_domain::catalog::Procedure;

use crate::catalog::insert_version;
use crate::{Result, Store, format_date};

impl Store {
    /// Stores each procedure (validated by the caller) as a new version effective from `from`
    /// (the caller's today), all or nothing; `progress(done)` is called after each one. Returns
    /// how many were stored.
    pub async fn import_procedures(
        &self,
        procedures: &[Procedure],
        from: time::Date,
        mut progress: impl FnMut(usize),
    ) -> Result<usize> {
        let today = format_date(from);
        let mut tx = crate::begin_write(&self.pool).await?;
        for (i, p) in procedures.iter().enumerate() {
            insert_version(&mut tx, p, &today, None, "published").await?;
            progress(i + 1);
        }
        tx.commit().await?;
        Ok(procedures.len())
    }
}
