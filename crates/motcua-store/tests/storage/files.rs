//! A stored file and the action that refers to it commit together or not at all (issue 13):
//! refusals, stale versions and panics leave no file; a process killed between storing the file
//! and deciding the action leaves neither; files left without an owner are collected.

use motcua_domain::DomainError;
use motcua_domain::ErrorCode;
use std::sync::Arc;

use motcua_store::blobs::FileStorage;
use motcua_store::web::NewFile;
use motcua_store::{Store, StoreError};
use object_store::ObjectStore;
use serde_json::json;

use crate::common::fixtures::*;
use crate::common::rows::*;
use crate::storage_test;

/// A small PDF-like upload with id `id`.
fn upload(id: &str) -> NewFile {
    NewFile::new(
        id.to_owned(),
        "document",
        format!("{id}.pdf"),
        "application/pdf",
        format!("%PDF-1.7 {id}").into_bytes(),
    )
}

/// A dossier received at the commune (version 2).
async fn received(store: &Store) -> motcua_domain::dossier::Dossier {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let d = create_dossier(store, &n).await;
    act(store, &d.code, 1, receiver(COMMUNE), action(json!({"action": "receive"})), at("2025-07-07T09:00:00+07:00"))
        .await
        .expect("receive")
}

fn assign() -> motcua_store::writer::Decide {
    decider(
        leader(COMMUNE),
        action(json!({"action": "assign", "assignee": "chuyenvien"})),
        at("2025-07-07T10:00:00+07:00"),
    )
}

/// Every file the dossier's documents name is stored, and owned by the dossier.
async fn assert_no_dangling_reference(store: &Store, code: &str) {
    let (d, _) = store.dossier(code).await.unwrap();
    for id in d.documents.iter().filter_map(|r| r.file.as_ref()) {
        let (meta, _) = store.file(id).await.unwrap().unwrap_or_else(|| panic!("{code} names file {id}, not stored"));
        assert_eq!(meta.dossier_code.as_deref(), Some(code));
    }
}

async fn a_file_commits_with_its_action_or_not_at_all(store: Store) {
    let d = received(&store).await;
    let refuse: motcua_store::writer::Decide =
        Box::new(|_| Err(DomainError::rule(ErrorCode::InvalidTransition, "refused by the rules", "không được phép")));
    let r = store.writer.act_with_files(d.code.to_string(), Some(2), refuse, vec![upload("refused")]).await;
    assert!(matches!(r, Err(StoreError::Domain(_))), "{r:?}");
    let r = store.writer.act_with_files(d.code.to_string(), Some(1), assign(), vec![upload("stale")]).await;
    assert!(matches!(r, Err(StoreError::Conflict { current: 2 })), "{r:?}");
    let r = store
        .writer
        .act_with_files(
            d.code.to_string(),
            Some(2),
            Box::new(|_| panic!("a bug in a decision")),
            vec![upload("panicked")],
        )
        .await;
    assert!(matches!(r, Err(StoreError::Panicked)), "{r:?}");
    for id in ["refused", "stale", "panicked"] {
        assert!(store.file(id).await.unwrap().is_none(), "{id}: no file without its action");
    }
    assert_eq!(event_count(&store, &d.code).await, 2);

    let after = store.writer.act_with_files(d.code.to_string(), Some(2), assign(), vec![upload("kept")]).await.unwrap();
    assert_eq!(after.version, 3);
    let (meta, data) = store.file("kept").await.unwrap().expect("stored with the action");
    assert_eq!((meta.dossier_code.as_deref(), data), (Some(d.code.as_str()), b"%PDF-1.7 kept".to_vec()));
    assert_chain_whole(&store, &d.code).await;
    assert_no_dangling_reference(&store, &d.code).await;
}
storage_test!(a_file_commits_with_its_action_or_not_at_all);

async fn a_submission_stores_its_files_as_the_new_dossiers_or_none(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let mut refused = n.job();
    refused.build =
        Box::new(|_| Err(DomainError::invalid(ErrorCode::InvalidDocuments, "bad submission", "hồ sơ không hợp lệ")));
    let r = store.writer.create_with_files(refused, vec![upload("never")]).await;
    assert!(matches!(r, Err(StoreError::Domain(_))), "{r:?}");
    assert!(store.file("never").await.unwrap().is_none());

    let d = store.writer.create_with_files(n.job(), vec![upload("tokhai")]).await.unwrap();
    assert!(d.code.ends_with("-0001"), "a refused submission consumes no code: {}", d.code);
    let (meta, _) = store.file("tokhai").await.unwrap().expect("stored with the dossier");
    assert_eq!(meta.dossier_code.as_deref(), Some(d.code.as_str()));
    assert_eq!(store.files_of(&d.code).await.unwrap().len(), 1);
}
storage_test!(a_submission_stores_its_files_as_the_new_dossiers_or_none);

