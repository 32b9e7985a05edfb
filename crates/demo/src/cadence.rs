//! A year of the work cadence (工作机制) for the demo city: the warnings the daily ladder job
//! raised, the coordination tickets (协调事项) opened from the reports' blockers, the
//! rectification orders (整改) of on-site inspections, and the supervision items (督办事项)
//! decided at the 52 weekly dispatch meetings — all read off the city's own records.
//!
//! Everything is produced the way the system would have produced it: the warnings by
//! [`warnings::replay`]; the items by walking the year day by day, recording each day's actions
//! of owners and issuers, then the daily job's automatic escalations ([`due_escalations`]);
//! and each meeting's decisions from that week's [`DispatchPack`], built over the warnings and
//! items recorded so far. Every event passes [`TrackedItem::check`]; one that does not is a bug
//! of this generator and panics.

use std::collections::{BTreeMap, HashMap, VecDeque};

use jianguan_domain::acts::{self, ActKind, Dismissal, IssueForm, Proposal};
use jianguan_domain::dispatch::{DispatchInput, DispatchPack, Week};
use jianguan_domain::filing::{self, ReportIndex};
use jianguan_domain::followup::{
    EscalationLevel, FollowUpRules, ItemAction, ItemEvent, ItemId, ItemKind, ItemStatus,
    TrackedItem, due_escalations,
};
use jianguan_domain::model::{
    Portfolio, ProgressReport, Project, ProjectId, ProjectStatus, UnitId, UnitKind,
};
use jianguan_domain::overview;
use jianguan_domain::rates::{self, InvestmentLedger};
use jianguan_domain::warnings::{self, WarningBook, WarningEvent, WarningLevel, WarningRules};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::catalog::{
    ALLEY, CATEGORIES, FACADE, MARKET, NEIGHBOURHOOD, OLD, PARK, PARKING, ROAD, TOILET, VILLAGE,
    WATER,
};
use crate::{DEMO_YEAR, new_year, stream};

/// The demo city's cadence records for [`DEMO_YEAR`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCadence {
    /// Every warning event of the year, ids from 1 in the order the daily job recorded them.
    pub warnings: Vec<WarningEvent>,
    /// Every tracked item, ids from 1 in the order opened, each with its history.
    pub items: Vec<TrackedItem>,
    /// The act proposals the meetings dismissed, ids from 1.
    pub dismissals: Vec<Dismissal>,
}

/// How many on-site inspections find something, besides those the reports already name.
const INSPECTIONS: usize = 58;

/// The account recorded for people's actions in the demo; the daily job is `system`.
const DEMO_ACCOUNT: &str = "demo";

/// The cadence of `portfolio` (the demo city) over its year: the same on every call.
pub fn demo_cadence(portfolio: &Portfolio) -> DemoCadence {
    let rules = WarningRules::default();
    let mut book = WarningBook::default();
    let warnings = warnings::replay(portfolio, &rules, &mut book, new_year(), year_end(), 1);

    let ledger = InvestmentLedger::new(portfolio);
    let filings = ReportIndex::of_reports(&portfolio.reports);
    let city = City::new(portfolio, &filings);
    let mut coordination = coordination_tickets(&city, &mut stream(4));
    let mut inspections = inspections(&city, &mut stream(5));
    let mut meetings = Meetings::new(&city, stream(6));

    let mut sim = Sim::default();
    let mut summonses = 0;
    let mut day = new_year();
    while day <= year_end() {
        while coordination
            .front()
            .is_some_and(|o| o.item.opened_on == day)
        {
            let o = coordination.pop_front().expect("checked");
            sim.open(o);
        }
        while inspections.front().is_some_and(|i| i.on() == day) {
            let i = inspections.pop_front().expect("checked");
            if let Some(o) = i.open(&city, &sim.items) {
                sim.open(o);
            }
        }
        if let Some(week) = meeting_on(day) {
            let input = DispatchInput {
                portfolio,
                ledger: &ledger,
                filings: &filings,
                warnings: &book,
                rules: &rules,
                items: &sim.items,
                dismissals: &sim.dismissals,
                follow_up: FollowUpRules::default(),
                plan_changes: &[],
            };
            let pack = DispatchPack::build(&input, week, DEMO_YEAR);
            let proposals = acts::propose(
                portfolio,
                &rules.proposals,
                &book,
                &sim.items,
                &sim.dismissals,
                pack.to,
            );
            let decided = meetings.decide(&pack, week, day, &sim.items);
            let decided_projects: Vec<ProjectId> =
                decided.iter().filter_map(|o| o.item.project).collect();
            for o in decided {
                sim.open(o);
            }
            for proposal in proposals {
                match proposal.act {
                    // The meeting issues every 约谈 the rules propose.
                    ActKind::Summons => {
                        let o = meetings.summons(&proposal, week, day, &mut summonses);
                        sim.open(o);
                    }
                    // A 督办 proposal is taken up by the meeting's own decisions, or dismissed
                    // with the reason recorded.
                    ActKind::Supervision => {
                        if proposal
                            .projects
                            .iter()
                            .any(|p| decided_projects.contains(p))
                        {
                            continue;
                        }
                        let mut d = proposal
                            .dismiss(
                                day,
                                DEMO_ACCOUNT,
                                "调度会已研究，由县区跟踪推进，暂不单独发督办通知",
                            )
                            .expect("a reason is given");
                        d.id = sim.dismissals.len() as i64 + 1;
                        sim.dismissals.push(d);
                    }
                }
            }
        }
        sim.run_day(day);
        day = day.tomorrow().expect("in range");
    }
    assert!(coordination.is_empty() && inspections.is_empty());
    DemoCadence {
        warnings,
        items: sim.items,
        dismissals: sim.dismissals,
    }
}

