//! The wall display of issue 19 (数据大屏): `/wall`, one 1920 × 1080 screen for the command
//! centre's meeting room — the headline rates and their change since the last dispatch
//! meeting, the district ranking with lights, the overdue projects on the map, the warnings
//! ladder and the latest warnings, the current filing period's countdown, the coordination
//! items stuck with outside bodies, and the month's score leaders and laggards.
//!
//! Everything is read from what the pages already compute: the week's dispatch pack (narrowed
//! to the reader's scope like the dispatch page), the project map, the latest published
//! scores. The page asks for its body again every 30 seconds (`/wall?part=body`) and keeps
//! showing the last one, marked stale, while the server is away.
//!
//! The same wall opens without a login through a wall link (`/wall/k/{token}`, and its
//! `?part=body`), read as a reader of the link's scope ([`WallReader::of_link`]): nothing on it
//! links anywhere, and the request gets no session. A revoked or expired link answers 410 with
//! a page saying so (the refresh script shows it in place of the wall), an unknown one 404.
//! The office makes and revokes links on `/wall/links`, through `jianguan_app::wall_links`.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jianguan_access::Role;
use jianguan_access::policy::{self, Action, Resource};
use jianguan_app::wall_links::{self, NewWallLink, Opened, Requester, WallLinkError};
use jianguan_audit::{AuditAction, AuditDraft, Outcome};
use jianguan_domain::Date;
use jianguan_domain::assessment::SubjectKind;
use jianguan_domain::dispatch::{DispatchPack, Extent, Week};
use jianguan_domain::i18n::Lang;
use jianguan_domain::map::{MapFilter, Standing};
use jianguan_domain::model::{UnitId, UnitKind};
use jianguan_domain::warnings::{Light, WarningLevel};

use crate::api::Scope;
use crate::auth::{ClientAddr, CurrentUser, OverTls};
use crate::cadence_pages::Viewer;
use crate::cadence_pages::dispatch::pack;
use crate::error::AppError;
use crate::map_pages::MapReader;
use crate::params::{Fields, FromParams, TypedForm};
use crate::view::{self, Choice, Layout};
use crate::{AppState, Params};

/// How many rows each rolling list holds.
const ROWS: usize = 8;

/// A headline rate: its name, value and change in points since the last meeting.
struct Rate {
    label: &'static str,
    value: String,
    change: String,
    /// `up`, `down` or `flat`, for the arrow's colour.
    trend: &'static str,
}

/// One line of a list: its text and a badge (a light or level class and label).
struct Line {
    text: String,
    badge: Option<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "wall_body.html")]
struct WallBody {
    lang: Lang,
    title: String,
    as_of: String,
    updated: String,
    rates: Vec<Rate>,
    finished: u64,
    overdue_milestones: u64,
    ladder: Vec<(&'static str, &'static str, u64)>,
    warnings: Vec<Line>,
    league: Vec<(usize, String, String, &'static str, &'static str)>,
    stuck: Vec<(String, Vec<Line>)>,
    filing_label: String,
    /// The current period's deadline (ISO, end of day in +08:00) for the countdown.
    deadline: Option<String>,
    last_filing: Option<String>,
    map: String,
    map_caption: String,
    scores_month: Option<String>,
    leaders: Vec<(u32, String, String)>,
    laggards: Vec<(u32, String, String)>,
}

#[derive(Template)]
#[template(path = "wall.html")]
struct WallPage {
    lang: Lang,
    body: String,
    /// Where the page asks for its body again.
    refresh: String,
}

/// Whom the wall is shown to: their view of the dispatch pack, of the map, and where the page
/// asks for its body again.
pub(crate) struct WallReader {
    viewer: Viewer,
    map: MapReader,
    refresh: String,
}

impl WallReader {
    /// A signed-in reader of the dispatch pack.
    fn of_user(user: &CurrentUser) -> Result<WallReader, AppError> {
        Ok(WallReader {
            viewer: Viewer::of(user, Resource::Dispatch)?,
            map: MapReader::of(user)?,
            refresh: "/wall?part=body".into(),
        })
    }