async fn files_left_without_an_owner_are_collected(store: Store) {
    let d = received(&store).await;
    let orphan = upload("orphan");
    store.put_file(&orphan.meta, orphan.data, time::OffsetDateTime::now_utc()).await.unwrap();
    let mut owned = upload("owned");
    owned.meta.dossier_code = Some(d.code.to_string());
    store.put_file(&owned.meta, owned.data, time::OffsetDateTime::now_utc()).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(store.collect_orphan_files(now - motcua_store::web::ORPHAN_GRACE).await.unwrap(), 0, "too young");
    assert_eq!(store.collect_orphan_files(now + time::Duration::seconds(1)).await.unwrap(), 1);
    assert!(store.file("orphan").await.unwrap().is_none());
    assert!(store.file("owned").await.unwrap().is_some(), "an owned file is never collected");
}
storage_test!(files_left_without_an_owner_are_collected);

/// Files are stored content-addressed (issue 16): the same bytes under two files are kept once;
/// the bytes go when the last file naming them is collected, never while one still names them.
async fn the_same_bytes_are_stored_once_and_collected_with_their_last_file(store: Store) {
    let d = received(&store).await;
    let same = |id: &str| {
        let mut f = NewFile::new(
            id.to_owned(),
            "document",
            format!("{id}.pdf"),
            "application/pdf",
            b"%PDF-1.7 one scan".to_vec(),
        );
        f.meta.dossier_code = None;
        f
    };
    let now = time::OffsetDateTime::now_utc();
    let (a, b) = (same("copy-a"), same("copy-b"));
    assert_eq!(a.meta.sha256, b.meta.sha256);
    store.put_file(&a.meta, a.data.clone(), now).await.unwrap();
    let mut owned = same("copy-owned");
    owned.meta.dossier_code = Some(d.code.to_string());
    store.put_file(&owned.meta, owned.data.clone(), now).await.unwrap();
    store.put_file(&b.meta, b.data.clone(), now).await.unwrap();
    assert_eq!(store.blob_count().await.unwrap(), 1, "three files, one content");
    for id in ["copy-a", "copy-b", "copy-owned"] {
        let (meta, data) = store.file(id).await.unwrap().expect(id);
        assert_eq!((meta.sha256.as_str(), data.as_slice()), (a.meta.sha256.as_str(), b"%PDF-1.7 one scan".as_slice()));
    }
    // The two orphans go; their bytes stay for the owned file.
    assert_eq!(store.collect_orphan_files(now + time::Duration::seconds(1)).await.unwrap(), 2);
    assert_eq!(store.blob_count().await.unwrap(), 1);
    assert!(store.file("copy-owned").await.unwrap().is_some());
    // Bytes no file names are removed with the next collection.
    let lone = upload("lone");
    store.put_file(&lone.meta, lone.data, now).await.unwrap();
    assert_eq!(store.blob_count().await.unwrap(), 2);
    assert_eq!(store.collect_orphan_files(now + time::Duration::seconds(1)).await.unwrap(), 1);
    assert_eq!(store.blob_count().await.unwrap(), 1);
}
storage_test!(the_same_bytes_are_stored_once_and_collected_with_their_last_file);

