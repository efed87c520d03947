//! The lookup secret of a dossier just entered at the counter, kept in memory for the officer
//! who entered it until the receipt is shown (issue 14: Post/Redirect/Get). The reception form
//! answers with a redirect to the receipt, so a refresh re-reads the receipt instead of sending
//! the form again. The receipt takes the secret once: every later view is a reprint without it,
//! as before (the secret is never stored in clear in the database nor put in a URL, which ends up
//! in logs and browser history). An entry not shown within half an hour, or a restart, is
//! forgotten the same way.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the secret stays printable after entry.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// Bound on the entries kept (a center enters a few thousand dossiers a day at most).
const MAX: usize = 20_000;

/// Secrets by (officer, dossier code).
#[derive(Default)]
pub struct Receipts(Mutex<HashMap<(String, String), (String, Instant)>>);

impl Receipts {
    /// Keeps `secret` of `code` for `officer`.
    pub fn put(&self, officer: &str, code: &str, secret: String) {
        let now = Instant::now();
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|_, (_, at)| now.duration_since(*at) < KEEP);
        if m.len() >= MAX {
            // Oldest first: the receipts nobody printed in time.
            if let Some(k) = m.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone()) {
                m.remove(&k);
            }
        }
        m.insert((officer.to_owned(), code.to_owned()), (secret, now));
    }

    /// Takes the secret of `code` if `officer` entered it within the last half hour: it is
    /// handed out once.
    pub fn take(&self, officer: &str, code: &str) -> Option<String> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(&(officer.to_owned(), code.to_owned())).filter(|(_, at)| at.elapsed() < KEEP).map(|(secret, _)| secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_handed_once_to_the_officer_who_entered_the_dossier_only() {
        let r = Receipts::default();
        r.put("tiepnhan", "C1-1", "S3CRET".into());
        assert_eq!(r.take("tiepnhan.x1", "C1-1"), None);
        assert_eq!(r.take("tiepnhan", "C1-2"), None);
        assert_eq!(r.take("tiepnhan", "C1-1").as_deref(), Some("S3CRET"));
        assert_eq!(r.take("tiepnhan", "C1-1"), None, "handed out once");
    }
}