    /// The reader a wall link reads as: `role` over `scope`'s unit — the scopes and the
    /// warnings it would have as an account — except that nothing links to another page.
    fn of_link(
        scope: jianguan_access::Scope,
        role: Role,
        token: &str,
    ) -> Result<WallReader, AppError> {
        let unit = match scope {
            jianguan_access::Scope::Line(u)
            | jianguan_access::Scope::LeadUnit(u)
            | jianguan_access::Scope::District(u)
            | jianguan_access::Scope::ResponsibleUnit(u) => Some(u),
            jianguan_access::Scope::All | jianguan_access::Scope::None => None,
        };
        let reading = |resource| {
            jianguan_access::scope::authorize(
                &[role],
                unit.unwrap_or(UnitId(0)),
                resource,
                Action::Read,
            )
            .map_err(|e| AppError::forbidden(e.to_string()))
        };
        Ok(WallReader {
            viewer: Viewer {
                scope: reading(Resource::Dispatch)?,
                unit,
            },
            map: MapReader {
                visible: reading(Resource::Portfolio)?,
                warnings: policy::allows(role, Resource::Warning, Action::Read),
                links: false,
            },
            refresh: format!("{LINK_PREFIX}{token}?part=body"),
        })
    }
}

/// Where a wall link's path begins.
pub(crate) const LINK_PREFIX: &str = "/wall/k/";

fn rate(lang: Lang, label: &'static str, now: Option<f64>, before: Option<f64>) -> Rate {
    let value = jianguan_domain::fmt::rate(now);
    let (change, trend) = match (now, before) {
        (Some(a), Some(b)) => {
            let points = (a - b) * 100.0;
            let trend = if points > 0.005 {
                "up"
            } else if points < -0.005 {
                "down"
            } else {
                "flat"
            };
            (lang.tn("{n} 个百分点", format!("{points:+.2}")), trend)
        }
        _ => (String::new(), "flat"),
    };
    Rate {
        label,
        value,
        change,
        trend,
    }
}

fn light_badge(light: Light) -> (&'static str, &'static str) {
    (light.code(), light.label())
}

fn level_class(level: WarningLevel) -> &'static str {
    match level {
        WarningLevel::AtRisk => "risk",
        WarningLevel::Reminder => "blue",
        WarningLevel::Warning => "yellow",
    }
}

/// The reporting period open on `today` (the first whose deadline is not past).
fn open_period(snap: &crate::Snapshot, today: Date) -> Option<(u16, Date)> {
    snap.portfolio
        .periods
        .iter()
        .filter(|p| p.deadline >= today)
        .min_by_key(|p| p.deadline)
        .map(|p| (p.seq, p.deadline))
}

