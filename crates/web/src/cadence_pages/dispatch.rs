//! The weekly dispatch pack (一周一调度) as a page, a printable view and JSON.
//!
//! Who reads it: the command office, its leaders, the sub-headquarters, the lead units and the
//! districts — the people at the meeting (the policy's `Dispatch` resource). HQ roles see the
//! whole pack. Everyone else sees it narrowed to their scope: the milestone, warning and item
//! lists, the filing summary and the headline changes cover only their projects and items, while
//! the league tables stay citywide, because the ranking is what the meeting announces to every
//! district and lead unit alike.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use jianguan_access::policy::{Action, Resource};
use jianguan_domain::dispatch::{
    DispatchPack, Extent, FilingSummary, Headline, ItemLine, LeagueRow, MilestoneLine, WarningLine,
    Week,
};
use jianguan_domain::filing::{self, ReportIndex};
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::{FigureBook, Overview};
use jianguan_domain::warnings::WarningLevel;

use super::{Badge, ProjectIndex, Viewer, level_badge, light_badge, status_badge};
use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence::{CadenceSnapshot, dispatch_pack, year_of};
use crate::error::AppError;
use crate::params::{AsOfQuery, Fields, FromParams, Typed};
use crate::view::{self, Choice, Layout};
use crate::{AppState, Params, Snapshot, fmt};

/// Rows a section shows before "查看全部".
const TOP: usize = 15;

/// The week a request asks for: `week=2021-W40`; else the week of `as_of`; else the week of the
/// default "as of" day of the year being reported on (its last week once the year is over).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WeekQuery {
    week: Option<Week>,
    /// Read only without `week` (as the week alone decides the pack).
    when: AsOfQuery,
}

impl FromParams for WeekQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let week = f.choice("week", |v| Week::parse(v).ok(), "周次应写作 2021-W40");
        let when = if week.is_none() {
            AsOfQuery::from_params(f)
        } else {
            AsOfQuery::default()
        };
        WeekQuery { week, when }
    }
}

fn week_of(query: WeekQuery, snap: &Snapshot, today: jianguan_domain::Date) -> Week {
    // Else the week of the 数据截至 date, chosen (or defaulted) as on every page.
    query
        .week
        .unwrap_or_else(|| Week::of(Scope::of(query.when, snap, today).as_of))
}

/// The pack of `week` to `extent` as `viewer` may see it. Worked out on the blocking pool: at
/// national scale a pack takes a good part of a second, which on the runtime's workers would
/// hold up every other request. Its headline figures (the week's Sunday and the one before,
/// whole and narrowed) are summed from the node's figure book.
pub(crate) async fn pack(
    state: &Arc<AppState>,
    snap: &Arc<Snapshot>,
    viewer: Viewer,
    week: Week,
    extent: Extent,
) -> Result<DispatchPack, AppError> {
    let cadence = super::records(state).await?;
    let filings = cadence
        .pack_filings(state.store(), &snap.portfolio, week)
        .await
        .map_err(AppError::store)?;
    let (state, snap) = (state.clone(), snap.clone());
    tokio::task::spawn_blocking(move || {
        let days = vec![week.previous().sunday(), week.sunday()];
        let book = state.app().figure_book(&snap, year_of(week), days);
        let pack = dispatch_pack(
            &snap.portfolio,
            &snap.ledger,
            &cadence,
            &filings,
            week,
            extent,
            Some(&book),
        );
        if viewer.sees_all() {
            pack
        } else {
            let records = Records {
                snap: &snap,
                cadence: &cadence,
                filings: &filings,
                book: &book,
            };
            narrow(pack, &records, viewer, week, extent)
        }
    })
    .await
    .map_err(|e| AppError::internal(format!("dispatch pack task: {e}")))
}

/// What a pack is made from.
struct Records<'a> {
    snap: &'a Snapshot,
    cadence: &'a CadenceSnapshot,
    filings: &'a ReportIndex,
    /// The figures of the week's Sunday and the one before.
    book: &'a FigureBook,
}

