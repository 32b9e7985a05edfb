//! `jianguan bench rush`: the deadline rush driven over HTTP against a server on this machine.
//! Clients sign in, file progress reports for the period due (each client its own projects)
//! with page reads mixed in, until a deadline or a count; every acknowledged report is then read
//! back through the API and compared with what was sent. Figures are printed, never asserted.
//!
//! The load is bounded: loopback addresses only, at most [`MAX_SECONDS`] seconds, [`MAX_CLIENTS`]
//! clients and `--max-filings` filings. The pure parts (the target's address, percentiles, the
//! tally and the check of acknowledged reports against the stored ones) are unit-tested here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The longest rush allowed.
pub const MAX_SECONDS: u64 = 600;
/// The most clients allowed.
pub const MAX_CLIENTS: usize = 1024;
/// The most projects read at discovery (each is one API call, and the API is rate limited).
const MAX_PROJECTS: usize = 1000;
/// One request's limit: a request still unanswered after this is counted as an error, so the
/// rush ends at most this long after its deadline.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The correction reason every filing carries (the second version of a period's report needs
/// one, and the demo's periods are past their deadline).
const REASON: &str = "压测：截止日集中填报";

/// `jianguan bench rush`: the deadline rush over HTTP.
#[derive(Debug, Args)]
pub struct RushArgs {
    /// The server's base URL; only loopback hosts (127.0.0.0/8, ::1, localhost) are accepted.
    #[arg(long)]
    url: String,
    /// Concurrent clients, each on its own connection (1–1024).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=MAX_CLIENTS as i64))]
    clients: u16,
    /// How long the rush lasts, in seconds (1–600).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=MAX_SECONDS))]
    seconds: u64,
    /// The most filings sent in all; the rush ends when they are sent.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    max_filings: u64,
    /// The share of requests that are page reads (GET / and GET /filing), 0 to 1.
    #[arg(long, default_value_t = 0.5, value_parser = parse_share)]
    read_share: f64,
    /// The account the clients sign in as (its scope gives the projects filed for).
    #[arg(long, default_value = "reporter")]
    user: String,
    /// Its password (default: the demo accounts').
    #[arg(long, env = "JIANGUAN_RUSH_PASSWORD", default_value = jianguan_demo::seed::DEMO_PASSWORD, hide_default_value = true)]
    password: String,
    /// Sessions signed in (the clients share them in turn); the account's session limit
    /// (3 by default) ends the oldest beyond it.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    sessions: u16,
}

fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("应为 0 到 1 之间的小数，实际为 {text}")),
    }
}

// --- The target ------------------------------------------------------------------------------

/// Where the server is: the address connected to, the `Host` header and the `Origin` header
/// (the server refuses a state-changing request whose origin is not its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    addr: SocketAddr,
    authority: String,
    origin: String,
}

/// Parses `http://HOST[:PORT][/]`, accepting only a loopback host: an IP address in 127.0.0.0/8
/// or ::1, or `localhost` (connected as 127.0.0.1, never looked up).
pub fn parse_target(url: &str) -> Result<Target, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--url 须以 http:// 开头（压测只针对本机的服务），实际为 {url}"))?;
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "--url 只写协议、主机和端口，如 http://127.0.0.1:8080，实际为 {url}"
        ));
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| format!("--url 的 IPv6 地址缺少 ]：{url}"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => 80,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("--url 的端口应为 1–65535，实际为 {p}"))?,
    };
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse::<IpAddr>().map_err(|_| {
            format!("--url 的主机须是本机地址（127.0.0.0/8、::1 或 localhost），实际为 {host}")
        })?
    };
    if !ip.is_loopback() {
        return Err(format!(
            "拒绝压测非本机地址 {ip}：--url 只能指向 127.0.0.0/8、::1 或 localhost"
        ));
    }
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        authority: authority.to_string(),
        origin: format!("http://{authority}"),
    })
}

// --- The pure part: percentiles, the tally, the check ----------------------------------------

/// The `p`th percentile (0–100) of sorted samples, by nearest rank; `None` without samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// One report as sent, or as the server holds it: the fields a filer types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    project: i64,
    period: i64,
    /// Investment to date in 元.
    investment: i64,
    note: String,
    correction_reason: Option<String>,
    milestones: Vec<(i64, String)>,
}

