//! The half-year or annual summary (工作总结), drafted in the structure of the speech: what was
//! achieved, with the figures (projects, rates, each category's result), then the problems
//! (districts lagging, categories behind with their late projects by name, inspection findings,
//! stuck coordination tickets, quality findings after completion), then the next steps, left
//! for the writer. The office edits the draft in Word.

use jianguan_domain::Date;
use jianguan_domain::fmt;
use jianguan_domain::fmt::ProsePrecision;
use jianguan_domain::followup::{ItemKind, ItemStatus, TrackedItem};
use jianguan_domain::highlights::Highlights;
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::{Figures, Overview, overdue_milestones};

use crate::docx::{Align, Block, Column, HeadingLevel, OfficialDocument, Run, Signature, Table};

/// Which part of the year a summary covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryPeriod {
    /// January to June.
    FirstHalf(i16),
    /// The whole year.
    Year(i16),
}

impl SummaryPeriod {
    /// Parses `2021` (the year) or `2021-H1` (the first half).
    pub fn parse(text: &str) -> Option<SummaryPeriod> {
        let text = text.trim();
        if let Some(year) = text.strip_suffix("-H1").or(text.strip_suffix("-h1")) {
            return year.parse().ok().map(SummaryPeriod::FirstHalf);
        }
        text.parse().ok().map(SummaryPeriod::Year)
    }

    /// The campaign year.
    pub fn year(self) -> i16 {
        match self {
            SummaryPeriod::FirstHalf(y) | SummaryPeriod::Year(y) => y,
        }
    }

    /// The last day it covers.
    pub fn last_day(self) -> Date {
        match self {
            SummaryPeriod::FirstHalf(y) => jiff::civil::date(y, 6, 30),
            SummaryPeriod::Year(y) => jiff::civil::date(y, 12, 31),
        }
    }

    /// Its name in a title: 2021年 or 2021年上半年.
    pub fn label(self) -> String {
        match self {
            SummaryPeriod::FirstHalf(y) => format!("{y}年上半年"),
            SummaryPeriod::Year(y) => format!("{y}年"),
        }
    }
}

/// What a summary is drafted from: the domain's figures for the period and the records behind
/// its problems.
pub struct SummaryInput<'a> {
    /// The projects, units and categories.
    pub portfolio: &'a Portfolio,
    /// The overview as of the period's last day (or today, if earlier).
    pub overview: &'a Overview,
    /// Every tracked item (inspection findings, coordination tickets).
    pub items: &'a [TrackedItem],
    /// The period.
    pub period: SummaryPeriod,
    /// The issuing office.
    pub issuer: &'a str,
    /// The day the draft is made (the signature's date).
    pub drafted_on: Date,
    /// The entered sanitation rates and the media register's counts as of the same day.
    pub highlights: &'a Highlights,
    /// How many decimals rates carry in sentences (tables keep two).
    pub precision: ProsePrecision,
}

/// A rate in a table: two decimals.
fn rate(r: jianguan_domain::rates::Ratio) -> String {
    fmt::rate(r.value())
}

fn para(text: impl Into<String>) -> Block {
    Block::paragraph(text)
}

/// A paragraph led by a bold phrase, as summaries write their points: "一是……。".
fn point(lead: &str, text: impl Into<String>) -> Block {
    Block::Paragraph(vec![Run::bold(lead), Run::plain(text)])
}

