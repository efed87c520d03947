//! edXML exchange storage (migration 0010): an outgoing package and its deliveries are stored in
//! one transaction, an incoming one is registered once per unit, status messages move the
//! sender's state forward only and are recorded once, peers and their credentials.

use motcua_domain::exchange::trace::DeliveryState;
use motcua_store::Store;
use motcua_store::edxml::{NewPackage, Peer};
use motcua_store::outbox::NewMessage;

use crate::common::fixtures::*;
use crate::storage_test;

fn package(unit: &str, idem: &str) -> NewPackage {
    NewPackage {
        unit: unit.into(),
        idem: idem.into(),
        document_id: format!("000.01.01.H08,2026/03/02,{idem}/CV"),
        from_organ: "000.01.01.H08".into(),
        to_organs: vec!["000.00.12.H08".into(), "000.00.13.H08".into()],
        subject: "Công văn phối hợp".into(),
        xml: "<edXML/>".into(),
        dossier: None,
        ..Default::default()
    }
}

async fn sending_a_package_queues_one_delivery_per_recipient_once(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let (id, fresh) = store.send_package(&package("X1", "7"), now).await.unwrap();
    assert!(fresh);
    let (again, fresh) = store.send_package(&package("X1", "7"), now).await.unwrap();
    assert_eq!((again.as_str(), fresh), (id.as_str(), false));
    for to in ["000.00.12.H08", "000.00.13.H08"] {
        let m = store.outbox_message(&format!("edxml:{id}:{to}")).await.unwrap().unwrap();
        assert_eq!((m.kind.as_str(), m.recipient.as_str(), m.status.as_str()), ("edxml", to, "pending"));
    }
    let p = store.edxml_package(&id).await.unwrap().unwrap();
    assert_eq!(p.state, "queued");
    assert_eq!(store.edxml_trace(&id).await.unwrap().len(), 2);
    let listed = store.edxml_packages("out", &["X1".to_owned()], Some("phối hợp")).await.unwrap();
    assert_eq!(listed.len(), 1);
}
storage_test!(sending_a_package_queues_one_delivery_per_recipient_once);

async fn an_incoming_package_is_registered_once_and_its_reply_queued_once(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let reply = NewMessage {
        kind: "edxml-status".into(),
        idempotency_key: "edxml-status:A1:abc:03".into(),
        recipient: "000.01.01.H08".into(),
        payload: "<edXML/>".into(),
        template: None,
        about: None,
        unit: None,
    };
    let (id, fresh) = store.register_incoming(&package("A1", "abc"), std::slice::from_ref(&reply), now).await.unwrap();
    assert!(fresh);
    let (again, fresh) = store.register_incoming(&package("A1", "abc"), &[reply], now).await.unwrap();
    assert_eq!((again, fresh), (id.clone(), false));
    assert_eq!(store.edxml_packages("in", &["A1".to_owned()], None).await.unwrap().len(), 1);
    // Another unit receiving the same package registers its own copy.
    let (other, fresh) = store.register_incoming(&package("A2", "abc"), &[], now).await.unwrap();
    assert!(fresh && other != id);
}
storage_test!(an_incoming_package_is_registered_once_and_its_reply_queued_once);

async fn status_messages_move_the_sender_forward_only_and_count_once(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let p = package("X1", "9");
    let (id, _) = store.send_package(&p, now).await.unwrap();
    store.trace_delivery(&id, "000.00.12.H08", DeliveryState::Sent, None, now).await.unwrap();
    assert_eq!(store.apply_status(&p.document_id, "06", "000.00.12.H08", None, "d6", now).await.unwrap(), (1, 1));
    assert_eq!(store.apply_status(&p.document_id, "03", "000.00.12.H08", None, "d3", now).await.unwrap(), (1, 1));
    assert_eq!(store.apply_status(&p.document_id, "06", "000.00.12.H08", None, "d6", now).await.unwrap(), (1, 0));
    assert_eq!(store.edxml_package(&id).await.unwrap().unwrap().state, "completed", "a late 03 never moves it back");
    let events: Vec<String> = store.edxml_trace(&id).await.unwrap().into_iter().map(|t| t.event).collect();
    assert_eq!(events.iter().filter(|e| *e == "status:06").count(), 1, "{events:?}");
    assert_eq!(store.apply_status("unknown", "03", "x", None, "d", now).await.unwrap(), (0, 0));
}
storage_test!(status_messages_move_the_sender_forward_only_and_count_once);