/// A filing the server acknowledged (303 naming the report's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acked {
    id: i64,
    sent: Sent,
}

/// A report version as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    id: i64,
    version: i64,
    fields: Sent,
}

/// What every client counted: latencies, errors by kind and the acknowledged filings.
#[derive(Debug, Default)]
pub struct Tally {
    filings: Vec<Duration>,
    reads: Vec<Duration>,
    errors: BTreeMap<String, u64>,
    acked: Vec<Acked>,
}

impl Tally {
    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    /// Adds another client's counts to these.
    pub fn merge(&mut self, other: Tally) {
        self.filings.extend(other.filings);
        self.reads.extend(other.reads);
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.acked.extend(other.acked);
    }

    /// Errors in all.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// The check of the acknowledged filings against the server's records.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Acknowledged, present and equal to what was sent.
    pub intact: usize,
    /// Acknowledged ids the server does not hold.
    pub lost: Vec<i64>,
    /// Acknowledged ids held with other contents than sent.
    pub differing: Vec<i64>,
    /// Ids acknowledged twice or held twice, and report versions held twice.
    pub duplicates: Vec<String>,
}

/// Compares every acknowledged filing with the stored reports of the projects filed for.
pub fn verify(acked: &[Acked], stored: &[Stored]) -> Verdict {
    let mut verdict = Verdict::default();
    let mut by_id: HashMap<i64, &Stored> = HashMap::new();
    let mut versions = HashSet::new();
    for s in stored {
        if by_id.insert(s.id, s).is_some() {
            verdict
                .duplicates
                .push(format!("库中编号 {} 出现两次", s.id));
        }
        if !versions.insert((s.fields.project, s.fields.period, s.version)) {
            verdict.duplicates.push(format!(
                "项目 {} 期次 {} 第 {} 版出现两次",
                s.fields.project, s.fields.period, s.version
            ));
        }
    }
    let mut seen = HashSet::new();
    for a in acked {
        if !seen.insert(a.id) {
            verdict
                .duplicates
                .push(format!("编号 {} 被确认了两次", a.id));
            continue;
        }
        match by_id.get(&a.id) {
            None => verdict.lost.push(a.id),
            Some(s) if s.fields == a.sent => verdict.intact += 1,
            Some(_) => verdict.differing.push(a.id),
        }
    }
    verdict
}

// --- HTTP ------------------------------------------------------------------------------------

/// A server's answer, body read whole.
struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    body: Bytes,
}

/// One client's keep-alive connection (reopened after a failure) and session cookie.
struct Conn {
    target: Target,
    cookie: String,
    sender: Option<http1::SendRequest<Full<Bytes>>>,
}

impl Conn {
    fn new(target: Target) -> Conn {
        Conn {
            target,
            cookie: String::new(),
            sender: None,
        }
    }

