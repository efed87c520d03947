//! Citizens' feedback (phản ánh, kiến nghị; Decree 20/2008, QĐ 766 row 5): submission at the
//! province's center, lookup with code and secret, every officer's command decided by the
//! domain (`motcua_domain::feedback`) inside the writer, and votes on published answers.

use motcua_domain::ErrorCode;
use motcua_domain::dossier::Actor;
use motcua_domain::feedback::{self, Command, Feedback, Submission};

use crate::Application;
use crate::error::{AppResult, Error, Kind};

/// The calendar and rules of the center that received an item.
pub async fn clock(
    state: &Application,
    center: &str,
) -> AppResult<(std::sync::Arc<motcua_domain::calendar::Calendar>, feedback::FeedbackRules)> {
    Ok((state.calendars.get(Some(center)), state.store.feedback_rules(center).await?))
}

/// Records a submission at the province's center; returns the item and its secret.
pub async fn submit(state: &Application, submission: Submission) -> AppResult<(Feedback, String)> {
    submit_with_files(state, submission, Vec::new()).await
}

/// [`submit`] with the citizen's attachments, stored in the same transaction as the item.
#[tracing::instrument(skip_all)]
pub async fn submit_with_files(
    state: &Application,
    submission: Submission,
    files: Vec<motcua_store::web::NewFile>,
) -> AppResult<(Feedback, String)> {
    submission.validate()?;
    let center = state.province_center.clone();
    let (cal, rules) = clock(state, &center).await?;
    let secret = crate::auth::new_secret();
    let at = state.now();
    let fb = state
        .store
        .create_feedback_with_files(
            at,
            &crate::auth::secret_hash(&secret),
            move |code| Feedback::submit(code, center, submission, at, &cal, &rules),
            files,
        )
        .await?;
    Ok((fb, secret))
}

/// The answer for an unknown code, a wrong secret or an item the officer may not see (the same).
pub fn not_found(code: &str) -> Error {
    Error::not_found(&format!("feedback {code} with this secret"), &format!("phản ánh {code} với mã bí mật này"))
}

/// Compares two strings in time that depends only on their lengths.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Loads an item for whoever holds its code and secret. A wrong secret and an unknown code both
/// answer 404, after the same hash and constant-time comparison.
pub async fn load_with_secret(state: &Application, code: &str, secret: Option<&str>) -> AppResult<Feedback> {
    let secret = secret.filter(|s| !s.trim().is_empty() && s.len() <= 64).ok_or_else(|| {
        Error::bad_request(
            ErrorCode::SecretRequired,
            "give the feedback's secret (?secret=...)",
            "cần nhập mã bí mật của phản ánh (?secret=...)",
        )
    })?;
    let given = crate::auth::secret_hash(secret);
    let found =
        if code.len() <= 32 { state.store.feedback(code).await } else { Err(motcua_store::StoreError::NotFound) };
    let (fb, stored) = match found {
        Ok(v) => (Some(v.0), v.1),
        Err(motcua_store::StoreError::NotFound) => (None, crate::auth::secret_hash("")),
        Err(e) => return Err(e.into()),
    };
    match fb {
        Some(fb) if same(&given, &stored) => Ok(fb),
        _ => Err(not_found(code)),
    }
}

/// Applies a command for `actor` (checked by the domain) and stores the event.
#[tracing::instrument(skip_all, fields(feedback = %fb.code))]
pub async fn act(state: &Application, actor: &Actor, fb: &Feedback, cmd: Command) -> AppResult<Feedback> {
    if let Command::Assign { unit, .. } = &cmd
        && !state.store.units().await?.iter().any(|u| &u.code == unit && u.is_current())
    {
        return Err(Error::unprocessable(
            ErrorCode::UnknownUnit,
            format!("unit '{unit}' does not exist"),
            format!("không có đơn vị '{unit}'"),
        ));
    }
    let (cal, rules) = clock(state, &fb.center).await?;
    let (actor, at) = (actor.clone(), state.now());
    // Decided inside the writer on the state the event will follow (at the version the caller saw).
    let decide = move |current: &Feedback| feedback::decide(current, &actor, cmd, at, &cal, &rules);
    state.store.act_on_feedback(&fb.code, Some(fb.version), decide).await.map_err(|e| match e {
        motcua_store::StoreError::Conflict { current } => Error::new(
            Kind::Conflict,
            ErrorCode::VersionConflict,
            format!("the feedback changed meanwhile (version {current}); reload and try again"),
            format!("phản ánh vừa được cập nhật (phiên bản {current}); vui lòng tải lại"),
        ),
        e => e.into(),
    })
}

/// Records a like or dislike of a published answer by `voter` (a client-chosen id of 8 to 128
/// characters, stored only as a hash); one vote per voter, the last one counts.
#[tracing::instrument(skip_all, fields(feedback = %code))]
pub async fn vote(state: &Application, code: &str, voter: &str, like: bool) -> AppResult<Feedback> {
    if voter.trim().len() < 8 || voter.len() > 128 {
        return Err(Error::bad_request(
            ErrorCode::InvalidVoter,
            "'voter' must be 8 to 128 characters",
            "'voter' phải dài 8 đến 128 ký tự",
        ));
    }
    let voter = motcua_domain::audit::sha256_hex(&[b"voter:", voter.trim().as_bytes()]);
    state.store.vote_feedback(code, &voter, like, state.now()).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => {
            Error::not_found(&format!("published feedback {code}"), &format!("phản ánh đã công khai {code}"))
        }
        e => e.into(),
    })
}
