//! `motcua peer`: the edXML exchange's peers (docs/EXCHANGE.md). `add` routes organ ids to
//! another system's endpoint (the credential to present is read from standard input, never from
//! the command line); `token` issues a credential a peer presents to this instance's inbox;
//! `trust` accepts the XML-DSig signatures of a certificate.

use motcua_store::Store;
use motcua_store::edxml::Peer;
use time::OffsetDateTime;

/// Routes `pattern` (an exact organ id, an ancestor code like `H08`, or `*` for central) to
/// `endpoint`, presenting the token read from standard input.
pub async fn add(database: &str, pattern: &str, name: &str, endpoint: &str) -> anyhow::Result<()> {
    let pattern = pattern.trim();
    let valid_pattern = pattern == "*"
        || (!pattern.is_empty()
            && pattern.len() <= 40
            && pattern.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
    if !valid_pattern {
        anyhow::bail!(
            "pattern: an organ id (000.00.01.H08), an ancestor code (H08) or * (mẫu định tuyến không hợp lệ)"
        );
    }
    let endpoint = endpoint.trim().trim_end_matches('/');
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        anyhow::bail!("endpoint: an http(s) base URL such as https://motcua.tinh.gov.vn (địa chỉ không hợp lệ)");
    }
    let mut token = String::new();
    std::io::stdin().read_line(&mut token)?;
    let token = token.trim().to_owned();
    if token.len() < 16 {
        anyhow::bail!("the peer's token (read from standard input) must have at least 16 characters");
    }
    let store = Store::open(database).await?;
    let name = if name.trim().is_empty() { pattern.to_owned() } else { name.trim().to_owned() };
    store
        .put_peer(
            &Peer { pattern: pattern.to_owned(), name, endpoint: endpoint.to_owned(), token },
            OffsetDateTime::now_utc(),
        )
        .await?;
    println!("peer {pattern} → {endpoint}");
    Ok(())
}

/// Issues a new credential for the peer `name` and prints it once (only its hash is stored).
pub async fn token(database: &str, name: &str) -> anyhow::Result<()> {
    if name.trim().is_empty() {
        anyhow::bail!("--name: who will present this token");
    }
    let store = Store::open(database).await?;
    let t = motcua_app::auth::new_token();
    store.add_peer_token(&motcua_app::auth::token_hash(&t), name.trim(), OffsetDateTime::now_utc()).await?;
    println!("{t}");
    Ok(())
}

/// Trusts the signatures made with the certificate in the PEM file `path`, held by `name`.
pub async fn trust(database: &str, path: &std::path::Path, name: &str) -> anyhow::Result<()> {
    if name.trim().is_empty() {
        anyhow::bail!("--name: who holds this certificate (chủ thể chứng thư số)");
    }
    let pem = std::fs::read_to_string(path)?;
    let Some(fingerprint) = motcua_app::exchange::signature::certificate_fingerprint(&pem) else {
        anyhow::bail!("{}: no PEM certificate (không đọc được chứng thư số)", path.display());
    };
    let store = Store::open(database).await?;
    store.trust_signer(&fingerprint, name.trim(), OffsetDateTime::now_utc()).await?;
    println!("trusted {fingerprint} ({})", name.trim());
    Ok(())
}
