//! Phones (issue 17 item 1): in real headless Chromium, log in as each of the demo's accounts
//! and visit every page its navigation offers plus the main detail pages it links to (a
//! project, a district, a category, an item, the filing form, …) at 360, 390 and 1440 CSS px
//! wide. A page fails when it scrolls sideways (`scrollWidth > innerWidth`, naming the page,
//! role, width and the element reaching furthest right) or, on a phone, when a tap target (a
//! navigation link, a button, a checkbox's label) is less than 44 px high.
//!
//! Each page is also checked once for console errors, for GB/T 37668 basics — `lang="zh-CN"`, every form control
//! labelled, the status colours' contrast, every link and control reachable by keyboard — for
//! English left untranslated, for resources or images that failed to load, and every link it
//! offers is fetched once per role: a 4xx or 5xx fails. The overview, the filing form and the
//! project map are timed to first contentful paint under a phone profile (4× slower CPU, slow 4G) and the
//! figures printed.
//!
//! One browser session per role. Screenshots of each role's home page, the filing form and every
//! page the leader visits at 390 px, and of the overview at 1440 px, are written to
//! `target/screenshots/`.
//!
//! Skipped, with a message saying so, when `chromedriver` is not installed — unless
//! `JIANGUAN_REQUIRE_BROWSER` is set, in which case a missing browser fails.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use jianguan_access::Role;
use jianguan_access::totp::{Totp, TotpSecret};

use super::browser::{Driver, find_chromedriver, free_port};

/// The widths checked: two common phones and a desktop.
const WIDTHS: [u32; 3] = [360, 390, 1440];

/// Pages every account is sent to besides its navigation (an administrator's pages are not
/// in the left navigation; another role gets the refusal page, which must fit too).
const FIXED: [&str; 6] = [
    "/account",
    "/admin/users",
    "/admin/security",
    "/audit",
    "/org",
    "/indicators",
];

/// The detail pages followed from the pages visited: the first link of each kind (its path's
/// prefix, then an id or a code).
const DETAILS: [(&str, &str); 8] = [
    ("project", "/projects/"),
    ("district", "/districts/"),
    ("category", "/categories/"),
    ("item", "/items/"),
    ("filing form", "/filing?"),
    ("assessment unit", "/assessment/units/"),
    ("indicator", "/indicators/"),
    ("plan change", "/plans/change"),
];

/// Whether `link` is a detail page of the kind with this prefix: an id or a code follows the
/// prefix (for the filing form: a project is chosen).
fn is_detail(prefix: &str, link: &str) -> bool {
    let Some(rest) = link.strip_prefix(prefix) else {
        return false;
    };
    if prefix == "/filing?" {
        return rest.contains("project=");
    }
    if prefix == "/plans/change" {
        return true;
    }
    let id = rest.split(['?', '/']).next().unwrap_or_default();
    let tail = &rest[id.len()..];
    !id.is_empty()
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id != "new"
        && !tail.starts_with('/')
}

/// Measures the page: [scrollWidth, innerWidth, the element reaching furthest right (outside
/// any box that scrolls or clips on its own), its right edge, the tap targets under 44 px].
const MEASURE: &str = r#"
const de = document.documentElement;
function clipped(el) {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
  }
  return false;
}
function name(el) {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
  const t = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 30);
  return t ? s + ' "' + t + '"' : s;
}
function path(el) {
  const parts = [];
  for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(name(e).split(' "')[0]);
  return parts.join(' > ') + ' ' + (name(el).split(' "')[1] ? '"' + name(el).split(' "')[1] : '');
}
let widest = null, right = 0;
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right > right && !clipped(el)) { right = r.right; widest = el; }
}
const small = [];
if (window.innerWidth < 760) {
  for (const el of document.querySelectorAll('.sidenav a, button, a.button, input[type=checkbox] + label, .topbar a')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (r.height < 43.5) small.push(name(el) + ' ' + Math.round(r.height) + 'px');
  }
}
return [de.scrollWidth, window.innerWidth, widest ? path(widest) : '', Math.round(right), small.slice(0, 5)];
"#;

