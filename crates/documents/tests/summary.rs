//! The demo city's annual summary, drafted from the domain's figures: it carries the speech's
//! figures in its sentences, names the lagging district and late projects, leaves the next
//! steps to the writer, and is laid out as a GB/T 9704 document.

use std::io::Read;

use jianguan_documents::docx::{Block, to_docx};
use jianguan_documents::reports::{DEFAULT_ISSUER, SummaryInput, SummaryPeriod, summary};
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

#[test]
fn the_demo_citys_annual_summary_carries_the_speechs_figures() {
    let city = jianguan_demo::demo_city();
    let cadence = jianguan_demo::demo_cadence(&city);
    let period = SummaryPeriod::parse("2021").expect("a year");
    let overview = Overview::compute(&city, 2021, period.last_day());
    let doc = summary(&SummaryInput {
        portfolio: &city,
        overview: &overview,
        items: &cadence.items,
        period,
        issuer: DEFAULT_ISSUER,
        drafted_on: period.last_day(),
    });
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
    assert!(xml.contains("2021年工作总结"));
}

#[test]
fn a_first_half_summary_is_as_of_june() {
    let period = SummaryPeriod::parse("2021-H1").expect("a half");
    assert_eq!(period.last_day(), jiff::civil::date(2021, 6, 30));
    assert_eq!(period.label(), "2021年上半年");
    assert_eq!(SummaryPeriod::parse("2021-Q3"), None);
}