async fn peers_and_their_credentials_are_kept(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let peer =
        Peer { pattern: "H08".into(), name: "Tỉnh".into(), endpoint: "https://x.vn".into(), token: "t".into() };
    store.put_peer(&peer, now).await.unwrap();
    store.put_peer(&Peer { endpoint: "https://y.vn".into(), ..peer.clone() }, now).await.unwrap();
    let peers = store.peers().await.unwrap();
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].endpoint, "https://y.vn");
    store.add_peer_token("hash1", "xã A", now).await.unwrap();
    store.add_peer_token("hash1", "xã A", now).await.unwrap();
    assert_eq!(store.peer_by_token("hash1").await.unwrap().as_deref(), Some("xã A"));
    assert_eq!(store.peer_by_token("nope").await.unwrap(), None);
}
storage_test!(peers_and_their_credentials_are_kept);

fn status(key: &str, to: &str) -> NewMessage {
    NewMessage {
        kind: "edxml-status".into(),
        idempotency_key: key.into(),
        recipient: to.into(),
        payload: "<edXML/>".into(),
        template: None,
        about: None,
        unit: None,
    }
}

async fn a_recall_is_asked_once_answered_once_and_reaches_the_sender(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let p = package("X1", "11");
    let (out, _) = store.send_package(&p, now).await.unwrap();
    // Sender: one request, a second is refused.
    let asks = [status("r13:a", "000.00.12.H08"), status("r13:b", "000.00.13.H08")];
    assert!(store.request_recall(&out, "gửi nhầm", &asks, now).await.unwrap());
    assert!(!store.request_recall(&out, "lần nữa", &asks, now).await.unwrap());
    assert!(store.outbox_message("r13:b").await.unwrap().is_some());
    assert_eq!(store.edxml_package(&out).await.unwrap().unwrap().recall.as_deref(), Some("requested"));
    // Receiver (another system, same database here): the 13 opens the question once.
    let (inc, _) = store.register_incoming(&package("B1", "11"), &[], now).await.unwrap();
    assert_eq!(store.recall_arrived(&p.document_id, &p.from_organ, Some("gửi nhầm"), "m13", now).await.unwrap(), 1);
    assert_eq!(store.recall_arrived(&p.document_id, &p.from_organ, None, "m13", now).await.unwrap(), 1);
    assert_eq!(store.recall_arrived("other", &p.from_organ, None, "m", now).await.unwrap(), 0);
    assert_eq!(store.edxml_package(&inc).await.unwrap().unwrap().recall.as_deref(), Some("requested"));
    let events: Vec<String> = store.edxml_trace(&inc).await.unwrap().into_iter().map(|t| t.event).collect();
    assert_eq!(events.iter().filter(|e| *e == "status:13").count(), 1, "{events:?}");
    assert!(store.answer_recall(&inc, true, None, &status("r15", "000.01.01.H08"), now).await.unwrap());
    assert!(!store.answer_recall(&inc, false, Some("muộn"), &status("r16", "000.01.01.H08"), now).await.unwrap());
    assert!(store.outbox_message("r16").await.unwrap().is_none(), "no second answer is queued");
    assert_eq!(store.edxml_package(&inc).await.unwrap().unwrap().recall.as_deref(), Some("accepted"));
    // The 15 at the sender.
    store.apply_status(&p.document_id, "15", "000.00.12.H08", None, "a15", now).await.unwrap();
    assert_eq!(store.edxml_package(&out).await.unwrap().unwrap().recall.as_deref(), Some("accepted"));
}
storage_test!(a_recall_is_asked_once_answered_once_and_reaches_the_sender);

async fn revoke_update_and_replace_packages_open_the_question_on_the_right_package(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let original = package("B1", "21");
    let (first, _) = store.register_incoming(&original, &[], now).await.unwrap();
    let update = NewPackage {
        business_type: 2,
        concerns: Some(original.document_id.clone()),
        document_id: "000.01.01.H08,2026/03/03,22/CV".into(),
        ..package("B1", "22")
    };
    let (upd, _) = store.register_incoming(&update, &[], now).await.unwrap();
    assert_eq!(store.edxml_package(&upd).await.unwrap().unwrap().recall.as_deref(), Some("requested"));
    assert_eq!(store.edxml_package(&first).await.unwrap().unwrap().recall, None);
    let trace = store.edxml_trace(&first).await.unwrap();
    assert!(trace.iter().any(|t| t.event == "updated_by" && t.description.as_deref() == Some(upd.as_str())));
    let revoke = NewPackage {
        business_type: 1,
        concerns: Some(original.document_id.clone()),
        document_id: "000.01.01.H08,2026/03/04,23/CV".into(),
        ..package("B1", "23")
    };
    store.register_incoming(&revoke, &[], now).await.unwrap();
    assert_eq!(store.edxml_package(&first).await.unwrap().unwrap().recall.as_deref(), Some("requested"));
    // The sender's side of a revoke package: its earlier package waits for the answer.
    let (sent, _) = store.send_package(&package("X1", "21"), now).await.unwrap();
    store.send_package(&NewPackage { unit: "X1".into(), ..revoke.clone() }, now).await.unwrap();
    assert_eq!(store.edxml_package(&sent).await.unwrap().unwrap().recall.as_deref(), Some("requested"));
}
storage_test!(revoke_update_and_replace_packages_open_the_question_on_the_right_package);

