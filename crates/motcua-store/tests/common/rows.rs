//! Raw reads of what the store wrote, so tests check the tables themselves and not only the
//! store's own read functions.

use motcua_domain::audit::{GENESIS, link_hash};
use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::timeliness::classify;
use motcua_store::{Store, format_ts};
use sqlx::Row;

/// The projection columns of a `dossiers` row (everything but the secret and the JSON state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub procedure_code: String,
    pub procedure_version: i64,
    pub receiving_unit: String,
    pub resolving_unit: String,
    pub holder_unit: String,
    pub status: String,
    pub channel: String,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub due_sort: String,
    pub finished_at: Option<String>,
    pub timeliness: Option<String>,
    pub version: i64,
}

impl Projection {
    /// The columns a dossier's projection must have (DESIGN.md: the row is rebuildable from the
    /// events, so it is a pure function of the folded dossier).
    pub fn of(d: &Dossier) -> Projection {
        Projection {
            procedure_code: d.procedure_code.to_string(),
            procedure_version: d.procedure_version,
            receiving_unit: d.receiving_unit.to_string(),
            resolving_unit: d.resolving_unit.to_string(),
            holder_unit: d.holder_unit().unwrap_or("").to_owned(),
            status: d.status.as_str().to_owned(),
            channel: d.channel.as_str().to_owned(),
            submitted_at: format_ts(d.submitted_at),
            received_at: d.received_at.map(format_ts),
            due_at: d.due_at.map(format_ts),
            due_sort: d.appointment_at.or(d.due_at).map(format_ts).unwrap_or_else(|| "9999-12-31T23:59:59Z".into()),
            finished_at: d.finished_at.map(format_ts),
            timeliness: d.finished_at.and_then(|f| classify(d, f)).map(|t| t.as_str().to_owned()),
            version: d.version,
        }
    }
}

/// The stored row: projection columns, `last_hash` and the parsed JSON state.
pub async fn dossier_row(store: &Store, code: &str) -> (Projection, String, Dossier) {
    let r = sqlx::query(
        "SELECT procedure_code, procedure_version, receiving_unit, resolving_unit, holder_unit, status, channel, \
         submitted_at, received_at, due_at, due_sort, finished_at, timeliness, version, last_hash, state \
         FROM dossiers WHERE code = $1",
    )
    .bind(code)
    .fetch_one(&store.pool)
    .await
    .unwrap_or_else(|e| panic!("reading the row of {code}: {e}"));
    let p = Projection {
        procedure_code: r.get("procedure_code"),
        procedure_version: r.get("procedure_version"),
        receiving_unit: r.get("receiving_unit"),
        resolving_unit: r.get("resolving_unit"),
        holder_unit: r.get("holder_unit"),
        status: r.get("status"),
        channel: r.get("channel"),
        submitted_at: r.get("submitted_at"),
        received_at: r.get("received_at"),
        due_at: r.get("due_at"),
        due_sort: r.get("due_sort"),
        finished_at: r.get("finished_at"),
        timeliness: r.get("timeliness"),
        version: r.get("version"),
    };
    let state: String = r.get("state");
    let d: Dossier = serde_json::from_str(&state).unwrap_or_else(|e| panic!("state of {code}: {e}"));
    (p, r.get("last_hash"), d)
}

/// Asserts that the stored row of `d.code` is exactly the projection of `d`.
pub async fn assert_row_is(store: &Store, d: &Dossier) {
    let (p, _, state) = dossier_row(store, &d.code).await;
    assert_eq!(p, Projection::of(d), "projection columns of {}", d.code);
    assert_eq!(&state, d, "JSON state of {}", d.code);
}

/// One stored link of a dossier's chain.
#[derive(Debug, Clone)]
pub struct Link {
    pub seq: i64,
    pub action: String,
    pub actor: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A dossier's stored events, in order, each `payload` its canonical text (a create event's
/// procedure snapshot put back, as every reader does).
pub async fn links(store: &Store, code: &str) -> Vec<Link> {
    sqlx::query(
        "SELECT e.seq, e.action, e.actor, e.payload, e.prev_hash, e.hash, e.snapshot, s.body AS snapshot_body \
         FROM dossier_events e LEFT JOIN procedure_snapshots s ON s.hash = e.snapshot \
         WHERE e.dossier_code = $1 ORDER BY e.seq",
    )
    .bind(code)
    .fetch_all(&store.pool)
    .await
    .unwrap_or_else(|e| panic!("reading the events of {code}: {e}"))
    .iter()
    .map(|r| {
        let payload: String = r.get("payload");
        let snapshot: Option<String> = r.get("snapshot");
        let body: Option<String> = r.get("snapshot_body");
        let canonical = motcua_store::snapshots::canonical_text(&payload, snapshot.as_deref(), body.as_deref())
            .unwrap_or_else(|e| panic!("event {} of {code}: {e}", r.get::<i64, _>("seq")))
            .into_owned();
        Link {
            seq: r.get("seq"),
            action: r.get("action"),
            actor: r.get("actor"),
            payload: canonical,
            prev_hash: r.get("prev_hash"),
            hash: r.get("hash"),
        }
    })
    .collect()
}

/// Asserts the chain of `code` is whole: seq 1..n, each `prev_hash` the previous `hash` (genesis
/// first), each `hash = SHA-256(prev_hash || payload)`, and the row's `last_hash` its end.
pub async fn assert_chain_whole(store: &Store, code: &str) {
    let links = links(store, code).await;
    let mut prev = GENESIS.to_owned();
    for (i, l) in links.iter().enumerate() {
        assert_eq!(l.seq, i as i64 + 1, "{code}: sequence numbers are 1..n");
        assert_eq!(l.prev_hash, prev, "{code}: prev_hash of seq {}", l.seq);
        assert_eq!(l.hash, link_hash(&prev, &l.payload), "{code}: hash of seq {}", l.seq);
        prev = l.hash.clone();
    }
    let (_, last_hash, _) = dossier_row(store, code).await;
    assert_eq!(last_hash, prev, "{code}: last_hash is the end of the chain");
}

/// Number of events of one dossier.
pub async fn event_count(store: &Store, code: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossier_events WHERE dossier_code = $1")
        .bind(code)
        .fetch_one(&store.pool)
        .await
        .expect("counting events")
}

/// Number of events in the whole store.
pub async fn total_events(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossier_events").fetch_one(&store.pool).await.expect("counting events")
}

/// Number of dossiers in the whole store.
pub async fn total_dossiers(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossiers").fetch_one(&store.pool).await.expect("counting dossiers")
}