fn year_end() -> Date {
    Date::new(DEMO_YEAR, 12, 31).expect("31 December exists")
}

fn plus(date: Date, days: i64) -> Date {
    date + days.days()
}

/// The week whose dispatch meeting is held on `day`, if one is: the Monday after each week of
/// the year; the last week's meeting is held on 31 December, so the year's records stay in the
/// year.
fn meeting_on(day: Date) -> Option<Week> {
    let week = Week::of(day).previous();
    if day == year_end() {
        return Some(Week::of(day));
    }
    (day.weekday() == Weekday::Monday && week.year == DEMO_YEAR).then_some(week)
}

/// The Mondays strictly between `from` and `to`: the meetings that follow an item up.
fn mondays_between(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from.tomorrow().expect("in range");
    while d < to {
        if d.weekday() == Weekday::Monday {
            out.push(d);
        }
        d = d.tomorrow().expect("in range");
    }
    out
}

fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// What the generator looks up in the city: units by kind and name, projects by id, the
/// category row of each project.
struct City<'a> {
    portfolio: &'a Portfolio,
    hq: UnitId,
    projects: HashMap<ProjectId, &'a Project>,
    unit_names: HashMap<&'a str, UnitId>,
    /// The category row (index into [`CATEGORIES`]) of each category id.
    rows: HashMap<jianguan_domain::model::CategoryId, usize>,
    /// Overdue milestones per district at the end of each week of the year.
    weekly_overdue: BTreeMap<Date, HashMap<UnitId, usize>>,
    /// Per period, by deadline: the day it is judged (a week after the deadline), its number,
    /// and the reports each unit had not filed by then.
    missing_by_period: BTreeMap<Date, (Date, u16, HashMap<UnitId, u64>)>,
}

impl<'a> City<'a> {
    fn new(portfolio: &'a Portfolio, filings: &ReportIndex) -> City<'a> {
        let hq = portfolio
            .units_of(UnitKind::CommandHq)
            .next()
            .expect("the city has a command office")
            .id;
        let rows = portfolio
            .categories
            .iter()
            .filter_map(|c| {
                CATEGORIES
                    .iter()
                    .position(|row| row.code == c.code)
                    .map(|i| (c.id, i))
            })
            .collect();
        let mut weekly_overdue = BTreeMap::new();
        let mut week = Week::of(new_year()).next();
        while week.year == DEMO_YEAR {
            let mut counts: HashMap<UnitId, usize> = HashMap::new();
            for o in overview::overdue_milestones(portfolio, DEMO_YEAR, week.sunday()) {
                *counts.entry(o.district).or_default() += 1;
            }
            weekly_overdue.insert(week.sunday(), counts);
            week = week.next();
        }
        let missing_by_period = portfolio
            .periods
            .iter()
            .filter(|p| p.year == DEMO_YEAR)
            .map(|p| {
                let judged = plus(p.deadline, 7);
                let c = filing::compliance(portfolio, filings, p, judged);
                let missing = c.by_unit.iter().map(|(u, n)| (*u, n.missing)).collect();
                (p.deadline, (judged, p.seq, missing))
            })
            .collect();
        City {
            portfolio,
            hq,
            projects: portfolio.projects.iter().map(|p| (p.id, &**p)).collect(),
            unit_names: portfolio
                .units
                .iter()
                .map(|u| (u.name.as_str(), u.id))
                .collect(),
            rows,
            weekly_overdue,
            missing_by_period,
        }
    }

    fn project(&self, id: ProjectId) -> &'a Project {
        self.projects.get(&id).expect("items name real projects")
    }

    fn row(&self, project: &Project) -> Option<usize> {
        self.rows.get(&project.category).copied()
    }

    fn unit_name(&self, id: UnitId) -> &'a str {
        self.portfolio.unit_name(id)
    }
}

/// An item about to be opened, with the actions its owner and issuer will take, in order.
struct Opening {
    item: TrackedItem,
    plan: Vec<ItemEvent>,
}

impl Opening {
    fn new(item: TrackedItem) -> Opening {
        Opening {
            item,
            plan: Vec::new(),
        }
    }

    /// Plans an action by `unit` on `on`.
    fn then(&mut self, on: Date, unit: UnitId, action: ItemAction) -> &mut Self {
        self.plan.push(ItemEvent {
            on,
            unit,
            by: DEMO_ACCOUNT.into(),
            action,
        });
        self
    }

    fn progress(&mut self, on: Date, note: String) -> &mut Self {
        let owner = self.item.owner;
        self.then(on, owner, ItemAction::Progress { note })
    }

    fn claim(&mut self, on: Date, evidence: String) -> &mut Self {
        let owner = self.item.owner;
        self.then(on, owner, ItemAction::ClaimClosure { evidence })
    }

    fn verify(&mut self, on: Date, note: String) -> &mut Self {
        let issuer = self.item.issuer;
        self.then(on, issuer, ItemAction::Verify { note })
    }

