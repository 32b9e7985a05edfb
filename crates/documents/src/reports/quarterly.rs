//! The quarterly analysis (一季一分析) as a document: the headline rates at the quarter's start
//! and end, the categories and districts compared, the trend and the projects finished per
//! category (charts drawn as on the page; their figures as tables when charts cannot be
//! rasterised), the projects that moved and those that stalled, the recurring problems, and
//! the next steps left for the writer. Every figure is a field of the domain's
//! [`QuarterlyAnalysis`].

use jianguan_charts::{Bar, BarChart, Lang, LineChart, LineSeries, ValueFormat, palette_color};
use jianguan_domain::fmt;
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::Figures;
use jianguan_domain::quarterly::{
    Comparison, ProblemCount, ProjectMove, QuarterlyAnalysis, TREND_RATES,
};

use crate::docx::{
    Align, Block, Column, DocxError, HeadingLevel, OfficialDocument, Run, Signature, Table,
};

/// A change of a rate in a table whose header says the unit: "+0.52", "0", "—".
fn points_cell(before: Option<f64>, after: Option<f64>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => {
            let d = (a - b) * 100.0;
            if d.abs() < 0.005 {
                "0".to_string()
            } else {
                format!("{d:+.2}")
            }
        }
        _ => "—".to_string(),
    }
}

/// "由 a 提高到 b（+x个百分点）" for a headline rate.
fn movement(name: &str, before: Option<f64>, after: Option<f64>) -> String {
    let verb = match (before, after) {
        (Some(b), Some(a)) if a > b + 0.00005 => "提高到",
        (Some(b), Some(a)) if a + 0.00005 < b => "下降到",
        _ => "变为",
    };
    format!(
        "{name}由{}{verb}{}（{}）",
        fmt::rate(before),
        fmt::rate(after),
        fmt::points(before, after)
    )
}

/// The quarter's name in `lang`: 2021年第三季度, or 2021-Q3.
fn quarter_name(analysis: &QuarterlyAnalysis, lang: Lang) -> String {
    match lang {
        Lang::Zh => analysis.quarter.label(),
        Lang::En => format!("Q{} {}", analysis.quarter.number(), analysis.quarter.year()),
    }
}

/// The trend of the main rates over the quarter: the page and the document draw this one chart
/// (the page in its reader's language, the document in Chinese).
pub fn trend_chart(analysis: &QuarterlyAnalysis, lang: Lang) -> LineChart {
    LineChart {
        title: lang.tn("{n}主要比率走势", quarter_name(analysis, lang)),
        series: analysis
            .trend_series()
            .into_iter()
            .map(|(name, points)| LineSeries {
                name: lang.t(name).to_string(),
                color: None,
                points: points
                    .into_iter()
                    .map(|(d, v)| (format!("{}/{}", d.month(), d.day()), v))
                    .collect(),
            })
            .collect(),
        y_max: Some(1.0),
        y_format: ValueFormat::Percent,
        width: 720,
        height: 300,
        lang,
    }
}

/// The projects finished in the quarter per category, each category in its colour; each bar
/// links to `href` of its category when given (the page), not in the document.
pub fn finished_chart(
    analysis: &QuarterlyAnalysis,
    portfolio: &Portfolio,
    href: Option<&dyn Fn(jianguan_domain::model::CategoryId) -> String>,
    lang: Lang,
) -> BarChart {
    BarChart {
        title: lang.tn("{n}各类别完工项目（个）", quarter_name(analysis, lang)),
        bars: analysis
            .finished
            .iter()
            .map(|f| {
                let index = portfolio
                    .categories
                    .iter()
                    .position(|c| c.id == f.category)
                    .unwrap_or(0);
                Bar {
                    display: fmt::count(f.count),
                    tooltip: Some(format!(
                        "{}{}",
                        f.name,
                        lang.tn("：本季完工 {n} 个", f.count)
                    )),
                    label: f.name.clone(),
                    value: f.count as f64,
                    href: href.map(|h| h(f.category)),
                    color: Some(palette_color(index).to_string()),
                }
            })
            .collect(),
        max: None,
        target: None,
        from: None,
        width: 640,
        lang,
    }
}