/// Narrows a pack to the viewer's projects and items; the league tables stay citywide.
fn narrow(
    mut pack: DispatchPack,
    records: &Records<'_>,
    viewer: Viewer,
    week: Week,
    extent: Extent,
) -> DispatchPack {
    let Records {
        snap,
        cadence,
        filings,
        ..
    } = *records;
    let p = &snap.portfolio;
    let projects = ProjectIndex::new(p);
    let sees = |id| viewer.sees_project(&projects, id);
    pack.overdue_milestones.retain(|l| sees(l.project.id));
    pack.at_risk_milestones.retain(|l| sees(l.project.id));
    pack.new_warnings.retain(|l| sees(l.project.id));
    pack.escalated_warnings.retain(|l| sees(l.project.id));
    let (from, to) = (week.monday(), week.sunday());
    let open = cadence.warnings.open_on(to);
    pack.open_warnings_by_level = WarningLevel::ALL
        .into_iter()
        .map(|level| {
            let n = open
                .iter()
                .filter(|w| w.level == level && sees(w.project))
                .count() as u64;
            (level, n)
        })
        .collect();
    let items: Vec<_> = cadence
        .items
        .iter()
        .filter(|i| viewer.sees_item(i, &projects))
        .collect();
    let visible_items: std::collections::HashSet<i64> = items.iter().map(|i| i.id.0).collect();
    for list in [
        &mut pack.items_past_deadline,
        &mut pack.stuck_items,
        &mut pack.open_supervision_items,
        &mut pack.acts_issued,
    ] {
        list.retain(|l| visible_items.contains(&l.id));
    }
    // Proposals are the office's deliberations, not the units' business.
    pack.proposals.clear();
    pack.changes.projects_finished.retain(|r| sees(r.id));
    pack.changes.items_opened = items
        .iter()
        .filter(|i| i.opened_on >= from && i.opened_on <= to)
        .count() as u64;
    pack.changes.items_closed = items
        .iter()
        .filter(|i| i.state_on(to).closed_on.is_some_and(|d| d >= from))
        .count() as u64;
    let year = pack.year;
    let mine = |pr: &jianguan_domain::model::Project| viewer.scope.covers(pr);
    if extent == Extent::Full {
        narrow_changes(&mut pack, records, viewer, week);
    }
    pack.filing = filing::last_closed_period(&p.periods, to)
        .filter(|period| period.year == year)
        .map(|period| {
            let scoped = Portfolio {
                projects: p.projects.iter().filter(|pr| mine(pr)).cloned().collect(),
                ..Portfolio::default()
            };
            let c = filing::compliance(&scoped, filings, period, to);
            FilingSummary {
                period_seq: period.seq,
                deadline: period.deadline,
                expected: c.total.expected,
                on_time: c.total.on_time,
                late: c.total.late,
                missing: c.total.missing,
                units_behind: c
                    .by_unit
                    .iter()
                    .filter(|(_, n)| n.late + n.missing > 0)
                    .map(|(u, n)| (p.unit_name(*u).to_string(), n.late, n.missing))
                    .collect(),
            }
        });
    pack
}

/// The week's changes (milestones reached, the headline figures before and after) over the
/// viewer's projects.
fn narrow_changes(pack: &mut DispatchPack, records: &Records<'_>, viewer: Viewer, week: Week) {
    let (p, book) = (&records.snap.portfolio, records.book);
    let (from, to, year) = (week.monday(), week.sunday(), pack.year);
    let mine = |pr: &jianguan_domain::model::Project| viewer.scope.covers(pr);
    pack.changes.milestones_reached = p
        .projects
        .iter()
        .filter(|pr| pr.plan_for(year).is_some() && mine(pr))
        .flat_map(|pr| &pr.milestones)
        .filter(|m| m.actual.is_some_and(|a| a >= from && a <= to))
        .count() as u64;
    let prev = week.previous().sunday();
    let overview_on = |day| match crate::cadence::book_day(book, year, day) {
        Some((book, at)) => book.overview(p, at, mine),
        None => Overview::compute_filtered(p, &records.snap.ledger, year, day, mine),
    };
    let (now, before) = (overview_on(to), overview_on(prev));
    pack.changes.now = Headline::from((&now.total, to));
    pack.changes.before = Headline::from((&before.total, prev));
}

/// `GET /api/v1/dispatch?week=2021-W40`: the pack as JSON, narrowed to the reader's scope.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<WeekQuery>,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Dispatch)?;
    let snap = state.snapshot().await.map_err(AppError::store)?;
    let week = week_of(query, &snap, state.today());
    Ok(Json(pack(&state, &snap, viewer, week, Extent::Full).await?).into_response())
}

