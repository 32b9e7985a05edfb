//! The problem patterns the speech names, each carried by a named project (or, for the lagging
//! county, by a whole district) so that the system has something real to surface.

use jianguan_domain::model::{PlanKind, Problem};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{FACADE, MAIN_WORKS, PARK, ROAD, START, WATER};
use crate::org::{LAGGING, Lead};
use crate::plan::Spec;
use crate::schedule::Sched;
use crate::{Day, day_of};

/// A project that carries one of the speech's problem patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// 类别之间进度不一: due at the end of May, finished at the end of October after a
    /// provincial warning.
    LateWater,
    /// 协同力度不一: a park led by the city investment company whose preliminary phase took
    /// half of its cycle.
    CityInvestPark,
    /// 协同力度不一: a road stuck on land held by the military.
    ArmyRoad,
    /// 协同力度不一: a road waiting on the railway's approval.
    RailwayRoad,
    /// 协同力度不一: a road waiting on the power grid to move its poles (resolved).
    PowerRoad,
    /// 品质不一: a facade whose materials and colours deviate from the design.
    FacadeQuality,
    /// 品质不一: a small garden built differently from its design.
    GardenQuality,
}

/// Where a special lies and how it ends.
struct Row {
    special: Special,
    cat: usize,
    district: usize,
    /// Milestones not reached by 31 December.
    missed: usize,
    name: &'static str,
    /// Index into the district's streets.
    street: usize,
    sub_category: Option<&'static str>,
}

const fn r(
    special: Special,
    (cat, district, missed): (usize, usize, usize),
    name: &'static str,
    street: usize,
    sub_category: Option<&'static str>,
) -> Row {
    Row {
        special,
        cat,
        district,
        missed,
        name,
        street,
        sub_category,
    }
}

/// The specials as (category, district, missed), name, street, sub-category.
#[rustfmt::skip]
const TABLE: [Row; 7] = [
    r(Special::LateWater, (WATER, 3, 0), "鹭川区梵音河黑臭水体整治", 1, None),
    r(Special::CityInvestPark, (PARK, 4, 0), "云麓区翠屏公园（第三期）", 0, Some("公园")),
    r(Special::ArmyRoad, (ROAD, 2, 3), "临岚区岚湖路拓宽改造", 0, None),
    r(Special::RailwayRoad, (ROAD, 6, 2), "松禾县禾丰路下穿铁路通道改造", 0, None),
    r(Special::PowerRoad, (ROAD, 1, 0), "青梧区梧岗大道交通改善", 0, None),
    r(Special::FacadeQuality, (FACADE, 0, 0), "映湖区星桥路街景立面改造", 3, None),
    r(Special::GardenQuality, (PARK, 7, 0), "白芷县芷兰小游园", 0, Some("邮票绿地")),
];

fn row(special: Special) -> &'static Row {
    TABLE
        .iter()
        .find(|r| r.special == special)
        .expect("every special has a row")
}

/// The specs of the projects that carry a pattern.
pub fn specials() -> Vec<Spec> {
    TABLE
        .iter()
        .map(|r| Spec {
            cat: r.cat,
            district: r.district,
            kind: PlanKind::Construction,
            missed: r.missed,
            special: Some(r.special),
        })
        .collect()
}

/// The special's name, street index and sub-category.
pub fn identity(special: Special) -> (&'static str, usize, Option<&'static str>) {
    let r = row(special);
    (r.name, r.street, r.sub_category)
}

/// The lead unit, where a special overrides its category's.
pub fn lead(special: Special) -> Option<Lead> {
    (special == Special::CityInvestPark).then_some(Lead::CityInvest)
}

fn day(month: i8, d: i8) -> Day {
    day_of(jiff::civil::date(crate::DEMO_YEAR, month, d))
}

/// Ten milestones' (month, day).
type Dates = [(i8, i8); 10];

