//! The demo city's analysis of 2021-Q3 as a document: its headline sentence carries the
//! analysis' rates at the quarter's start and end, its tables one row per category and
//! district, its next steps are left to the writer, and its charts go in as pictures (feature
//! `svg-png`) or as tables of their figures.

use std::io::Read;

use jianguan_documents::docx::{Block, HeadingLevel, Table, to_docx};
use jianguan_documents::reports::{DEFAULT_ISSUER, quarterly};
use jianguan_domain::fmt;
use jianguan_domain::quarterly::{Quarter, QuarterlyAnalysis};
use jianguan_domain::rates::InvestmentLedger;
use jiff::civil::date;

fn analysis() -> (jianguan_domain::model::Portfolio, QuarterlyAnalysis) {
    let city = jianguan_demo::demo_city();
    let items = jianguan_demo::demo_cadence(&city).items;
    let ledger = InvestmentLedger::new(&city);
    let quarter = Quarter::parse("2021-Q3").expect("a quarter");
    let analysis = QuarterlyAnalysis::build(
        &city,
        &ledger,
        &items,
        quarter,
        date(2021, 12, 31),
        |_| true,
        |_| true,
    );
    (city, analysis)
}

fn paragraphs(blocks: &[Block]) -> String {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(runs) => Some(runs.iter().map(|r| r.text.as_str()).collect()),
            _ => None,
        })
        .collect::<Vec<String>>()
        .join("\n")
}

fn table<'a>(blocks: &'a [Block], title: &str) -> &'a Table {
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) if t.title.as_deref().is_some_and(|s| s.starts_with(title)) => Some(t),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a table 「{title}」"))
}

#[test]
fn the_demo_citys_third_quarter_analysis_carries_the_analysis_figures() {
    let (city, analysis) = analysis();
    assert_eq!(
        (analysis.start, analysis.end),
        (date(2021, 6, 30), date(2021, 9, 30))
    );
    assert!(!analysis.finished.is_empty() && !analysis.movers.is_empty());
    assert!(
        !analysis.topics.is_empty(),
        "the demo's items of the quarter"
    );
    let doc = quarterly(&analysis, &city, DEFAULT_ISSUER).expect("drafted");
    assert_eq!(doc.title, "城市建管提升行动2021年第三季度分析");

    // The five parts, in order.
    let headings: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level: HeadingLevel::First,
                text,
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        headings,
        [
            "总体情况",
            "分类别、分县区情况",
            "进展较快与停滞的项目",
            "反复出现的问题",
            "下一步工作"
        ]
    );

    // The headline: each rate from its start value to its end value, as fmt::rate writes them.
    let text = paragraphs(&doc.blocks);
    let (a, b) = (&analysis.start_overview.total, &analysis.end_overview.total);
    for (name, start, end) in [
        (
            "节点完成率",
            a.node_completion.value(),
            b.node_completion.value(),
        ),
        ("按期完成率", a.on_time.value(), b.on_time.value()),
        (
            "项目完成率",
            a.project_completion.value(),
            b.project_completion.value(),
        ),
        ("投资完成率", a.investment.value(), b.investment.value()),
    ] {
        let lead = format!("{name}由{}", fmt::rate(start));
        let at = text
            .find(&lead)
            .unwrap_or_else(|| panic!("{lead}:\n{text}"));
        let rest = &text[at + lead.len()..];
        assert!(
            rest.starts_with(&format!("提高到{}（", fmt::rate(end)))
                || rest.starts_with(&format!("下降到{}（", fmt::rate(end)))
                || rest.starts_with(&format!("变为{}（", fmt::rate(end))),
            "{name} ends at {}: {rest}",
            fmt::rate(end)
        );
    }
    assert!(text.contains(&format!(
        "本季新增完工项目{}个",
        b.finished() - a.finished()
    )));

    // One row per category with projects, then the total; figures as the analysis has them.
    let categories = analysis.categories();
    let t = table(&doc.blocks, "分类别季初与季末对比");
    assert_eq!(t.rows.len(), categories.len() + 1);
    for (row, c) in t.rows.iter().zip(&categories) {
        assert_eq!(row[0], c.name);
        assert_eq!(row[2], fmt::rate(c.start.project_completion.value()));
        assert_eq!(row[3], fmt::rate(c.end.project_completion.value()));
    }
    assert_eq!(t.rows.last().expect("a total")[0], "合计");
    let districts = table(&doc.blocks, "分县区季初与季末对比");
    assert_eq!(districts.rows.len(), analysis.districts().len() + 1);
    let movers = table(&doc.blocks, "本季进度");
    assert_eq!(movers.rows[0][1], analysis.movers[0].name);
    let topics = table(&doc.blocks, "按问题类型");
    assert_eq!(topics.rows.len(), analysis.topics.len());

    // The next steps are left for the writer.
    assert!(
        doc.blocks
            .iter()
            .any(|b| matches!(b, Block::Placeholder(p) if p.contains("下季度工作措施"))),
        "next steps left for the writer"
    );

    // Laid out, with the charts as pictures or as tables of their figures.
    let bytes = to_docx(&doc).expect("writes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("the body")
        .read_to_string(&mut xml)
        .expect("utf-8");
    // "2021" is a run of its own (numbers are kept whole in LibreOffice).
    assert!(xml.contains(">2021<") && xml.contains("年第三季度分析"));
    let media = zip
        .file_names()
        .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("word/media/")))
        .count();
    if cfg!(feature = "svg-png") {
        assert_eq!(media, 2, "the trend and the finished-by-category charts");
    } else {
        assert_eq!(media, 0);
        let trend = table(&doc.blocks, "图1");
        assert_eq!(trend.rows.len(), analysis.trend.len());
        assert_eq!(trend.rows[0][0], "2021年6月30日");
        let finished = table(&doc.blocks, "图2");
        assert_eq!(finished.rows.len(), analysis.finished.len());
    }
}
