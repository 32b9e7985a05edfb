//! The ledger written out: one row per project in exactly the columns import reads, so that
//! export → import gives the same projects, plus the status and latest progress (read-only
//! columns import ignores). Coordinates and amounts are written at the precision the ledger
//! carries ([`super::precision`]), the precision import compares at. Coordinates are written in
//! the system asked for (WGS-84, as stored, or GCJ-02 or BD-09 for phone maps), named in the
//! headers' brackets (经度（GCJ-02）), which import reads back.

use std::collections::{BTreeSet, HashMap};

use jianguan_domain::coords::CoordinateSystem;
use jianguan_domain::model::{Money, Portfolio, ProjectId};
use jianguan_domain::rates::status_as_of;
use jiff::civil::Date;
use rust_xlsxwriter::XlsxError;

use super::precision;
use crate::xlsx::{Column, ColumnFormat as F, Sheet, Value, write_workbook};

/// A project's latest progress report, as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestProgress {
    /// The period, e.g. 2021年第24期.
    pub period: String,
    /// The day that version was filed (unknown when read from investment figures alone).
    pub filed_on: Option<Date>,
    /// Investment completed to date (累计完成投资).
    pub investment_to_date: Money,
    /// The progress note.
    pub note: String,
}

/// Each project's latest report: the report of the latest period, its latest version.
pub fn latest_progress(portfolio: &Portfolio) -> HashMap<ProjectId, LatestProgress> {
    let periods: HashMap<_, _> = portfolio.periods.iter().map(|p| (p.id, p)).collect();
    let mut best: HashMap<ProjectId, (Date, u16, &jianguan_domain::model::ProgressReport)> =
        HashMap::new();
    for r in &portfolio.reports {
        let Some(period) = periods.get(&r.period) else {
            continue;
        };
        let rank = (period.end, r.version);
        match best.get(&r.project) {
            Some((end, version, _)) if (*end, *version) >= rank => {}
            _ => {
                best.insert(r.project, (period.end, r.version, r));
            }
        }
    }
    best.into_iter()
        .map(|(id, (_, _, r))| {
            let p = periods[&r.period];
            (
                id,
                LatestProgress {
                    period: format!("{}年第{}期", p.year, p.seq),
                    filed_on: Some(r.filed_on),
                    investment_to_date: r.investment_to_date,
                    note: r.note.clone(),
                },
            )
        })
        .collect()
}

/// Each project's latest investment to date, from the read model's `(project, period end,
/// amount)` points (no report texts needed: what the export uses at national scale). The
/// period is the one ending on the point's date; the note is empty.
pub fn latest_from_investment(
    portfolio: &Portfolio,
    investment: &[(ProjectId, Date, Money)],
) -> HashMap<ProjectId, LatestProgress> {
    let periods: HashMap<Date, (i16, u16)> = portfolio
        .periods
        .iter()
        .map(|p| (p.end, (p.year, p.seq)))
        .collect();
    let mut best: HashMap<ProjectId, (Date, Money)> = HashMap::new();
    for (id, end, amount) in investment {
        match best.get(id) {
            Some((e, _)) if e >= end => {}
            _ => {
                best.insert(*id, (*end, *amount));
            }
        }
    }
    best.into_iter()
        .map(|(id, (end, amount))| {
            let period = periods
                .get(&end)
                .map_or_else(|| format!("截至{end}"), |(y, s)| format!("{y}年第{s}期"));
            (
                id,
                LatestProgress {
                    period,
                    filed_on: None,
                    investment_to_date: amount,
                    note: String::new(),
                },
            )
        })
        .collect()
}