async fn body(state: &Arc<AppState>, reader: &WallReader) -> Result<String, AppError> {
    let viewer = reader.viewer;
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let scope = Scope::of(Default::default(), &snap, today);
    // The week of the as-of day, unless its Sunday falls in the next year (a pack reports on
    // its Sunday's year): then the year's last full week.
    let mut week = Week::of(scope.as_of);
    if jianguan_app::cadence::year_of(week) != scope.year {
        week = week.previous();
    }
    let pack: DispatchPack = pack(state, &snap, viewer, week, Extent::Full).await?;
    let c = &pack.changes;
    let lang = crate::i18n::lang();
    let rates = vec![
        rate(
            lang,
            "项目完成率",
            c.now.project_completion,
            c.before.project_completion,
        ),
        rate(
            lang,
            "节点完成率",
            c.now.node_completion,
            c.before.node_completion,
        ),
        rate(lang, "按期完成率", c.now.on_time, c.before.on_time),
        rate(
            lang,
            "投资完成率",
            c.now.investment_completion,
            c.before.investment_completion,
        ),
    ];
    let ladder = WarningLevel::ALL
        .into_iter()
        .rev()
        .map(|l| {
            let n = pack
                .open_warnings_by_level
                .iter()
                .find(|(level, _)| *level == l)
                .map_or(0, |(_, n)| *n);
            (level_class(l), l.label(), n)
        })
        .collect();
    let mut latest: Vec<_> = pack
        .new_warnings
        .iter()
        .chain(&pack.escalated_warnings)
        .collect();
    latest.sort_by_key(|w| std::cmp::Reverse(w.on));
    let warnings = latest
        .into_iter()
        .take(ROWS)
        .map(|w| Line {
            text: format!("{} {} · {}", lang.date(w.on), w.project.name, w.milestone),
            badge: Some((level_class(w.level), lang.t(w.level.label()).to_string())),
        })
        .collect();
    // The districts with projects the reader sees (a liaison's own, the office's all).
    let league = pack
        .district_league
        .iter()
        .filter(|r| r.projects > 0)
        .take(12)
        .map(|r| {
            let (class, label) = light_badge(r.light);
            (
                r.rank,
                r.name.clone(),
                jianguan_domain::fmt::rate(r.node_completion),
                class,
                label,
            )
        })
        .collect();
    // Stuck items by the outside body they wait on.
    let mut by_body: Vec<(String, Vec<Line>)> = Vec::new();
    for item in &pack.stuck_items {
        let bodies = if item.bodies.is_empty() {
            vec![lang.t("（未注明）").to_string()]
        } else {
            item.bodies.clone()
        };
        for b in bodies {
            let line = Line {
                text: lang.tn2("{n}（{m}）", &item.title, &item.owner),
                badge: None,
            };
            match by_body.iter_mut().find(|(name, _)| *name == b) {
                Some((_, lines)) => lines.push(line),
                None => by_body.push((b, vec![line])),
            }
        }
    }
    by_body.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    by_body.truncate(5);
    for (_, lines) in &mut by_body {
        lines.truncate(3);
    }
    let (filing_label, deadline) = match open_period(&snap, today) {
        Some((seq, deadline)) => (
            lang.tn2("第 {n} 期填报截止 {m}", seq, lang.date(deadline)),
            Some(format!("{deadline}T23:59:59+08:00")),
        ),
        None => (lang.t("本年度填报已全部截止").to_string(), None),
    };
    let last_filing = pack.filing.as_ref().map(|f| {
        format!(
            "{}{}",
            lang.tn2("上期（第 {n} 期）应报 {m}，", f.period_seq, f.expected),
            lang.tn2("按时 {n}，迟报 {m}，", f.on_time, f.late),
        ) + &lang.tn("漏报 {n}", f.missing)
    });
    let filter = MapFilter {
        standing: Some(Standing::Overdue),
        ..MapFilter::default()
    };
    let map = crate::map_pages::wall_map(state, reader.map, &snap, scope, filter).await?;
    let (scores_month, leaders, laggards) = scores(state, scope.year).await?;
    // The campaign's clock is Beijing time (+08:00), whatever the server's zone.
    let now = jiff::tz::offset(8).to_datetime(jiff::Timestamp::now());
    view_body(WallBody {
        lang,
        title: lang.tn("{n} 年城市建管提升行动", pack.year),
        as_of: lang.date(pack.to.min(scope.as_of)),
        updated: now.strftime("%H:%M").to_string(),
        rates,
        finished: c.now.finished_projects,
        overdue_milestones: c.now.overdue_milestones,
        ladder,
        warnings,
        league,
        stuck: by_body,
        filing_label,
        deadline,
        last_filing,
        map_caption: lang.tn("逾期项目 {n} 个", map.1),
        map: map.0,
        scores_month,
        leaders,
        laggards,
    })
}

fn view_body(body: WallBody) -> Result<String, AppError> {
    body.render().map_err(AppError::render)
}

/// The latest published district scores of `year`: the month, the top three and the bottom
/// three (rank, name, total).
async fn scores(
    state: &AppState,
    year: i16,
) -> Result<
    (
        Option<String>,
        Vec<(u32, String, String)>,
        Vec<(u32, String, String)>,
    ),
    AppError,
> {
    type Ranked = Vec<(u32, String, String)>;
    let runs = state
        .store()
        .latest_runs(year, SubjectKind::District)
        .await
        .map_err(AppError::store)?;
    let Some(run) = runs
        .into_iter()
        .filter(|r| r.published)
        .max_by_key(|r| r.month)
    else {
        return Ok((None, Vec::new(), Vec::new()));
    };
    let mut ranked: Ranked = run
        .scores
        .subjects
        .iter()
        .filter_map(|s| Some((s.rank?, s.subject.name.clone(), format!("{:.2}", s.total))))
        .collect();
    ranked.sort_by_key(|r| r.0);
    let leaders: Ranked = ranked.iter().take(3).cloned().collect();
    let laggards: Ranked = ranked
        .iter()
        .rev()
        .take(3.min(ranked.len().saturating_sub(leaders.len())))
        .cloned()
        .collect();
    Ok((Some(run.month.to_string()), leaders, laggards))
}

/// `GET /wall`: the wall display; `GET /wall?part=body`: its body alone, for its own refresh.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    wall(&state, &WallReader::of_user(&user)?, &params).await
}

/// The wall for `reader`: the page, or with `part=body` its body alone.
async fn wall(
    state: &Arc<AppState>,
    reader: &WallReader,
    params: &Params,
) -> Result<Response, AppError> {
    let body = body(state, reader).await?;
    if params.get("part") == Some("body") {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response());
    }
    let page = WallPage {
        lang: crate::i18n::lang(),
        body,
        refresh: reader.refresh.clone(),
    }
    .render()
    .map_err(AppError::render)?;
    Ok(Html(page).into_response())
}

