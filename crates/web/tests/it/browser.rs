//! A smoke test in real headless Chromium (Debian's `chromium` + `chromium-driver`): log in through
//! the form, the overview renders the demo city's figures, and a click leads to a project page
//! with its timeline.
//!
//! Skipped, with a message saying so, when `chromedriver` is not installed — unless
//! `JIANGUAN_REQUIRE_BROWSER` is set (as `.ci/run` does), in which case a missing browser fails.

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;

/// Kills chromedriver when the test ends, however it ends.
pub(super) struct Driver(pub(super) Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

pub(super) fn find_chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_string)
}

/// The demo city (records only) on a real SQLite file in `dir`, with a leader's account,
/// served on a real socket whose days are `today`: its base URL.
pub(super) async fn serve_demo(dir: &std::path::Path, today: fn() -> jiff::civil::Date) -> String {
    let db = jianguan_store::open(dir.join("demo.db").to_str().expect("utf-8 path"))
        .await
        .expect("open database");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("write demo city");
    jianguan_app::accounts::create_account(
        &db,
        jianguan_app::Clock::system(),
        "test",
        jianguan_app::accounts::NewAccount {
            username: "leader",
            display_name: "指挥部领导",
            unit: None,
            roles: &[jianguan_access::Role::HqLeader],
            password: "Yinghu#Spring2021",
            totp_secret: None,
        },
    )
    .await
    .expect("an account to log in with");
    let state = jianguan_web::AppState::with_today(Arc::new(db), today);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        axum::serve(listener, jianguan_web::router(state))
            .await
            .expect("serve");
    });
    base
}

/// Headless Chromium driven by `chromedriver`, its window `window` ("W,H"), its profile in
/// `dir`, reading Chinese: the driver (killed when dropped) and the session.
pub(super) async fn chromium(
    chromedriver: &str,
    dir: &std::path::Path,
    window: &str,
) -> (Driver, fantoccini::Client) {
    let port = free_port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                format!("--window-size={window}"),
                "--lang=zh-CN",
                format!("--user-data-dir={}", dir.join("profile").display()),
            ],
            // The Chinese interface the tests read, whatever the machine's locale.
            "prefs": { "intl": { "accept_languages": "zh-CN,zh" } }
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        let attempt = ClientBuilder::rustls()
            .expect("TLS setup")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match attempt {
            Ok(c) => break c,
            Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    (driver, client)
}

/// Logs in as the demo's leader through the login form (the page `client` is on).
pub(super) async fn log_in_as_leader(client: &fantoccini::Client) {
    client
        .find(Locator::Id("username"))
        .await
        .expect("user name field")
        .send_keys("leader")
        .await
        .expect("type user name");
    client
        .find(Locator::Id("password"))
        .await
        .expect("password field")
        .send_keys("Yinghu#Spring2021")
        .await
        .expect("type password");
    client
        .find(Locator::Css("form.login button"))
        .await
        .expect("login button")
        .click()
        .await
        .expect("submit");
}

#[tokio::test]
async fn overview_and_project_page_render_in_headless_chromium() {
    let Some(chromedriver) = find_chromedriver() else {
        assert!(
            std::env::var_os("JIANGUAN_REQUIRE_BROWSER").is_none(),
            "JIANGUAN_REQUIRE_BROWSER is set but chromedriver is not installed \
             (apt-get install chromium chromium-driver fonts-wqy-microhei)"
        );
        eprintln!("SKIPPED browser smoke test: chromedriver not installed");
        return;
    };

    // The demo city on a real SQLite file, served on a real socket.
    let dir = tempfile::tempdir().expect("temp dir");
    let base = serve_demo(dir.path(), || jiff::civil::date(2026, 11, 28)).await;
    let (_driver, client) = chromium(&chromedriver, dir.path(), "1280,900").await;

    // Anonymous: the overview sends us to the login form; log in there.
    client
        .goto(&format!("{base}/"))
        .await
        .expect("open overview");
    let url = client.current_url().await.expect("current url");
    assert_eq!(
        url.path(),
        "/login",
        "an anonymous visitor is asked to log in"
    );
    log_in_as_leader(&client).await;
    client
        .wait()
        .for_element(Locator::Css(".cards"))
        .await
        .expect("the overview after logging in");
    let heading = client
        .find(Locator::Css("h1"))
        .await
        .expect("heading")
        .text()
        .await
        .expect("heading text");
    assert!(
        heading.contains("2021"),
        "overview heading: {heading}\n{}",
        client.source().await.unwrap_or_default()
    );
    let cards = client
        .find(Locator::Css(".cards"))
        .await
        .expect("headline cards")
        .text()
        .await
        .expect("cards text");
    assert!(cards.contains("1,362"), "cards: {cards}");
    assert!(cards.contains("90.52%"), "cards: {cards}");
    let charts = client
        .find_all(Locator::Css("figure.chart svg"))
        .await
        .expect("charts");
    assert_eq!(
        charts.len(),
        3,
        "the year's trend and two completion charts on the overview"
    );

    // Follow the overdue card to the list, then open the first (longest overdue) project.
    client
        .find(Locator::Css(".card a[href*='overdue=1']"))
        .await
        .expect("the overdue-milestones card links to the list")
        .click()
        .await
        .expect("click");
    let first = client
        .find(Locator::Css("table tbody tr td a"))
        .await
        .expect("a project link in the list");
    let name = first.text().await.expect("project name");
    first.click().await.expect("open project");
    let title = client
        .find(Locator::Css("h1"))
        .await
        .expect("project heading")
        .text()
        .await
        .expect("heading text");
    assert_eq!(title, name);
    let page = client.source().await.expect("page source");
    assert!(page.contains("计划节点"), "timeline section present");
    assert!(
        page.contains("逾期"),
        "an overdue project shows its overdue milestone"
    );
    let screenshot = client.screenshot().await.expect("screenshot");
    assert!(screenshot.starts_with(b"\x89PNG"), "a PNG screenshot");
    if let Some(path) = std::env::var_os("JIANGUAN_SCREENSHOT") {
        std::fs::write(path, &screenshot).expect("write screenshot");
    }
    client.close().await.expect("close browser");
}