async fn a_relayed_package_is_stored_once_and_each_recipient_queued_once(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    let p = NewPackage { unit: "P".into(), ..package("P", "31") };
    let id = store.relay_package(&p, &["000.00.12.H08".to_owned()], now).await.unwrap();
    let again = store.relay_package(&p, &["000.00.12.H08".to_owned(), "000.00.13.H08".to_owned()], now).await.unwrap();
    assert_eq!(id, again);
    let queued = store.edxml_trace(&id).await.unwrap().into_iter().filter(|t| t.event == "queued").count();
    assert_eq!(queued, 2, "one line per recipient, none for the repeat");
    assert_eq!(store.packages_with_document_id(&p.document_id, "relay").await.unwrap().len(), 1);
    let m = status("relay:03", "000.01.01.H08");
    assert!(store.relay_status(&id, "03", "000.00.12.H08", None, "s3", &m, now).await.unwrap());
    assert!(!store.relay_status(&id, "03", "000.00.12.H08", None, "s3", &m, now).await.unwrap());
    assert!(store.outbox_message("relay:03").await.unwrap().is_some());
}
storage_test!(a_relayed_package_is_stored_once_and_each_recipient_queued_once);

async fn trusted_signers_are_kept_by_fingerprint(store: Store) {
    let now = at("2026-03-02T08:00:00+07:00");
    store.trust_signer("ABCD", "Sở Nội vụ", now).await.unwrap();
    store.trust_signer("abcd", "Sở Nội vụ tỉnh", now).await.unwrap();
    assert_eq!(store.trusted_signer("abcd").await.unwrap().as_deref(), Some("Sở Nội vụ tỉnh"));
    assert_eq!(store.trusted_signer("ef").await.unwrap(), None);
}
storage_test!(trusted_signers_are_kept_by_fingerprint);

/// A received package and its entry in the incoming register commit together: a redelivery
/// answers both as first registered, and an entry that cannot be written leaves no package and
/// no "03 registered" answer behind (the sender delivers again).
async fn a_received_package_and_its_register_entry_commit_together(store: Store) {
    use motcua_domain::office::Document;
    let now = at("2026-03-02T08:00:00+07:00");
    let entry = |id: &str| {
        let new = crate::documents::new_doc(id, "A1", "Công văn phối hợp");
        (Document::register_incoming(new, &crate::documents::clerk("A1"), now).unwrap(), Vec::new())
    };
    let reply = |idem: &str| NewMessage {
        kind: "edxml-status".into(),
        idempotency_key: format!("edxml-status:A1:{idem}:03"),
        recipient: "000.01.01.H08".into(),
        payload: "<edXML/>".into(),
        template: None,
        about: None,
        unit: None,
    };
    let (id, fresh, doc) =
        store.receive_package(package("A1", "e1"), vec![reply("e1")], Some(entry("VB-1")), now).await.unwrap();
    assert!(fresh);
    assert_eq!(doc.as_ref().map(|d| d.id.as_str()), Some("VB-1"));
    let (again, fresh, doc) =
        store.receive_package(package("A1", "e1"), vec![reply("e1")], Some(entry("VB-2")), now).await.unwrap();
    assert_eq!((again.as_str(), fresh, doc.map(|d| d.id)), (id.as_str(), false, Some("VB-1".to_owned())));
    // The entry's document id is taken: the package is not received either.
    let err = store.receive_package(package("A1", "e2"), vec![reply("e2")], Some(entry("VB-1")), now).await;
    assert!(err.is_err(), "{err:?}");
    assert_eq!(store.edxml_packages("in", &["A1".to_owned()], None).await.unwrap().len(), 1);
    assert!(store.outbox_message("edxml-status:A1:e2:03").await.unwrap().is_none(), "no 03 for what is not registered");
    assert!(store.outbox_message("edxml-status:A1:e1:03").await.unwrap().is_some());
}
storage_test!(a_received_package_and_its_register_entry_commit_together);