    fn reject(&mut self, on: Date, reason: String) -> &mut Self {
        let issuer = self.item.issuer;
        self.then(on, issuer, ItemAction::Reject { reason })
    }
}

/// The items being recorded, and the actions planned but not yet taken.
#[derive(Default)]
struct Sim {
    items: Vec<TrackedItem>,
    pending: Vec<VecDeque<ItemEvent>>,
    dismissals: Vec<Dismissal>,
}

impl Sim {
    /// Opens an item with the next id; actions planned past the year's end are not taken (the
    /// item stays where the year leaves it).
    fn open(&mut self, o: Opening) {
        let Opening { mut item, plan } = o;
        assert!(item.events.is_empty());
        assert!(
            item.opened_on <= year_end(),
            "{} opens after the year",
            item.title
        );
        item.id = ItemId(self.items.len() as i64 + 1);
        let mut last = item.opened_on;
        for e in &plan {
            assert!(
                e.on >= last,
                "{}: plan out of order at {}",
                item.title,
                e.on
            );
            last = e.on;
        }
        self.pending.push(
            plan.into_iter()
                .take_while(|e| e.on <= year_end())
                .collect(),
        );
        self.items.push(item);
    }

    fn record(&mut self, index: usize, event: ItemEvent) {
        let item = &mut self.items[index];
        if let Err(e) = item.check(&event) {
            panic!(
                "demo cadence: item {} 「{}」 refuses {:?} on {}: {e}",
                item.id.0, item.title, event.action, event.on
            );
        }
        item.events.push(event);
    }

    /// The day's actions, then the daily job's escalations.
    fn run_day(&mut self, day: Date) {
        for i in 0..self.items.len() {
            while let Some(e) = self.pending[i].front() {
                assert!(e.on >= day, "a planned action was missed");
                if e.on > day {
                    break;
                }
                let e = self.pending[i].pop_front().expect("checked");
                self.record(i, e);
            }
        }
        for (id, event) in due_escalations(&self.items, day, FollowUpRules::default()) {
            self.record(id.0 as usize - 1, event);
        }
    }
}

/// Picks one of `options`.
fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, options: &[&'a T]) -> &'a T {
    options[rng.random_range(0..options.len())]
}

// --- 协调事项 -------------------------------------------------------------------------------

/// What the owner reports while the body is being worked on, by topic.
fn coordination_notes(topic: &str) -> &'static [&'static str] {
    match topic {
        "用地协调" => &[
            "已与{body}营区管理部门对接，提交用地范围及补偿方案",
            "区政府分管领导带队赴{body}协调，对方同意报上级机关研究",
            "补偿标准仍在商谈，等待{body}上级机关批复",
        ],
        "审批手续" => &[
            "已按{body}部门意见修改施工方案并重新报审",
            "{body}部门组织专家评审，要求补充安全评估报告",
            "安全评估报告已报送，等待{body}部门出具施工许可",
        ],
        "管线迁改" => &[
            "已向{body}部门提交线杆迁改申请",
            "{body}部门已现场踏勘，确定迁改方案及停电计划",
            "迁改施工队伍已进场，分段实施",
        ],
        "征地拆迁" => &[
            "已与{body}对接用地范围，开展资产评估",
            "补偿协议文本已送{body}法务审核",
        ],
        _ => &["已函请{body}配合，等待回复", "已召开协调会，明确各方分工"],
    }
}

