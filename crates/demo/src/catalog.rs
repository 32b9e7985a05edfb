//! The eleven categories of the 2021 campaign: who leads them, how many projects each plans and
//! finishes, and their ten-step milestone template.

use jianguan_domain::model::{Category, CategoryId, ProjectStatus, TemplateStep};

use crate::org::{Lead, Office, Org, SubHq};

/// One category as the generator needs it.
pub struct CategoryRow {
    /// Stable code.
    pub code: &'static str,
    /// Name shown to users.
    pub name: &'static str,
    /// The sub-headquarters that follows it.
    pub sub_hq: SubHq,
    /// The city unit that leads it.
    pub lead: Lead,
    /// The district bureau that builds its projects; `None` when street offices do.
    pub builder: Option<Office>,
    /// Annual construction projects planned for 2021.
    pub planned: usize,
    /// Of those, how many finish their annual plan by 31 December.
    pub finished: usize,
    /// Milestone weights, in [`STEPS`] order.
    pub weights: [u32; 10],
    /// Range of a project's planned cycle, first to last milestone, in days.
    pub cycle_days: (i64, i64),
    /// The works progress notes speak of.
    pub item: &'static str,
    /// Where its money comes from.
    pub funding: &'static [&'static str],
}

/// Index of 老旧小区改造 in [`CATEGORIES`].
pub const OLD: usize = 0;
/// Index of 背街小巷整治.
pub const ALLEY: usize = 1;
/// Index of 公厕新建改造.
pub const TOILET: usize = 2;
/// Index of 停车场建设.
pub const PARKING: usize = 3;
/// Index of 邻里中心建设.
pub const NEIGHBOURHOOD: usize = 4;
/// Index of 公园、绿道、邮票绿地.
pub const PARK: usize = 5;
/// Index of 农贸市场改造.
pub const MARKET: usize = 6;
/// Index of 街景立面改造.
pub const FACADE: usize = 7;
/// Index of 道路交通改善.
pub const ROAD: usize = 8;
/// Index of 黑臭水体治理.
pub const WATER: usize = 9;
/// Index of 城中村整治.
pub const VILLAGE: usize = 10;

/// 背街小巷: the investment completed in 2021 over all alleys, 3.13 亿元, in 万元.
pub const ALLEY_INVESTMENT_WAN: i64 = 31_300;

const STANDARD: [u32; 10] = [5, 5, 5, 5, 10, 10, 25, 15, 10, 10];
// Small works are mostly the building itself; big ones carry heavier approvals.
const SMALL_WORKS: [u32; 10] = [5, 5, 5, 5, 10, 10, 30, 10, 10, 10];
const HEAVY_APPROVALS: [u32; 10] = [5, 5, 10, 5, 10, 10, 25, 10, 10, 10];

const PUBLIC: &[&str] = &["市级财政", "区县财政", "市区共担"];
const WITH_BONDS: &[&str] = &["市级财政", "区县财政", "专项债", "上级补助资金"];
const WITH_CAPITAL: &[&str] = &["区县财政", "社会资本", "专项债"];