/// With an object store configured, file bytes go there under their hash, not into the database;
/// reads, deduplication and collection work the same; an upload whose action is refused leaves an
/// object no row names, removed by the collection once old enough. Run against a directory here
/// and against an S3-compatible server in `s3.rs`.
pub async fn bytes_go_to_the_object_store(store: Store, objects: Arc<dyn ObjectStore>) {
    store.use_file_storage(&FileStorage::Objects(objects.clone())).unwrap();
    let d = received(&store).await;
    let now = time::OffsetDateTime::now_utc();
    let mut scan = upload("os-scan");
    scan.meta.dossier_code = Some(d.code.to_string());
    let sha = scan.meta.sha256.clone();
    store.put_file(&scan.meta, scan.data.clone(), now).await.unwrap();
    let key = object_store::path::Path::from(format!("sha256/{}/{sha}", &sha[..2]));
    let stored = objects.get(&key).await.expect("the bytes are an object").bytes().await.unwrap();
    assert_eq!(stored.as_ref(), b"%PDF-1.7 os-scan");
    let in_db: Option<Vec<u8>> = sqlx::query_scalar("SELECT data FROM blobs WHERE sha256 = $1")
        .bind(sha.clone())
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(in_db.is_none(), "not in the database");
    let (_, data) = store.file("os-scan").await.unwrap().unwrap();
    assert_eq!(data, b"%PDF-1.7 os-scan");
    // With an action: stored and read back the same way.
    let after =
        store.writer.act_with_files(d.code.to_string(), Some(2), assign(), vec![upload("os-kept")]).await.unwrap();
    assert_eq!(store.file("os-kept").await.unwrap().unwrap().1, b"%PDF-1.7 os-kept");
    // A refused action's upload: its object is named by no row, and goes with the collection.
    let refuse: motcua_store::writer::Decide =
        Box::new(|_| Err(DomainError::rule(ErrorCode::InvalidTransition, "refused by the rules", "không được phép")));
    let refused = upload("os-refused");
    let refused_key =
        object_store::path::Path::from(format!("sha256/{}/{}", &refused.meta.sha256[..2], refused.meta.sha256));
    assert!(store.writer.act_with_files(d.code.to_string(), Some(after.version), refuse, vec![refused]).await.is_err());
    assert!(objects.head(&refused_key).await.is_ok(), "written before the transaction");
    assert!(store.file("os-refused").await.unwrap().is_none());
    store.collect_orphan_files(now - time::Duration::hours(1)).await.unwrap();
    assert!(objects.head(&refused_key).await.is_ok(), "too young to collect");
    store.collect_orphan_files(time::OffsetDateTime::now_utc() + time::Duration::seconds(2)).await.unwrap();
    assert!(objects.head(&refused_key).await.is_err(), "an unnamed object is collected");
    assert!(objects.head(&key).await.is_ok(), "a named object never is");
    assert_eq!(store.file("os-scan").await.unwrap().unwrap().1, b"%PDF-1.7 os-scan");
    // Eight simultaneous uploads of the same bytes: one content, eight readable files.
    let blobs_before = store.blob_count().await.unwrap();
    let owner = d.code.to_string();
    let puts = (0..8).map(|i| {
        let store = store.clone();
        let owner = owner.clone();
        tokio::spawn(async move {
            let mut f = NewFile::new(
                format!("os-same-{i}"),
                "document",
                "same.pdf".into(),
                "application/pdf",
                b"%PDF-1.7 same".to_vec(),
            );
            f.meta.dossier_code = Some(owner);
            store.put_file(&f.meta, f.data, time::OffsetDateTime::now_utc()).await
        })
    });
    for p in futures_util::future::join_all(puts).await {
        p.unwrap().unwrap();
    }
    assert_eq!(store.blob_count().await.unwrap(), blobs_before + 1);
    for i in 0..8 {
        assert_eq!(store.file(&format!("os-same-{i}")).await.unwrap().unwrap().1, b"%PDF-1.7 same");
    }
}

async fn file_bytes_in_a_directory(store: Store) {
    let dir = std::env::temp_dir().join(format!("motcua-tep-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let objects: Arc<dyn ObjectStore> = Arc::new(object_store::local::LocalFileSystem::new_with_prefix(&dir).unwrap());
    bytes_go_to_the_object_store(store, objects).await;
    std::fs::remove_dir_all(&dir).ok();
}
storage_test!(file_bytes_in_a_directory);

/// The process is killed (abort, no unwinding, no cleanup) after the file was written inside the
/// writer's transaction and before the action's events: after a restart neither is there, and
/// the dossier names no missing file.
async fn a_process_killed_between_the_file_and_its_action_leaves_neither(url: String) {
    let store = Store::open(&url).await.unwrap();
    let d = received(&store).await;
    store.pool.close().await;
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "files::crash_child", "--ignored", "--nocapture", "--test-threads", "1"])
        .env("MOTCUA_CRASH_URL", &url)
        .env("MOTCUA_CRASH_CODE", d.code.as_str())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child was killed: {stderr}");
    assert!(stderr.contains("file stored, killing the process"), "the child reached the decision: {stderr}");

    let store = Store::open(&url).await.unwrap();
    assert!(store.file("crash").await.unwrap().is_none(), "the file is gone with its action");
    assert_eq!(event_count(&store, &d.code).await, 2);
    assert_eq!(store.dossier(&d.code).await.unwrap().0.version, 2);
    assert_no_dangling_reference(&store, &d.code).await;
    assert!(store.verify_audit(false).await.unwrap().ok(false));
    // The dossier goes on as if nothing had happened.
    let after =
        store.writer.act_with_files(d.code.to_string(), Some(2), assign(), vec![upload("crash")]).await.unwrap();
    assert_eq!(after.version, 3);
    store.pool.close().await;
}
storage_test!(url a_process_killed_between_the_file_and_its_action_leaves_neither);

/// The child half of `a_process_killed_between_the_file_and_its_action_leaves_neither`: stores a
/// file with an action whose decision kills the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_process_killed_between_the_file_and_its_action_leaves_neither in a child process"]
async fn crash_child() {
    let url = std::env::var("MOTCUA_CRASH_URL").expect("MOTCUA_CRASH_URL");
    let code = std::env::var("MOTCUA_CRASH_CODE").expect("MOTCUA_CRASH_CODE");
    let store = Store::open(&url).await.unwrap();
    let kill: motcua_store::writer::Decide = Box::new(|_| {
        eprintln!("file stored, killing the process");
        std::process::abort()
    });
    let r = store.writer.act_with_files(code, Some(2), kill, vec![upload("crash")]).await;
    panic!("the process should have been killed, got {r:?}");
}
