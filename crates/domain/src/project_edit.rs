//! A project made or edited by hand (the office for any project, a district or lead unit
//! within its scope): [`check_project`] reads the form's text into a [`Project`] or every
//! problem at once, in Chinese naming the field or milestone.
//!
//! Milestones are copied from the category's template when the project is made, with planned
//! dates either derived from a planned start and completion ([`Category::derive_dates`], marked
//! `derived`) or typed one by one. Once a year plan of the project is approved its milestones'
//! planned dates are the baseline: an edit keeps them (they change only through 计划调整), and
//! the approved plan's kind and investment likewise.
//!
//! The location is typed in any of the systems China's maps use (the form's 坐标系: WGS-84,
//! GCJ-02 from 高德 or 腾讯, BD-09 from 百度), checked against China's bounds ([`coords::CHINA`],
//! a pair typed the wrong way round named as such) and stored in WGS-84.
//!
//! A project made without a code gets `{year}-XM-{NNNN}` ([`next_project_code`]): the year of
//! its plan, `XM` (项目), and the next four-digit number after the largest such code of that
//! year, so codes are unique and sort in order of making.

use crate::Date;
use crate::coords::{self, CoordinateSystem, OutOfBounds};
use crate::model::{
    BuildType, Category, CategoryId, GeoPoint, Milestone, MilestoneId, Money, PlanKind, PlanStatus,
    Portfolio, Project, ProjectId, UnitId, UnitKind, YearPlan,
};

/// The longest project name, in characters.
pub const NAME_MAX: usize = 100;
/// Longitude range accepted (degrees east): China ([`coords::CHINA`]).
pub const LON_RANGE: (f64, f64) = coords::CHINA.lon;
/// Latitude range accepted (degrees north): China ([`coords::CHINA`]).
pub const LAT_RANGE: (f64, f64) = coords::CHINA.lat;

/// A project as typed: every field text, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectInput {
    /// The ledger code; blank takes [`next_project_code`] (a stored project keeps its code).
    pub code: String,
    /// Name.
    pub name: String,
    /// Category id.
    pub category: String,
    /// District id.
    pub district: String,
    /// Street (街道), free text.
    pub street: String,
    /// Lead unit id; blank takes the category's.
    pub lead_unit: String,
    /// Responsible unit id.
    pub responsible_unit: String,
    /// Sub-headquarters id; blank takes the category's.
    pub sub_hq: String,
    /// [`BuildType::code`].
    pub build_type: String,
    /// Total investment in 万元.
    pub total_investment: String,
    /// Where the money comes from.
    pub funding_source: String,
    /// Longitude, in `coordinates`; blank with the latitude for no location.
    pub lon: String,
    /// Latitude, in `coordinates`.
    pub lat: String,
    /// The system `lon` and `lat` are written in ([`CoordinateSystem::code`] or any name
    /// [`CoordinateSystem::parse`] knows); blank is WGS-84. The project stores WGS-84.
    pub coordinates: String,
    /// The plan's year.
    pub year: String,
    /// [`PlanKind::code`].
    pub plan_kind: String,
    /// The year's planned investment in 万元.
    pub planned_investment: String,
    /// Planned start (开工): with `completion`, the milestones' dates are derived.
    pub start: String,
    /// Planned completion.
    pub completion: String,
    /// Otherwise each milestone's planned date, in order.
    pub milestone_dates: Vec<String>,
}