/// GB/T 37668 basics and the page's health, read once per page: [the page's `lang`, form
/// controls without a label, text in the status colours below its contrast minimum (4.5:1, 3:1
/// for large or bold-large text), links and controls the keyboard cannot reach, English words
/// left untranslated on the Chinese page, resources that failed to load, broken images].
const AUDIT: &str = r#"
const rgba = c => (c.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number);
const lum = ([r, g, b]) => {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const background = el => {
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0.5) return c;
  }
  return [255, 255, 255];
};
const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '') + ' "' + (el.textContent || '').trim().slice(0, 24) + '"';
const unlabeled = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
  if (el.labels && el.labels.length) continue;
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title) continue;
  unlabeled.push(name(el));
}
const contrast = [];
for (const el of document.querySelectorAll('.status, .lv, .light, .item-st, .fl, .ms, .overdue, .stuck, .notice, .error-summary, .crumbs, .count, .small, .foot, a')) {
  if (!shown(el) || !(el.textContent || '').trim()) continue;
  const cs = getComputedStyle(el);
  const fg = rgba(cs.color), bg = background(el);
  const [a, b] = [lum(fg), lum(bg)];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const px = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
  const min = (px >= 24 || (bold && px >= 18.66)) ? 3 : 4.5;
  if (ratio < min) contrast.push(name(el) + ' ' + ratio.toFixed(2) + ':1 ' + cs.color + ' on rgb(' + bg.slice(0, 3).join(',') + ')');
}
const unreachable = [];
for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
  if (el.type === 'hidden' || el.disabled || !shown(el)) continue;
  if (el.tabIndex < 0) unreachable.push(name(el));
}
const allowed = new Set(['excel', 'word', 'toml', 'pdf', 'api', 'json', 'openapi', 'totp', 'sha', 'hmac', 'gcm', 'csv', 'url', 'osm', 'openstreetmap', 'png', 'jpeg', 'jpg', 'http', 'https', 'aes', 'docx', 'xlsx', 'sqlite', 'postgresql', 'odbl', 'svg', 'wps', 'ssh', 'cli', 'jianguan', 'asc', 'desc', 'xls']);
const english = [];
if (document.documentElement.lang.startsWith('zh')) {
  const skip = el => el.closest('script, style, code, pre, kbd, samp, textarea, .code, [translate=no], [lang]:not([lang^=zh])');
  const check = (text, where) => {
    for (const w of text.match(/[A-Za-z][A-Za-z-]*[A-Za-z]/g) || []) {
      if (w.length >= 3 && !allowed.has(w.toLowerCase())) english.push(w + ' in ' + where);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement || skip(n.parentElement)) continue;
    check(n.textContent, name(n.parentElement));
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
    if (skip(el)) continue;
    for (const at of ['placeholder', 'aria-label', 'title', 'alt']) { const v = el.getAttribute(at); if (v) check(v, name(el) + '@' + at); }
  }
}
const failed = performance.getEntriesByType('resource').filter(e => e.responseStatus >= 400).map(e => e.name + ' ' + e.responseStatus);
const broken = Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).map(i => i.src);
return [document.documentElement.lang, unlabeled.slice(0, 5), contrast.slice(0, 5), unreachable.slice(0, 5), english.slice(0, 8), failed, broken];
"#;

/// Fetches each same-origin link (`arguments[0]`), four at a time, without following redirects;
/// answers `[href, status]` pairs (0 for a redirect, -1 for a network failure).
const FETCH_LINKS: &str = r#"
const hrefs = arguments[0], done = arguments[arguments.length - 1];
const out = []; let next = 0;
async function worker() {
  while (next < hrefs.length) {
    const h = hrefs[next++];
    try { const r = await fetch(h, { credentials: 'same-origin', redirect: 'manual' }); out.push([h, r.status]); }
    catch (e) { out.push([h, -1]); }
  }
}
Promise.all([worker(), worker(), worker(), worker()]).then(() => done(out));
"#;