/// `GET /dispatch.docx?week=2021-W40`: the pack as a Word document (GB/T 9704 layout), narrowed
/// to the reader's scope like the page.
pub(crate) async fn docx(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Typed(query): Typed<WeekQuery>,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Dispatch)?;
    let snap = view::snapshot(&state).await?;
    let week = week_of(query, &snap, state.today());
    let pack = pack(&state, &snap, viewer, week, Extent::Full).await?;
    let mut document =
        jianguan_documents::reports::dispatch(&pack, jianguan_documents::reports::DEFAULT_ISSUER);
    // The districts' completion and the overdue projects as of the week's end, over the same
    // projects as the pack.
    let cadence = super::records(&state).await?;
    let basemap = state.app().basemap(&snap).await?;
    let (year, as_of) = (pack.year, pack.to);
    let maps = tokio::task::spawn_blocking(move || {
        let covers = |pr: &jianguan_domain::model::Project| viewer.scope.covers(pr);
        let p = &snap.portfolio;
        let overview = jianguan_domain::overview::Overview::compute_filtered(
            p,
            &snap.ledger,
            year,
            as_of,
            covers,
        );
        jianguan_app::maps::pictures_as_of(
            p,
            basemap.as_deref(),
            &overview,
            &cadence.warnings,
            &cadence.items,
            as_of,
            covers,
        )
    })
    .await
    .map_err(|e| AppError::internal(format!("dispatch maps: {e}")))?;
    jianguan_documents::reports::insert_maps(&mut document, &maps, "逾期与风险")
        .map_err(|e| AppError::internal(e.to_string()))?;
    crate::download::docx(&document, &format!("调度会材料-{week}.docx"))
}

/// A section of the page: the first rows, how many there are, and the link to all of them.
struct Section<T> {
    rows: Vec<T>,
    total: String,
    more: Option<String>,
}

impl<T> Section<T> {
    fn new<S>(all: &[S], id: &str, full: Option<&str>, href: &str, row: impl Fn(&S) -> T) -> Self {
        let everything = full == Some(id) || full == Some("all");
        let shown = if everything {
            all.len()
        } else {
            all.len().min(TOP)
        };
        Section {
            rows: all[..shown].iter().map(row).collect(),
            total: fmt::count(all.len() as u64),
            more: (shown < all.len()).then(|| format!("{href}&full={id}#{id}")),
        }
    }
}

struct MsRow {
    href: String,
    project: String,
    district: String,
    unit: String,
    milestone: String,
    planned: String,
    days: String,
    level: Option<Badge>,
    reason: String,
}

fn ms_row(l: &MilestoneLine, qs: &str) -> MsRow {
    MsRow {
        href: format!("/projects/{}?{qs}", l.project.id),
        project: l.project.name.clone(),
        district: l.project.district.clone(),
        unit: l.project.unit.clone(),
        milestone: l.milestone.clone(),
        planned: l.planned.to_string(),
        days: if l.days_overdue >= 0 {
            crate::i18n::lang().tn("逾期 {n} 天", l.days_overdue)
        } else {
            crate::i18n::lang().tn("{n} 天后到期", -l.days_overdue)
        },
        level: l.level.map(level_badge),
        reason: l.reason.clone().unwrap_or_default(),
    }
}

struct WarnRow {
    href: String,
    project: String,
    district: String,
    milestone: String,
    on: String,
    previous: Option<Badge>,
    level: Badge,
    reason: String,
}

fn warn_row(l: &WarningLine, qs: &str) -> WarnRow {
    WarnRow {
        href: format!("/projects/{}?{qs}", l.project.id),
        project: l.project.name.clone(),
        district: l.project.district.clone(),
        milestone: l.milestone.clone(),
        on: l.on.to_string(),
        previous: l.previous.map(level_badge),
        level: level_badge(l.level),
        reason: l.reason.clone(),
    }
}

pub(crate) struct ItemRow {
    pub(crate) href: String,
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) project: Option<(String, String)>,
    pub(crate) owner: String,
    pub(crate) bodies: String,
    pub(crate) source: String,
    pub(crate) level: String,
    pub(crate) status: Badge,
    pub(crate) opened: String,
    pub(crate) deadline: String,
    pub(crate) overdue: String,
    pub(crate) idle: String,
}