/// The fixed schedule of a special whose dates are the pattern itself.
pub fn schedule(special: Special) -> Option<Sched> {
    // (month, day) of the ten milestones: planned, then reached.
    #[rustfmt::skip]
    let (planned, actual): (Dates, Dates) = match special {
        // 竣工验收 due 31 May, reached 28 October: five months late.
        Special::LateWater => (
            [(2, 1), (2, 10), (2, 20), (3, 1), (3, 12), (3, 25), (4, 30), (5, 15), (5, 31), (6, 30)],
            [(2, 1), (2, 10), (2, 22), (3, 3), (3, 12), (3, 26), (8, 16), (9, 30), (10, 28), (11, 15)],
        ),
        // 开工 reached 21 June of a cycle from 1 February to 10 November: half of it.
        Special::CityInvestPark => (
            [(2, 1), (2, 15), (3, 1), (3, 15), (3, 30), (4, 15), (8, 15), (9, 15), (10, 15), (10, 31)],
            [(2, 3), (3, 10), (4, 20), (5, 20), (6, 8), (6, 21), (9, 28), (10, 20), (11, 2), (11, 10)],
        ),
        _ => return None,
    };
    Some(Sched {
        planned: planned.map(|(m, d)| day(m, d)),
        actual: actual.map(|(m, d)| Some(day(m, d))),
    })
}

fn problem(description: &str, with: Option<&str>) -> Problem {
    Problem {
        description: description.into(),
        needs_coordination_with: with.map(Into::into),
    }
}

/// What a report for the period ending on `end` says beyond progress: a note prefix and the
/// problems raised.
pub fn remarks(
    spec: &Spec,
    ordinal: usize,
    sched: &Sched,
    end: Day,
    rng: &mut ChaCha8Rng,
) -> (String, Vec<Problem>) {
    let mut prefix = String::new();
    let mut problems = Vec::new();
    if spec.district == LAGGING {
        if rng.random_bool(0.3) {
            prefix.push_str("受机构改革、人员变动影响，项目推进放缓；");
        }
        if rng.random_bool(0.12) {
            problems.push(problem(
                "机构改革后项目专班人员调整，前期手续与现场管理衔接不畅",
                None,
            ));
        }
    }
    let started = sched.actual[START].unwrap_or(Day::MAX);
    let main_done = sched.actual[MAIN_WORKS].unwrap_or(Day::MAX);
    let building = started <= end && end < main_done;
    match spec.special {
        Some(Special::LateWater) if end >= day(6, 1) && end < day(10, 28) => {
            prefix.push_str("收到省住建厅警示提醒，正加快推进；");
            problems.push(problem(
                "竣工验收节点（计划5月31日）已逾期，省住建厅警示提醒；截污管网收尾及河道清淤进度滞后",
                None,
            ));
        }
        Some(Special::CityInvestPark) if end < started => problems.push(problem(
            "前期手续办理缓慢，可研批复、施工图审查耗时较长，开工推迟",
            None,
        )),
        Some(Special::ArmyRoad) if end >= started + 28 => problems.push(problem(
            "东段约300米涉及部队营区用地，征地拆迁协议迟迟未能签订，无法全线施工",
            Some("部队"),
        )),
        Some(Special::RailwayRoad) if end >= started + 42 => problems.push(problem(
            "下穿铁路框架桥施工方案报铁路部门审批，尚未取得施工许可",
            Some("铁路"),
        )),
        Some(Special::PowerRoad) if started <= end && end < started + 42 => problems.push(problem(
            "沿线10千伏电力线杆迁改需供电部门配合，影响人行道施工",
            Some("电力"),
        )),
        Some(Special::FacadeQuality) if building => problems.push(problem(
            "巡查发现材质选择、色彩搭配与设计有出入，已下达整改通知",
            None,
        )),
        Some(Special::GardenQuality) if building => problems.push(problem(
            "巡查发现施工与设计方案有出入，园路铺装及苗木规格未按图施工，限期整改",
            None,
        )),
        // About one ordinary project in thirty-seven needs another body for a few weeks after
        // it starts (chosen by its position, so the random streams stay as they were).
        None if ordinal % 37 == 5 && started + 7 <= end && end < started + 35 => {
            let (description, body) = BLOCKERS[(ordinal / 37) % BLOCKERS.len()];
            problems.push(problem(description, Some(body)));
        }
        _ => {}
    }
    (prefix, problems)
}

/// Blockers that need an outside body, and the body.
const BLOCKERS: [(&str, &str); 6] = [
    ("施工范围内110千伏高压线需迁改，待电网公司排期停电", "电网"),
    ("地下输油管线保护方案需央企管道公司审查同意", "央企"),
    ("临时用地审批报省自然资源厅，尚未批复", "省直部门"),
    ("中压燃气管道迁改需燃气公司配合实施", "燃气公司"),
    ("通信光缆及基站迁移需三家运营商协调", "通信运营商"),
    ("涉及国有铁路专用线道口改造，需铁路部门审批", "铁路"),
];
