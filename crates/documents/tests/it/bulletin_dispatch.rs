//! The monthly bulletin and the weekly dispatch pack as Word documents, drafted from what the
//! domain computed for the demo city: every district in the league table in rank order, the
//! lists with their reasons, the pack's headline and tables, the writer's placeholders.

use jianguan_documents::docx::{Block, to_docx};
use jianguan_documents::reports::{BulletinInput, DEFAULT_ISSUER, bulletin, dispatch};
use jianguan_domain::assessment::{
    AssessmentInput, DEFAULT_SCHEME_TOML, Month, Scheme, ScoreRun, SubjectKind, default_dictionary,
    measure_month, score_measured,
};
use jianguan_domain::dispatch::{DispatchInput, DispatchPack, Week};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::fmt;
use jianguan_domain::followup::FollowUpRules;
use jianguan_domain::model::UnitKind;
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::warnings::{WarningBook, WarningRules};

fn paragraphs(blocks: &[Block]) -> String {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(runs) => Some(runs.iter().map(|r| r.text.as_str()).collect()),
            Block::Heading { text, .. } | Block::Placeholder(text) => Some(text.clone()),
            _ => None,
        })
        .collect::<Vec<String>>()
        .join("\n")
}

#[test]
fn the_october_bulletin_ranks_every_district_and_names_the_lists() {
    let city = jianguan_demo::demo_city();
    let cadence = jianguan_demo::demo_cadence(&city);
    let demo = jianguan_demo::demo_assessment(&city);
    let ledger = InvestmentLedger::new(&city);
    let filings = ReportIndex::of_reports(&city.reports);
    let warnings = WarningBook::new(cadence.warnings);
    let dictionary = default_dictionary();
    let input = AssessmentInput {
        portfolio: &city,
        ledger: &ledger,
        filings: &filings,
        warnings: &warnings,
        items: &cadence.items,
        entered: &demo.entered,
        media: &demo.media,
        dictionary: &dictionary,
        plan_changes: &[],
    };
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).expect("the default scheme");
    let month = Month::new(2021, 10).expect("a month");
    let measured = measure_month(&input, SubjectKind::District, month);
    let scores = score_measured(&measured, &scheme).expect("scores");
    let run = ScoreRun::draft(measured, scores).expect("a draft");
    let doc = bulletin(&BulletinInput {
        runs: std::slice::from_ref(&run),
        issuer: DEFAULT_ISSUER,
        doc_number: Some("示建管办〔2021〕45号".into()),
        dated: jiff::civil::date(2021, 11, 5),
    });
    assert!(doc.title.contains("2021年10月"), "{}", doc.title);
    let table = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .expect("the league table");
    let districts = city.units_of(UnitKind::District).count();
    assert_eq!(table.rows.len(), districts);
    for (row, card) in table.rows.iter().zip(&run.scores.subjects) {
        assert_eq!(row[1], card.subject.name);
        assert_eq!(row[5], format!("{:.2}", card.total));
    }
    let text = paragraphs(&doc.blocks);
    assert!(text.contains("尚未发布"), "a draft says so: {text}");
    for entry in run.scores.reward.iter().chain(&run.scores.accountability) {
        assert!(
            text.contains(&entry.subject.name),
            "{} listed",
            entry.subject.name
        );
    }
    assert!(
        doc.blocks
            .iter()
            .any(|b| matches!(b, Block::Placeholder(_))),
        "requirements left to the writer"
    );
    to_docx(&doc).expect("writes");

    // 发文字号 and 版记 (GB/T 9704 §7.2.3, §7.4): the number given, or the office's prefix
    // and the year with the sequence left for the office; 抄送, 印发机关 and 印发日期.
    assert_eq!(doc.doc_number.as_deref(), Some("示建管办〔2021〕45号"));
    let record = doc.record.as_ref().expect("a 版记");
    assert!(!record.copies_to.is_empty());
    assert_eq!(record.printer, DEFAULT_ISSUER);
    assert_eq!(record.printed_on, "2021年11月5日");
    let unnumbered = bulletin(&BulletinInput {
        runs: std::slice::from_ref(&run),
        issuer: DEFAULT_ISSUER,
        doc_number: None,
        dated: jiff::civil::date(2021, 11, 5),
    });
    assert_eq!(
        unnumbered.doc_number.as_deref(),
        Some("示建管办〔2021〕\u{3000}号")
    );
    let bytes = to_docx(&unnumbered).expect("writes");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .expect("a zip")
            .by_name("word/document.xml")
            .expect("the body"),
        &mut xml,
    )
    .expect("utf-8");
    assert!(
        xml.contains("JgDocNumber") && xml.contains("示建管办〔"),
        "发文字号"
    );
    assert!(xml.contains("抄送：市委办公室"), "抄送");
    assert!(xml.contains("印发</w:t>"), "印发机关和印发日期");
}

#[test]
fn the_week_40_pack_carries_the_headline_and_the_overdue_list() {
    let city = jianguan_demo::demo_city();
    let cadence = jianguan_demo::demo_cadence(&city);
    let ledger = InvestmentLedger::new(&city);
    let filings = ReportIndex::of_reports(&city.reports);
    let warnings = WarningBook::new(cadence.warnings);
    let rules = WarningRules::default();
    let week = Week::parse("2021-W40").expect("a week");
    let pack = DispatchPack::build(
        &DispatchInput {
            portfolio: &city,
            ledger: &ledger,
            filings: &filings,
            warnings: &warnings,
            rules: &rules,
            items: &cadence.items,
            dismissals: &cadence.dismissals,
            follow_up: FollowUpRules::default(),
            plan_changes: &[],
        },
        week,
        2021,
    );
    let doc = dispatch(&pack, DEFAULT_ISSUER);
    assert!(doc.title.contains("第40周"), "{}", doc.title);
    let text = paragraphs(&doc.blocks);
    let headline = format!(
        "节点完成率{}，按期完成率{}",
        fmt::rate(pack.changes.now.node_completion),
        fmt::rate(pack.changes.now.on_time)
    );
    assert!(text.contains(&headline), "{headline} in {text}");
    assert!(text.contains(&format!("逾期节点{}个", pack.overdue_milestones.len())));
    let overdue = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) if t.title.as_deref() == Some("逾期节点") => Some(t),
            _ => None,
        })
        .expect("the overdue table");
    assert_eq!(overdue.rows.len(), pack.overdue_milestones.len().min(30));
    assert_eq!(overdue.rows[0][0], pack.overdue_milestones[0].project.name);
    to_docx(&doc).expect("writes");
}