fn item_row(l: &ItemLine, qs: &str) -> ItemRow {
    ItemRow {
        // Opened on the pack's date, so the item reads the days the pack lists.
        href: format!("/items/{}?{qs}", l.id),
        kind: l.kind.label(),
        title: l.title.clone(),
        project: l
            .project
            .as_ref()
            .map(|p| (format!("/projects/{}?{qs}", p.id), p.name.clone())),
        owner: l.owner.clone(),
        bodies: l.bodies.join("、"),
        source: l.source.clone(),
        level: l.level.clone(),
        status: status_badge(l.status),
        opened: l.opened_on.to_string(),
        deadline: l.deadline.to_string(),
        overdue: if l.days_overdue > 0 {
            crate::i18n::lang().tn("逾期 {n} 天", l.days_overdue)
        } else {
            String::new()
        },
        idle: crate::i18n::lang().tn("{n} 天", l.days_without_movement),
    }
}

pub(crate) struct LeagueView {
    pub(crate) rank: usize,
    pub(crate) name: String,
    pub(crate) projects: String,
    pub(crate) node: String,
    pub(crate) on_time: String,
    pub(crate) completion: String,
    pub(crate) investment: String,
    pub(crate) overdue: String,
    pub(crate) light: Badge,
}

pub(crate) fn league_view(r: &LeagueRow) -> LeagueView {
    LeagueView {
        rank: r.rank,
        name: r.name.clone(),
        projects: fmt::count(r.projects),
        node: fmt::rate(r.node_completion),
        on_time: fmt::rate(r.on_time),
        completion: fmt::rate(r.project_completion),
        investment: fmt::rate(r.investment_completion),
        overdue: fmt::count(r.overdue_milestones),
        light: light_badge(r.light),
    }
}

/// The week's situation as the overview tells it: the pack of the last closed week (its Sunday
/// on or before the overview's date) as the reader may see it — the very pack the meeting reads,
/// so the overview's counts are the meeting's.
pub(crate) struct Situation {
    /// 「第 40 周（10月4日—10月10日）」.
    pub(crate) week: String,
    /// The pack's page.
    pub(crate) href: String,
    /// Open warnings by level, the worst first: (badge, count).
    pub(crate) ladder: Vec<(Badge, String)>,
    /// 「本周新增 3 条，升级 1 条」.
    pub(crate) warnings_moved: String,
    /// The last closed period's filing: 「第 19 期按时报送率 96.15%（应报 …）」 and its page.
    pub(crate) filing: Option<(String, String)>,
    /// Tracked items past their deadline and stuck.
    pub(crate) items: String,
    pub(crate) items_href: String,
    /// The district league table, ranked, with lights.
    pub(crate) districts: Vec<LeagueView>,
}

/// The pack of the last week closed by `as_of` as far as the overview's box shows it
/// ([`Extent::Situation`]).
pub(crate) async fn situation_pack(
    state: &Arc<AppState>,
    snap: &Arc<Snapshot>,
    viewer: Viewer,
    as_of: jianguan_domain::Date,
) -> Result<(Week, DispatchPack), AppError> {
    let mut week = Week::of(as_of);
    if week.sunday() > as_of {
        week = week.previous();
    }
    Ok((
        week,
        pack(state, snap, viewer, week, Extent::Situation).await?,
    ))
}

/// The situation of a week as the overview's box tells it, from [`situation_pack`].
pub(crate) fn situation(week: Week, pack: &DispatchPack) -> Situation {
    let year = year_of(week);
    let mut ladder: Vec<(Badge, String)> = pack
        .open_warnings_by_level
        .iter()
        .map(|(level, n)| (level_badge(*level), fmt::count(*n)))
        .collect();
    ladder.reverse();
    let lang = crate::i18n::lang();
    Situation {
        week: lang.tn("第 {n} 周", week.week)
            + &lang.tn2(
                "（{n}—{m}）",
                lang.date(week.monday()),
                lang.date(week.sunday()),
            ),
        href: format!("/dispatch?week={week}"),
        ladder,
        warnings_moved: lang.tn2(
            "本周新增 {n} 条，升级 {m} 条",
            fmt::count(pack.new_warnings.len() as u64),
            fmt::count(pack.escalated_warnings.len() as u64),
        ),
        filing: pack.filing.as_ref().map(|f| {
            (
                format!(
                    "{}{}{}{}",
                    lang.tn2("第 {n} 期（{m} 截止）", f.period_seq, lang.date(f.deadline)),
                    lang.tn2(
                        "按时报送率 {n}：应报 {m}，",
                        fmt::rate(
                            jianguan_domain::rates::Ratio::new(f.on_time, f.expected).value()
                        ),
                        fmt::count(f.expected)
                    ),
                    lang.tn2(
                        "按时 {n}，逾期 {m}，",
                        fmt::count(f.on_time),
                        fmt::count(f.late)
                    ),
                    lang.tn("未报 {n}", fmt::count(f.missing))
                ),
                format!(
                    "/compliance?year={year}&period={}&as_of={}",
                    f.period_seq,
                    week.sunday()
                ),
            )
        }),
        items: lang.tn2(
            "逾期未办结 {n} 件，卡壳 {m} 件",
            fmt::count(pack.items_past_deadline.len() as u64),
            fmt::count(pack.stuck_items.len() as u64),
        ),
        items_href: format!("/items?year={year}&as_of={}&overdue=1", week.sunday()),
        districts: pack.district_league.iter().map(league_view).collect(),
    }
}