// ---------------------------------------------------------------------------------------------
// Wall links.

/// The page a wall link answers when it opens nothing: revoked or expired (410), unknown (404).
#[derive(Template)]
#[template(path = "wall_refused.html")]
struct RefusedPage {
    lang: Lang,
    title: &'static str,
    message: &'static str,
}

/// `GET /wall/k/{token}`: the wall as the link's reader sees it, without a login; with
/// `part=body` its body alone. A revoked or expired link answers 410, a malformed or unknown
/// token 404 (the same page whatever the token), each refusal audited as a denial (the
/// token itself is never written down).
pub(crate) async fn link(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    client: Option<Extension<ClientAddr>>,
    params: Params,
) -> Result<Response, AppError> {
    let opened = wall_links::open(state.store(), state.clock(), &token)
        .await
        .map_err(AppError::store)?;
    let (status, title, message, why) = match opened {
        Opened::Wall { scope, role, .. } => {
            return wall(&state, &WallReader::of_link(scope, role, &token)?, &params).await;
        }
        Opened::Revoked => (
            StatusCode::GONE,
            "大屏链接已撤销",
            "此大屏链接已被指挥部办公室撤销，不能再打开指挥大屏。如需继续使用，请联系指挥部办公室新建链接。",
            "revoked",
        ),
        Opened::Expired => (
            StatusCode::GONE,
            "大屏链接已过期",
            "此大屏链接已过有效期，不能再打开指挥大屏。如需继续使用，请联系指挥部办公室新建链接。",
            "expired",
        ),
        Opened::Unknown => (
            StatusCode::NOT_FOUND,
            "大屏链接无效",
            "此大屏链接无效。请核对链接是否完整，或联系指挥部办公室。",
            "unknown",
        ),
    };
    let record = AuditDraft {
        at_ms: state.now_ms(),
        actor: "anonymous".into(),
        unit: None,
        action: AuditAction::AccessDenied.code(),
        object: format!("GET {LINK_PREFIX}… ({why} wall link)"),
        result: Outcome::Denied,
        client: client.and_then(|Extension(c)| c.0),
        changes: Vec::new(),
    };
    state.deny(record).await.map_err(AppError::store)?;
    let page = RefusedPage {
        lang: crate::i18n::lang(),
        title,
        message,
    }
    .render()
    .map_err(AppError::render)?;
    Ok((status, Html(page)).into_response())
}

/// One link in the office's list.
struct LinkRow {
    id: i64,
    label: String,
    scope: String,
    state: &'static str,
    /// `open`, `revoked` or `expired`, for the badge's class.
    state_class: &'static str,
    open: bool,
    created: String,
    expires: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "wall_links.html")]
struct LinksPage {
    layout: Layout,
    rows: Vec<LinkRow>,
    /// The units a link may show, by kind: (group label, options).
    units: Vec<(&'static str, Vec<Choice>)>,
    /// What was typed, kept after a refusal.
    label: String,
    expires_on: String,
    /// The link just made, shown once: (label, full address).
    created: Option<(String, String)>,
    message: String,
    today: String,
}

/// An instant as the tables write it, in Beijing time: 2026-11-28 09:30.
fn at(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            jiff::tz::offset(8)
                .to_datetime(t)
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// What a new-link form carries.
pub(crate) struct LinkForm {
    label: String,
    unit: Option<UnitId>,
    expires_on: Option<jianguan_domain::Date>,
}

impl FromParams for LinkForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        LinkForm {
            label: f.text("label").unwrap_or_default(),
            unit: f.id("unit").map(UnitId),
            expires_on: f.date("expires_on"),
        }
    }
}