/// One ticket per distinct (project, body) named in the reports' problems, opened on the day
/// of the first report that raises it. A ticket whose problem stops being raised is claimed
/// closed with the report that no longer names it and verified by the sub-HQ; one still raised
/// in the year's last report stays open, escalating on its own.
fn coordination_tickets(city: &City<'_>, rng: &mut ChaCha8Rng) -> VecDeque<Opening> {
    // The original versions of each project's reports, by filing day.
    let mut by_project: BTreeMap<ProjectId, Vec<&ProgressReport>> = BTreeMap::new();
    for r in city.portfolio.reports.iter().filter(|r| r.version == 1) {
        by_project.entry(r.project).or_default().push(r);
    }
    for reports in by_project.values_mut() {
        reports.sort_by_key(|r| (r.filed_on, r.id));
    }
    // (first day, first report id, its period, project, body, description) of each blocker.
    let mut blockers = Vec::new();
    for (project, reports) in &by_project {
        let mut seen: Vec<&str> = Vec::new();
        for r in reports {
            for q in &r.problems {
                let Some(body) = q.needs_coordination_with.as_deref() else {
                    continue;
                };
                if !seen.contains(&body) {
                    seen.push(body);
                    blockers.push((
                        r.filed_on,
                        r.id,
                        r.period,
                        *project,
                        body,
                        q.description.as_str(),
                    ));
                }
            }
        }
    }
    blockers.sort_by_key(|b| (b.0, b.1));

    let mut out = VecDeque::new();
    for (opened_on, _, period, project_id, body, description) in blockers {
        let project = city.project(project_id);
        let reports = &by_project[&project_id];
        let raises = |r: &ProgressReport| {
            r.problems
                .iter()
                .any(|q| q.needs_coordination_with.as_deref() == Some(body))
        };
        let raising: Vec<Date> = reports
            .iter()
            .filter(|r| raises(r))
            .map(|r| r.filed_on)
            .collect();
        let last_raised = *raising.last().expect("raised at least once");
        // The report that no longer names the problem: the blocker is gone.
        let resolved = reports
            .iter()
            .find(|r| r.filed_on > last_raised && !raises(r))
            .map(|r| r.filed_on);
        let topic = jianguan_domain::followup::coordination_topic(body);
        let period = city
            .portfolio
            .periods
            .iter()
            .find(|p| p.id == period)
            .map_or(0, |p| p.seq);
        let mut o = Opening::new(TrackedItem {
            id: ItemId(0),
            kind: ItemKind::Coordination,
            title: format!("{}：{topic}需{body}配合", project.name),
            detail: description.to_string(),
            project: Some(project.id),
            district: Some(project.district),
            owner: project.responsible_unit,
            issuer: project.sub_hq,
            bodies: vec![body.to_string()],
            topic: topic.to_string(),
            source: format!("进度填报第{period}期"),
            opened_on,
            deadline: plus(opened_on, 30),
            level: EscalationLevel::District,
            events: Vec::new(),
            act: None,
        });
        let mut notes = coordination_notes(topic).iter();
        let until = resolved.unwrap_or(plus(year_end(), 1));
        // The owner reports movement with some of the later reports that still raise it.
        for day in raising.iter().skip(1).copied().filter(|d| *d < until) {
            if rng.random_bool(0.4) {
                let note = notes.next().map_or_else(
                    || format!("持续与{body}沟通，暂无实质进展"),
                    |n| n.replace("{body}", body),
                );
                o.progress(day, note);
            }
        }
        if let Some(day) = resolved {
            let evidence = format!("{body}配合事项已落实，问题解决，附协调会议纪要及现场照片");
            o.claim(day, evidence);
            let mut day = plus(day, rng.random_range(2..=6));
            if rng.random_bool(0.35) {
                o.reject(day, "现场复核仍有部分未落实到位，不予办结".into());
                day = plus(day, rng.random_range(4..=9));
                o.claim(day, format!("{body}配合事项已全部落实，附复核照片"));
                day = plus(day, rng.random_range(1..=4));
            }
            o.verify(day, "分指挥部现场复核通过，予以办结".into());
        }
        out.push_back(o);
    }
    out
}

// --- 整改 -----------------------------------------------------------------------------------

/// A finding of an on-site inspection: topic, short title, detail, and the category rows it
/// fits.
struct Finding {
    topic: &'static str,
    short: &'static str,
    detail: &'static str,
    fits: &'static [usize],
}

#[rustfmt::skip]
const FINDINGS: [Finding; 7] = [
    Finding { topic: "设计偏差", short: "材料、颜色与设计不符", detail: "偏离设计：外立面材料、颜色与设计不符，需按设计图纸更换", fits: &[FACADE, OLD, ALLEY, NEIGHBOURHOOD, MARKET, VILLAGE] },
    Finding { topic: "设计偏差", short: "铺装材料与设计不符", detail: "偏离设计：路面铺装材料规格与设计不符", fits: &[ALLEY, ROAD, PARK, PARKING, VILLAGE] },
    Finding { topic: "文明施工", short: "施工围挡不规范", detail: "施工围挡不规范：部分路段围挡缺失、破损，未设置警示标志", fits: &[OLD, ALLEY, TOILET, PARKING, NEIGHBOURHOOD, PARK, MARKET, FACADE, ROAD, WATER, VILLAGE] },
    Finding { topic: "绿化质量", short: "绿化苗木规格不足", detail: "绿化苗木规格不足：乔木胸径、冠幅低于设计要求", fits: &[PARK, OLD, ROAD, WATER, ALLEY, VILLAGE] },
    Finding { topic: "无障碍设施", short: "无障碍设施未按标准设置", detail: "无障碍设施未按标准设置：坡道坡度超标、盲道不连续", fits: &[TOILET, NEIGHBOURHOOD, ROAD, PARK, PARKING, ALLEY, MARKET] },
    Finding { topic: "施工质量", short: "排水坡度不足", detail: "排水沟坡度不足，雨后局部积水", fits: &[ALLEY, ROAD, MARKET, PARKING, VILLAGE, OLD] },
    Finding { topic: "设计偏差", short: "店招样式色彩未按导则", detail: "偏离设计：店招店牌样式、色彩未按街景导则设置", fits: &[FACADE, ALLEY, MARKET] },
];

/// An inspection on a day: either one the reports name (a project and its finding), or one
/// whose project is chosen on the day among those under construction.
enum Inspection {
    Named {
        on: Date,
        project: ProjectId,
        finding: String,
        /// The first report that no longer names the finding, if any.
        resolved: Option<Date>,
        rng: ChaCha8Rng,
    },
    Patrol {
        on: Date,
        rng: ChaCha8Rng,
    },
}

impl Inspection {
    fn on(&self) -> Date {
        match self {
            Inspection::Named { on, .. } | Inspection::Patrol { on, .. } => *on,
        }
    }

