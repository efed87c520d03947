//! The dossier writer: every change to a dossier goes through one task that takes all requests
//! waiting at that moment and runs them in ONE transaction (group commit). SQLite's durable
//! commit rate (one fsync each, ~6,000/s here) is then shared by the whole batch. Requests still
//! run one after another inside the transaction, each seeing the previous one's writes, so
//! ordering and optimistic concurrency are exactly as if each had its own transaction.
//!
//! A refused request (domain rule, stale version) writes nothing and does not disturb the
//! others. A database error aborts the batch: nothing of it is written and every request in it
//! gets the error.

use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::event::Event;
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use motcua_domain::indicators::YearMonth;
use time::OffsetDateTime;

pub use crate::dossier_log::Decide;
use crate::dossier_log::{act, insert_history};
use crate::indicators::{Recomputed, horizon, recompute_in, roll_over_in};
use crate::restructure::{RestructureBatch, restructure_in};
use crate::web::{NewFile, insert_files_in};
use crate::{Result, StoreError};

/// Largest number of requests committed together.
const MAX_BATCH: usize = 512;

/// Builds the first events of a new dossier from its sequence number (the code is rendered from
/// it by the caller's template).
pub type Build = Box<dyn FnOnce(u64) -> std::result::Result<Vec<Event>, motcua_domain::DomainError> + Send>;

/// A new dossier: its code comes from the per-unit, per-day sequence.
pub struct CreateJob {
    /// Unit whose sequence numbers the code (the receiving unit).
    pub seq_unit: String,
    /// Local (UTC+7) date of the sequence, `YYYY-MM-DD`.
    pub day: String,
    /// SHA-256 of the lookup secret.
    pub secret_hash: String,
    pub build: Build,
    /// Makes the creation idempotent: a second job with the same key writes nothing and answers
    /// [`StoreError::AlreadySubmitted`] (issue 14: a refresh never creates a second dossier).
    pub key: Option<SubmissionKey>,
}

/// An idempotency key of a submission and the user who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionKey {
    pub key: String,
    pub username: String,
}

/// A dossier with its whole history, written as is (demo data, benchmarks, imports).
pub struct History {
    pub secret_hash: String,
    pub events: Vec<Event>,
    /// (unit, day, seq) the code used, so the live sequence never hands it out again.
    pub seq: Option<(String, String, i64)>,
    /// The files its events name (scans, results), each owned by the dossier
    /// (`meta.dossier_code`); content-addressed, so a seed's one scan is stored once.
    pub files: Vec<NewFile>,
}

/// A job that runs inside the batch transaction (see [`Writer::transact`]); what it returns is
/// delivered after the commit, or replaced by the abort.
type Work = Box<dyn for<'t> FnOnce(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Done> + Send>;

/// What a [`Work`] job leaves behind: whether it broke the transaction (then the batch aborts),
/// and how to answer its caller (`None` once committed, `Some(reason)` if the batch aborted).
struct Done {
    fatal: Option<StoreError>,
    reply: Reply,
}

/// Answers a [`Work`] job's caller: `None` once committed, `Some(reason)` if the batch aborted.
type Reply = Box<dyn FnOnce(Option<&str>) + Send>;

enum Job {
    Work(Work),
    Act {
        code: String,
        expected_version: Option<i64>,
        decide: Decide,
        files: Vec<NewFile>,
        reply: oneshot::Sender<Result<Dossier>>,
    },
    Create {
        job: CreateJob,
        files: Vec<NewFile>,
        reply: oneshot::Sender<Result<Dossier>>,
    },
    Bulk {
        histories: Vec<History>,
        reply: oneshot::Sender<Result<usize>>,
    },
    Restructure {
        batch: RestructureBatch,
        reply: oneshot::Sender<Result<Vec<String>>>,
    },
    RollOver {
        to: YearMonth,
        reply: oneshot::Sender<Result<u64>>,
    },
    Recompute {
        open: YearMonth,
        reply: oneshot::Sender<Result<Recomputed>>,
    },
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    /// Where file bytes go before the transaction that names them.
    pub(crate) blobs: crate::blobs::Blobs,
    /// Jobs taken so far (for workers that yield while the writer is busy).
    taken: Arc<std::sync::atomic::AtomicU64>,
    /// Dossiers changed since the national-portal sync last looked.
    pub(crate) changes: Arc<crate::national_sync::Changes>,
}