/// A headline figure before and after the week.
struct DeltaRow {
    label: &'static str,
    before: String,
    now: String,
    change: String,
    class: &'static str,
}

fn deltas(before: &Headline, now: &Headline) -> Vec<DeltaRow> {
    let rate = |label, b: Option<f64>, a: Option<f64>| DeltaRow {
        label,
        before: fmt::rate(b),
        now: fmt::rate(a),
        change: super::points(b, a),
        class: super::trend_class(b, a),
    };
    let count = |label, b: u64, a: u64, lower_is_better: bool| DeltaRow {
        label,
        before: fmt::count(b),
        now: fmt::count(a),
        change: super::delta(b, a),
        class: match (a.cmp(&b), lower_is_better) {
            (std::cmp::Ordering::Equal, _) => "",
            (std::cmp::Ordering::Greater, false) | (std::cmp::Ordering::Less, true) => "up",
            _ => "down",
        },
    };
    vec![
        rate("节点完成率", before.node_completion, now.node_completion),
        rate("按期完成率", before.on_time, now.on_time),
        rate(
            "项目完成率",
            before.project_completion,
            now.project_completion,
        ),
        rate(
            "投资完成率",
            before.investment_completion,
            now.investment_completion,
        ),
        count(
            "完工项目",
            before.finished_projects,
            now.finished_projects,
            false,
        ),
        count(
            "逾期节点",
            before.overdue_milestones,
            now.overdue_milestones,
            true,
        ),
    ]
}

struct FilingView {
    title: String,
    expected: String,
    on_time: String,
    late: String,
    missing: String,
    rate: String,
    units: Vec<(String, String, String)>,
    href: String,
}