    /// The rectification order the inspection opens, if a project is there to inspect.
    fn open(self, city: &City<'_>, items: &[TrackedItem]) -> Option<Opening> {
        match self {
            Inspection::Named {
                on,
                project,
                finding,
                resolved,
                mut rng,
            } => {
                let project = city.project(project);
                let detail = finding.trim_end_matches("，已下达整改通知").to_string();
                Some(rectification(
                    city,
                    project,
                    on,
                    ("设计偏差", "施工与设计不符", detail),
                    resolved,
                    true,
                    &mut rng,
                ))
            }
            Inspection::Patrol { on, mut rng } => {
                let open_orders: Vec<ProjectId> = items
                    .iter()
                    .filter(|i| {
                        i.kind == ItemKind::Rectification
                            && i.state_on(on).status != ItemStatus::Closed
                    })
                    .filter_map(|i| i.project)
                    .collect();
                let building: Vec<&Project> = city
                    .portfolio
                    .projects
                    .iter()
                    .map(|p| &**p)
                    .filter(|p| rates::status_as_of(p, on) == ProjectStatus::UnderConstruction)
                    .filter(|p| !open_orders.contains(&p.id))
                    .filter(|p| city.row(p).is_some())
                    .collect();
                if building.is_empty() {
                    return None;
                }
                let project = building[rng.random_range(0..building.len())];
                let row = city.row(project).expect("filtered");
                let fitting: Vec<&Finding> =
                    FINDINGS.iter().filter(|f| f.fits.contains(&row)).collect();
                let f = pick(&mut rng, &fitting);
                let rejected = rng.random_bool(0.15);
                Some(rectification(
                    city,
                    project,
                    on,
                    (f.topic, f.short, f.detail.to_string()),
                    None,
                    rejected,
                    &mut rng,
                ))
            }
        }
    }
}

/// The inspections of the year: one for each project whose reports name an inspection finding
/// (on the day before the first such report), and [`INSPECTIONS`] patrols on working days up to
/// 20 December, more of them when more sites are under construction.
fn inspections(city: &City<'_>, rng: &mut ChaCha8Rng) -> VecDeque<Inspection> {
    let mut out = Vec::new();
    let mut named: BTreeMap<ProjectId, Vec<&ProgressReport>> = BTreeMap::new();
    for r in city.portfolio.reports.iter().filter(|r| r.version == 1) {
        named.entry(r.project).or_default().push(r);
    }
    for (project, mut reports) in named {
        reports.sort_by_key(|r| (r.filed_on, r.id));
        let finds = |r: &ProgressReport| {
            r.problems
                .iter()
                .find(|q| q.description.contains("巡查发现"))
                .map(|q| q.description.clone())
        };
        let Some(first) = reports.iter().position(|r| finds(r).is_some()) else {
            continue;
        };
        let finding = finds(reports[first]).expect("found");
        let last = reports
            .iter()
            .rposition(|r| finds(r).is_some())
            .expect("found");
        let resolved = reports.get(last + 1).map(|r| r.filed_on);
        let start = city
            .project(project)
            .milestones
            .iter()
            .find(|m| m.enters == Some(ProjectStatus::UnderConstruction))
            .and_then(|m| m.actual)
            .unwrap_or(new_year());
        let on = plus(reports[first].filed_on, -1).max(start);
        out.push(Inspection::Named {
            on,
            project,
            finding,
            resolved,
            rng: ChaCha8Rng::from_rng(rng),
        });
    }
    // Patrols go where the works are: a working day is drawn in proportion to the sites under
    // construction that day.
    let days = days_between(new_year(), year_end()) as usize + 1;
    let mut sites = vec![0i64; days + 1];
    for p in &city.portfolio.projects {
        let reached = |status| {
            p.milestones
                .iter()
                .find(|m| m.enters == Some(status))
                .and_then(|m| m.actual)
                .map(|d| days_between(new_year(), d).clamp(0, days as i64) as usize)
        };
        if let Some(start) = reached(ProjectStatus::UnderConstruction) {
            let built = reached(ProjectStatus::Built).unwrap_or(days);
            sites[start] += 1;
            sites[built.max(start)] -= 1;
        }
    }
    let mut open = 0;
    for n in &mut sites {
        open += *n;
        *n = open;
    }
    let last = days_between(new_year(), Date::new(DEMO_YEAR, 12, 20).expect("valid")) as usize;
    let busiest = sites[..=last].iter().copied().max().unwrap_or(0).max(1);
    let mut patrols = 0;
    while patrols < INSPECTIONS {
        let day = rng.random_range(0..=last);
        let on = plus(new_year(), day as i64);
        let weekend = matches!(on.weekday(), Weekday::Saturday | Weekday::Sunday);
        if weekend || !rng.random_bool(sites[day] as f64 / busiest as f64) {
            continue;
        }
        out.push(Inspection::Patrol {
            on,
            rng: ChaCha8Rng::from_rng(rng),
        });
        patrols += 1;
    }
    out.sort_by_key(Inspection::on);
    out.into()
}