impl ProjectInput {
    /// The form of a stored project, planned for `year` (its latest plan's year if it has no
    /// plan that year).
    pub fn of(project: &Project) -> ProjectInput {
        let plan = project.year_plans.iter().max_by_key(|p| p.year);
        let wan = |m: Money| trim_wan(m.wan());
        ProjectInput {
            code: project.code.clone(),
            name: project.name.clone(),
            category: project.category.to_string(),
            district: project.district.to_string(),
            street: project.street.clone(),
            lead_unit: project.lead_unit.to_string(),
            responsible_unit: project.responsible_unit.to_string(),
            sub_hq: project.sub_hq.to_string(),
            build_type: project.build_type.code().to_string(),
            total_investment: wan(project.total_investment),
            funding_source: project.funding_source.clone(),
            lon: project
                .location
                .map(|l| l.lon.to_string())
                .unwrap_or_default(),
            lat: project
                .location
                .map(|l| l.lat.to_string())
                .unwrap_or_default(),
            coordinates: CoordinateSystem::Wgs84.code().to_string(),
            year: plan.map(|p| p.year.to_string()).unwrap_or_default(),
            plan_kind: plan.map(|p| p.kind.code().to_string()).unwrap_or_default(),
            planned_investment: plan.map(|p| wan(p.planned_investment)).unwrap_or_default(),
            start: String::new(),
            completion: String::new(),
            milestone_dates: project
                .milestones
                .iter()
                .map(|m| m.planned.to_string())
                .collect(),
        }
    }
}

fn trim_wan(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Whether `project`'s baseline is frozen: one of its year plans is approved.
pub fn baseline_frozen(project: &Project) -> bool {
    project
        .year_plans
        .iter()
        .any(|p| p.status == PlanStatus::Approved)
}

/// The code a new project of `year` gets: `{year}-XM-{NNNN}`, one past the largest number of
/// that year's such codes in `portfolio` (from 0001).
pub fn next_project_code(year: i16, portfolio: &Portfolio) -> String {
    let prefix = format!("{year}-XM-");
    let last = portfolio
        .projects
        .iter()
        .filter_map(|p| p.code.strip_prefix(&prefix))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:04}", last + 1)
}

/// A field's problems, collected.
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, field: &str, what: impl std::fmt::Display) {
        self.0.push(format!("{field}：{what}"));
    }
}

fn wan(text: &str, field: &str, problems: &mut Problems) -> Money {
    let t = text.trim().replace(',', "");
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..1e8).contains(&v) => Money::from_wan(v),
        _ if t.is_empty() => {
            problems.push(field, "请填写金额（万元）");
            Money(0)
        }
        _ => {
            problems.push(field, "须为不小于 0 的金额（万元），如 1250.5");
            Money(0)
        }
    }
}

fn unit(
    portfolio: &Portfolio,
    text: &str,
    kind: UnitKind,
    keep: Option<UnitId>,
    field: &str,
    problems: &mut Problems,
) -> UnitId {
    let found = text
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| portfolio.unit(UnitId(id)))
        .filter(|u| u.kind == kind && (u.active || Some(u.id) == keep));
    match found {
        Some(u) => u.id,
        None => {
            problems.push(field, format!("请选择一个在用的{}", kind.label()));
            UnitId(0)
        }
    }
}

/// A coordinate as typed: a finite number of degrees, not yet checked against the bounds.
fn coordinate(
    text: &str,
    (lo, hi): (f64, f64),
    field: &str,
    problems: &mut Problems,
) -> Option<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            problems.push(
                field,
                format!(
                    "须为 {lo}–{hi} 之间的度数（十进制，如 {}）",
                    (lo + hi) / 2.0
                ),
            );
            None
        }
    }
}

/// The location typed, in WGS-84: both blank is none; otherwise both must be numbers within
/// China, written in the system chosen.
fn location(
    input: &ProjectInput,
    city: Option<coords::Bounds>,
    stored: Option<GeoPoint>,
    problems: &mut Problems,
) -> Option<GeoPoint> {
    let system = match input.coordinates.trim() {
        "" => Some(CoordinateSystem::Wgs84),
        name => match name.parse::<CoordinateSystem>() {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push("坐标系", e.to_string());
                None
            }
        },
    };
    let (lon, lat) = match (input.lon.trim(), input.lat.trim()) {
        ("", "") => return None,
        (lon, lat) => (
            coordinate(lon, LON_RANGE, "经度", problems),
            coordinate(lat, LAT_RANGE, "纬度", problems),
        ),
    };
    let (lon, lat) = (lon?, lat?);
    if let Err(problem) = coords::CHINA.check(lon, lat) {
        let field = match problem {
            OutOfBounds::Swapped | OutOfBounds::Longitude => "经度",
            OutOfBounds::Latitude => "纬度",
        };
        problems.push(field, coords::CHINA.explain(problem, lon, lat));
        return None;
    }
    let at = system?.to_wgs84(GeoPoint { lon, lat });
    // A stored location kept as it was is not checked against the city again (its outlines may
    // have come later): only a new or moved one is.
    if let Some(stored) = stored
        && (stored.lon - at.lon).abs() < 1e-7
        && (stored.lat - at.lat).abs() < 1e-7
    {
        return Some(stored);
    }
    // Within China, but within this city? (Its districts' outlines say, where stored.)
    if let Some(city) = city
        && let Err(problem) = city.check(at.lon, at.lat)
    {
        let field = match problem {
            OutOfBounds::Swapped | OutOfBounds::Longitude => "经度",
            OutOfBounds::Latitude => "纬度",
        };
        problems.push(field, city.explain_outside_city(problem, at.lon, at.lat));
        return None;
    }
    Some(at)
}

