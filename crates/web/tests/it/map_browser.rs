//! The project map (issue 19) in real headless Chromium at a phone's width: the page redraws
//! itself at the phone's size, a cluster zooms in, the keyboard zooms out, a drag pans, and a
//! dot opens the project's card — all through the page's script asking `/map.svg` for views.
//!
//! Skipped, with a message saying so, when `chromedriver` is not installed — unless
//! `JIANGUAN_REQUIRE_BROWSER` is set, in which case a missing browser fails.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use super::browser::{chromium, find_chromedriver, log_in_as_leader, serve_demo};
use super::phones::set_width;

/// The map's view as its SVG says: (lon, lat, zoom, width).
async fn view(client: &Client) -> (f64, f64, u8, u32) {
    let v = client
        .execute(
            "var s = document.querySelector('#project-map svg');
             return [s.getAttribute('data-lon'), s.getAttribute('data-lat'),
                     s.getAttribute('data-zoom'), s.getAttribute('width')];",
            vec![],
        )
        .await
        .expect("read the map's view");
    let parts: Vec<String> = serde_json::from_value(v).expect("four strings");
    (
        parts[0].parse().expect("lon"),
        parts[1].parse().expect("lat"),
        parts[2].parse().expect("zoom"),
        parts[3].parse().expect("width"),
    )
}

/// Waits until the map's view satisfies `done` (the script's fetch has landed).
async fn wait_for(client: &Client, what: &str, done: impl Fn((f64, f64, u8, u32)) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = view(client).await;
        if done(v) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: the map stayed at {v:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_map_pans_zooms_and_opens_a_card_on_a_phone() {
    let Some(chromedriver) = find_chromedriver() else {
        assert!(
            std::env::var_os("JIANGUAN_REQUIRE_BROWSER").is_none(),
            "JIANGUAN_REQUIRE_BROWSER is set but chromedriver is not installed \
             (apt-get install chromium chromium-driver fonts-wqy-microhei)"
        );
        eprintln!("SKIPPED map browser test: chromedriver not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let base = serve_demo(dir.path(), || jiff::civil::date(2021, 6, 30)).await;
    let (_driver, client) = chromium(&chromedriver, dir.path(), "390,844").await;
    client
        .goto(&format!("{base}/login"))
        .await
        .expect("login page");
    log_in_as_leader(&client).await;
    client
        .wait()
        .for_element(Locator::Css("main"))
        .await
        .expect("signed in");

    set_width(&client, 390).await;
    client
        .goto(&format!("{base}/map"))
        .await
        .expect("open the map");
    client
        .wait()
        .for_element(Locator::Css("#project-map svg"))
        .await
        .expect("the map");
    // Drawn for a desktop, then redrawn by the script at the phone's width (the frame's inner
    // width, under 390 px) and refitted.
    wait_for(&client, "redrawn at the phone's width", |v| v.3 < 390).await;
    let count = client
        .find(Locator::Id("map-count"))
        .await
        .expect("count")
        .text()
        .await
        .expect("count text");
    assert!(count.contains("1362 个项目有坐标"), "{count}");
    let (lon0, _, zoom0, _) = view(&client).await;

    // A cluster zooms onto itself.
    let cluster = client
        .find(Locator::Css("#project-map a.cluster"))
        .await
        .expect("a cluster at the fitted view");
    cluster.click().await.expect("click the cluster");
    wait_for(&client, "zoomed onto the cluster", |v| v.2 > zoom0).await;
    let url = client.current_url().await.expect("url");
    assert!(
        url.query().is_some_and(|q| q.contains("zoom=")),
        "the address keeps the view: {url}"
    );
    let (_, _, zoom1, _) = view(&client).await;

    // The keyboard zooms out one level.
    client
        .execute(
            "var f = document.getElementById('project-map'); f.focus();
             f.dispatchEvent(new KeyboardEvent('keydown', {key: '-', bubbles: true}));",
            vec![],
        )
        .await
        .expect("press -");
    wait_for(&client, "zoomed out by the keyboard", |v| v.2 == zoom1 - 1).await;

    // A drag to the right shows what lies to the west.
    let (lon_before, _, _, _) = view(&client).await;
    client
        .execute(
            "var c = document.querySelector('#project-map .map-canvas');
             var r = c.getBoundingClientRect();
             var x = r.left + r.width / 2, y = r.top + r.height / 2;
             function ev(type, dx) {
               c.dispatchEvent(new PointerEvent(type, {pointerId: 7, pointerType: 'touch',
                 clientX: x + dx, clientY: y, button: 0, bubbles: true, cancelable: true}));
             }
             ev('pointerdown', 0); ev('pointermove', 40); ev('pointermove', 120); ev('pointerup', 120);",
            vec![],
        )
        .await
        .expect("drag");
    wait_for(&client, "panned west by the drag", |v| {
        v.0 < lon_before - 1e-6
    })
    .await;
    assert!(lon0.is_finite());

    // Zoom in until projects stand alone, then open one's card.
    let mut dot = None;
    for _ in 0..8 {
        if let Ok(d) = client.find(Locator::Css("#project-map a.pt")).await {
            dot = Some(d);
            break;
        }
        let (_, _, z, _) = view(&client).await;
        let c = client
            .find(Locator::Css("#project-map a.cluster"))
            .await
            .expect("a cluster to zoom into");
        c.click().await.expect("zoom into a cluster");
        wait_for(&client, "zoomed in", |v| v.2 > z).await;
    }
    let dot = dot.expect("a lone project after zooming in");
    let name = dot
        .attr("data-name")
        .await
        .expect("data-name")
        .expect("a name");
    let href = dot.attr("href").await.expect("href").expect("a link");
    dot.click().await.expect("tap the dot");
    let card = client
        .wait()
        .for_element(Locator::Css(".map-card:not([hidden])"))
        .await
        .expect("the card opens");
    let heading = card
        .find(Locator::Css("h2"))
        .await
        .expect("card heading")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, name);
    let lines = card
        .find(Locator::Css("ul"))
        .await
        .expect("card lines")
        .text()
        .await
        .expect("text");
    assert!(
        lines.contains("完成"),
        "the card says how far along: {lines}"
    );
    let link = card
        .find(Locator::Css(".map-card-link"))
        .await
        .expect("card link")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(link.as_deref(), Some(href.as_str()));
    assert!(href.starts_with("/projects/"), "{href}");

    if let Some(dir) = std::env::var_os("JIANGUAN_SCREENSHOT_DIR") {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join("map-390.png"), png).expect("write");
    }
    client.close().await.expect("close browser");
}