/// Every anchor's path and query on the page.
const LINKS: &str = r#"
return Array.from(document.querySelectorAll('a[href]')).map(a => {
  // An SVG link's href is an SVGAnimatedString; its attribute is the address.
  const u = new URL(a.getAttribute('href'), location.href);
  return u.origin === location.origin ? u.pathname + u.search : '';
}).filter(h => h);
"#;

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/screenshots"
    ));
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

async fn shoot(client: &Client, file: &str) {
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(screenshots_dir().join(file), &png).expect("write screenshot");
}

/// Sets the viewport (not the window) to `width` CSS px: resizes the window, waits for the
/// viewport to follow (the browser resizes asynchronously) and corrects for any window chrome.
pub(super) async fn set_width(client: &Client, width: u32) {
    let height = if width < 760 { 844 } else { 900 };
    let mut outer = i64::from(width);
    for _ in 0..3 {
        client
            .set_window_size(u32::try_from(outer).expect("a width"), height)
            .await
            .expect("resize window");
        let deadline = Instant::now() + Duration::from_secs(5);
        let inner = loop {
            let inner = client
                .execute("return window.innerWidth;", vec![])
                .await
                .expect("innerWidth")
                .as_i64()
                .expect("a number");
            if inner == i64::from(width) || Instant::now() > deadline {
                break inner;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if inner == i64::from(width) {
            return;
        }
        outer += i64::from(width) - inner;
    }
}

/// What one role's walk found: pages × widths checked, failures, the widest page at 390 px.
#[derive(Default)]
struct Walk {
    checked: usize,
    pages: usize,
    /// Links the pages offered, each fetched once.
    links: BTreeSet<String>,
    /// Links fetched, over every role.
    link_count: usize,
    /// Time to first paint of the pages measured under the phone profile.
    paints: Vec<String>,
    failures: Vec<String>,
    widest_390: (u64, String),
}

/// One walk of a role's pages: in Chinese at the normal type, or in English at the large type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Chinese,
    EnglishLarge,
}

impl Pass {
    /// The `lang` every page must declare.
    fn lang(self) -> &'static str {
        match self {
            Pass::Chinese => "zh-CN",
            Pass::EnglishLarge => "en",
        }
    }

    /// Added to the screenshots' names.
    fn suffix(self) -> &'static str {
        match self {
            Pass::Chinese => "",
            Pass::EnglishLarge => "-en-large",
        }
    }
}