    async fn connect(&self) -> Result<http1::SendRequest<Full<Bytes>>, String> {
        let stream = tokio::net::TcpStream::connect(self.target.addr)
            .await
            .map_err(|e| format!("连接失败（{}）", e.kind()))?;
        stream.set_nodelay(true).ok();
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("连接失败（{e}）"))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }

    /// Sends one request (a form body makes it a POST with our origin); a failure drops the
    /// connection, and is named as the error's kind.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<String>,
    ) -> Result<Reply, String> {
        match tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(method, path, form)).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                Err("超时".into())
            }
        }
    }

    async fn exchange(
        &mut self,
        method: Method,
        path: &str,
        form: Option<String>,
    ) -> Result<Reply, String> {
        let mut sender = match self.sender.take() {
            Some(s) if !s.is_closed() => s,
            _ => self.connect().await?,
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.target.authority);
        if !self.cookie.is_empty() {
            request = request.header(header::COOKIE, &self.cookie);
        }
        if form.is_some() {
            request = request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, &self.target.origin);
        }
        let request = request
            .body(Full::new(Bytes::from(form.unwrap_or_default())))
            .map_err(|e| format!("请求无效（{e}）"))?;
        sender
            .ready()
            .await
            .map_err(|e| format!("连接中断（{e}）"))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("连接中断（{e}）"))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("应答不完整（{e}）"))?
            .to_bytes();
        self.sender = Some(sender);
        let text = |v: &header::HeaderValue| v.to_str().unwrap_or("").to_string();
        Ok(Reply {
            status: parts.status,
            location: parts.headers.get(header::LOCATION).map(text),
            cookies: parts
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .map(text)
                .collect(),
            body,
        })
    }

    /// Signs in and keeps the cookies the server sets, as a browser would (the harness is an
    /// outside client: it does not know the session cookie's name).
    async fn login(&mut self, user: &str, password: &str) -> Result<()> {
        let form = encode_form(&[("username", user), ("password", password)]);
        let reply = self
            .send(Method::POST, "/login", Some(form))
            .await
            .map_err(|e| anyhow::anyhow!("登录 {user}：{e}"))?;
        let pairs: Vec<&str> = reply
            .cookies
            .iter()
            .filter_map(|c| c.split(';').next())
            .map(str::trim)
            .filter(|pair| pair.contains('='))
            .collect();
        let session = (!pairs.is_empty()).then(|| pairs.join("; "));
        match (reply.status, session) {
            (StatusCode::SEE_OTHER, Some(cookie)) => {
                self.cookie = cookie;
                Ok(())
            }
            (StatusCode::TOO_MANY_REQUESTS, _) => {
                anyhow::bail!("登录 {user} 被限流（HTTP 429），请稍后再试")
            }
            (status, _) => anyhow::bail!(
                "登录 {user} 失败（HTTP {}）：用户名或口令不对，或该账户须动态口令",
                status.as_u16()
            ),
        }
    }

    /// GETs JSON from the API, waiting out its rate limit.
    async fn json(&mut self, path: &str) -> Result<Value> {
        for _ in 0..120 {
            let reply = self
                .send(Method::GET, path, None)
                .await
                .map_err(|e| anyhow::anyhow!("GET {path}：{e}"))?;
            match reply.status {
                StatusCode::OK => {
                    return serde_json::from_slice(&reply.body)
                        .with_context(|| format!("GET {path}：应答不是 JSON"));
                }
                StatusCode::TOO_MANY_REQUESTS => tokio::time::sleep(Duration::from_secs(1)).await,
                status => anyhow::bail!(
                    "GET {path}：HTTP {}（{}）",
                    status.as_u16(),
                    String::from_utf8_lossy(&reply.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
            }
        }
        anyhow::bail!("GET {path}：两分钟内一直被限流（HTTP 429）")
    }
}

/// `application/x-www-form-urlencoded` of the fields.
fn encode_form(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(b as char);
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The report id in a filing's redirect (`…&filed=ID#notice`).
fn filed_id(location: &str) -> Option<i64> {
    let (_, after) = location.split_once("filed=")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

// --- Discovery -------------------------------------------------------------------------------

/// The period being filed for.
#[derive(Debug, Clone)]
struct Period {
    id: i64,
    year: i64,
    seq: i64,
}

/// A report version from the API's JSON.
fn stored_of(v: &Value) -> Option<Stored> {
    let milestones = v["milestones_reached"]
        .as_array()?
        .iter()
        .map(|pair| Some((pair[0].as_i64()?, pair[1].as_str()?.to_string())))
        .collect::<Option<Vec<_>>>()?;
    Some(Stored {
        id: v["id"].as_i64()?,
        version: v["version"].as_i64()?,
        fields: Sent {
            project: v["project"].as_i64()?,
            period: v["period"].as_i64()?,
            investment: v["investment_to_date"].as_i64()?,
            note: v["note"].as_str()?.to_string(),
            correction_reason: v["correction_reason"].as_str().map(str::to_string),
            milestones,
        },
    })
}

/// A project's reports as the API lists them.
async fn reports_of(conn: &mut Conn, project: i64) -> Result<(Value, Vec<Stored>)> {
    let detail = conn.json(&format!("/api/v1/projects/{project}")).await?;
    let reports = detail["reports"]
        .as_array()
        .map(|r| r.iter().filter_map(stored_of).collect())
        .unwrap_or_default();
    Ok((detail, reports))
}

/// The period due (the one the compliance page shows) and, for every project in the user's
/// scope planned that year, the report a filer would send now: this period's latest version
/// again (its investment and milestones), else the latest earlier investment.
async fn discover(conn: &mut Conn) -> Result<(Period, Vec<Sent>)> {
    let compliance = conn.json("/api/v1/compliance").await?;
    let p = &compliance["period"];
    let period = Period {
        id: p["id"].as_i64().context("compliance: period.id")?,
        year: p["year"].as_i64().context("compliance: period.year")?,
        seq: p["seq"].as_i64().context("compliance: period.seq")?,
    };
    let mut ids = Vec::new();
    for page in 1.. {
        let list = conn
            .json(&format!(
                "/api/v1/projects?year={}&per_page=100&page={page}",
                period.year
            ))
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() || ids.len() >= MAX_PROJECTS {
            break;
        }
        ids.extend(items.iter().filter_map(|i| i["id"].as_i64()));
    }
    ids.truncate(MAX_PROJECTS);
    let mut plans = Vec::new();
    for id in ids {
        let (detail, reports) = reports_of(conn, id).await?;
        let planned = detail["project"]["year_plans"]
            .as_array()
            .is_some_and(|plans| {
                plans
                    .iter()
                    .any(|y| y["year"].as_i64() == Some(period.year))
            });
        if !planned {
            continue;
        }
        let this = reports
            .iter()
            .filter(|r| r.fields.period == period.id)
            .max_by_key(|r| r.version);
        let earlier = reports
            .iter()
            .filter(|r| r.fields.period < period.id)
            .max_by_key(|r| (r.fields.period, r.version));
        let (investment, milestones) = match (this, earlier) {
            (Some(r), _) => (r.fields.investment, r.fields.milestones.clone()),
            (None, Some(r)) => (r.fields.investment, Vec::new()),
            (None, None) => (0, Vec::new()),
        };
        plans.push(Sent {
            project: id,
            period: period.id,
            investment,
            note: String::new(),
            correction_reason: Some(REASON.into()),
            milestones,
        });
    }
    Ok((period, plans))
}

// --- The rush --------------------------------------------------------------------------------

/// What one client is given.
struct Client {
    index: usize,
    conn: Conn,
    projects: Vec<Sent>,
    read_share: f64,
    deadline: Instant,
    /// Filings started by all clients, against `max_filings`.
    started: Arc<AtomicU64>,
    max_filings: u64,
    /// Makes this run's notes unique.
    tag: i64,
}

/// The form of a filing.
fn filing_form(sent: &Sent) -> String {
    let investment = format!(
        "{}.{:04}",
        sent.investment / 10_000,
        sent.investment % 10_000
    );
    let project = sent.project.to_string();
    let period = sent.period.to_string();
    let mut fields: Vec<(String, String)> = vec![
        ("project".into(), project),
        ("period".into(), period),
        ("investment_to_date".into(), investment),
        ("note".into(), sent.note.clone()),
        (
            "correction_reason".into(),
            sent.correction_reason.clone().unwrap_or_default(),
        ),
    ];
    for (id, date) in &sent.milestones {
        fields.push(("reached".into(), id.to_string()));
        fields.push((format!("date_{id}"), date.clone()));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    encode_form(&refs)
}

/// Reads a page as a browser does, following one redirect on this site (`/` sends a filer to
/// `/filing`); a redirect to the login page means the session was lost.
async fn read_page(conn: &mut Conn, path: &str) -> Result<(), String> {
    let reply = conn.send(Method::GET, path, None).await?;
    let reply = match (reply.status, reply.location) {
        (StatusCode::OK, _) => return Ok(()),
        (StatusCode::SEE_OTHER | StatusCode::FOUND, Some(to)) => {
            let to = to
                .strip_prefix(&conn.target.origin)
                .unwrap_or(&to)
                .to_string();
            if to.starts_with("/login") {
                return Err("会话失效（转到登录页）".into());
            }
            if !to.starts_with('/') || to.starts_with("//") {
                return Err(format!("转到站外 {to}"));
            }
            conn.send(Method::GET, &to, None).await?
        }
        (status, _) => return Err(format!("HTTP {}", status.as_u16())),
    };
    match reply.status {
        StatusCode::OK => Ok(()),
        status => Err(format!("HTTP {}（转向后）", status.as_u16())),
    }
}

async fn run_client(mut c: Client) -> Tally {
    let mut tally = Tally::default();
    // Reads are spread evenly at the share asked for; clients start at different phases.
    let mut credit = (c.index as f64 * 0.618_033_988_7).fract();
    let mut next_project = 0usize;
    let mut filed = 0u64;
    let mut read_count = 0u64;
    while Instant::now() < c.deadline {
        credit += c.read_share;
        let read = c.projects.is_empty() || credit >= 1.0;
        if read {
            if credit >= 1.0 {
                credit -= 1.0;
            }
            let path = if read_count.is_multiple_of(2) {
                "/"
            } else {
                "/filing"
            };
            read_count += 1;
            let t = Instant::now();
            match read_page(&mut c.conn, path).await {
                Ok(()) => tally.reads.push(t.elapsed()),
                Err(e) => tally.error(format!("读取 {e}")),
            }
            continue;
        }
        if c.started.fetch_add(1, Ordering::Relaxed) >= c.max_filings {
            break;
        }
        filed += 1;
        let mut sent = c.projects[next_project % c.projects.len()].clone();
        next_project += 1;
        sent.note = format!("压测 {} 客户端{} 第{}份", c.tag, c.index, filed);
        let form = filing_form(&sent);
        let t = Instant::now();
        match c.conn.send(Method::POST, "/filing", Some(form)).await {
            Ok(r) if r.status == StatusCode::SEE_OTHER => {
                match r.location.as_deref().and_then(filed_id) {
                    Some(id) => {
                        tally.filings.push(t.elapsed());
                        tally.acked.push(Acked { id, sent });
                    }
                    None => tally.error(format!(
                        "填报 303 未给出编号（{}）",
                        r.location.unwrap_or_default()
                    )),
                }
            }
            Ok(r) => tally.error(format!("填报 HTTP {}", r.status.as_u16())),
            Err(e) => tally.error(format!("填报 {e}")),
        }
    }
    tally
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("—".into(), |d| {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    })
}

fn latencies(samples: &mut [Duration]) -> String {
    samples.sort_unstable();
    format!(
        "p50 {}，p95 {}，p99 {}，最长 {}",
        ms(percentile(samples, 50.0)),
        ms(percentile(samples, 95.0)),
        ms(percentile(samples, 99.0)),
        ms(samples.last().copied())
    )
}

/// Runs the rush and prints its figures; an error when anything was lost, differs, was
/// duplicated, or a request failed.
pub async fn run(args: RushArgs) -> Result<()> {
    let target = parse_target(&args.url).map_err(anyhow::Error::msg)?;
    let clients = usize::from(args.clients);
    let mut sessions = Vec::new();
    for _ in 0..args.sessions {
        let mut conn = Conn::new(target.clone());
        conn.login(&args.user, &args.password).await?;
        sessions.push(conn.cookie);
    }
    let mut probe = Conn::new(target.clone());
    probe.cookie = sessions[sessions.len() - 1].clone();
    let (period, projects) = discover(&mut probe).await?;
    anyhow::ensure!(
        !projects.is_empty() || args.read_share >= 1.0,
        "账户 {} 在 {} 年第 {} 期没有可填报的项目",
        args.user,
        period.year,
        period.seq
    );
    println!(
        "压测 {}：客户端 {clients} 个（{} 个会话），时长 {} 秒，最多 {} 份填报，页面读取占比 {:.0}%，账户 {}",
        target.origin,
        sessions.len(),
        args.seconds,
        args.max_filings,
        args.read_share * 100.0,
        args.user
    );
    let idle = clients.saturating_sub(projects.len());
    println!(
        "期次 {} 年第 {} 期（编号 {}），可填报项目 {} 个，每个项目只由一个客户端填报{}",
        period.year,
        period.seq,
        period.id,
        projects.len(),
        if idle > 0 {
            format!("；{idle} 个客户端未分到项目，只读页面")
        } else {
            String::new()
        }
    );
    let tag = jianguan_app::Clock::system().now_ms();
    let started = Arc::new(AtomicU64::new(0));
    let began = Instant::now();
    let deadline = began + Duration::from_secs(args.seconds);
    let mut tasks = Vec::with_capacity(clients);
    for index in 0..clients {
        let mut conn = Conn::new(target.clone());
        conn.cookie = sessions[index % sessions.len()].clone();
        let mine = projects
            .iter()
            .skip(index)
            .step_by(clients)
            .cloned()
            .collect();
        tasks.push(tokio::spawn(run_client(Client {
            index,
            conn,
            projects: mine,
            read_share: args.read_share,
            deadline,
            started: started.clone(),
            max_filings: args.max_filings,
            tag,
        })));
    }
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(task.await.context("a client stopped")?);
    }
    let elapsed = began.elapsed().as_secs_f64();
    let per_second = |n: usize| n as f64 / elapsed.max(f64::EPSILON);
    println!("用时 {elapsed:.1} 秒");
    println!(
        "填报：已确认 {} 份，{:.1} 份/秒；延迟 {}",
        tally.acked.len(),
        per_second(tally.acked.len()),
        latencies(&mut tally.filings)
    );
    println!(
        "页面读取：成功 {} 次，{:.1} 次/秒；延迟 {}",
        tally.reads.len(),
        per_second(tally.reads.len()),
        latencies(&mut tally.reads)
    );
    if tally.errors.is_empty() {
        println!("错误：0");
    } else {
        let listed: Vec<String> = tally
            .errors
            .iter()
            .map(|(kind, n)| format!("{kind} × {n}"))
            .collect();
        println!("错误：{}（{}）", tally.error_count(), listed.join("；"));
    }

    // The check: every project filed for, read back once the rush is over.
    let touched: std::collections::BTreeSet<i64> =
        tally.acked.iter().map(|a| a.sent.project).collect();
    let mut stored = Vec::new();
    for project in touched {
        let (_, reports) = reports_of(&mut probe, project).await?;
        stored.extend(reports);
    }
    let verdict = verify(&tally.acked, &stored);
    println!(
        "核对：已确认 {} 份，在库且与所发一致 {} 份，丢失 {} 份，不一致 {} 份，重复 {} 处",
        tally.acked.len(),
        verdict.intact,
        verdict.lost.len(),
        verdict.differing.len(),
        verdict.duplicates.len()
    );
    let sample = |ids: &[i64]| {
        ids.iter()
            .take(10)
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join("、")
    };
    anyhow::ensure!(
        verdict.lost.is_empty(),
        "丢失已确认的填报 {} 份（编号 {} …）",
        verdict.lost.len(),
        sample(&verdict.lost)
    );
    anyhow::ensure!(
        verdict.differing.is_empty(),
        "{} 份已确认的填报与所发不一致（编号 {} …）",
        verdict.differing.len(),
        sample(&verdict.differing)
    );
    anyhow::ensure!(
        verdict.duplicates.is_empty(),
        "重复：{}",
        verdict.duplicates.join("；")
    );
    anyhow::ensure!(
        tally.errors.is_empty(),
        "{} 个请求出错",
        tally.error_count()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn only_loopback_hosts_are_accepted() {
        let t = parse_target("http://127.0.0.1:8080/").unwrap();
        assert_eq!(t.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(t.origin, "http://127.0.0.1:8080");
        assert_eq!(t.authority, "127.0.0.1:8080");
        assert_eq!(
            parse_target("http://127.3.2.1").unwrap().addr,
            "127.3.2.1:80".parse().unwrap()
        );
        let v6 = parse_target("http://[::1]:9000").unwrap();
        assert_eq!(v6.addr, "[::1]:9000".parse().unwrap());
        assert_eq!(v6.origin, "http://[::1]:9000");
        let local = parse_target("http://localhost:3000").unwrap();
        assert_eq!(local.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(local.origin, "http://localhost:3000");
        for refused in [
            "http://10.0.0.1:8080",
            "http://192.168.1.2",
            "http://[2001:db8::1]:80",
            "http://example.com",
            "http://127.0.0.1.example.com",
            "https://127.0.0.1:8080",
            "127.0.0.1:8080",
            "http://127.0.0.1:8080/filing",
            "http://user@127.0.0.1:8080",
            "http://127.0.0.1:0",
        ] {
            assert!(parse_target(refused).is_err(), "{refused}");
        }
        assert!(
            parse_target("http://10.0.0.1:8080")
                .unwrap_err()
                .contains("拒绝压测非本机地址")
        );
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&samples, 50.0), Some(ms(50)));
        assert_eq!(percentile(&samples, 95.0), Some(ms(95)));
        assert_eq!(percentile(&samples, 99.0), Some(ms(99)));
        assert_eq!(percentile(&samples, 100.0), Some(ms(100)));
        assert_eq!(percentile(&samples, 0.0), Some(ms(1)));
        assert_eq!(percentile(&[ms(7)], 99.0), Some(ms(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    fn sent(project: i64, note: &str) -> Sent {
        Sent {
            project,
            period: 24,
            investment: 12_345_678,
            note: note.into(),
            correction_reason: Some(REASON.into()),
            milestones: vec![(3, "2021-12-01".into())],
        }
    }

    fn stored(id: i64, version: i64, fields: Sent) -> Stored {
        Stored {
            id,
            version,
            fields,
        }
    }

    #[test]
    fn tallies_merge_counts_and_errors() {
        let mut a = Tally::default();
        a.filings.push(ms(1));
        a.error("填报 HTTP 500".into());
        let mut b = Tally::default();
        b.reads.push(ms(2));
        b.error("填报 HTTP 500".into());
        b.error("读取 超时".into());
        b.acked.push(Acked {
            id: 1,
            sent: sent(1, "a"),
        });
        a.merge(b);
        assert_eq!((a.filings.len(), a.reads.len(), a.acked.len()), (1, 1, 1));
        assert_eq!(a.errors["填报 HTTP 500"], 2);
        assert_eq!(a.error_count(), 3);
    }

    #[test]
    fn the_check_names_lost_changed_and_duplicated_reports() {
        let acked = vec![
            Acked {
                id: 10,
                sent: sent(1, "甲"),
            },
            Acked {
                id: 11,
                sent: sent(1, "乙"),
            },
            Acked {
                id: 12,
                sent: sent(2, "丙"),
            },
            Acked {
                id: 13,
                sent: sent(2, "丁"),
            },
        ];
        let all_there = vec![
            stored(9, 1, sent(1, "旧")),
            stored(10, 2, sent(1, "甲")),
            stored(11, 3, sent(1, "乙")),
            stored(12, 1, sent(2, "丙")),
            stored(13, 2, sent(2, "丁")),
        ];
        let verdict = verify(&acked, &all_there);
        assert_eq!(verdict.intact, 4);
        assert_eq!(
            verdict,
            Verdict {
                intact: 4,
                ..Verdict::default()
            }
        );

        let mut changed = sent(2, "丁");
        changed.investment += 1;
        let damaged = vec![
            stored(10, 2, sent(1, "甲")),
            stored(10, 3, sent(1, "甲")),
            stored(12, 1, sent(2, "丙 ")),
            stored(13, 1, changed),
        ];
        let mut twice = acked.clone();
        twice.push(acked[0].clone());
        let verdict = verify(&twice, &damaged);
        assert_eq!(verdict.intact, 1);
        assert_eq!(verdict.lost, vec![11]);
        assert_eq!(verdict.differing, vec![12, 13]);
        assert_eq!(verdict.duplicates.len(), 3, "{:?}", verdict.duplicates);
    }

    #[test]
    fn a_filing_form_carries_what_is_checked_afterwards() {
        let form = filing_form(&sent(7, "压测 1 客户端0 第1份"));
        assert!(form.starts_with("project=7&period=24&investment_to_date=1234.5678&note="));
        assert!(form.contains("&reached=3&date_3=2021-12-01"));
        assert!(form.contains("%E5%8E%8B%E6%B5%8B+1"));
        assert_eq!(
            filed_id("/filing?year=2021&period=24&project=7&filed=4711#notice"),
            Some(4711)
        );
        assert_eq!(filed_id("/filing?project=7"), None);
    }
}