/// A rectification order: issued by the category's lead unit or the command office's joint
/// inspection team, deadline 15–30 days; the owner reports halfway, claims it done around the
/// deadline, and the issuer re-checks (复查); `rejected` fails the first re-check.
fn rectification(
    city: &City<'_>,
    project: &Project,
    on: Date,
    (topic, short, detail): (&str, &str, String),
    resolved: Option<Date>,
    rejected: bool,
    rng: &mut ChaCha8Rng,
) -> Opening {
    let issuer = if rng.random_bool(0.6) {
        project.lead_unit
    } else {
        city.hq
    };
    let deadline = plus(on, rng.random_range(15..=30));
    let mut o = Opening::new(TrackedItem {
        id: ItemId(0),
        kind: ItemKind::Rectification,
        title: format!("{}：{short}", project.name),
        detail: format!(
            "{}现场巡查发现：{detail}。限期整改，整改后报请复查。",
            city.unit_name(issuer)
        ),
        project: Some(project.id),
        district: Some(project.district),
        owner: project.responsible_unit,
        issuer,
        bodies: Vec::new(),
        topic: topic.to_string(),
        source: format!("现场巡查 {on}"),
        opened_on: on,
        deadline,
        level: EscalationLevel::District,
        events: Vec::new(),
        act: None,
    });
    let days = days_between(on, deadline);
    if rng.random_bool(0.6) {
        let done = rng.random_range(4..=8) * 10;
        o.progress(
            plus(on, days / 2),
            format!("已组织施工单位整改，完成约{done}%"),
        );
    }
    // Most claim by the deadline; one in ten runs a week or two past it.
    let mut claim = if rng.random_bool(0.1) {
        plus(deadline, rng.random_range(8..=16))
    } else {
        plus(deadline, -rng.random_range(0..=days / 3))
    };
    claim = claim.max(plus(on, days / 2 + 1));
    o.claim(claim, "整改完成，附整改前后对比照片及监理确认单".into());
    let mut check = plus(claim, rng.random_range(1..=5));
    if rejected {
        o.reject(
            check,
            format!("复查未通过：{short}问题仍未整改到位，限期再改"),
        );
        let again = plus(check, rng.random_range(5..=12)).max(resolved.unwrap_or(check));
        o.claim(again, "已按复查意见再次整改，附整改照片".into());
        check = plus(again, rng.random_range(1..=4));
    }
    o.verify(check, "复查合格，予以销号".into());
    o
}

// --- 督办事项 -------------------------------------------------------------------------------

/// What a supervision item is about, for following it up.
enum Subject {
    /// A project's overdue (or at-risk) milestone: done when it is reached.
    Milestone { name: String, reached: Option<Date> },
    /// A district's overdue milestones: done when their number halves.
    District { district: UnitId, overdue: usize },
    /// A unit's late or missing reports: done when a later period has none missing a week
    /// after its deadline.
    Filing(UnitId),
    /// A category's lagging progress, for its lead unit.
    Category,
}

/// The dispatch meetings' decisions.
struct Meetings<'a, 'c> {
    city: &'c City<'a>,
    rng: ChaCha8Rng,
}

impl<'a, 'c> Meetings<'a, 'c> {
    fn new(city: &'c City<'a>, rng: ChaCha8Rng) -> Self {
        Meetings { city, rng }
    }

    /// The 1–3 supervision items decided at the meeting on `day` over `week`'s pack: the
    /// longest overdue milestones already warned (警示 or worse), the district with the most
    /// overdue milestones, the unit that missed most of the last period's reports, then
    /// milestones overdue a week or more, at-risk milestones and late filers; a category's lead
    /// unit when nothing else is there.
    /// A project, district or unit with an open supervision item is not given another.
    fn decide(
        &mut self,
        pack: &DispatchPack,
        week: Week,
        day: Date,
        items: &[TrackedItem],
    ) -> Vec<Opening> {
        let city = self.city;
        let open = |i: &&TrackedItem| {
            i.kind == ItemKind::Supervision && i.state_on(day).status != ItemStatus::Closed
        };
        let busy_projects: Vec<ProjectId> = items
            .iter()
            .filter(open)
            .filter_map(|i| i.project)
            .collect();
        let busy_units: Vec<UnitId> = items
            .iter()
            .filter(open)
            .filter(|i| i.project.is_none())
            .map(|i| i.owner)
            .collect();
        let mut candidates: Vec<(usize, Candidate)> = Vec::new();
        let mut chosen_projects = Vec::new();
        let mut milestone = |line: &jianguan_domain::dispatch::MilestoneLine,
                             rank: usize,
                             out: &mut Vec<(usize, Candidate)>| {
            let id = line.project.id;
            if busy_projects.contains(&id) || chosen_projects.contains(&id) {
                return;
            }
            chosen_projects.push(id);
            out.push((rank, Candidate::Milestone(line.clone())));
        };
        let warned = pack
            .overdue_milestones
            .iter()
            .filter(|m| m.level.is_some_and(|l| l >= WarningLevel::Warning));
        for (n, line) in warned.enumerate().take(8) {
            // The longest overdue first, a second one after the district.
            milestone(line, if n == 0 { 0 } else { 3 + n }, &mut candidates);
        }
        if let Some(row) = pack
            .district_league
            .iter()
            .filter(|r| r.overdue_milestones >= 5)
            .max_by_key(|r| (r.overdue_milestones, r.rank))
            && let Some(&district) = city.unit_names.get(row.name.as_str())
            && !busy_units.contains(&district)
        {
            candidates.push((1, Candidate::District(row.clone(), district)));
        }
        if let Some(filing) = &pack.filing {
            let behind = filing
                .units_behind
                .iter()
                .filter_map(|(name, late, missing)| {
                    let unit = *city.unit_names.get(name.as_str())?;
                    (!busy_units.contains(&unit)).then_some((unit, *late, *missing))
                })
                .max_by_key(|(unit, late, missing)| (*missing, *late, std::cmp::Reverse(*unit)));
            if let Some((unit, late, missing)) = behind {
                let rank = if missing > 0 { 2 } else { 35 };
                candidates.push((
                    rank,
                    Candidate::Filing(unit, filing.period_seq, late, missing),
                ));
            }
        }
        let week_late = pack
            .overdue_milestones
            .iter()
            .filter(|m| m.days_overdue >= 7);
        for (n, line) in week_late.enumerate().take(8) {
            milestone(line, 20 + n, &mut candidates);
        }
        for (n, line) in pack.at_risk_milestones.iter().enumerate().take(4) {
            milestone(line, 30 + n, &mut candidates);
        }
        let lagging_category = pack.category_league.iter().rev().find_map(|row| {
            let cat = city
                .portfolio
                .categories
                .iter()
                .find(|c| c.name == row.name)?;
            (!busy_units.contains(&cat.lead_unit)).then(|| (row.clone(), cat.lead_unit))
        });
        if let Some((row, lead)) = lagging_category {
            candidates.push((40, Candidate::Category(row, lead)));
        }
        candidates.sort_by_key(|c| c.0);
        let wanted = self.rng.random_range(1..=3);
        let decided: Vec<Opening> = candidates
            .into_iter()
            .take(wanted)
            .map(|(_, c)| self.item(c, week, day))
            .collect();
        assert!(!decided.is_empty(), "the meeting of {week} decided nothing");
        decided
    }

