//! The visitor of a page: a random session id in an HTTP-only, SameSite=Lax cookie; a CSRF token
//! derived from it with a server key (so anonymous citizens need no database row); the language
//! cookie; and, for officers, the signed-in account (a `web_sessions` row keyed by the id's hash,
//! rotated at sign-in).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_domain::audit::sha256_hex;
use motcua_store::users::User;

use super::error::UiError;
use crate::AppState;

/// Cookie holding the session id.
pub const SID: &str = "motcua_sid";
/// Cookie holding the language.
pub const LANG: &str = "motcua_lang";
/// Lifetime of a session, seconds.
pub const SESSION_SECONDS: i64 = 12 * 3600;

pub use crate::views::Lang;

/// Who is looking at the page.
#[derive(Clone)]
pub struct Visitor {
    pub sid: String,
    pub csrf: String,
    pub lang: Lang,
    pub user: Option<User>,
}

impl Visitor {
    /// Refuses a form whose token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), UiError> {
        if !token.is_empty() && token == self.csrf { Ok(()) } else { Err(UiError::csrf(self.lang)) }
    }
}

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value for a session id.
pub fn sid_cookie(sid: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{SID}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}"))
        .unwrap_or(HeaderValue::from_static("motcua_sid=; Path=/"))
}

fn valid_sid(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the database stores for a session id.
pub fn sid_hash(sid: &str) -> String {
    sha256_hex(&[b"sid:", sid.as_bytes()])
}

/// Loads (or starts) the visitor's session for every page.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let (sid, fresh) = match cookie(headers, SID).filter(|s| valid_sid(s)) {
        Some(s) => (s.to_owned(), false),
        None => (crate::auth::new_token(), true),
    };
    let lang = if cookie(headers, LANG) == Some("en") { Lang::En } else { Lang::Vi };
    let key = match state.store.setting_or_init("csrf_key", crate::auth::new_token).await {
        Ok(k) => k,
        Err(e) => return UiError::from(e).in_lang(lang).into_response(),
    };
    let csrf = sha256_hex(&[key.as_bytes(), b":", sid.as_bytes()]);
    let user = if fresh {
        None
    } else {
        match state.store.session(&sid_hash(&sid), state.now()).await {
            Ok(Some(s)) => match s.username {
                Some(u) => state.store.user(&u).await.ok().flatten().filter(|u| u.active),
                None => None,
            },
            _ => None,
        }
    };
    req.extensions_mut().insert(Visitor { sid: sid.clone(), csrf, lang, user });
    let mut res = super::error::in_visitor_lang(next.run(req).await, lang);
    if fresh && !res.headers().contains_key(header::SET_COOKIE) {
        res.headers_mut().append(header::SET_COOKIE, sid_cookie(&sid));
    }
    res
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Visitor>().cloned().ok_or_else(|| UiError::internal(Lang::Vi))
    }
}

/// A signed-in officer; anyone else is sent to the sign-in page.
pub struct SignedIn {
    pub visitor: Visitor,
    pub user: User,
}

impl SignedIn {
    /// The domain's view of this officer.
    pub fn actor(&self) -> motcua_domain::dossier::Actor {
        self.user.actor()
    }
    /// Holds `role` somewhere.
    pub fn has(&self, role: motcua_domain::dossier::Role) -> bool {
        self.user.roles.iter().any(|(_, r)| *r == role)
    }
}

/// The officer's own password page ([`crate::ui::password`]).
pub const PASSWORD_PATH: &str = "/can-bo/mat-khau";

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match visitor.user.clone() {
            // A password an administrator set is changed before anything else (issue 14).
            Some(user) if user.must_change_password && parts.uri.path() != PASSWORD_PATH => {
                Err(super::see_other(PASSWORD_PATH))
            }
            Some(user) => Ok(SignedIn { visitor, user }),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(super::see_other(&format!("/dang-nhap?next={}", crate::ui::error::urlencode(next))))
            }
        }
    }
}