/// The categories, with the speech's counts: (planned, finished) annual projects.
#[rustfmt::skip]
pub const CATEGORIES: [CategoryRow; 11] = [
    row("old_community", "老旧小区改造", SubHq::OldCommunity, Lead::Housing, None, (158, 156), STANDARD, (200, 290), "外立面及管网改造", WITH_BONDS),
    row("back_alley", "背街小巷整治", SubHq::Alleys, Lead::Urban, Some(Office::Urban), (186, 156), STANDARD, (150, 240), "路面铺装及立面整治", PUBLIC),
    row("public_toilet", "公厕新建改造", SubHq::Facilities, Lead::Urban, Some(Office::Urban), (161, 161), SMALL_WORKS, (110, 170), "主体砌筑及设备安装", PUBLIC),
    row("parking", "停车场建设", SubHq::Facilities, Lead::CityInvest, Some(Office::Housing), (85, 85), STANDARD, (150, 240), "场地硬化及智能设施安装", WITH_CAPITAL),
    row("neighbourhood_centre", "邻里中心建设", SubHq::Facilities, Lead::Housing, None, (136, 136), STANDARD, (180, 270), "主体装修及功能布置", PUBLIC),
    row("park_greenway", "公园、绿道、邮票绿地", SubHq::Parks, Lead::Gardens, Some(Office::Gardens), (220, 210), STANDARD, (160, 280), "园路铺装及绿化种植", WITH_BONDS),
    row("farmers_market", "农贸市场改造", SubHq::Markets, Lead::Commerce, Some(Office::Commerce), (60, 46), STANDARD, (160, 260), "摊位及排水改造", WITH_CAPITAL),
    row("streetscape", "街景立面改造", SubHq::Alleys, Lead::Urban, Some(Office::Urban), (120, 100), STANDARD, (150, 250), "立面改造", PUBLIC),
    row("road_traffic", "道路交通改善", SubHq::Roads, Lead::Transport, Some(Office::Transport), (140, 108), HEAVY_APPROVALS, (200, 300), "路基路面施工", WITH_BONDS),
    row("black_odorous_water", "黑臭水体治理", SubHq::Water, Lead::Water, Some(Office::Water), (44, 36), HEAVY_APPROVALS, (200, 290), "截污管网及河道清淤", WITH_BONDS),
    row("urban_village", "城中村整治", SubHq::OldCommunity, Lead::Housing, None, (40, 28), STANDARD, (200, 300), "拆违及环境整治", WITH_BONDS),
];

#[expect(clippy::too_many_arguments, reason = "a table row, read positionally")]
const fn row(
    code: &'static str,
    name: &'static str,
    sub_hq: SubHq,
    lead: Lead,
    builder: Option<Office>,
    (planned, finished): (usize, usize),
    weights: [u32; 10],
    cycle_days: (i64, i64),
    item: &'static str,
    funding: &'static [&'static str],
) -> CategoryRow {
    CategoryRow {
        code,
        name,
        sub_hq,
        lead,
        builder,
        planned,
        finished,
        weights,
        cycle_days,
        item,
        funding,
    }
}

/// The milestone template every category shares, with the status each step enters.
pub const STEPS: [(&str, Option<ProjectStatus>); 10] = [
    ("方案设计", None),
    ("立项", None),
    ("可研批复", None),
    ("施工图审查", None),
    ("招标", None),
    ("开工", Some(ProjectStatus::UnderConstruction)),
    ("主体完工", None),
    ("配套完工", Some(ProjectStatus::Built)),
    ("竣工验收", Some(ProjectStatus::Accepted)),
    ("移交管养", Some(ProjectStatus::HandedOver)),
];

/// Each step's default share of a project's duration, in percent, in [`STEPS`] order: a ledger
/// that gives only a planned start (开工) and completion date derives the milestones from these.
/// The approvals are due by the start; the works, acceptance and handover share the rest, so the
/// completion date is the handover's.
pub const SHARES: [u32; 10] = [0, 0, 0, 0, 0, 0, 60, 25, 10, 5];

/// Index of 开工 in [`STEPS`].
pub const START: usize = 5;
/// Index of 主体完工 in [`STEPS`].
pub const MAIN_WORKS: usize = 6;

/// The categories as records, ids from 1 in table order.
pub fn categories(org: &Org) -> Vec<Category> {
    CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, row)| Category {
            id: CategoryId(i as i64 + 1),
            code: row.code.into(),
            name: row.name.into(),
            sub_hq: org.sub_hq(row.sub_hq),
            lead_unit: org.lead(row.lead),
            template: STEPS
                .iter()
                .zip(row.weights)
                .zip(SHARES)
                .map(|(((name, enters), weight), share)| TemplateStep {
                    name: (*name).into(),
                    weight,
                    enters: *enters,
                    share,
                })
                .collect(),
            template_version: 1,
        })
        .collect()
}