    /// The 约谈 the meeting on `day` issues on `proposal`: the unit's heads summoned that week,
    /// the minutes, a month to rectify, then the rectification reported and verified.
    fn summons(&mut self, proposal: &Proposal, week: Week, day: Date, issued: &mut u32) -> Opening {
        *issued += 1;
        let name = self.city.unit_name(proposal.unit).to_string();
        let talk = plus(day, self.rng.random_range(1..=3)).min(year_end());
        let form = IssueForm {
            document_number: format!("示建管约〔{DEMO_YEAR}〕{issued}号"),
            deadline: plus(talk, 30),
            detail: format!("责成{name}一个月内拿出整改措施，逐项销号"),
            attendees: format!("{name}主要负责人、分管负责人；指挥部办公室主任、督查组"),
            minutes: format!(
                "指出{name}项目推进滞后、节点逾期较多；{name}作表态发言；要求倒排工期、压实责任，一个月内整改到位并书面报告。"
            ),
        };
        let mut item = proposal
            .issue(&form, self.city.hq, talk)
            .expect("the demo's 约谈 is complete");
        // Decided at the meeting over `week`'s pack, like the meeting's other decisions.
        item.source = week.to_string();
        let mut o = Opening::new(item);
        let report = plus(talk, self.rng.random_range(18..=28));
        o.progress(plus(talk, 7), "已召开专题会议，制定整改方案".into());
        o.claim(
            report,
            format!("{name}整改报告：滞后项目已逐项落实专班，逾期节点已销号过半"),
        );
        o.verify(
            plus(report, self.rng.random_range(2..=5)),
            "指挥部办公室复核，整改措施落实".into(),
        );
        o
    }

    fn item(&mut self, c: Candidate, week: Week, day: Date) -> Opening {
        let city = self.city;
        let deadline = plus(day, 7 * self.rng.random_range(2..=4));
        let (title, detail, project, district, owner, topic, subject) = match c {
            Candidate::Milestone(line) => {
                let project = city.project(line.project.id);
                let m = project
                    .milestones
                    .iter()
                    .find(|m| m.name == line.milestone)
                    .expect("the pack names the project's milestones");
                let (title, why) = if line.days_overdue > 0 {
                    (
                        format!(
                            "督办：{}「{}」节点逾期{}天",
                            project.name, m.name, line.days_overdue
                        ),
                        line.reason.clone().unwrap_or_else(|| {
                            format!(
                                "「{}」计划 {}，逾期 {} 天",
                                m.name, m.planned, line.days_overdue
                            )
                        }),
                    )
                } else {
                    (
                        format!("提前调度：{}「{}」节点存在滞后风险", project.name, m.name),
                        line.reason.clone().unwrap_or_default(),
                    )
                };
                let detail = format!(
                    "{week}调度会议定：{why}。责成{}倒排工期、加快推进，{deadline}前完成「{}」节点并报送佐证材料。",
                    line.project.unit, m.name
                );
                (
                    title,
                    detail,
                    Some(project.id),
                    Some(project.district),
                    project.responsible_unit,
                    "节点逾期",
                    Subject::Milestone {
                        name: m.name.clone(),
                        reached: m.actual,
                    },
                )
            }
            Candidate::District(row, district) => {
                let rate = row
                    .node_completion
                    .map_or("—".to_string(), |r| format!("{:.1}%", r * 100.0));
                (
                    format!(
                        "督办：{}逾期节点{}个，全市最多",
                        row.name, row.overdue_milestones
                    ),
                    format!(
                        "{week}调度会议定：{}逾期节点{}个，节点完成率{rate}（排名第{}）。责成{}制定赶超计划，逐项销号，{deadline}前逾期节点减半。",
                        row.name, row.overdue_milestones, row.rank, row.name
                    ),
                    None,
                    Some(district),
                    district,
                    "进度滞后",
                    Subject::District {
                        district,
                        overdue: row.overdue_milestones as usize,
                    },
                )
            }
            Candidate::Filing(unit, seq, late, missing) => {
                let name = city.unit_name(unit);
                let district = city.portfolio.unit(unit).and_then(|u| u.parent);
                let what = match (late, missing) {
                    (0, m) => format!("漏报{m}个项目进度"),
                    (l, 0) => format!("迟报{l}个项目进度"),
                    (l, m) => format!("迟报{l}个、漏报{m}个项目进度"),
                };
                (
                    format!("督办：{name}第{seq}期{what}"),
                    format!(
                        "{week}调度会议定：{name}第{seq}期{what}。责成其立即补报，{deadline}前说明原因并落实专人按期填报。"
                    ),
                    None,
                    district,
                    unit,
                    "填报不及时",
                    Subject::Filing(unit),
                )
            }
            Candidate::Category(row, lead) => (
                format!("督办：{}进度全市排名末位", row.name),
                format!(
                    "{week}调度会议定：{}节点完成率排名末位。请牵头单位{}召开推进会，逐项目落实责任，{deadline}前报送推进情况。",
                    row.name,
                    city.unit_name(lead)
                ),
                None,
                None,
                lead,
                "进度滞后",
                Subject::Category,
            ),
        };
        let mut o = Opening::new(TrackedItem {
            id: ItemId(0),
            kind: ItemKind::Supervision,
            title,
            detail,
            project,
            district,
            owner,
            issuer: city.hq,
            bodies: Vec::new(),
            topic: topic.into(),
            source: week.to_string(),
            opened_on: day,
            deadline,
            level: EscalationLevel::Hq,
            events: Vec::new(),
            act: None,
        });
        self.follow_up(&mut o, subject);
        o
    }