/// The trend's figures as a table (when charts are not rasterised).
fn trend_table(analysis: &QuarterlyAnalysis, title: String) -> Table {
    let mut columns = vec![Column::new("日期", Align::Left).weight(1.4)];
    columns.extend(
        TREND_RATES
            .iter()
            .map(|(name, _)| Column::new(*name, Align::Right)),
    );
    Table {
        title: Some(title),
        columns,
        rows: analysis
            .trend
            .iter()
            .map(|(d, f)| {
                let mut row = vec![fmt::date_cn(*d)];
                row.extend(TREND_RATES.iter().map(|(_, rate)| fmt::rate(rate(f))));
                row
            })
            .collect(),
    }
}

/// The projects finished per category as a table (when charts are not rasterised).
fn finished_table(analysis: &QuarterlyAnalysis, title: String) -> Table {
    Table {
        title: Some(title),
        columns: vec![
            Column::new("类别", Align::Left).weight(2.0),
            Column::new("本季完工（个）", Align::Right),
        ],
        rows: analysis
            .finished
            .iter()
            .map(|f| vec![f.name.clone(), fmt::count(f.count)])
            .collect(),
    }
}

/// A chart as a picture 156 mm wide (the text block's width) with its caption.
#[cfg(feature = "svg-png")]
fn chart(svg: &str, caption: String, _table: Table) -> Result<Block, DocxError> {
    Ok(Block::Image(crate::docx::Image::from_svg(
        svg,
        156.0,
        Some(caption),
    )?))
}

/// Without the `svg-png` feature a chart's figures go in as a table.
#[cfg(not(feature = "svg-png"))]
fn chart(_svg: &str, _caption: String, table: Table) -> Result<Block, DocxError> {
    Ok(Block::Table(table))
}

fn comparison_row<Id>(c: &Comparison<Id>) -> Vec<String> {
    figures_row(&c.name, &c.start, &c.end)
}

fn figures_row(name: &str, a: &Figures, b: &Figures) -> Vec<String> {
    vec![
        name.to_string(),
        fmt::count(b.projects),
        fmt::rate(a.project_completion.value()),
        fmt::rate(b.project_completion.value()),
        points_cell(a.project_completion.value(), b.project_completion.value()),
        fmt::rate(b.node_completion.value()),
        points_cell(a.node_completion.value(), b.node_completion.value()),
        fmt::rate(b.investment.value()),
        fmt::delta(a.finished(), b.finished()),
    ]
}

fn comparison_table<Id>(
    title: &str,
    first: &str,
    rows: &[Comparison<Id>],
    total: (&Figures, &Figures),
) -> Table {
    let num = |h: &str| Column::new(h, Align::Right);
    let mut body: Vec<Vec<String>> = rows.iter().map(comparison_row).collect();
    body.push(figures_row("合计", total.0, total.1));
    Table {
        title: Some(title.to_string()),
        columns: vec![
            Column::new(first, Align::Left).weight(1.8),
            num("项目数").weight(0.8),
            num("季初项目完成率"),
            num("季末项目完成率"),
            num("变化（百分点）"),
            num("季末节点完成率"),
            num("变化（百分点）"),
            num("季末投资完成率"),
            num("本季完工").weight(0.8),
        ],
        rows: body,
    }
}

fn moves_table(title: &str, rows: &[ProjectMove], portfolio: &Portfolio, stalled: bool) -> Table {
    let mut columns = vec![
        Column::new("序号", Align::Center).weight(0.6),
        Column::new("项目", Align::Left).weight(2.6),
        Column::new("县区", Align::Left),
        Column::new("类别", Align::Left).weight(1.4),
    ];
    if stalled {
        columns.push(Column::new("进度", Align::Right).weight(0.8));
        columns.push(Column::new("逾期节点", Align::Right).weight(0.9));
    } else {
        columns.push(Column::new("季初", Align::Right).weight(0.8));
        columns.push(Column::new("季末", Align::Right).weight(0.8));
        columns.push(Column::new("变化（百分点）", Align::Right));
    }
    Table {
        title: Some(title.to_string()),
        columns,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut row = vec![
                    (i + 1).to_string(),
                    m.name.clone(),
                    portfolio.unit_name(m.district).to_string(),
                    portfolio.category_name(m.category).to_string(),
                ];
                if stalled {
                    row.push(format!("{:.0}%", m.end * 100.0));
                    row.push(m.overdue_milestones.to_string());
                } else {
                    row.push(format!("{:.0}%", m.start * 100.0));
                    row.push(format!("{:.0}%", m.end * 100.0));
                    row.push(format!("{:+.0}", m.change() * 100.0));
                }
                row
            })
            .collect(),
    }
}