impl Writer {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(pool: AnyPool) -> Writer {
        let (tx, rx) = mpsc::channel(4096);
        let taken = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let changes = Arc::new(crate::national_sync::Changes::default());
        tokio::spawn(run(pool, rx, taken.clone(), changes.clone()));
        Writer { tx, taken, blobs: crate::blobs::Blobs::default(), changes }
    }

    /// How many jobs the writer has taken since it started: a background worker compares two
    /// readings to see how busy it is.
    pub fn jobs_taken(&self) -> u64 {
        self.taken.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Applies an action: loads the dossier, checks `expected_version`, asks `decide` for the
    /// events, appends them to the hash chain and updates the projection.
    pub async fn act(&self, code: String, expected_version: Option<i64>, decide: Decide) -> Result<Dossier> {
        self.act_with_files(code, expected_version, decide, Vec::new()).await
    }

    /// [`Writer::act`] together with the files its events refer to (a supplement's uploads, an
    /// approved result), stored as the dossier's in the same transaction, before the decision:
    /// the files and the action commit together or not at all (a refusal, a conflict, a panic or
    /// a crash leaves neither).
    pub async fn act_with_files(
        &self,
        code: String,
        expected_version: Option<i64>,
        decide: Decide,
        mut files: Vec<NewFile>,
    ) -> Result<Dossier> {
        let staged = self.blobs.stage(files.iter_mut().map(NewFile::bytes)).await?;
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::Act { code, expected_version, decide, files, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        let d = rx.await.map_err(|_| StoreError::WriterGone)??;
        staged.ensure().await?;
        Ok(d)
    }

    /// Creates a dossier.
    pub async fn create(&self, job: CreateJob) -> Result<Dossier> {
        self.create_with_files(job, Vec::new()).await
    }

    /// [`Writer::create`] together with the files its submission names, stored as the new
    /// dossier's in the same transaction.
    pub async fn create_with_files(&self, job: CreateJob, mut files: Vec<NewFile>) -> Result<Dossier> {
        let staged = self.blobs.stage(files.iter_mut().map(NewFile::bytes)).await?;
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Create { job, files, reply }).await.map_err(|_| StoreError::WriterGone)?;
        let d = rx.await.map_err(|_| StoreError::WriterGone)??;
        staged.ensure().await?;
        Ok(d)
    }

    /// Applies a restructure in one transaction (units, grants, and every re-home through the
    /// same event path as [`Writer::act`]); answers the codes of the dossiers re-homed.
    pub async fn restructure(&self, batch: RestructureBatch) -> Result<Vec<String>> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Restructure { batch, reply }).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Moves the indicator rollups' horizon to `to` (a month has ended).
    pub async fn roll_over(&self, to: YearMonth) -> Result<u64> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::RollOver { to, reply }).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Rebuilds the indicator rollups from the event log, with the horizon at `open`.
    pub async fn recompute(&self, open: YearMonth) -> Result<Recomputed> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Recompute { open, reply }).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Runs `work` inside the writer's batch transaction, isolated by a savepoint: everything it
    /// writes commits with the batch, or — when it returns an error or panics — is rolled back
    /// alone while the other requests of the batch go on. Every record with a history (through
    /// [`crate::records`]) and every other read-modify-write that must not race is written this
    /// way, so concurrent requests never meet "database is locked" and share the group commit.
    pub async fn transact<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel::<Result<T>>();
        let job: Work = Box::new(move |tx| {
            Box::pin(async move {
                let (result, fatal) = in_savepoint(tx, work).await;
                Done {
                    fatal,
                    reply: Box::new(move |aborted| {
                        let r = match aborted {
                            None => result,
                            Some(msg) => Err(StoreError::Corrupt(format!("write aborted: {msg}"))),
                        };
                        drop(reply.send(r));
                    }),
                }
            })
        });
        self.tx.send(Job::Work(job)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Writes whole histories in one transaction.
    pub async fn bulk(&self, mut histories: Vec<History>) -> Result<usize> {
        let staged =
            self.blobs.stage(histories.iter_mut().flat_map(|h| h.files.iter_mut()).map(NewFile::bytes)).await?;
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Bulk { histories, reply }).await.map_err(|_| StoreError::WriterGone)?;
        let n = rx.await.map_err(|_| StoreError::WriterGone)??;
        staged.ensure().await?;
        Ok(n)
    }
}

