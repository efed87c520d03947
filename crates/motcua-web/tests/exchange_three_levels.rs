//! Three levels on loopback (issue 7 part 3: "commune ↔ province ↔ central, routing by organ
//! code"): a commune system A, a province system P and a central system C, each a full instance.
//! A knows only P (`*`); P knows A by its id and C as `*`; C knows the province by `H08`. A
//! package from A to C and everything coming back (status messages, a recall and its answer)
//! pass through P, which appends its trace header; A signs its packages (XML-DSig) and C, which
//! trusts A's certificate, verifies them after P's hop.

mod instances;

use axum::http::StatusCode;
use instances::{Instance, eventually, incoming, instance, instance_with, state_of, unit};
use motcua_edxml::dsig::SigningKey;
use motcua_edxml::{Organ, OrganId, Package};
use motcua_store::edxml::Peer;
use serde_json::{Value, json};

const A_ORGAN: &str = "000.01.01.H08";
const P_ORGAN: &str = "000.00.00.H08";
const C_ORGAN: &str = "000.00.00.G09";

fn fixture(name: &str) -> String {
    let path = format!("{}/../motcua-edxml/tests/fixtures/dsig/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn a_key() -> SigningKey {
    SigningKey::from_pem(&fixture("rsa2048.key.pem"), &fixture("rsa2048.cert.pem")).unwrap()
}

/// `from` presents a credential `to` accepts, under `pattern` at `from`.
async fn link(from: &Instance, to: &Instance, pattern: &str, name: &str) {
    let now = time::OffsetDateTime::now_utc();
    let key = motcua_web::auth::new_token();
    to.store.add_peer_token(&motcua_web::auth::token_hash(&key), name, now).await.unwrap();
    let peer = Peer { pattern: pattern.into(), name: name.into(), endpoint: to.url(), token: key };
    from.store.put_peer(&peer, now).await.unwrap();
}

async fn three() -> (Instance, Instance, Instance) {
    let a = instance_with("a", unit("XA", "UBND xã An Bình", "commune", "commune", A_ORGAN), Some(a_key())).await;
    let p = instance("p", unit("TINH", "UBND tỉnh", "agency", "province", P_ORGAN)).await;
    let c = instance("c", unit("BO", "Bộ Nội vụ", "agency", "province", C_ORGAN)).await;
    // Peer names are what each side calls the other (P must know who delivered a package).
    link(&a, &p, "*", "tỉnh").await;
    link(&p, &a, A_ORGAN, "xã An Bình").await;
    link(&p, &c, "*", "trung ương").await;
    link(&c, &p, "H08", "tỉnh H08").await;
    (a, p, c)
}

/// A công văn from A to `to`, numbered `number`.
fn package(number: &str, to: &str) -> Package {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../motcua-edxml/tests/data/package_cong_van.xml");
    let mut p = Package::from_xml(&std::fs::read(path).unwrap()).unwrap();
    p.header.from = Organ::new(OrganId::parse(A_ORGAN).unwrap(), "UBND xã An Bình");
    p.header.to = vec![Organ::new(OrganId::parse(to).unwrap(), "Bộ Nội vụ")];
    p.header.code.number = number.to_owned();
    p.header.traces.clear();
    p
}

async fn detail(i: &Instance, token: &str, id: &str) -> Value {
    let (s, v) = i.call("GET", &format!("/api/v1/edxml/packages/{id}"), token, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_package_goes_commune_to_central_through_the_province_and_the_answers_come_back() {
    let (a, p, c) = three().await;
    let now = time::OffsetDateTime::now_utc();
    c.store.trust_signer(&a_key().fingerprint_sha256(), "UBND xã An Bình", now).await.unwrap();
    let (ta, tc) = (a.login().await, c.login().await);
    let (s, sent) = a.post_xml("/api/v1/edxml/outbox", &ta, package("201", C_ORGAN).to_xml()).await;
    assert_eq!(s, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_owned();
    let got = eventually("registration at C", || async {
        let items = incoming(&c, &tc).await;
        (!items.is_empty()).then_some(items)
    })
    .await;
    assert_eq!(got[0]["document_id"], sent["document_id"]);
    assert_eq!(got[0]["signer_trusted"], true, "{}", got[0]);
    let c_id = got[0]["id"].as_str().unwrap().to_owned();
    // Both hops are in the trace list C received; the signature survived P's.
    let stored = c.store.edxml_package(&c_id).await.unwrap().unwrap();
    let hops: Vec<String> = Package::from_xml(stored.xml.as_bytes())
        .unwrap()
        .header
        .traces
        .iter()
        .map(|t| t.organ_id.to_string())
        .collect();
    assert_eq!(hops, [A_ORGAN, P_ORGAN]);
    let signer = motcua_edxml::dsig::verify(stored.xml.as_bytes(), &motcua_edxml::Limits::default()).unwrap().unwrap();
    assert_eq!(signer.trace_headers_after_signing, 1);
    // P kept one relay row with the delivery to C.
    let relayed = p.store.packages_with_document_id(sent["document_id"].as_str().unwrap(), "relay").await.unwrap();
    assert_eq!(relayed.len(), 1);
    let tp = p.login().await;
    let (s, listed) = p.call("GET", "/api/v1/edxml/packages?direction=relay", &tp, None).await;
    assert_eq!(s, StatusCode::OK, "{listed}");
    assert_eq!(listed[0]["direction"], "relay");
    assert_eq!(listed[0]["to"], json!([C_ORGAN]));
    // C's statuses reach A through P.
    let (s, v) = c
        .call("POST", &format!("/api/v1/edxml/packages/{c_id}/status"), &tc, Some(json!({"status": "assigned"})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, events) = eventually("04 at A", || async {
        let r = state_of(&a, &ta, &id).await;
        (r.0 == "assigned").then_some(r)
    })
    .await;
    assert!(events.iter().any(|e| e == "status:03"), "{events:?}");
    let relay_trace: Vec<String> =
        p.store.edxml_trace(&relayed[0].id).await.unwrap().into_iter().map(|t| t.event).collect();
    for e in ["queued", "sent", "status:03", "status:04"] {
        assert!(relay_trace.iter().any(|x| x == e), "{e} missing from P's relay trace {relay_trace:?}");
    }

    // A recalls: the 13 reaches C through P, C accepts, the 15 reaches A.
    let recall = json!({"reason": "Gửi nhầm nơi nhận"});
    let (s, v) = a.call("POST", &format!("/api/v1/edxml/packages/{id}/recall"), &ta, Some(recall.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recall"], "requested");
    let (s, v) = a.call("POST", &format!("/api/v1/edxml/packages/{id}/recall"), &ta, Some(recall)).await;
    assert_eq!(s, StatusCode::CONFLICT, "asked once: {v}");
    eventually("13 at C", || async { (detail(&c, &tc, &c_id).await["recall"] == "requested").then_some(()) }).await;
    let (s, v) = c
        .call("POST", &format!("/api/v1/edxml/packages/{c_id}/recall-answer"), &tc, Some(json!({"accept": false})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a refusal needs a reason: {v}");
    let (s, v) = c
        .call("POST", &format!("/api/v1/edxml/packages/{c_id}/recall-answer"), &tc, Some(json!({"accept": true})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recall"], "accepted");
    let (s, _) = c
        .call(
            "POST",
            &format!("/api/v1/edxml/packages/{c_id}/recall-answer"),
            &tc,
            Some(json!({"accept": false, "reason": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "answered once");
    // NĐ 30/2020 Art. 18 khoản 4 điểm b: the register entry at C is cancelled.
    let (_, register) = c.call("GET", "/api/v1/documents?direction=incoming", &tc, None).await;
    assert_eq!(register[0]["status"], "recalled", "{register}");
    eventually("15 at A", || async { (detail(&a, &ta, &id).await["recall"] == "accepted").then_some(()) }).await;
    let events: Vec<String> = detail(&a, &ta, &id).await["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["event"].as_str().unwrap().to_owned())
        .collect();
    assert!(events.iter().any(|e| e == "recall_requested") && events.iter().any(|e| e == "status:15"), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_refuses_loops_and_recipients_it_cannot_reach() {
    let (a, p, c) = three().await;
    let _ = &c;
    let now = time::OffsetDateTime::now_utc();
    // A package that already passed through P comes back to it.
    let mut looped = package("301", C_ORGAN);
    looped.header.traces.push(motcua_edxml::TraceHeader {
        organ_id: OrganId::parse(P_ORGAN).unwrap(),
        timestamp: motcua_web::exchange::vn_local(now),
    });
    let token = motcua_web::auth::new_token();
    p.store.add_peer_token(&motcua_web::auth::token_hash(&token), "xã An Bình", now).await.unwrap();
    let (s, v) = p.post_xml("/api/v1/edxml/inbox", &token, looped.to_xml()).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("routing_loop")), "{v}");
    // A package for a commune that P would send back to the peer that delivered it.
    let (s, v) = p.post_xml("/api/v1/edxml/inbox", &token, package("302", A_ORGAN).to_xml()).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("unknown_recipient")), "{v}");
    // A clerk's manual delivery is never relayed.
    let tp = p.login().await;
    let (s, v) = p.post_xml("/api/v1/edxml/inbox", &tp, package("303", C_ORGAN).to_xml()).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("unknown_recipient")), "{v}");
    let _ = &a;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_signed_package_is_refused_with_the_element_path_and_an_untrusted_one_is_flagged() {
    let (a, _p, c) = three().await;
    let now = time::OffsetDateTime::now_utc();
    let token = motcua_web::auth::new_token();
    c.store.add_peer_token(&motcua_web::auth::token_hash(&token), "thử", now).await.unwrap();
    let signed = motcua_edxml::dsig::sign(&package("401", C_ORGAN).to_xml(), &a_key()).unwrap();
    let tampered = signed.replacen("<edXML:Subject>", "<edXML:Subject>SỬA ", 1);
    assert_ne!(tampered, signed);
    let (s, v) = c.post_xml("/api/v1/edxml/inbox", &token, tampered).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["path"].as_str().unwrap().contains("DigitalSignature"), "{v}");
    // Valid but not trusted: registered, flagged.
    let (s, v) = c.post_xml("/api/v1/edxml/inbox", &token, signed).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["signer_trusted"], false);
    assert!(v["signer"].as_str().unwrap().starts_with(&a_key().fingerprint_sha256()), "{v}");
    let _ = &a;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qcvn_102_package_without_motcuas_content_hash_is_registered() {
    let (_a, _p, c) = three().await;
    let now = time::OffsetDateTime::now_utc();
    let token = motcua_web::auth::new_token();
    c.store.add_peer_token(&motcua_web::auth::token_hash(&token), "hệ thống khác", now).await.unwrap();
    // The same package as a QCVN 102 system writes it: the attachment without its ContentHash.
    let xml = package("501", C_ORGAN).to_xml();
    let open = xml.find("ContentHash>").and_then(|i| xml[..i].rfind('<')).expect("a ContentHash element");
    let close = xml[open..].find("</").map(|i| open + i).expect("its end tag");
    let end = xml[close..].find('>').map(|i| close + i + 1).expect("the end tag closes");
    let plain = format!("{}{}", &xml[..open], &xml[end..]);
    assert!(!plain.contains("ContentHash"), "the package has no ContentHash now");
    let (s, v) = c.post_xml("/api/v1/edxml/inbox", &token, plain).await;
    assert_eq!(s, 201, "{v}");
}
