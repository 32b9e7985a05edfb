//! The office's tables other than the ledger: the district × category league table, filing
//! compliance and the monthly scores, laid out from the figures the domain computed.

use jianguan_domain::assessment::MonthScores;
use jianguan_domain::filing::{Compliance, FilingCounts};
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::{Figures, Overview};
use rust_xlsxwriter::XlsxError;

use super::{Column, ColumnFormat as F, Sheet, Value, write_workbook};

fn figure_columns() -> Vec<Column> {
    vec![
        Column::new("项目数", 9.0, F::Int),
        Column::new("年度建设项目", 11.0, F::Int),
        Column::new("已完成", 9.0, F::Int),
        Column::new("项目完成率", 11.0, F::Percent),
        Column::new("节点完成率", 11.0, F::Percent),
        Column::new("按期完成率", 11.0, F::Percent),
        Column::new("计划投资（万元）", 16.0, F::Wan),
        Column::new("完成投资（万元）", 16.0, F::Wan),
        Column::new("投资完成率", 11.0, F::Percent),
        Column::new("逾期节点", 9.0, F::Int),
        Column::new("逾期项目", 9.0, F::Int),
    ]
}

fn figure_values(f: &Figures) -> Vec<Value> {
    vec![
        f.projects.into(),
        f.planned().into(),
        f.finished().into(),
        f.project_completion.value().into(),
        f.node_completion.value().into(),
        f.on_time.value().into(),
        f.investment.planned.wan().into(),
        f.investment.completed.wan().into(),
        f.investment.value().into(),
        f.overdue_milestones.into(),
        f.overdue_projects.into(),
    ]
}