fn date(text: &str, field: &str, problems: &mut Problems) -> Option<Date> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(field, "须为日期，格式 YYYY-MM-DD，如 2021-10-31");
            None
        }
    }
}

/// Reads `input` into a project: `existing` is the stored project being edited (its id, code,
/// scale, milestones' ids and actual dates and other years' plans kept), `None` for a new one
/// (ids 0, its year plan a draft). Every problem is returned at once.
pub fn check_project(
    input: &ProjectInput,
    existing: Option<&Project>,
    portfolio: &Portfolio,
) -> Result<Project, Vec<String>> {
    let mut problems = Problems(Vec::new());
    let p = &mut problems;

    let name = input.name.trim().to_string();
    if name.is_empty() {
        p.push("项目名称", "不能为空");
    } else if name.chars().count() > NAME_MAX {
        p.push("项目名称", format!("不能超过 {NAME_MAX} 个字"));
    }

    let category: Option<&Category> = input
        .category
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| portfolio.category(CategoryId(id)));
    if category.is_none() {
        p.push("项目类别", "请选择一个类别");
    }
    let district = unit(
        portfolio,
        &input.district,
        UnitKind::District,
        existing.map(|e| e.district),
        "所属县区",
        p,
    );
    let responsible_unit = unit(
        portfolio,
        &input.responsible_unit,
        UnitKind::ResponsibleUnit,
        existing.map(|e| e.responsible_unit),
        "责任单位",
        p,
    );
    let lead_unit = match (input.lead_unit.trim(), category) {
        ("", Some(c)) => c.lead_unit,
        (text, _) => unit(
            portfolio,
            text,
            UnitKind::LeadUnit,
            existing.map(|e| e.lead_unit),
            "牵头单位",
            p,
        ),
    };
    let sub_hq = match (input.sub_hq.trim(), category) {
        ("", Some(c)) => c.sub_hq,
        (text, _) => unit(
            portfolio,
            text,
            UnitKind::SubHq,
            existing.map(|e| e.sub_hq),
            "分指挥部",
            p,
        ),
    };
    let build_type = BuildType::from_code(input.build_type.trim()).unwrap_or_else(|| {
        p.push("建设性质", "请选择新建、改造或整治");
        BuildType::New
    });
    let total_investment = wan(&input.total_investment, "总投资", p);
    let location = location(
        input,
        portfolio.city_bounds().map(coords::city_box),
        existing.and_then(|e| e.location),
        p,
    );

    // The year's plan.
    let year = input
        .year
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        p.push("计划年度", "须为 2000 至 2100 之间的年份，如 2021");
    }
    let kind = PlanKind::from_code(input.plan_kind.trim()).unwrap_or_else(|| {
        p.push("计划类型", "请选择年度建设或前期或跨年");
        PlanKind::Construction
    });
    let planned_investment = wan(&input.planned_investment, "年度计划投资", p);
    let mut year_plans = existing.map(|e| e.year_plans.clone()).unwrap_or_default();
    if let Some(year) = year {
        match year_plans.iter_mut().find(|y| y.year == year) {
            Some(plan) if plan.status == PlanStatus::Approved => {
                if plan.kind != kind || plan.planned_investment != planned_investment {
                    p.push(
                        "年度计划",
                        format!("{year} 年计划已批准，计划类型和计划投资只能通过计划调整修改"),
                    );
                }
            }
            Some(plan) => {
                plan.kind = kind;
                plan.planned_investment = planned_investment;
            }
            None => {
                year_plans.push(YearPlan {
                    year,
                    kind,
                    planned_investment,
                    status: PlanStatus::Draft,
                    adjusted_investment: None,
                    cancelled_on: None,
                });
                year_plans.sort_by_key(|y| y.year);
            }
        }
    }

    let milestones = match (existing, category) {
        (Some(e), _) => edited_milestones(input, e, category, p),
        (None, Some(c)) => new_milestones(input, c, p),
        (None, None) => Vec::new(),
    };

    let code = match existing {
        Some(e) => e.code.clone(),
        None => {
            let typed = input.code.trim();
            if typed.is_empty() {
                year.map(|y| next_project_code(y, portfolio))
                    .unwrap_or_default()
            } else {
                if typed.chars().count() > 40 {
                    p.push("项目编码", "不能超过 40 个字符");
                } else if portfolio.projects.iter().any(|pr| pr.code == typed) {
                    p.push("项目编码", format!("「{typed}」已被其他项目使用"));
                }
                typed.to_string()
            }
        }
    };

    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    Ok(Project {
        id: existing.map_or(ProjectId(0), |e| e.id),
        code,
        name,
        category: category.map_or(CategoryId(0), |c| c.id),
        sub_category: existing.and_then(|e| e.sub_category.clone()),
        district,
        street: input.street.trim().to_string(),
        lead_unit,
        responsible_unit,
        sub_hq,
        build_type,
        scale: existing.map(|e| e.scale.clone()).unwrap_or_default(),
        total_investment,
        funding_source: input.funding_source.trim().to_string(),
        location,
        suspended_on: existing.and_then(|e| e.suspended_on),
        year_plans,
        milestones,
    })
}

