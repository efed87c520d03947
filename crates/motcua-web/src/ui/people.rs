//! Officers named by their names on the pages: an audit trail, an alert or a rating table
//! shows who acted, and a username is not a name.

use std::collections::HashMap;

use crate::AppState;

/// Officers' full names by username, for the people one page names. A name that cannot be
/// found shows as the username; the applicant and the system are named by [`super::Chrome::actor`].
pub struct People(HashMap<String, String>);

impl People {
    pub async fn of<'a>(state: &AppState, usernames: impl Iterator<Item = &'a String>) -> People {
        let mut names = HashMap::new();
        // Each account is looked up once, found or not (a timeline repeats its actors).
        let mut asked = std::collections::HashSet::new();
        for u in usernames {
            if matches!(u.as_str(), "applicant" | "system") || !asked.insert(u.clone()) {
                continue;
            }
            if let Ok(Some(user)) =
                state.store.user(u).await.inspect_err(|e| tracing::warn!(error = %e, "officer name"))
                && !user.full_name.trim().is_empty()
            {
                names.insert(u.clone(), user.full_name);
            }
        }
        People(names)
    }

    pub fn name(&self, username: &str) -> String {
        self.0.get(username).cloned().unwrap_or_else(|| username.to_owned())
    }
}