/// The sentence of one category's result (after its name), in the speech's words.
fn category_sentence(f: &Figures, precision: ProsePrecision) -> String {
    let mut s = format!(
        "计划实施{}个，已开工{}个，完工{}个，完工率{}",
        f.projects,
        f.started_projects,
        f.finished(),
        fmt::prose_rate(f.project_completion.value(), precision)
    );
    if f.investment.completed.0 > 0 {
        s.push_str(&format!(
            "，完成投资{}亿元",
            fmt::yi(f.investment.completed)
        ));
    }
    let scale = &f.finished_scale;
    let mut extra = Vec::new();
    if scale.households > 0 {
        extra.push(format!("惠及居民{}户", fmt::count(scale.households)));
    }
    if scale.toilets > 0 {
        let b = &f.finished_by_build_type;
        extra.push(format!(
            "建成公厕{}座（新建{}座、改造{}座）",
            fmt::count(scale.toilets),
            b.new,
            b.renovation + b.remediation
        ));
    }
    if scale.parking_spaces > 0 {
        extra.push(format!(
            "新增停车泊位{}个",
            fmt::count(scale.parking_spaces)
        ));
    }
    if !extra.is_empty() {
        s.push('，');
        s.push_str(&extra.join("，"));
    }
    s.push('。');
    s
}