/// The league table of a year as of a date: sheets 县区排名 (districts), 类别进度 (categories) and
/// 县区×类别 (every district × category pair with projects), each row the domain's [`Figures`].
pub fn league_table_workbook(
    portfolio: &Portfolio,
    overview: &Overview,
) -> Result<Vec<u8>, XlsxError> {
    let title = |what: &str| {
        Some(format!(
            "{}年城市建管提升行动{}（截至{}）",
            overview.year, what, overview.as_of
        ))
    };
    let with_name = |first: &str| {
        let mut columns = vec![Column::new(first, 24.0, F::Text)];
        columns.extend(figure_columns());
        columns
    };
    let mut districts = Sheet::new("县区排名", with_name("县区"));
    districts.title = title("县区进度排名");
    let mut ranked: Vec<_> = overview.districts.iter().collect();
    // Ranked by project completion, then node completion, as the dispatch pack ranks them.
    ranked.sort_by(|a, b| {
        let key = |f: &Figures| {
            (
                f.project_completion.value().unwrap_or(-1.0),
                f.node_completion.value().unwrap_or(-1.0),
            )
        };
        key(&b.figures)
            .partial_cmp(&key(&a.figures))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for b in ranked {
        let mut row = vec![Value::from(b.name.as_str())];
        row.extend(figure_values(&b.figures));
        districts.rows.push(row);
    }
    let mut categories = Sheet::new("类别进度", with_name("类别"));
    categories.title = title("分类别进度");
    for b in &overview.categories {
        let mut row = vec![Value::from(b.name.as_str())];
        row.extend(figure_values(&b.figures));
        categories.rows.push(row);
    }
    let mut cell_columns = vec![
        Column::new("县区", 18.0, F::Text),
        Column::new("类别", 22.0, F::Text),
    ];
    cell_columns.extend(figure_columns());
    let mut cells = Sheet::new("县区×类别", cell_columns);
    cells.title = title("县区×类别进度");
    for c in &overview.cells {
        let mut row = vec![
            Value::from(portfolio.unit_name(c.district)),
            Value::from(portfolio.category_name(c.category)),
        ];
        row.extend(figure_values(&c.figures));
        cells.rows.push(row);
    }
    let mut total = Sheet::new("全市合计", with_name("范围"));
    total.title = title("全市合计");
    let mut row = vec![Value::from("全市")];
    row.extend(figure_values(&overview.total));
    total.rows.push(row);
    write_workbook(&[districts, categories, cells, total])
}

fn counts_columns(first: &str) -> Vec<Column> {
    vec![
        Column::new(first, 28.0, F::Text),
        Column::new("应报", 8.0, F::Int),
        Column::new("按时", 8.0, F::Int),
        Column::new("迟报", 8.0, F::Int),
        Column::new("漏报", 8.0, F::Int),
        Column::new("待报", 8.0, F::Int),
        Column::new("按时填报率", 12.0, F::Percent),
    ]
}

fn counts_row(name: &str, c: &FilingCounts) -> Vec<Value> {
    vec![
        name.into(),
        c.expected.into(),
        c.on_time.into(),
        c.late.into(),
        c.missing.into(),
        c.pending.into(),
        c.timeliness().value().into(),
    ]
}

/// The filing compliance of one period: sheets 县区 (per district), 责任单位 (per responsible
/// unit) and 迟报漏报 (the late and missing reports), from the domain's [`Compliance`].
pub fn compliance_workbook(
    portfolio: &Portfolio,
    compliance: &Compliance,
) -> Result<Vec<u8>, XlsxError> {
    let period = &compliance.period;
    let title = |what: &str| {
        Some(format!(
            "{}年第{}期（{}至{}）填报情况{}（截至{}）",
            period.year, period.seq, period.start, period.end, what, compliance.as_of
        ))
    };
    let mut districts = Sheet::new("县区", counts_columns("县区"));
    districts.title = title("·县区");
    for (id, c) in &compliance.by_district {
        districts.rows.push(counts_row(portfolio.unit_name(*id), c));
    }
    districts.rows.push(counts_row("合计", &compliance.total));
    let mut units = Sheet::new("责任单位", counts_columns("责任单位"));
    units.title = title("·责任单位");
    for (id, c) in &compliance.by_unit {
        units.rows.push(counts_row(portfolio.unit_name(*id), c));
    }
    let mut exceptions = Sheet::new(
        "迟报漏报",
        vec![
            Column::new("项目编号", 14.0, F::Text),
            Column::new("项目名称", 36.0, F::Text),
            Column::new("县区", 14.0, F::Text),
            Column::new("责任单位", 26.0, F::Text),
            Column::new("情况", 8.0, F::Text),
            Column::new("迟报天数", 10.0, F::Int),
        ],
    );
    exceptions.title = title("·迟报漏报清单");
    for e in &compliance.exceptions {
        let project = portfolio.project(e.project);
        let late = match e.filing {
            jianguan_domain::filing::Filing::Late(days) => Value::from(days),
            _ => Value::Empty,
        };
        exceptions.rows.push(vec![
            project.map(|p| p.code.as_str()).unwrap_or("").into(),
            project.map(|p| p.name.as_str()).unwrap_or("").into(),
            portfolio.unit_name(e.district).into(),
            portfolio.unit_name(e.unit).into(),
            e.filing.label().into(),
            late,
        ]);
    }
    write_workbook(&[districts, units, exceptions])
}

/// The monthly scores: per [`MonthScores`] (one per month and kind) a sheet named like
/// `2021-10县区` with rank, subject, base, deductions, bonuses, total, tier, then for each
/// indicator two columns: its value in its unit (headed with the unit, e.g. 节点完成率（%）:
/// 95.72) and the points it scored (e.g. 节点完成率得分: 78.60), in the domain's rank order.
pub fn scores_workbook(months: &[MonthScores]) -> Result<Vec<u8>, XlsxError> {
    let mut sheets = Vec::new();
    for m in months {
        // Code, name and unit of every indicator on the cards.
        let indicators: Vec<(String, String, String)> = m
            .subjects
            .first()
            .map(|s| {
                s.systems
                    .iter()
                    .flat_map(|sys| &sys.indicators)
                    .map(|l| (l.code.clone(), l.name.clone(), l.unit.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let mut columns = vec![
            Column::new("排名", 6.0, F::Int),
            Column::new(m.kind.label(), 24.0, F::Text),
            Column::new("指标得分", 10.0, F::Decimal),
            Column::new("扣分", 8.0, F::Decimal),
            Column::new("加分", 8.0, F::Decimal),
            Column::new("总分", 9.0, F::Decimal),
            Column::new("等次", 8.0, F::Text),
        ];
        for (code, name, unit) in &indicators {
            // Whole-number values (counts) without decimals; rates and scores with two.
            let whole = m.subjects.iter().all(|s| {
                s.indicator(code)
                    .and_then(|l| l.value)
                    .is_none_or(|v| v.fract() == 0.0)
            });
            let value_header = if unit.is_empty() {
                name.clone()
            } else {
                format!("{name}（{unit}）")
            };
            columns.push(Column::new(
                value_header,
                14.0,
                if whole { F::Int } else { F::Decimal },
            ));
            columns.push(Column::new(format!("{name}得分"), 12.0, F::Decimal));
        }
        let mut sheet = Sheet::new(format!("{}{}", m.month, m.kind.label()), columns);
        sheet.title = Some(format!(
            "{}{}考核得分（{}第{}版）",
            m.month,
            m.kind.label(),
            m.scheme.name,
            m.scheme.version
        ));
        for s in &m.subjects {
            let mut row = vec![
                s.rank.map(i64::from).into(),
                s.subject.name.as_str().into(),
                s.base.into(),
                s.deducted.into(),
                s.added.into(),
                s.total.into(),
                s.tier.clone().into(),
            ];
            for (code, _, _) in &indicators {
                let line = s.indicator(code);
                row.push(line.and_then(|l| l.value).into());
                row.push(line.and_then(|l| l.points).into());
            }
            sheet.rows.push(row);
        }
        sheets.push(sheet);
    }
    write_workbook(&sheets)
}