/// The ledger as a [`Sheet`] named 项目台账: every project in code order, the status as of
/// `as_of`, the latest progress from `latest`, the coordinates in `coordinates`.
pub fn ledger_sheet(
    portfolio: &Portfolio,
    latest: &HashMap<ProjectId, LatestProgress>,
    as_of: Date,
    coordinates: CoordinateSystem,
) -> Sheet {
    let mut steps: Vec<&str> = Vec::new();
    for c in &portfolio.categories {
        for s in &c.template {
            if !steps.contains(&s.name.as_str()) {
                steps.push(&s.name);
            }
        }
    }
    let years: BTreeSet<i16> = portfolio
        .projects
        .iter()
        .flat_map(|p| p.year_plans.iter().map(|y| y.year))
        .collect();
    let mut columns = vec![
        Column::new("项目编号", 14.0, F::Text),
        Column::new("项目名称", 36.0, F::Text),
        Column::new("项目类别", 18.0, F::Text),
        Column::new("子类别", 12.0, F::Text),
        Column::new("县区", 12.0, F::Text),
        Column::new("街道", 12.0, F::Text),
        Column::new("牵头单位", 14.0, F::Text),
        Column::new("责任单位", 22.0, F::Text),
        Column::new("分指挥部", 18.0, F::Text),
        Column::new("建设类型", 9.0, F::Text),
        Column::new("受益户数（户）", 10.0, F::Int),
        Column::new("面积（平方米）", 11.0, F::Int),
        Column::new("停车泊位（个）", 10.0, F::Int),
        Column::new("公厕（座）", 9.0, F::Int),
        Column::new("长度（米）", 9.0, F::Int),
        Column::new("总投资（万元）", 14.0, F::Wan),
        Column::new("资金来源", 14.0, F::Text),
        Column::new(format!("经度（{coordinates}）"), 12.0, F::Degrees),
        Column::new(format!("纬度（{coordinates}）"), 12.0, F::Degrees),
        Column::new("暂缓日期", 12.0, F::Date),
    ];
    for y in &years {
        columns.push(Column::new(format!("{y}年计划类型"), 12.0, F::Text));
        columns.push(Column::new(format!("{y}年计划投资（万元）"), 14.0, F::Wan));
    }
    for s in &steps {
        columns.push(Column::new(format!("{s}计划日期"), 12.0, F::Date));
        columns.push(Column::new(format!("{s}实际日期"), 12.0, F::Date));
    }
    columns.extend([
        Column::new(format!("状态（截至{as_of}）"), 10.0, F::Text),
        Column::new("最新填报期次", 14.0, F::Text),
        Column::new("最新填报日期", 12.0, F::Date),
        Column::new("累计完成投资（万元）", 14.0, F::Wan),
        Column::new("最新进展", 30.0, F::Text),
    ]);
    let mut projects: Vec<_> = portfolio.projects.iter().collect();
    projects.sort_by(|a, b| a.code.cmp(&b.code));
    let units: HashMap<_, _> = portfolio
        .units
        .iter()
        .map(|u| (u.id, u.name.as_str()))
        .collect();
    let unit = |id| Value::from(units.get(&id).copied().unwrap_or(""));
    let categories: HashMap<_, _> = portfolio
        .categories
        .iter()
        .map(|c| (c.id, c.name.as_str()))
        .collect();
    let mut rows = Vec::with_capacity(projects.len());
    for p in projects {
        let mut row = Vec::with_capacity(columns.len());
        let s = &p.scale;
        let location = p.location.map(|l| coordinates.from_wgs84(l));
        row.extend([
            Value::from(p.code.as_str()),
            p.name.as_str().into(),
            categories.get(&p.category).copied().unwrap_or("").into(),
            p.sub_category.as_deref().into(),
            unit(p.district),
            p.street.as_str().into(),
            unit(p.lead_unit),
            unit(p.responsible_unit),
            unit(p.sub_hq),
            p.build_type.label().into(),
            s.households.into(),
            s.area_m2.into(),
            s.parking_spaces.into(),
            s.toilets.into(),
            s.length_m.into(),
            precision::wan(p.total_investment).into(),
            p.funding_source.as_str().into(),
            location.map(|l| precision::degrees(l.lon)).into(),
            location.map(|l| precision::degrees(l.lat)).into(),
            p.suspended_on.into(),
        ]);
        for y in &years {
            match p.plan_for(*y) {
                Some(plan) => {
                    row.push(plan.kind.label().into());
                    row.push(precision::wan(plan.planned_investment).into());
                }
                None => row.extend([Value::Empty, Value::Empty]),
            }
        }
        for step in &steps {
            match p.milestones.iter().find(|m| m.name == *step) {
                Some(m) => {
                    row.push(m.planned.into());
                    row.push(m.actual.into());
                }
                None => row.extend([Value::Empty, Value::Empty]),
            }
        }
        row.push(status_as_of(p, as_of).label().into());
        match latest.get(&p.id) {
            Some(l) => row.extend([
                l.period.as_str().into(),
                l.filed_on.into(),
                precision::wan(l.investment_to_date).into(),
                l.note.as_str().into(),
            ]),
            None => row.extend([Value::Empty, Value::Empty, Value::Empty, Value::Empty]),
        }
        rows.push(row);
    }
    Sheet {
        name: "项目台账".into(),
        title: Some(format!("城市建管提升行动项目台账（截至{as_of}）")),
        columns,
        rows,
    }
}

/// The ledger workbook: the sheet of [`ledger_sheet`].
pub fn ledger_workbook(
    portfolio: &Portfolio,
    latest: &HashMap<ProjectId, LatestProgress>,
    as_of: Date,
    coordinates: CoordinateSystem,
) -> Result<Vec<u8>, XlsxError> {
    write_workbook(&[ledger_sheet(portfolio, latest, as_of, coordinates)])
}