/// The summary drafted from `input`.
pub fn summary(input: &SummaryInput<'_>) -> OfficialDocument {
    let SummaryInput {
        portfolio,
        overview,
        items,
        period,
        issuer,
        drafted_on,
        highlights,
        precision,
    } = *input;
    let prose = |r: jianguan_domain::rates::Ratio| fmt::prose_rate(r.value(), precision);
    let t = &overview.total;
    let as_of = overview.as_of;
    let mut blocks = Vec::new();

    // 一、主要成效.
    blocks.push(Block::heading(HeadingLevel::First, "主要工作成效"));
    blocks.push(para(format!(
        "{}，全市城市建管提升行动共实施项目{}个，已开工{}个。其中年度建设项目{}个，完工{}个，项目完成率{}；开展前期或跨年开工项目{}个。计划节点完成率{}，按期完成率{}；年度计划投资{}亿元，完成{}亿元，投资完成率{}。",
        period.label(),
        t.projects,
        t.started_projects,
        t.planned(),
        t.finished(),
        // The campaign's headline result keeps the tables' two decimals, as the speech writes
        // it (项目总完成率达90.52%); the other rates in prose follow the office's precision.
        fmt::rate(t.project_completion.value()),
        t.preliminary_projects,
        prose(t.node_completion),
        prose(t.on_time),
        fmt::yi(t.investment.planned),
        fmt::yi(t.investment.completed),
        fmt::prose_rate(t.investment.value(), precision),
    )));
    if let Some(text) = highlights_sentence(highlights) {
        blocks.push(para(text));
    }
    blocks.push(Block::heading(HeadingLevel::Second, "分类别推进情况"));
    for c in &overview.categories {
        if c.figures.projects == 0 {
            continue;
        }
        blocks.push(point(
            &format!("{}。", c.name),
            category_sentence(&c.figures, precision),
        ));
    }
    blocks.push(Block::Table(category_table(overview)));
    blocks.push(Block::heading(HeadingLevel::Second, "各县区推进情况"));
    blocks.push(Block::Table(district_table(overview)));

    // 二、存在问题.
    blocks.push(Block::heading(HeadingLevel::First, "存在的问题"));
    // Categories behind: those with milestones due and missed by the date (a category with
    // nothing due yet is on schedule, however few of its projects are finished), with their
    // late projects by name. Before the year's end, completion is not yet due: they are
    // measured by their milestones.
    let year_end = as_of >= jiff::civil::date(overview.year, 12, 31);
    let measure = |f: &Figures| {
        if year_end {
            f.project_completion.value()
        } else {
            f.node_completion.value()
        }
    };
    // Districts lagging: the lowest completion rates, named with their figures.
    let mut districts: Vec<_> = overview
        .districts
        .iter()
        .filter(|d| d.figures.planned() > 0)
        .collect();
    districts.sort_by(|a, b| {
        measure(&a.figures)
            .partial_cmp(&measure(&b.figures))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.name.cmp(&b.name))
    });
    if let Some(last) = districts.first()
        && last.figures.overdue_milestones > 0
    {
        let f = &last.figures;
        let (what, own, city) = if year_end {
            ("项目完成率", f.project_completion, t.project_completion)
        } else {
            ("节点完成率", f.node_completion, t.node_completion)
        };
        blocks.push(point(
            "县区推进不平衡。",
            format!(
                "{}{what}{}，低于全市{}，{}个项目有逾期节点，共逾期{}个节点。",
                last.name,
                prose(own),
                prose(city),
                f.overdue_projects,
                f.overdue_milestones
            ),
        ));
    }
    let overdue = overdue_milestones(portfolio, overview.year, as_of);
    let mut categories: Vec<_> = overview
        .categories
        .iter()
        .filter(|c| c.figures.planned() > 0 && c.figures.overdue_milestones > 0)
        .filter(|c| !year_end || c.figures.finished() < c.figures.planned())
        .collect();
    categories.sort_by(|a, b| {
        measure(&a.figures)
            .partial_cmp(&measure(&b.figures))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.name.cmp(&b.name))
    });
    for (n, c) in categories.iter().take(2).enumerate() {
        let mut names: Vec<&str> = Vec::new();
        for o in overdue.iter().filter(|o| o.category == c.id) {
            if let Some(p) = portfolio.project(o.project)
                && !names.contains(&p.name.as_str())
            {
                names.push(&p.name);
            }
            if names.len() == 3 {
                break;
            }
        }
        let f = &c.figures;
        let mut text = if year_end {
            format!(
                "{}完工率{}，尚有{}个项目未完成年度任务",
                c.name,
                prose(f.project_completion),
                f.planned() - f.finished()
            )
        } else {
            format!(
                "{}节点完成率{}，{}个项目有逾期节点，共逾期{}个节点",
                c.name,
                prose(f.node_completion),
                f.overdue_projects,
                f.overdue_milestones
            )
        };
        if !names.is_empty() {
            text.push_str(&format!("，其中{}等项目节点逾期", names.join("、")));
        }
        text.push('。');
        blocks.push(if n == 0 {
            point("类别之间进度不一。", text)
        } else {
            para(text)
        });
    }
    // Inspection findings: rectifications, and how many failed their first re-check.
    let in_period = |i: &&TrackedItem| i.opened_on <= as_of && i.opened_on.year() == period.year();
    let rectifications: Vec<&TrackedItem> = items
        .iter()
        .filter(|i| i.kind == ItemKind::Rectification)
        .filter(in_period)
        .collect();
    if !rectifications.is_empty() {
        let rejected = rectifications
            .iter()
            .filter(|i| {
                i.events
                    .iter()
                    .any(|e| e.action.code() == "reject" && e.on <= as_of)
            })
            .count();
        let open = rectifications
            .iter()
            .filter(|i| i.state_on(as_of).status != ItemStatus::Closed)
            .count();
        let examples: Vec<String> = rectifications
            .iter()
            .take(2)
            .map(|i| format!("“{}”", i.title))
            .collect();
        let still = if open == 0 {
            "目前均已整改到位".to_string()
        } else {
            format!("{open}个尚未整改到位")
        };
        blocks.push(point(
            "建设品质不一。",
            format!(
                "现场督查发现问题{}个，如{}；其中{}个首次复查未通过，{still}。",
                rectifications.len(),
                examples.join("、"),
                rejected,
            ),
        ));
    }
    // Coordination tickets still open as of the date, by outside body.
    let stuck: Vec<&TrackedItem> = items
        .iter()
        .filter(|i| i.kind == ItemKind::Coordination)
        .filter(in_period)
        .filter(|i| i.state_on(as_of).status != ItemStatus::Closed)
        .collect();
    if !stuck.is_empty() {
        let mut bodies: Vec<&str> = stuck
            .iter()
            .flat_map(|i| i.bodies.iter().map(String::as_str))
            .collect();
        bodies.sort_unstable();
        bodies.dedup();
        let oldest = stuck.iter().min_by_key(|i| i.opened_on);
        let mut text = format!(
            "需协调{}等单位的{}个事项截至{}尚未办结",
            bodies.join("、"),
            stuck.len(),
            fmt::date_cn(as_of)
        );
        if let Some(o) = oldest {
            text.push_str(&format!(
                "，其中“{}”自{}起协调",
                o.title,
                fmt::date_cn(o.opened_on)
            ));
        }
        text.push('。');
        blocks.push(point("协同力度不一。", text));
    }
    blocks.push(Block::placeholder(
        "重建设、轻管养：竣工项目移交管养情况、群众反映的问题，请结合日常巡查补充",
    ));

    // 三、下一步工作.
    blocks.push(Block::heading(HeadingLevel::First, "下一步工作打算"));
    blocks.push(Block::placeholder(
        "针对上述问题提出下一步工作措施，由办公室撰写",
    ));

    super::finish(OfficialDocument {
        issuer: None,
        doc_number: None,
        title: format!("示例市城市建管提升行动{}工作总结", period.label()),
        addressee: None,
        blocks,
        attachments: Vec::new(),
        signature: Some(Signature {
            signer: issuer.to_string(),
            date: fmt::date_cn(drafted_on),
        }),
        note: None,
        record: None,
    })
}