async fn walk_role(
    client: &Client,
    base: &str,
    username: &str,
    role: &str,
    totp: Option<&str>,
    pass: Pass,
) -> Walk {
    let sfx = pass.suffix();
    client
        .goto(&format!("{base}/login"))
        .await
        .expect("open login");
    client
        .find(Locator::Id("username"))
        .await
        .expect("user name field")
        .send_keys(username)
        .await
        .expect("type user name");
    client
        .find(Locator::Id("password"))
        .await
        .expect("password field")
        .send_keys(jianguan_demo::seed::DEMO_PASSWORD)
        .await
        .expect("type password");
    if let Some(secret) = totp {
        let secret = TotpSecret::from_base32(secret).expect("the demo's TOTP secret");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        client
            .find(Locator::Id("totp"))
            .await
            .expect("TOTP field")
            .send_keys(&Totp::STANDARD.code(&secret, now))
            .await
            .expect("type TOTP");
    }
    client
        .find(Locator::Css("form.login button"))
        .await
        .expect("login button")
        .click()
        .await
        .expect("submit");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = client.current_url().await.expect("current url");
        if url.path() != "/login" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{role} ({username}) could not log in:\n{}",
            client.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut walk = Walk::default();
    set_width(client, 390).await;
    shoot(client, &format!("home-{username}{sfx}-390.png")).await;

    // The home page first, then what the navigation offers, then the fixed pages.
    let home = client.current_url().await.expect("home url");
    let mut queue: Vec<(String, String)> = vec![(
        "home".into(),
        format!(
            "{}{}",
            home.path(),
            home.query().map_or(String::new(), |q| format!("?{q}"))
        ),
    )];
    queue.push(("overview".into(), "/".into()));
    client.goto(&format!("{base}/")).await.expect("overview");
    let nav: Vec<String> = serde_json::from_value(
        client
            .execute(
                "return Array.from(document.querySelectorAll('.sidenav a')).map(a => { const u = new URL(a.href); return u.pathname + u.search; });",
                vec![],
            )
            .await
            .expect("navigation links"),
    )
    .expect("a list of links");
    for href in nav {
        queue.push((format!("nav {href}"), href));
    }
    for href in FIXED {
        queue.push((href.to_string(), href.to_string()));
    }
    let mut found: BTreeSet<&str> = BTreeSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut at = 0;
    while at < queue.len() {
        let (label, href) = queue[at].clone();
        at += 1;
        if !seen.insert(href.clone()) {
            continue;
        }
        client
            .goto(&format!("{base}{href}"))
            .await
            .unwrap_or_else(|e| panic!("{role}: open {href}: {e}"));
        walk.pages += 1;
        // Widths in alternating order so each page costs one load and two resizes.
        let widths: Vec<u32> = if walk.pages % 2 == 0 {
            WIDTHS.to_vec()
        } else {
            WIDTHS.iter().rev().copied().collect()
        };
        for width in widths {
            set_width(client, width).await;
            let m = client.execute(MEASURE, vec![]).await.expect("measure");
            walk.checked += 1;
            let scroll = m[0].as_u64().unwrap_or_default();
            let inner = m[1].as_u64().unwrap_or_default();
            if inner != u64::from(width) {
                walk.failures.push(format!(
                    "{role} {href} @{width}: the viewport is {inner} px, not {width} px"
                ));
            }
            if width == 390 && username == "leader" {
                // Every page the leader sees, at phone width, to look at.
                let path = href.split('?').next().unwrap_or_default();
                let slug = path.trim_matches('/').replace('/', "_");
                shoot(
                    client,
                    &format!(
                        "leader{sfx}-390-{}.png",
                        if slug.is_empty() { "home" } else { &slug }
                    ),
                )
                .await;
            }
            if width == 390 && scroll > walk.widest_390.0 {
                walk.widest_390 = (scroll, format!("{href} ({role})"));
            }
            if scroll > inner {
                walk.failures.push(format!(
                    "{role} {href} @{width}px: scrollWidth {scroll} > innerWidth {inner}; \
                     widest element {} (right edge {} px)",
                    m[2].as_str().unwrap_or_default(),
                    m[3]
                ));
            }
            if let Some(small) = m[4].as_array().filter(|s| !s.is_empty()) {
                walk.failures.push(format!(
                    "{role} {href} @{width}px: tap targets under 44 px high: {small:?}"
                ));
            }
        }
        audit_page(client, role, &href, pass.lang(), &mut walk).await;
        if label == "filing form" {
            set_width(client, 390).await;
            shoot(client, &format!("filing-form-{username}{sfx}-390.png")).await;
            // The whole form on one tall phone screen, to look at the flow end to end.
            client
                .set_window_size(390, 2400)
                .await
                .expect("resize window");
            shoot(client, &format!("filing-form-{username}{sfx}-390-full.png")).await;
        }
        if href.split('?').next() == Some("/projects") && username == "leader" {
            // The project list as cards, on one tall phone screen.
            client
                .set_window_size(390, 2400)
                .await
                .expect("resize window");
            shoot(client, &format!("project-list-leader{sfx}-390-full.png")).await;
        }
        if href.split('?').next() == Some("/") && username == "leader" {
            set_width(client, 1440).await;
            shoot(client, &format!("overview-leader{sfx}-1440.png")).await;
            set_width(client, 390).await;
            shoot(client, &format!("overview-leader{sfx}-390.png")).await;
        }
        // Follow the first detail link of each kind not yet visited.
        let links: Vec<String> =
            serde_json::from_value(client.execute(LINKS, vec![]).await.expect("links"))
                .expect("a list of links");
        for (kind, prefix) in DETAILS {
            if found.contains(kind) {
                continue;
            }
            if let Some(link) = links.iter().find(|l| is_detail(prefix, l)) {
                found.insert(kind);
                queue.push((kind.to_string(), link.clone()));
            }
        }
    }
    // Time to first paint on a phone: the overview (the leader's home), the filing form (the
    // reporter's work) and the project map (the office's, every project of the city).
    let target = match (username, pass) {
        ("leader", Pass::Chinese) => Some(("overview".to_string(), "/".to_string())),
        ("office", Pass::Chinese) => Some(("project map".to_string(), "/map".to_string())),
        ("reporter", Pass::Chinese) => queue.iter().find(|(l, _)| l == "filing form").cloned(),
        _ => None,
    };
    if let Some((label, href)) = target {
        let (median, runs) = first_paint_on_a_phone(client, base, &href).await;
        walk.paints.push(format!(
            "{label} {href}: first contentful paint {median:.0} ms (runs {runs:.0?})"
        ));
    }
    walk
}