/// The list page: every link, the form (`typed` kept), the link just made, a refusal.
async fn links_page(
    state: &AppState,
    user: &CurrentUser,
    typed: Option<&LinkForm>,
    created: Option<(String, String)>,
    message: &str,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let scope = Scope::of(Default::default(), &snap, today);
    let lang = crate::i18n::lang();
    let layout = Layout::new("大屏链接", "dispatch", scope, &snap, "/wall/links", user);
    let dispatch = format!("/dispatch?{}", layout.qs);
    let layout = layout.crumb("调度", Some(dispatch)).crumb("大屏链接", None);
    let portfolio = &snap.portfolio;
    let links = wall_links::list(state.store(), state.clock())
        .await
        .map_err(AppError::store)?;
    let rows = links
        .iter()
        .map(|l| {
            let r = &l.record;
            let scope_name = match l.scope() {
                jianguan_access::Scope::All => lang.t("全市").to_string(),
                jianguan_access::Scope::Line(u)
                | jianguan_access::Scope::LeadUnit(u)
                | jianguan_access::Scope::District(u)
                | jianguan_access::Scope::ResponsibleUnit(u) => portfolio.unit_name(u).to_string(),
                jianguan_access::Scope::None => lang.t("无").to_string(),
            };
            LinkRow {
                id: r.id,
                label: r.label.clone(),
                scope: scope_name,
                state: lang.t(l.state.label()),
                state_class: match l.state {
                    jianguan_access::wall::LinkState::Open => "open",
                    jianguan_access::wall::LinkState::Revoked => "revoked",
                    jianguan_access::wall::LinkState::Expired => "expired",
                },
                open: l.state == jianguan_access::wall::LinkState::Open,
                created: format!("{} · {}", at(r.created_at_ms), r.created_by),
                expires: r
                    .expires_on
                    .map_or_else(|| lang.t("长期").to_string(), |d| d.to_string()),
                last_used: match (r.revoked_at_ms, r.last_used_ms) {
                    (Some(ms), _) => lang.tn2(
                        "{n} 由 {m} 撤销",
                        at(ms),
                        r.revoked_by.as_deref().unwrap_or(""),
                    ),
                    (None, Some(ms)) => at(ms),
                    (None, None) => lang.t("从未").to_string(),
                },
            }
        })
        .collect();
    let chosen = typed.and_then(|t| t.unit);
    let units = [UnitKind::District, UnitKind::SubHq, UnitKind::LeadUnit]
        .into_iter()
        .map(|kind| {
            (
                lang.t(kind.label()),
                portfolio
                    .units_of(kind)
                    .filter(|u| u.active)
                    .map(|u| Choice {
                        value: u.id.0.to_string(),
                        label: u.name.clone(),
                        selected: chosen == Some(u.id),
                    })
                    .collect(),
            )
        })
        .collect();
    view::render(LinksPage {
        layout,
        rows,
        units,
        label: typed.map(|t| t.label.clone()).unwrap_or_default(),
        expires_on: typed
            .and_then(|t| t.expires_on)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        created,
        message: message.to_string(),
        today: today.to_string(),
    })
}

/// The page again with a refusal (422), or the store's failure.
async fn link_refused(
    state: &AppState,
    user: &CurrentUser,
    typed: Option<&LinkForm>,
    e: WallLinkError,
) -> Result<Response, AppError> {
    let message = match e {
        WallLinkError::Store(e) => match jianguan_app::refusal(&e) {
            Some(m) => m,
            None => return Err(AppError::store(e)),
        },
        WallLinkError::Random(m) => return Err(AppError::internal(m)),
        other => other.to_string(),
    };
    view::unprocessable(links_page(state, user, typed, None, &format!("未能保存：{message}")).await)
}

fn requester(user: &CurrentUser) -> Requester<'_> {
    Requester::Account {
        name: &user.account.username,
        roles: &user.roles,
    }
}

/// `GET /wall/links`: the office's wall links, and the form to make one.
pub(crate) async fn links(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    links_page(&state, &user, None, None, "").await
}

/// `POST /wall/links`: makes a link and shows it, this once, above the list (the token is
/// never stored, so the answer is the page itself rather than a redirect to it).
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Extension(tls): Extension<OverTls>,
    headers: HeaderMap,
    TypedForm(form): TypedForm<LinkForm>,
) -> Result<Response, AppError> {
    let new = NewWallLink {
        label: &form.label,
        unit: form.unit,
        expires_on: form.expires_on,
    };
    match wall_links::create(state.store(), state.clock(), requester(&user), new).await {
        Ok(made) => {
            let scheme = if tls.0 || state.network().secure_cookies {
                "https"
            } else {
                "http"
            };
            let path = format!("{LINK_PREFIX}{}", made.token.as_str());
            let address = match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
                Some(host) => format!("{scheme}://{host}{path}"),
                None => path,
            };
            let created = Some((form.label.trim().to_string(), address));
            links_page(&state, &user, None, created, "").await
        }
        Err(e) => link_refused(&state, &user, Some(&form), e).await,
    }
}

/// `POST /wall/links/{id}/revoke`: revokes a link; the list again.
pub(crate) async fn revoke(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(AppError::not_found("该大屏链接"));
    };
    match wall_links::revoke(state.store(), state.clock(), requester(&user), id).await {
        Ok(()) => Ok(axum::response::Redirect::to("/wall/links").into_response()),
        Err(e) => link_refused(&state, &user, None, e).await,
    }
}
