mod common;

use common::fixtures::*;
use motcua_store::Store;

async fn probe(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T09:00:00+07:00"));
    let d = create_dossier(&store, &n).await;
    println!("{}", d.code);
    let payload: String = sqlx::query_scalar("SELECT payload FROM dossier_events").fetch_one(&store.pool).await.unwrap();
    println!("{payload}");
    println!("{:?}", store.events(&d.code).await.map(|e| e.len()));
    println!("{:?}", store.verify_audit(false).await);
}
storage_test!(probe);