/// Runs `work` between `SAVEPOINT` and `RELEASE`/`ROLLBACK TO`, catching a panic. Answers the
/// work's result and, when the transaction itself can no longer be used (the rollback to the
/// savepoint failed), the error that must abort the batch.
async fn in_savepoint<T, F>(tx: &mut Transaction<'static, Any>, work: F) -> (Result<T>, Option<StoreError>)
where
    F: for<'t> FnOnce(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T>>,
{
    if let Err(e) = sqlx::query("SAVEPOINT motcua_job").execute(&mut **tx).await {
        return (Err(StoreError::Corrupt("write aborted".into())), Some(e.into()));
    }
    let marks = crate::national_sync::marks_len();
    let result = match AssertUnwindSafe(work(&mut *tx)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            tracing::error!("a write job panicked; its savepoint is rolled back and the writer goes on");
            Err(StoreError::Panicked)
        }
    };
    if result.is_err() {
        // Its national-portal marks go with its rows.
        crate::national_sync::forget_marks_after(marks);
    }
    let end = if result.is_ok() { "RELEASE SAVEPOINT motcua_job" } else { "ROLLBACK TO SAVEPOINT motcua_job" };
    let mut fatal = sqlx::query(end).execute(&mut **tx).await.err().map(StoreError::from);
    if fatal.is_none() && result.is_err() {
        fatal = sqlx::query("RELEASE SAVEPOINT motcua_job").execute(&mut **tx).await.err().map(StoreError::from);
    }
    (result, fatal)
}

async fn run(
    pool: AnyPool,
    mut rx: mpsc::Receiver<Job>,
    taken: Arc<std::sync::atomic::AtomicU64>,
    changes: Arc<crate::national_sync::Changes>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        taken.fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
        // A panic anywhere in a batch drops its transaction (rolled back) and its replies (their
        // callers get `WriterGone`), and the writer takes the next batch.
        if AssertUnwindSafe(crate::national_sync::collecting(run_batch(&pool, batch, &changes)))
            .catch_unwind()
            .await
            .is_err()
        {
            tracing::error!("a write batch panicked; it was rolled back and the writer goes on");
        }
    }
}

/// A reply waiting for the commit.
enum Pending {
    Work(Reply),
    One(oneshot::Sender<Result<Dossier>>, Box<Result<Dossier>>),
    Count(oneshot::Sender<Result<usize>>, Result<usize>),
    Codes(oneshot::Sender<Result<Vec<String>>>, Result<Vec<String>>),
    Rolled(oneshot::Sender<Result<u64>>, Result<u64>),
    Rebuilt(oneshot::Sender<Result<Recomputed>>, Result<Recomputed>),
}

