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

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use jianguan_access::policy::Resource;
use jianguan_domain::Date;
use jianguan_domain::assessment::SubjectKind;
use jianguan_domain::dispatch::{DispatchPack, Extent, Week};
use jianguan_domain::i18n::Lang;
use jianguan_domain::map::{MapFilter, Standing};
use jianguan_domain::warnings::{Light, WarningLevel};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence_pages::Viewer;
use crate::cadence_pages::dispatch::pack;
use crate::error::AppError;
use crate::view;
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
}

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

async fn body(state: &Arc<AppState>, user: &CurrentUser) -> Result<String, AppError> {
    let viewer = Viewer::of(user, Resource::Dispatch)?;
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
    let map = crate::map_pages::wall_map(state, user, &snap, scope, filter).await?;
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
    let body = body(&state, &user).await?;
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
    }
    .render()
    .map_err(AppError::render)?;
    Ok(Html(page).into_response())
}