/// The planned dates typed: derived from start and completion by `shares` (a category), or
/// each milestone's (`names` in order). `None` when neither was given.
fn planned_dates(
    input: &ProjectInput,
    category: Option<&Category>,
    names: &[&str],
    p: &mut Problems,
) -> Option<(Vec<Date>, bool)> {
    let start = date(&input.start, "计划开工日期", p);
    let completion = date(&input.completion, "计划完工日期", p);
    match (
        start,
        completion,
        input.start.trim().is_empty(),
        input.completion.trim().is_empty(),
    ) {
        (Some(start), Some(completion), _, _) => {
            let category = category?;
            if completion < start {
                p.push("计划完工日期", "不能早于计划开工日期");
                return None;
            }
            if category.template.len() != names.len() {
                p.push(
                    "计划开工日期",
                    "该项目的节点与类别模板不一致，不能按模板推算，请逐个填写节点计划日期",
                );
                return None;
            }
            match category.derive_dates(start, completion) {
                Some(dates) => Some((dates, true)),
                None => {
                    p.push(
                        "计划开工日期",
                        "类别模板的工期占比之和不是 100，不能推算，请逐个填写节点计划日期",
                    );
                    None
                }
            }
        }
        (_, _, true, false) => {
            p.push("计划开工日期", "填写了完工日期时须同时填写开工日期");
            None
        }
        (_, _, false, true) => {
            p.push("计划完工日期", "填写了开工日期时须同时填写完工日期");
            None
        }
        (_, _, false, false) => None, // malformed, already named
        (None, None, true, true) => {
            let typed: Vec<&str> = input.milestone_dates.iter().map(|d| d.trim()).collect();
            if typed.iter().all(|d| d.is_empty()) {
                return None;
            }
            let mut dates = Vec::with_capacity(names.len());
            let mut ok = true;
            for (i, name) in names.iter().enumerate() {
                let field = format!("第{}个节点「{name}」", i + 1);
                let text = typed.get(i).copied().unwrap_or("");
                if text.is_empty() {
                    p.push(&field, "请填写计划日期");
                    ok = false;
                    continue;
                }
                match date(text, &field, p) {
                    Some(d) => {
                        if let Some(before) = dates.last()
                            && d < *before
                        {
                            p.push(&field, format!("计划日期不能早于上一节点（{before}）"));
                            ok = false;
                        }
                        dates.push(d);
                    }
                    None => ok = false,
                }
            }
            ok.then_some((dates, false))
        }
        _ => None,
    }
}

