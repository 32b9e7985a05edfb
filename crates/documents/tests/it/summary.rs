//! The demo city's annual summary, drafted from the domain's figures: it carries the speech's
//! figures in its sentences, names the lagging district and late projects, leaves the next
//! steps to the writer, and is laid out as a GB/T 9704 document.

use std::io::Read;

use jianguan_documents::docx::{Block, OfficialDocument, to_docx};
use jianguan_documents::reports::{DEFAULT_ISSUER, SummaryInput, SummaryPeriod, summary};
use jianguan_domain::fmt::ProsePrecision;
use jianguan_domain::highlights::Highlights;
use jianguan_domain::overview::Overview;

fn text_of(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(runs) => runs.iter().map(|r| r.text.as_str()).collect::<String>(),
            Block::Heading { text, .. } | Block::Placeholder(text) => text.clone(),
            Block::Table(t) => t
                .rows
                .iter()
                .map(|r| r.join(" "))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The demo city's summary of `period` at `precision`, from the same records the assessment
/// scores (the entered sanitation rates and the media register).
fn draft(period: SummaryPeriod, precision: ProsePrecision) -> OfficialDocument {
    let city = jianguan_demo::demo_city();
    let cadence = jianguan_demo::demo_cadence(&city);
    let demo = jianguan_demo::demo_assessment(&city);
    let overview = Overview::compute(&city, 2021, period.last_day());
    let highlights =
        Highlights::compute(&city, &demo.entered, &demo.media, 2021, period.last_day());
    summary(&SummaryInput {
        portfolio: &city,
        overview: &overview,
        items: &cadence.items,
        period,
        issuer: DEFAULT_ISSUER,
        drafted_on: period.last_day(),
        highlights: &highlights,
        precision,
    })
}

#[test]
fn the_demo_citys_annual_summary_carries_the_speechs_figures() {
    let period = SummaryPeriod::parse("2021").expect("a year");
    let doc = draft(period, ProsePrecision::new(2).expect("two decimals"));
    let text = text_of(&doc.blocks);
    for figure in [
        "共实施项目1362个",
        "年度建设项目1350个，完工1222个，项目完成率90.52%",
        "开展前期或跨年开工项目12个",
        "计划实施158个，已开工158个，完工156个",
        "计划实施186个，已开工186个，完工156个",
        "完成投资3.13亿元",
        "计划实施136个，已开工136个，完工136个",
        "新建145座、改造16座",
    ] {
        assert!(text.contains(figure), "lacks {figure}:\n{text}");
    }
    // The problems name the lagging county and late projects; the next steps are left open.
    assert!(text.contains("望舒县项目完成率"), "{text}");
    assert!(text.contains("等项目节点逾期"), "{text}");
    assert!(text.contains("协调部队"), "{text}");
    assert!(
        doc.blocks
            .iter()
            .any(|b| matches!(b, Block::Placeholder(p) if p.contains("下一步"))),
        "next steps left for the writer"
    );
    // Laid out: A4, the title in the document.
    let bytes = to_docx(&doc).expect("writes");
    let mut xml = String::new();
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .expect("a zip")
        .by_name("word/document.xml")
        .expect("the body")
        .read_to_string(&mut xml)
        .expect("utf-8");
    assert!(xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#));
    // "2021" is a run of its own (numbers are kept whole in LibreOffice).
    assert!(xml.contains(">2021<") && xml.contains("年工作总结"));
}

#[test]
fn a_first_half_summary_is_as_of_june() {
    let period = SummaryPeriod::parse("2021-H1").expect("a half");
    assert_eq!(period.last_day(), jiff::civil::date(2021, 6, 30));
    assert_eq!(period.label(), "2021年上半年");
    assert_eq!(SummaryPeriod::parse("2021-Q3"), None);
}

#[test]
fn the_annual_summary_writes_the_sanitation_rates_and_media_reports_the_data_holds() {
    let doc = draft(
        SummaryPeriod::parse("2021").expect("a year"),
        ProsePrecision::default(),
    );
    let text = text_of(&doc.blocks);
    // The speech's figures, as the districts entered them and the register holds them.
    let city = jianguan_demo::demo_city();
    let demo = jianguan_demo::demo_assessment(&city);
    let h = Highlights::compute(
        &city,
        &demo.entered,
        &demo.media,
        2021,
        jiff::civil::date(2021, 12, 31),
    );
    let market = h.marketisation.expect("entered");
    assert_eq!((market.month.month(), market.districts), (12, 9));
    assert_eq!(
        (market.percent * 10.0).round() / 10.0,
        jianguan_demo::MARKETISATION_RATE
    );
    assert_eq!(h.central_media_reports, jianguan_demo::CENTRAL_REPORTS);
    for figure in [
        "道路清扫保洁市场化率达92.9%",
        "机械化清扫率达98.5%",
        "中央媒体报道168篇",
    ] {
        assert!(text.contains(figure), "lacks {figure}:\n{text}");
    }
    // Prose at the default precision: whole percentages, as the speech writes them
    // (节点完成率也达99%), except the campaign's headline result, which keeps two decimals
    // (项目总完成率达90.52%); the tables keep two decimals.
    assert!(text.contains("计划节点完成率99%"), "{text}");
    assert!(text.contains("完工1222个，项目完成率90.52%"), "{text}");
    let table_cells = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.rows.iter().flatten().cloned().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect::<Vec<_>>();
    assert!(table_cells.iter().any(|c| c == "90.52%"), "{table_cells:?}");
    // No corner brackets in drafted text.
    assert!(!text.contains('「') && !text.contains('」'), "{text}");
}

#[test]
fn the_half_year_summary_lists_as_problems_only_what_was_due() {
    let period = SummaryPeriod::parse("2021-H1").expect("a half");
    let doc = draft(period, ProsePrecision::default());
    let city = jianguan_demo::demo_city();
    let overview = Overview::compute(&city, 2021, period.last_day());
    let problems: String = {
        let start = doc
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Heading { text, .. } if text == "存在的问题"))
            .expect("the problems");
        text_of(&doc.blocks[start..])
    };
    // A category with nothing due by 30 June is on schedule, whatever its completion.
    let mut not_due = 0;
    for c in &overview.categories {
        if c.figures.node_completion.denominator == 0 || c.figures.overdue_milestones == 0 {
            not_due += 1;
            assert!(
                !problems.contains(&format!("{}完工率", c.name))
                    && !problems.contains(&format!("{}节点完成率", c.name)),
                "{} had nothing overdue yet is a problem:\n{problems}",
                c.name
            );
        }
    }
    assert!(not_due > 0, "the demo has categories not yet due in June");
    assert!(!problems.contains("完工率0%"), "{problems}");
    // The categories that are behind are named by their milestones.
    assert!(problems.contains("类别之间进度不一。"), "{problems}");
    assert!(problems.contains("个项目有逾期节点"), "{problems}");
}