async fn run_batch(pool: &AnyPool, batch: Vec<Job>, changes: &crate::national_sync::Changes) {
    let mut pending = Vec::with_capacity(batch.len());
    let outcome: Result<()> = async {
        let mut tx = crate::begin_write(pool).await?;
        // The rollups' open month for this batch (indicators::follow); a roll-over or a rebuild
        // in the batch moves it for the jobs after it.
        let mut open = horizon(&mut tx).await?.unwrap_or_else(|| YearMonth::of(OffsetDateTime::now_utc()));
        for job in batch {
            match job {
                Job::Work(work) => {
                    let done = work(&mut tx).await;
                    pending.push(Pending::Work(done.reply));
                    if let Some(e) = done.fatal {
                        return Err(e);
                    }
                }
                Job::Act { code, expected_version, decide, files, reply } if !files.is_empty() => {
                    // Files and action in one savepoint: a refusal rolls back the files too.
                    let (r, fatal) = in_savepoint(&mut tx, move |tx| {
                        Box::pin(async move {
                            insert_files_in(tx, &files, &code).await?;
                            act(tx, &code, expected_version, decide, open).await
                        })
                    })
                    .await;
                    pending.push(Pending::One(reply, Box::new(r)));
                    if let Some(e) = fatal {
                        return Err(e);
                    }
                }
                Job::Create { job, files, reply } if !files.is_empty() => {
                    let (r, fatal) =
                        in_savepoint(&mut tx, move |tx| Box::pin(create_with_files(tx, job, files, open))).await;
                    pending.push(Pending::One(reply, Box::new(r)));
                    if let Some(e) = fatal {
                        return Err(e);
                    }
                }
                Job::Act { code, expected_version, decide, files: _, reply } => {
                    match act(&mut tx, &code, expected_version, decide, open).await {
                        Err(StoreError::Db(e)) => {
                            pending
                                .push(Pending::One(reply, Box::new(Err(StoreError::Corrupt("batch aborted".into())))));
                            return Err(StoreError::Db(e));
                        }
                        r => pending.push(Pending::One(reply, Box::new(r))),
                    }
                }
                Job::Create { job, files: _, reply } => match create_with_files(&mut tx, job, Vec::new(), open).await {
                    Err(StoreError::Db(e)) => {
                        pending.push(Pending::One(reply, Box::new(Err(StoreError::Corrupt("batch aborted".into())))));
                        return Err(StoreError::Db(e));
                    }
                    r => pending.push(Pending::One(reply, Box::new(r))),
                },
                Job::Bulk { histories, reply } => match bulk(&mut tx, histories, open).await {
                    Err(e) => {
                        pending.push(Pending::Count(reply, Err(StoreError::Corrupt("batch aborted".into()))));
                        return Err(e);
                    }
                    r => pending.push(Pending::Count(reply, r)),
                },
                Job::Restructure { batch, reply } => match restructure_in(&mut tx, batch, open).await {
                    Err(e) => {
                        pending.push(Pending::Codes(reply, Err(StoreError::Corrupt("batch aborted".into()))));
                        return Err(e);
                    }
                    r => pending.push(Pending::Codes(reply, r)),
                },
                Job::RollOver { to, reply } => match roll_over_in(&mut tx, to).await {
                    Err(e) => {
                        pending.push(Pending::Rolled(reply, Err(StoreError::Corrupt("batch aborted".into()))));
                        return Err(e);
                    }
                    r => {
                        open = open.max(to);
                        pending.push(Pending::Rolled(reply, r));
                    }
                },
                Job::Recompute { open: to, reply } => match recompute_in(&mut tx, to).await {
                    Err(e) => {
                        pending.push(Pending::Rebuilt(reply, Err(StoreError::Corrupt("batch aborted".into()))));
                        return Err(e);
                    }
                    r => {
                        open = to;
                        pending.push(Pending::Rebuilt(reply, r));
                    }
                },
            }
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            // Committed: the national-portal sync may now send these versions.
            changes.publish(crate::national_sync::take_marks());
            for p in pending {
                match p {
                    Pending::Work(reply) => reply(None),
                    Pending::One(tx, r) => drop(tx.send(*r)),
                    Pending::Count(tx, r) => drop(tx.send(r)),
                    Pending::Codes(tx, r) => drop(tx.send(r)),
                    Pending::Rolled(tx, r) => drop(tx.send(r)),
                    Pending::Rebuilt(tx, r) => drop(tx.send(r)),
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "dossier write batch aborted");
            let msg = e.to_string();
            for p in pending {
                let err = || StoreError::Corrupt(format!("write aborted: {msg}"));
                match p {
                    Pending::Work(reply) => reply(Some(&msg)),
                    Pending::One(tx, _) => drop(tx.send(Err(err()))),
                    Pending::Count(tx, _) => drop(tx.send(Err(err()))),
                    Pending::Codes(tx, _) => drop(tx.send(Err(err()))),
                    Pending::Rolled(tx, _) => drop(tx.send(Err(err()))),
                    Pending::Rebuilt(tx, _) => drop(tx.send(Err(err()))),
                }
            }
        }
    }
}

/// Creates a dossier and stores `files` as its own (inside a savepoint when there are files).
async fn create_with_files(
    tx: &mut Transaction<'static, Any>,
    job: CreateJob,
    files: Vec<NewFile>,
    open: YearMonth,
) -> Result<Dossier> {
    // The writer is the only creator, so the check and the insert below cannot interleave.
    if let Some(k) = &job.key {
        let used: Option<(String, String)> =
            sqlx::query_as("SELECT username, dossier_code FROM submission_keys WHERE key = $1")
                .bind(k.key.clone())
                .fetch_optional(&mut **tx)
                .await?;
        match used {
            Some((user, code)) if user == k.username => return Err(StoreError::AlreadySubmitted { code }),
            Some(_) => return Err(StoreError::KeyTaken),
            None => {}
        }
    }
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO dossier_seq (unit, day, last_seq) VALUES ($1, $2, 1) \
         ON CONFLICT (unit, day) DO UPDATE SET last_seq = dossier_seq.last_seq + 1 RETURNING last_seq",
    )
    .bind(job.seq_unit)
    .bind(job.day)
    .fetch_one(&mut **tx)
    .await?;
    let build = job.build;
    let events = crate::records::guarded("dossier creation", move || build(u64::try_from(seq).unwrap_or(0)))??;
    let d = insert_history(tx, &job.secret_hash, &events, open).await?;
    if let Some(k) = job.key {
        sqlx::query("INSERT INTO submission_keys (key, username, dossier_code, created_at) VALUES ($1, $2, $3, $4)")
            .bind(k.key)
            .bind(k.username)
            .bind(d.code.to_string())
            .bind(crate::format_ts(d.submitted_at))
            .execute(&mut **tx)
            .await?;
    }
    insert_files_in(tx, &files, &d.code).await?;
    crate::outbox::notify_citizen_in(tx, &d, 1, &events).await?;
    crate::national_sync::want_in(d.code.as_str(), d.version, d.submitted_at);
    Ok(d)
}

async fn bulk(tx: &mut Transaction<'static, Any>, histories: Vec<History>, open: YearMonth) -> Result<usize> {
    let n = histories.len();
    for h in &histories {
        if let Some((unit, day, seq)) = &h.seq {
            sqlx::query(
                "INSERT INTO dossier_seq (unit, day, last_seq) VALUES ($1, $2, $3) \
                 ON CONFLICT (unit, day) DO UPDATE SET last_seq = CASE WHEN dossier_seq.last_seq > $3 THEN dossier_seq.last_seq ELSE $3 END",
            )
            .bind(unit.clone())
            .bind(day.clone())
            .bind(*seq)
            .execute(&mut **tx)
            .await?;
        }
        insert_history(tx, &h.secret_hash, &h.events, open).await?;
    }
    let files: Vec<&NewFile> = histories.iter().flat_map(|h| &h.files).collect();
    crate::web::insert_owned_files_in(tx, &files).await?;
    Ok(n)
}