fn problems_table(title: &str, first: &str, rows: &[ProblemCount]) -> Table {
    let num = |h: &str| Column::new(h, Align::Right);
    Table {
        title: Some(title.to_string()),
        columns: vec![
            Column::new(first, Align::Left).weight(2.0),
            num("本季新交办"),
            num("上季"),
            num("季末未办结"),
            num("季末逾期"),
            Column::new("反复出现", Align::Center),
        ],
        rows: rows
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    fmt::count(c.this_quarter),
                    fmt::count(c.last_quarter),
                    fmt::count(c.open),
                    fmt::count(c.overdue),
                    if c.recurring() { "是" } else { "" }.to_string(),
                ]
            })
            .collect(),
    }
}

/// The names of the recurring problems among `rows`, most frequent first, at most three.
fn recurring_names(rows: &[ProblemCount]) -> Vec<&str> {
    rows.iter()
        .filter(|c| c.recurring())
        .take(3)
        .map(|c| c.name.as_str())
        .collect()
}

/// The quarterly analysis as a document issued by `issuer`, dated the last day it covers (the
/// quarter's end once the quarter is over, not the day it was drafted; `jianguan report
/// --date` signs it on another day with [`super::date_document`]).
///
/// # Errors
///
/// [`DocxError::Svg`] when a chart cannot be rasterised (feature `svg-png`; without it the
/// charts' figures are written as tables and this never fails).
pub fn quarterly(
    analysis: &QuarterlyAnalysis,
    portfolio: &Portfolio,
    issuer: &str,
) -> Result<OfficialDocument, DocxError> {
    let label = analysis.quarter.label();
    let (a, b) = (&analysis.start_overview.total, &analysis.end_overview.total);
    let mut blocks = Vec::new();
    let mut figure = 0;
    let mut caption = |what: &str| {
        figure += 1;
        format!("图{figure}  {what}")
    };

    // 一、总体情况.
    blocks.push(Block::heading(HeadingLevel::First, "总体情况"));
    blocks.push(Block::paragraph(format!(
        "{label}，季初（{}）与季末（{}）相比{}，{}，{}，{}，{}；本季新增完工项目{}个，季末有{}个项目存在逾期节点，逾期节点{}个。",
        fmt::date_cn(analysis.start),
        fmt::date_cn(analysis.end),
        if analysis.is_complete() {
            ""
        } else {
            "（本季度尚未结束，季末按今天计）"
        },
        movement(
            "节点完成率",
            a.node_completion.value(),
            b.node_completion.value()
        ),
        movement("按期完成率", a.on_time.value(), b.on_time.value()),
        movement(
            "项目完成率",
            a.project_completion.value(),
            b.project_completion.value()
        ),
        movement("投资完成率", a.investment.value(), b.investment.value()),
        fmt::count(i128::from(b.finished()) - i128::from(a.finished())),
        fmt::count(b.overdue_projects),
        fmt::count(b.overdue_milestones),
    )));
    let title = caption(&format!("{label}主要比率走势"));
    blocks.push(chart(
        &trend_chart(analysis, Lang::Zh).to_svg(),
        title.clone(),
        trend_table(analysis, title),
    )?);

    // 二、分类别、分县区情况.
    blocks.push(Block::heading(HeadingLevel::First, "分类别、分县区情况"));
    let categories = analysis.categories();
    let districts = analysis.districts();
    if let (Some(first), Some(last)) = (categories.first(), categories.last()) {
        blocks.push(Block::paragraph(format!(
            "分类别看，{}{}，提高最多；{}季末项目完成率{}（{}），提高最少。",
            first.name,
            movement(
                "项目完成率",
                first.start.project_completion.value(),
                first.end.project_completion.value()
            ),
            last.name,
            fmt::rate(last.end.project_completion.value()),
            fmt::points(
                last.start.project_completion.value(),
                last.end.project_completion.value()
            ),
        )));
    }
    if !analysis.finished.is_empty() {
        let title = caption(&format!("{label}各类别完工项目（个）"));
        blocks.push(chart(
            &finished_chart(analysis, portfolio, None, Lang::Zh).to_svg(),
            title.clone(),
            finished_table(analysis, title),
        )?);
    }
    let total = (a, b);
    blocks.push(Block::Table(comparison_table(
        "分类别季初与季末对比（按项目完成率提高幅度排序）",
        "类别",
        &categories,
        total,
    )));
    if let (Some(first), Some(last)) = (districts.first(), districts.last()) {
        blocks.push(Block::paragraph(format!(
            "分县区看，{}项目完成率提高最多（{}），{}提高最少（{}）。",
            first.name,
            fmt::points(
                first.start.project_completion.value(),
                first.end.project_completion.value()
            ),
            last.name,
            fmt::points(
                last.start.project_completion.value(),
                last.end.project_completion.value()
            ),
        )));
    }
    blocks.push(Block::Table(comparison_table(
        "分县区季初与季末对比（按项目完成率提高幅度排序）",
        "县区",
        &districts,
        total,
    )));

    // 三、进展较快与停滞的项目.
    blocks.push(Block::heading(HeadingLevel::First, "进展较快与停滞的项目"));
    if analysis.movers.is_empty() {
        blocks.push(Block::paragraph("本季度没有项目。"));
    } else {
        blocks.push(Block::Table(moves_table(
            &format!(
                "本季进度（按节点权重）提升最多的{}个项目",
                analysis.movers.len()
            ),
            &analysis.movers,
            portfolio,
            false,
        )));
    }
    if analysis.stalled.is_empty() {
        blocks.push(Block::paragraph(
            "有逾期节点的项目本季均有进展，没有停滞的项目。",
        ));
    } else {
        blocks.push(Block::Paragraph(vec![
            Run::bold("停滞项目。"),
            Run::plain(format!(
                "以下{}个项目季末有逾期节点，本季进度没有变化，需重点督办。",
                analysis.stalled.len()
            )),
        ]));
        blocks.push(Block::Table(moves_table(
            "有逾期节点且本季无进展的项目（逾期节点多者在前）",
            &analysis.stalled,
            portfolio,
            true,
        )));
    }

    // 四、反复出现的问题.
    blocks.push(Block::heading(HeadingLevel::First, "反复出现的问题"));
    let opened: u64 = analysis.topics.iter().map(|c| c.this_quarter).sum();
    if opened == 0 {
        blocks.push(Block::paragraph("本季没有新交办的督办、协调、整改事项。"));
    } else {
        let open: u64 = analysis.topics.iter().map(|c| c.open).sum();
        let overdue: u64 = analysis.topics.iter().map(|c| c.overdue).sum();
        let mut text = format!(
            "本季新交办督办、协调、整改事项{}个，季末未办结{}个，其中逾期{}个。",
            fmt::count(opened),
            fmt::count(open),
            fmt::count(overdue)
        );
        let topics = recurring_names(&analysis.topics);
        if !topics.is_empty() {
            text.push_str(&format!(
                "{}等问题上季也曾出现，属反复出现的问题",
                topics.join("、")
            ));
            let bodies = recurring_names(&analysis.bodies);
            if bodies.is_empty() {
                text.push('。');
            } else {
                text.push_str(&format!("；需反复协调的单位有{}等。", bodies.join("、")));
            }
        }
        blocks.push(Block::paragraph(text));
        blocks.push(Block::Table(problems_table(
            "按问题类型",
            "问题类型",
            &analysis.topics,
        )));
        if !analysis.bodies.is_empty() {
            blocks.push(Block::Table(problems_table(
                "按需协调单位",
                "需协调单位",
                &analysis.bodies,
            )));
        }
    }

    // 五、下一步工作.
    blocks.push(Block::heading(HeadingLevel::First, "下一步工作"));
    blocks.push(Block::placeholder(
        "针对停滞项目和反复出现的问题提出下季度工作措施，由办公室撰写",
    ));

    Ok(super::finish(OfficialDocument {
        issuer: None,
        doc_number: None,
        title: format!("城市建管提升行动{label}分析"),
        addressee: None,
        blocks,
        attachments: Vec::new(),
        signature: Some(Signature {
            signer: issuer.to_string(),
            date: fmt::date_cn(analysis.end),
        }),
        note: None,
        record: None,
    }))
}