fn new_milestones(input: &ProjectInput, category: &Category, p: &mut Problems) -> Vec<Milestone> {
    let names: Vec<&str> = category.template.iter().map(|s| s.name.as_str()).collect();
    let before = p.0.len();
    let Some((dates, derived)) = planned_dates(input, Some(category), &names, p) else {
        if p.0.len() == before {
            p.push(
                "计划日期",
                "请填写计划开工和完工日期（按类别模板推算各节点），或逐个填写各节点计划日期",
            );
        }
        return Vec::new();
    };
    category
        .template
        .iter()
        .zip(dates)
        .enumerate()
        .map(|(i, (step, planned))| Milestone {
            id: MilestoneId(0),
            seq: i as u16 + 1,
            name: step.name.clone(),
            weight: step.weight,
            enters: step.enters,
            planned,
            actual: None,
            derived,
            adjusted: None,
        })
        .collect()
}

fn edited_milestones(
    input: &ProjectInput,
    existing: &Project,
    category: Option<&Category>,
    p: &mut Problems,
) -> Vec<Milestone> {
    let names: Vec<&str> = existing
        .milestones
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    let frozen = baseline_frozen(existing);
    let typed_start = !input.start.trim().is_empty() || !input.completion.trim().is_empty();
    if frozen {
        let unchanged = !typed_start
            && input.milestone_dates.iter().enumerate().all(|(i, d)| {
                d.trim().is_empty()
                    || existing
                        .milestones
                        .get(i)
                        .is_some_and(|m| m.planned.to_string() == d.trim())
            });
        if !unchanged {
            p.push(
                "计划日期",
                "年度计划已批准，节点计划日期是基线，只能通过计划调整修改",
            );
        }
        return existing.milestones.clone();
    }
    let Some((dates, derived)) = planned_dates(input, category, &names, p) else {
        return existing.milestones.clone();
    };
    existing
        .milestones
        .iter()
        .zip(dates)
        .map(|(m, planned)| {
            let same = m.planned == planned;
            Milestone {
                planned,
                derived: if same && !derived { m.derived } else { derived },
                ..m.clone()
            }
        })
        .collect()
}