/// The sentence of the entered sanitation rates and the media register, when there are any.
fn highlights_sentence(h: &Highlights) -> Option<String> {
    let mut parts = Vec::new();
    let mut sanitation = Vec::new();
    if let Some(r) = h.marketisation {
        sanitation.push(format!(
            "道路清扫保洁市场化率达{}",
            fmt::entered_percent(r.percent)
        ));
    }
    if let Some(r) = h.mechanised {
        sanitation.push(format!("机械化清扫率达{}", fmt::entered_percent(r.percent)));
    }
    if !sanitation.is_empty() {
        parts.push(format!("长效管理持续加强，全市{}", sanitation.join("，")));
    }
    if h.central_media_reports > 0 || h.provincial_media_reports > 0 {
        let mut media = Vec::new();
        if h.central_media_reports > 0 {
            media.push(format!(
                "中央媒体报道{}篇",
                fmt::count(h.central_media_reports as u64)
            ));
        }
        if h.provincial_media_reports > 0 {
            media.push(format!(
                "省级媒体报道{}篇",
                fmt::count(h.provincial_media_reports as u64)
            ));
        }
        parts.push(format!("宣传报道形成声势，{}", media.join("、")));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("{}。", parts.join("；")))
}

fn figures_row(name: &str, f: &Figures) -> Vec<String> {
    vec![
        name.to_string(),
        f.projects.to_string(),
        f.started_projects.to_string(),
        f.finished().to_string(),
        rate(f.project_completion),
        rate(f.node_completion),
        fmt::yi(f.investment.completed),
    ]
}

fn figures_columns(first: &str) -> Vec<Column> {
    let num = |h: &str| Column::new(h, Align::Right);
    vec![
        Column::new(first, Align::Left).weight(2.0),
        num("项目数"),
        num("已开工"),
        num("已完工"),
        num("完成率"),
        num("节点完成率"),
        num("完成投资（亿元）").weight(1.4),
    ]
}

fn category_table(overview: &Overview) -> Table {
    let mut rows: Vec<Vec<String>> = overview
        .categories
        .iter()
        .filter(|c| c.figures.projects > 0)
        .map(|c| figures_row(&c.name, &c.figures))
        .collect();
    rows.push(figures_row("合计", &overview.total));
    Table {
        title: Some("分类别完成情况".into()),
        columns: figures_columns("类别"),
        rows,
    }
}

fn district_table(overview: &Overview) -> Table {
    let mut rows: Vec<Vec<String>> = overview
        .districts
        .iter()
        .map(|d| figures_row(&d.name, &d.figures))
        .collect();
    rows.push(figures_row("合计", &overview.total));
    Table {
        title: Some("分县区完成情况".into()),
        columns: figures_columns("县区"),
        rows,
    }
}