#[derive(Template)]
#[template(path = "dispatch.html")]
struct DispatchPage {
    layout: Layout,
    heading: String,
    range: String,
    week: String,
    prev: String,
    next: String,
    print_href: String,
    docx_href: String,
    screen_href: String,
    print: bool,
    /// Whether the reader may make and revoke wall links (the office).
    may_wall_links: bool,
    narrowed: bool,
    deltas: Vec<DeltaRow>,
    changes: String,
    finished: Vec<(String, String)>,
    finished_total: String,
    finished_more: bool,
    overdue: Section<MsRow>,
    at_risk: Section<MsRow>,
    new_warnings: Section<WarnRow>,
    escalated: Section<WarnRow>,
    open_by_level: Vec<(Badge, String)>,
    past_deadline: Section<ItemRow>,
    stuck: Section<ItemRow>,
    supervision: Section<ItemRow>,
    acts_issued: Section<ItemRow>,
    proposals: Vec<(String, String, String, String)>,
    /// Plan changes of the year per district: (district, requested, approved, pending).
    adjustments: Vec<(String, usize, usize, usize)>,
    filing: Option<FilingView>,
    districts: Vec<LeagueView>,
    categories: Vec<LeagueView>,
    may_record: bool,
    owners: Vec<(&'static str, Vec<Choice>)>,
    today: String,
}

/// `GET /dispatch?week=2021-W40[&print=1][&full=section]`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let viewer = Viewer::of(&user, Resource::Dispatch)?;
    let snap = view::snapshot(&state).await?;
    let week = week_of(params.read()?, &snap, state.today());
    let print = params.flag("print")?;
    let full = params.get("full");
    let pack = pack(&state, &snap, viewer, week, Extent::Full).await?;
    let (from, to) = (week.monday(), week.sunday());
    let scope = Scope {
        year: year_of(week),
        as_of: to,
    };
    let lang = crate::i18n::lang();
    let mut layout = Layout::new(
        lang.tn2("{n}年第{m}周调度", week.year, week.week),
        "dispatch",
        scope,
        &snap,
        "/dispatch",
        &user,
    )
    .crumb("调度", None);
    if print {
        layout.body_class = "printview";
    }
    let qs = layout.qs.clone();
    let here = format!("/dispatch?week={week}");
    let c = &pack.changes;
    let changes = lang.tn2(
        "本周完成节点 {n} 个，完工项目 {m} 个；",
        fmt::count(c.milestones_reached),
        fmt::count(c.projects_finished.len() as u64),
    ) + &lang.tn2(
        "新交办事项 {n} 件，办结 {m} 件。",
        fmt::count(c.items_opened),
        fmt::count(c.items_closed),
    );
    let filing = pack.filing.as_ref().map(|f| {
        let seq = f.period_seq;
        FilingView {
            title: lang.tn2("{n}年第{m}期", scope.year, seq) + &lang.tn("（{n} 截止）", f.deadline),
            expected: fmt::count(f.expected),
            on_time: fmt::count(f.on_time),
            late: fmt::count(f.late),
            missing: fmt::count(f.missing),
            rate: fmt::rate(jianguan_domain::rates::Ratio::new(f.on_time, f.expected).value()),
            units: f
                .units_behind
                .iter()
                .map(|(name, late, missing)| {
                    (name.clone(), fmt::count(*late), fmt::count(*missing))
                })
                .collect(),
            href: format!("/compliance?year={}&period={seq}&as_of={to}", scope.year),
        }
    });
    let page = DispatchPage {
        heading: lang.tn2("{n}年第{m}周调度会议材料", week.year, week.week),
        range: format!("{} — {}", lang.date(from), lang.date(to))
            + &lang.tn("（数据截至 {n}）", lang.date(to)),
        week: week.to_string(),
        prev: format!("/dispatch?week={}", week.previous()),
        next: format!("/dispatch?week={}", week.next()),
        print_href: format!("{here}&print=1"),
        docx_href: format!("/dispatch.docx?week={week}"),
        screen_href: here.clone(),
        print,
        may_wall_links: user.may(Resource::Settings, jianguan_access::policy::Action::Update),
        narrowed: !viewer.sees_all(),
        deltas: deltas(&c.before, &c.now),
        changes,
        finished: c
            .projects_finished
            .iter()
            .take(TOP)
            .map(|p| (format!("/projects/{}?{qs}", p.id), p.name.clone()))
            .collect(),
        finished_total: fmt::count(c.projects_finished.len() as u64),
        finished_more: c.projects_finished.len() > TOP,
        overdue: Section::new(&pack.overdue_milestones, "overdue", full, &here, |l| {
            ms_row(l, &qs)
        }),
        at_risk: Section::new(&pack.at_risk_milestones, "at-risk", full, &here, |l| {
            ms_row(l, &qs)
        }),
        new_warnings: Section::new(&pack.new_warnings, "new-warnings", full, &here, |l| {
            warn_row(l, &qs)
        }),
        escalated: Section::new(&pack.escalated_warnings, "escalated", full, &here, |l| {
            warn_row(l, &qs)
        }),
        open_by_level: pack
            .open_warnings_by_level
            .iter()
            .map(|(l, n)| (level_badge(*l), fmt::count(*n)))
            .collect(),
        past_deadline: Section::new(
            &pack.items_past_deadline,
            "past-deadline",
            full,
            &here,
            |l| item_row(l, &qs),
        ),
        stuck: Section::new(&pack.stuck_items, "stuck", full, &here, |l| {
            item_row(l, &qs)
        }),
        supervision: Section::new(
            &pack.open_supervision_items,
            "supervision",
            full,
            &here,
            |l| item_row(l, &qs),
        ),
        acts_issued: Section::new(&pack.acts_issued, "acts-issued", full, &here, |l| {
            item_row(l, &qs)
        }),
        adjustments: pack
            .plan_adjustments
            .iter()
            .map(|a| (a.district.clone(), a.requested, a.approved, a.pending))
            .collect(),
        proposals: pack
            .proposals
            .iter()
            .map(|x| {
                (
                    x.act.label().to_string(),
                    x.unit.clone(),
                    x.title.clone(),
                    x.reason.clone(),
                )
            })
            .collect(),
        filing,
        districts: pack.district_league.iter().map(league_view).collect(),
        categories: pack.category_league.iter().map(league_view).collect(),
        may_record: user.may(Resource::TrackedItem, Action::Create),
        owners: super::owner_choices(&snap.portfolio, None),
        today: state.today().to_string(),
        layout,
    };
    view::render(page)
}