/// The names of the fields that differ between a stored project and its edit, for the audit
/// trail.
pub fn changed_fields(before: &Project, after: &Project) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, differs: bool| {
        if differs {
            out.push(name.to_string());
        }
    };
    check("name", before.name != after.name);
    check("category_id", before.category != after.category);
    check("district_id", before.district != after.district);
    check("street", before.street != after.street);
    check("lead_unit_id", before.lead_unit != after.lead_unit);
    check(
        "responsible_unit_id",
        before.responsible_unit != after.responsible_unit,
    );
    check("sub_hq_id", before.sub_hq != after.sub_hq);
    check("build_type", before.build_type != after.build_type);
    check(
        "total_investment",
        before.total_investment != after.total_investment,
    );
    check(
        "funding_source",
        before.funding_source != after.funding_source,
    );
    check("location", before.location != after.location);
    check("year_plans", before.year_plans != after.year_plans);
    check("milestones", before.milestones != after.milestones);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProjectStatus, TemplateStep, Unit};
    use jiff::civil::date as d;

    fn unit(id: i64, kind: UnitKind) -> Unit {
        Unit {
            id: UnitId(id),
            kind,
            name: format!("{}{id}", kind.label()),
            parent: None,
            active: true,
        }
    }

    fn step(name: &str, weight: u32, share: u32, enters: Option<ProjectStatus>) -> TemplateStep {
        TemplateStep {
            name: name.into(),
            weight,
            enters,
            share,
        }
    }

    fn city() -> Portfolio {
        Portfolio {
            units: vec![
                unit(1, UnitKind::SubHq),
                unit(2, UnitKind::LeadUnit),
                unit(3, UnitKind::District),
                unit(4, UnitKind::ResponsibleUnit),
                unit(5, UnitKind::District),
            ],
            categories: vec![Category {
                id: CategoryId(1),
                code: "park".into(),
                name: "公园".into(),
                sub_hq: UnitId(1),
                lead_unit: UnitId(2),
                template: vec![
                    step("开工", 30, 0, Some(ProjectStatus::UnderConstruction)),
                    step("完工", 50, 80, Some(ProjectStatus::Built)),
                    step("验收", 20, 20, Some(ProjectStatus::Accepted)),
                ],
                template_version: 1,
            }],
            ..Portfolio::default()
        }
    }

    #[test]
    fn a_new_location_outside_the_citys_outlines_is_refused_a_kept_one_is_not() {
        // 厦门-like outlines around (118.1, 24.5).
        let mut portfolio = city();
        let square = |w: f64, s: f64, side: f64| {
            vec![
                GeoPoint { lon: w, lat: s },
                GeoPoint {
                    lon: w + side,
                    lat: s,
                },
                GeoPoint {
                    lon: w + side,
                    lat: s + side,
                },
                GeoPoint {
                    lon: w,
                    lat: s + side,
                },
                GeoPoint { lon: w, lat: s },
            ]
        };
        portfolio.district_boundaries.insert(
            UnitId(3),
            std::sync::Arc::new(crate::boundary::Boundary {
                polygons: vec![crate::boundary::BoundaryPolygon {
                    exterior: square(118.0, 24.4, 0.2),
                    holes: Vec::new(),
                }],
            }),
        );
        assert!(check_project(&input(), None, &portfolio).is_ok(), "inside");
        // 福州's coordinates typed by mistake: in China, not in this city.
        let mut far = input();
        far.lon = "119.3".into();
        far.lat = "26.08".into();
        let e = check_project(&far, None, &portfolio).unwrap_err();
        assert!(
            e.iter()
                .any(|m| m.starts_with("经度") && m.contains("不在本市范围内")),
            "{e:?}"
        );
        // A project already stored there keeps its place through an edit of something else.
        let mut stored = check_project(&input(), None, &city()).expect("valid");
        stored.id = ProjectId(9);
        stored.location = Some(GeoPoint {
            lon: 119.3,
            lat: 26.08,
        });
        assert!(check_project(&far, Some(&stored), &portfolio).is_ok());
    }

    fn input() -> ProjectInput {
        ProjectInput {
            name: "映湖公园".into(),
            category: "1".into(),
            district: "3".into(),
            responsible_unit: "4".into(),
            build_type: "new".into(),
            total_investment: "1,250.5".into(),
            lon: "118.1".into(),
            lat: "24.5".into(),
            year: "2021".into(),
            plan_kind: "construction".into(),
            planned_investment: "800".into(),
            start: "2021-03-01".into(),
            completion: "2021-12-01".into(),
            ..ProjectInput::default()
        }
    }

    #[test]
    fn a_new_project_takes_the_category_units_a_code_and_derived_milestones() {
        let pr = check_project(&input(), None, &city()).expect("valid");
        assert_eq!(pr.code, "2021-XM-0001");
        assert_eq!((pr.lead_unit, pr.sub_hq), (UnitId(2), UnitId(1)));
        assert_eq!(pr.total_investment, Money(12_505_000));
        assert_eq!(pr.year_plans[0].status, PlanStatus::Draft);
        let dates: Vec<Date> = pr.milestones.iter().map(|m| m.planned).collect();
        // 275 days: 0% → 3-01, 80% → +220 days, 100% → 12-01.
        assert_eq!(dates, vec![d(2021, 3, 1), d(2021, 10, 7), d(2021, 12, 1)]);
        assert!(pr.milestones.iter().all(|m| m.derived && m.id.0 == 0));
        assert_eq!(
            pr.location,
            Some(GeoPoint {
                lon: 118.1,
                lat: 24.5
            })
        );
    }

    #[test]
    fn codes_continue_the_years_sequence() {
        let mut city = city();
        let mut first = check_project(&input(), None, &city).expect("valid");
        first.code = "2021-XM-0041".into();
        city.projects.push(std::sync::Arc::new(first));
        assert_eq!(next_project_code(2021, &city), "2021-XM-0042");
        assert_eq!(next_project_code(2022, &city), "2022-XM-0001");
        let mut i = input();
        i.code = "2021-XM-0041".into();
        let e = check_project(&i, None, &city).unwrap_err();
        assert_eq!(
            e,
            vec!["项目编码：「2021-XM-0041」已被其他项目使用".to_string()]
        );
    }

    #[test]
    fn coordinates_are_range_checked_and_go_in_pairs() {
        for (lon, lat, field) in [
            ("24.5", "118.1", "经度"),
            ("181", "24.5", "经度"),
            ("118.1", "", "纬度"),
            ("118.1", "北纬24度", "纬度"),
            ("NaN", "24.5", "经度"),
        ] {
            let mut i = input();
            i.lon = lon.into();
            i.lat = lat.into();
            let e = check_project(&i, None, &city()).unwrap_err();
            assert!(e.iter().any(|m| m.starts_with(field)), "{lon},{lat}: {e:?}");
        }
        let mut i = input();
        i.lon = "73".into();
        i.lat = "54".into();
        assert!(
            check_project(&i, None, &city()).is_ok(),
            "the edges are in range"
        );
        i.lon = String::new();
        i.lat = " ".into();
        assert_eq!(
            check_project(&i, None, &city()).expect("valid").location,
            None
        );
    }

    #[test]
    fn coordinates_typed_in_gcj02_or_bd09_are_stored_in_wgs84() {
        let typed = GeoPoint {
            lon: 118.1,
            lat: 24.5,
        };
        for (name, system) in [
            ("gcj02", CoordinateSystem::Gcj02),
            ("百度", CoordinateSystem::Bd09),
            ("wgs84", CoordinateSystem::Wgs84),
            ("", CoordinateSystem::Wgs84),
        ] {
            let mut i = input();
            i.coordinates = name.into();
            let pr = check_project(&i, None, &city()).expect("valid");
            assert_eq!(pr.location, Some(system.to_wgs84(typed)), "{name:?}");
        }
        let stored = check_project(&input(), None, &city()).expect("valid");
        assert_eq!(ProjectInput::of(&stored).coordinates, "wgs84");
    }

    #[test]
    fn an_unknown_coordinate_system_and_a_swapped_pair_are_named() {
        let mut i = input();
        i.coordinates = "北京54".into();
        let e = check_project(&i, None, &city()).unwrap_err();
        assert_eq!(
            e,
            vec![
                "坐标系：未知坐标系「北京54」：应为 WGS-84（GPS）、GCJ-02（高德、腾讯）或 BD-09（百度）"
                    .to_string()
            ]
        );
        let mut i = input();
        i.lon = "24.5".into();
        i.lat = "118.1".into();
        let e = check_project(&i, None, &city()).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("经度：经纬度可能填反了"), "{e:?}");
    }

    #[test]
    fn milestone_dates_one_by_one_in_order() {
        let mut i = input();
        i.start = String::new();
        i.completion = String::new();
        i.milestone_dates = vec!["2021-03-01".into(), "2021-02-01".into(), String::new()];
        let e = check_project(&i, None, &city()).unwrap_err();
        assert_eq!(
            e,
            vec![
                "第2个节点「完工」：计划日期不能早于上一节点（2021-03-01）".to_string(),
                "第3个节点「验收」：请填写计划日期".to_string(),
            ]
        );
        i.milestone_dates = vec![
            "2021-03-01".into(),
            "2021-09-01".into(),
            "2021-09-01".into(),
        ];
        let pr = check_project(&i, None, &city()).expect("valid");
        assert!(pr.milestones.iter().all(|m| !m.derived));
        i.milestone_dates.clear();
        let e = check_project(&i, None, &city()).unwrap_err();
        assert!(
            e[0].starts_with("计划日期：请填写计划开工和完工日期"),
            "{e:?}"
        );
        i.start = "2021-12-02".into();
        i.completion = "2021-12-01".into();
        let e = check_project(&i, None, &city()).unwrap_err();
        assert_eq!(e, vec!["计划完工日期：不能早于计划开工日期".to_string()]);
    }

    #[test]
    fn every_field_is_named() {
        let e = check_project(&ProjectInput::default(), None, &city()).unwrap_err();
        for field in [
            "项目名称",
            "项目类别",
            "所属县区",
            "责任单位",
            "建设性质",
            "总投资",
            "计划年度",
            "计划类型",
            "年度计划投资",
        ] {
            assert!(e.iter().any(|m| m.starts_with(field)), "{field}: {e:?}");
        }
        let mut i = input();
        i.district = "4".into(); // a responsible unit, not a district
        i.total_investment = "-1".into();
        let e = check_project(&i, None, &city()).unwrap_err();
        assert_eq!(
            e,
            vec![
                "所属县区：请选择一个在用的县区".to_string(),
                "总投资：须为不小于 0 的金额（万元），如 1250.5".to_string(),
            ]
        );
    }

    #[test]
    fn an_approved_baseline_is_kept_and_other_fields_change() {
        let mut stored = check_project(&input(), None, &city()).expect("valid");
        stored.id = ProjectId(7);
        for (n, m) in stored.milestones.iter_mut().enumerate() {
            m.id = MilestoneId(n as i64 + 1);
        }
        stored.year_plans[0].status = PlanStatus::Approved;
        let mut i = ProjectInput::of(&stored);
        i.name = "映湖公园（一期）".into();
        i.district = "5".into();
        let edited = check_project(&i, Some(&stored), &city()).expect("valid");
        assert_eq!(edited.milestones, stored.milestones);
        assert_eq!(edited.district, UnitId(5));
        assert_eq!(edited.code, stored.code);
        assert_eq!(
            changed_fields(&stored, &edited),
            vec!["name", "district_id"]
        );
        // Dates typed differently are refused, as is a derivation or a new investment.
        let mut moved = i.clone();
        moved.milestone_dates[1] = "2021-11-01".into();
        let e = check_project(&moved, Some(&stored), &city()).unwrap_err();
        assert_eq!(
            e,
            vec!["计划日期：年度计划已批准，节点计划日期是基线，只能通过计划调整修改".to_string()]
        );
        let mut derived = i.clone();
        derived.start = "2021-04-01".into();
        derived.completion = "2021-12-01".into();
        assert!(check_project(&derived, Some(&stored), &city()).is_err());
        let mut money = i.clone();
        money.planned_investment = "900".into();
        let e = check_project(&money, Some(&stored), &city()).unwrap_err();
        assert!(e[0].contains("2021 年计划已批准"), "{e:?}");
        // A draft plan's dates may change: the edited date is no longer derived.
        stored.year_plans[0].status = PlanStatus::Draft;
        let edited = check_project(&moved, Some(&stored), &city()).expect("draft");
        assert_eq!(edited.milestones[1].planned, d(2021, 11, 1));
        assert!(!edited.milestones[1].derived);
        assert!(
            edited.milestones[0].derived,
            "an unchanged date keeps its mark"
        );
        assert_eq!(edited.milestones[1].id, MilestoneId(2));
    }

    #[test]
    fn a_new_year_is_a_draft_plan_beside_the_others() {
        let mut stored = check_project(&input(), None, &city()).expect("valid");
        stored.id = ProjectId(7);
        stored.year_plans[0].status = PlanStatus::Approved;
        let mut i = ProjectInput::of(&stored);
        i.year = "2022".into();
        i.planned_investment = "450.5".into();
        let edited = check_project(&i, Some(&stored), &city()).expect("valid");
        assert_eq!(edited.year_plans.len(), 2);
        assert_eq!(edited.year_plans[1].status, PlanStatus::Draft);
        assert_eq!(edited.year_plans[1].planned_investment, Money(4_505_000));
    }
}