/// A chromedriver command beyond WebDriver's (its path under the session, and its body): a
/// DevTools command (`goog/cdp/execute`) for the phone profile, the console's log (`se/log`).
#[derive(Debug)]
struct Chromedriver(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Chromedriver {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.0
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.1.to_string()))
    }
}

/// The browser console's errors since the last call (chromedriver's log, with
/// `goog:loggingPrefs` asking for it): script errors, refused or failed loads.
async fn console_errors(client: &Client) -> Vec<String> {
    let entries = client
        .issue_cmd(Chromedriver(
            "se/log",
            serde_json::json!({ "type": "browser" }),
        ))
        .await
        .expect("the browser's console log");
    entries
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|e| e["level"] == "SEVERE")
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn cdp(client: &Client, cmd: &'static str, params: serde_json::Value) {
    client
        .issue_cmd(Chromedriver(
            "goog/cdp/execute",
            serde_json::json!({ "cmd": cmd, "params": params }),
        ))
        .await
        .unwrap_or_else(|e| panic!("DevTools {cmd}: {e}"));
}

/// The phone profile: a 390 px viewport, the CPU slowed four times, and Lighthouse's "slow 4G"
/// network (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up), with the cache off. `on` false
/// lifts it.
async fn phone_profile(client: &Client, on: bool) {
    cdp(
        client,
        "Emulation.setCPUThrottlingRate",
        serde_json::json!({ "rate": if on { 4 } else { 1 } }),
    )
    .await;
    cdp(client, "Network.enable", serde_json::json!({})).await;
    cdp(
        client,
        "Network.setCacheDisabled",
        serde_json::json!({ "cacheDisabled": on }),
    )
    .await;
    let conditions = if on {
        serde_json::json!({ "offline": false, "latency": 150,
            "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8 })
    } else {
        serde_json::json!({ "offline": false, "latency": 0,
            "downloadThroughput": -1, "uploadThroughput": -1 })
    };
    cdp(client, "Network.emulateNetworkConditions", conditions).await;
}

/// The page's first contentful paint (ms since navigation), waiting up to five seconds for the
/// browser to report it; -1 if it never does.
const FIRST_PAINT: &str = r#"
const done = arguments[arguments.length - 1];
const seen = performance.getEntriesByName('first-contentful-paint')[0];
if (seen) { done(seen.startTime); } else {
  new PerformanceObserver(list => {
    const p = list.getEntriesByName('first-contentful-paint')[0];
    if (p) done(p.startTime);
  }).observe({ type: 'paint', buffered: true });
  setTimeout(() => done(-1), 5000);
}
"#;

/// Time to first contentful paint of `href` under the phone profile, in ms: the median of three
/// loads, with each load's figure.
async fn first_paint_on_a_phone(client: &Client, base: &str, href: &str) -> (f64, Vec<f64>) {
    set_width(client, 390).await;
    phone_profile(client, true).await;
    let mut runs = Vec::new();
    for _ in 0..3 {
        client
            .goto(&format!("{base}{href}"))
            .await
            .unwrap_or_else(|e| panic!("open {href}: {e}"));
        let fcp = client
            .execute_async(FIRST_PAINT, vec![])
            .await
            .expect("paint timing")
            .as_f64()
            .unwrap_or(-1.0);
        assert!(fcp > 0.0, "{href}: no first contentful paint recorded");
        runs.push(fcp);
    }
    phone_profile(client, false).await;
    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    (sorted[1], runs)
}

/// The page's accessibility basics and health ([`AUDIT`]), then every link it offers not yet
/// fetched in this role's walk: a 4xx or 5xx fails.
async fn audit_page(client: &Client, role: &str, href: &str, lang: &str, walk: &mut Walk) {
    // A page the walk opens on purpose for a role that may not (the refusal must fit too) logs
    // its own 403 or 404; anything else the console says is a failure.
    let own = format!("{href} - Failed to load resource");
    let errors: Vec<String> = console_errors(client)
        .await
        .into_iter()
        .filter(|e| !e.contains(&own))
        .collect();
    if !errors.is_empty() {
        walk.failures
            .push(format!("{role} {href}: console errors: {errors:?}"));
    }
    let a = client.execute(AUDIT, vec![]).await.expect("audit");
    if a[0].as_str() != Some(lang) {
        walk.failures
            .push(format!("{role} {href}: lang is {}, not {lang}", a[0]));
    }
    let named = [
        (1, "form controls without a label"),
        (2, "status text below its contrast minimum"),
        (3, "links or controls the keyboard cannot reach"),
        (4, "English left untranslated"),
        (5, "resources that failed to load"),
        (6, "broken images"),
    ];
    for (i, what) in named {
        if let Some(found) = a[i].as_array().filter(|f| !f.is_empty()) {
            walk.failures
                .push(format!("{role} {href}: {what}: {found:?}"));
        }
    }
    let links: Vec<String> =
        serde_json::from_value(client.execute(LINKS, vec![]).await.expect("links"))
            .expect("a list of links");
    let fresh: Vec<String> = links
        .into_iter()
        .filter(|l| walk.links.insert(l.clone()))
        .collect();
    for batch in fresh.chunks(40) {
        let answers = client
            .execute_async(FETCH_LINKS, vec![serde_json::json!(batch)])
            .await
            .unwrap_or_else(|e| panic!("{role} {href}: fetching its links: {e}"));
        for pair in answers.as_array().expect("pairs") {
            let status = pair[1].as_i64().unwrap_or(-1);
            if !(0..400).contains(&status) {
                walk.failures.push(format!(
                    "{role} {href}: the link {} answers {status}",
                    pair[0].as_str().unwrap_or_default()
                ));
            }
        }
    }
}

#[tokio::test]
async fn no_page_scrolls_sideways_on_a_phone_for_any_role() {
    let Some(chromedriver) = find_chromedriver() else {
        assert!(
            std::env::var_os("JIANGUAN_REQUIRE_BROWSER").is_none(),
            "JIANGUAN_REQUIRE_BROWSER is set but chromedriver is not installed \
             (apt-get install chromium chromium-driver fonts-wqy-microhei)"
        );
        eprintln!("SKIPPED phone-width browser test: chromedriver not installed");
        return;
    };

    // The seeded demo (records, a year of cadence and assessment, one account per role) on a
    // real SQLite file, served on a real socket.
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("demo.db").to_str().expect("utf-8 path"))
        .await
        .expect("open database");
    let seeded =
        jianguan_demo::seed::seed_demo_city(&db, jianguan_app::Clock::system(), &|_, _| {})
            .await
            .expect("seed the demo");
    let state =
        jianguan_web::AppState::with_today(Arc::new(db), || jiff::civil::date(2026, 11, 28));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        axum::serve(listener, jianguan_web::router(state))
            .await
            .expect("serve");
    });

    let port = free_port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );

    let mut total = Walk::default();
    for account in &seeded.accounts {
        // The larger type (适老化) must fit a phone too: walked again with its cookie for the
        // leader and the reporter on site, the readers it is most for.
        let passes: &[bool] = if matches!(account.role, Role::HqLeader | Role::UnitReporter) {
            &[false, true]
        } else {
            &[false]
        };
        for &large in passes {
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".into(),
                serde_json::json!({
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                        "--window-size=390,844",
                        if large { "--lang=en-US" } else { "--lang=zh-CN" },
                        format!("--user-data-dir={}", dir.path().join(format!("{}-{large}", account.username)).display()),
                    ],
                    // Chinese for the normal walk, whatever the machine's locale; English (longer
                    // words) with the large type.
                    "prefs": { "intl": { "accept_languages": if large { "en-US,en" } else { "zh-CN,zh" } } }
                }),
            );
            // The console's errors, read after each page.
            caps.insert(
                "goog:loggingPrefs".into(),
                serde_json::json!({ "browser": "ALL" }),
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
                    Err(e) if Instant::now() > deadline => {
                        panic!("chromedriver did not start: {e}")
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            };
            let role = if large {
                format!("{:?} (large type)", account.role)
            } else {
                format!("{:?}", account.role)
            };
            if large {
                client
                    .goto(&format!("{base}/login"))
                    .await
                    .expect("open login");
                client
                    .execute(
                        &format!(
                            "document.cookie = '{}=1; path=/';",
                            jianguan_web::i18n::LARGE_TYPE_COOKIE
                        ),
                        vec![],
                    )
                    .await
                    .expect("the large-type cookie");
            }
            let pass = if large {
                Pass::EnglishLarge
            } else {
                Pass::Chinese
            };
            let walk = walk_role(
                &client,
                &base,
                account.username,
                &role,
                account.totp_secret.as_deref(),
                pass,
            )
            .await;
            client.close().await.expect("close browser");
            eprintln!(
                "{role}: {} pages, {} page×width checks, widest at 390 px: {} px {}",
                walk.pages, walk.checked, walk.widest_390.0, walk.widest_390.1
            );
            total.checked += walk.checked;
            total.pages += walk.pages;
            total.link_count += walk.links.len();
            total.paints.extend(walk.paints);
            total.failures.extend(walk.failures);
            if walk.widest_390.0 > total.widest_390.0 {
                total.widest_390 = walk.widest_390;
            }
        }
    }
    eprintln!(
        "checked {} pages × widths over {} roles ({} page visits, {} links fetched); widest page at 390 px: {} px {}",
        total.checked,
        seeded.accounts.len(),
        total.pages,
        total.link_count,
        total.widest_390.0,
        total.widest_390.1
    );
    for paint in &total.paints {
        eprintln!("phone profile (4× CPU, slow 4G): {paint}");
    }
    assert_eq!(
        total.paints.len(),
        3,
        "the overview, the filing form and the project map were timed"
    );
    assert!(
        total.pages >= seeded.accounts.len() * FIXED.len(),
        "every role visits its pages"
    );
    assert!(
        total.failures.is_empty(),
        "{} failures:\n{}",
        total.failures.len(),
        total.failures.join("\n")
    );
}
