//! Over a real socket: administrator routes answer only the configured address ranges, and a
//! forwarded client address counts only when the peer is a trusted proxy.

use std::sync::Arc;

use jianguan_domain::store::prelude::*;

use jianguan_domain::store::{Actor, SessionRecord};
use jianguan_web::network::{NetworkConfig, parse_ranges};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends one HTTP/1.1 request and returns the status code.
async fn status(addr: std::net::SocketAddr, path: &str, headers: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line")
}

async fn serve(network: NetworkConfig) -> (std::net::SocketAddr, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("n.db").to_str().expect("utf-8"))
        .await
        .expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "t".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    let id = jianguan_app::accounts::create_account(
        &db,
        jianguan_app::Clock::system(),
        "t",
        jianguan_app::accounts::NewAccount {
            username: "auditor",
            display_name: "审计管理员",
            unit: None,
            roles: &[jianguan_access::Role::AuditAdmin],
            password: "Yinghu#Spring2021",
            totp_secret: None,
        },
    )
    .await
    .expect("account");
    let account = db.account(id).await.expect("reads").expect("exists");
    let now = jianguan_app::clock::system_now_ms();
    let session = SessionRecord {
        token_hash: jianguan_web::auth::token_hash("net-token"),
        account_id: id,
        created_at_ms: now,
        last_seen_ms: now,
    };
    let record = jianguan_audit::AuditDraft {
        at_ms: now,
        actor: "auditor".into(),
        unit: None,
        action: "login.success".into(),
        object: format!("account:{id}"),
        result: jianguan_audit::Outcome::Success,
        client: None,
        changes: vec![],
    };
    db.record_login(&account, Some(&session), &record)
        .await
        .expect("session");
    let state = jianguan_web::AppState::new(Arc::new(db));
    state.set_network(network);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            jianguan_web::router(state)
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    (addr, "Cookie: jg_session=net-token\r\n".into(), dir)
}

#[tokio::test]
async fn administrator_routes_refuse_addresses_outside_the_configured_ranges() {
    let (addr, cookie, _dir) = serve(NetworkConfig::default()).await;
    assert_eq!(
        status(addr, "/audit", &cookie).await,
        200,
        "loopback is allowed by default"
    );
    let (addr, cookie, _dir) = serve(NetworkConfig {
        admin_from: parse_ranges("10.0.0.0/8").expect("ranges"),
        ..NetworkConfig::default()
    })
    .await;
    assert_eq!(status(addr, "/audit", &cookie).await, 403);
    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    let forged = format!("{cookie}X-Forwarded-For: 10.1.1.1\r\n");
    assert_eq!(status(addr, "/audit", &forged).await, 403);
}

#[tokio::test]
async fn a_trusted_proxy_forwards_the_client_address() {
    let (addr, cookie, _dir) = serve(NetworkConfig {
        admin_from: parse_ranges("10.0.0.0/8").expect("ranges"),
        trusted_proxies: parse_ranges("127.0.0.1").expect("ranges"),
        secure_cookies: false,
    })
    .await;
    let inside = format!("{cookie}X-Forwarded-For: 10.1.1.1\r\n");
    assert_eq!(status(addr, "/audit", &inside).await, 200);
    let outside = format!("{cookie}X-Forwarded-For: 192.0.2.7\r\n");
    assert_eq!(status(addr, "/audit", &outside).await, 403);
}