    /// The owner's answers at the following meetings, and the closure once the subject is
    /// done; a subject not done within the year stays open.
    fn follow_up(&mut self, o: &mut Opening, subject: Subject) {
        let rng = &mut self.rng;
        let opened = o.item.opened_on;
        let done: Option<(Date, String)> = match &subject {
            Subject::Milestone { name, reached } => reached.map(|a| {
                (
                    plus(a.max(opened), rng.random_range(1..=4)),
                    format!("「{name}」节点已于 {a} 完成，附现场照片及验收资料"),
                )
            }),
            Subject::District { district, overdue } => self
                .city
                .weekly_overdue
                .range(opened..)
                .find(|(_, counts)| {
                    counts.get(district).copied().unwrap_or(0) <= (*overdue / 2).max(2)
                })
                .map(|(sunday, counts)| {
                    let now = counts.get(district).copied().unwrap_or(0);
                    (
                        plus(*sunday, 1 + rng.random_range(0..=2)),
                        format!("逾期节点由{overdue}个减至{now}个，赶超计划已落实"),
                    )
                }),
            Subject::Filing(unit) => self
                .city
                .missing_by_period
                .range(opened..)
                .find(|(_, (_, _, missing))| missing.get(unit).copied().unwrap_or(0) == 0)
                .map(|(_, (judged, seq, _))| {
                    (
                        plus(*judged, rng.random_range(1..=3)),
                        format!("第{seq}期项目进度已全部报送，已落实专人按期填报"),
                    )
                }),
            Subject::Category => Some((
                plus(opened, rng.random_range(9..=24)),
                "牵头单位已召开推进会，逐项目落实责任，附会议纪要".into(),
            )),
        };
        let until = done.as_ref().map_or(plus(year_end(), 1), |d| d.0);
        let answers: &[&str] = match subject {
            Subject::Milestone { .. } => &[
                "已成立专班，倒排工期，挂图作战",
                "增加施工力量，实行两班倒作业",
                "分管领导现场调度，逐项落实",
                "已对照督办要求倒排计划，本周按计划推进",
            ],
            Subject::District { .. } => &[
                "已召开专题推进会，逐项目落实销号责任",
                "主要领导现场调度滞后项目",
                "已制定赶超计划，每周通报进展",
            ],
            Subject::Filing(_) => &[
                "已约谈填报责任人，逐项目落实填报专人",
                "已补报部分项目，其余正在核实",
            ],
            Subject::Category => &["牵头单位已梳理滞后项目清单", "牵头单位赴现场督导，逐项落实"],
        };
        for monday in mondays_between(opened, until) {
            if rng.random_bool(0.45) {
                o.progress(monday, pick(rng, answers).to_string());
            }
        }
        let Some((claim, evidence)) = done else {
            return;
        };
        o.claim(claim, evidence);
        let mut check = plus(claim, rng.random_range(1..=5));
        if rng.random_bool(0.08) {
            o.reject(check, "核查佐证材料不全，退回补充".into());
            let again = plus(check, rng.random_range(3..=7));
            o.claim(again, "已补充佐证材料".into());
            check = plus(again, rng.random_range(1..=4));
        }
        o.verify(check, "指挥部办公室核实，予以办结".into());
    }
}

/// A decision the meeting could take, from the pack.
enum Candidate {
    Milestone(jianguan_domain::dispatch::MilestoneLine),
    District(jianguan_domain::dispatch::LeagueRow, UnitId),
    Filing(UnitId, u16, u64, u64),
    Category(jianguan_domain::dispatch::LeagueRow, UnitId),
}
