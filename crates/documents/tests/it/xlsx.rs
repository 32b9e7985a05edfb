//! The office's tables as .xlsx: sheet names, frozen headers, number formats and values taken
//! from the domain's figures, read back with calamine.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use jianguan_documents::ledger::{latest_progress, ledger_workbook};
use jianguan_documents::xlsx::{
    Column, ColumnFormat, Sheet, Value, compliance_workbook, league_table_workbook,
    scores_workbook, write_workbook,
};
use jianguan_domain::assessment::{
    AssessmentInput, DEFAULT_SCHEME_TOML, Month, Scheme, SubjectKind, default_dictionary,
    score_month,
};
use jianguan_domain::filing::{ReportIndex, compliance};
use jianguan_domain::model::Portfolio;
use jianguan_domain::overview::Overview;
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::warnings::WarningBook;
use jiff::civil::Date;

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn city() -> &'static Portfolio {
    static CITY: std::sync::OnceLock<Portfolio> = std::sync::OnceLock::new();
    CITY.get_or_init(jianguan_demo::demo_city)
}

#[test]
fn a_sheet_has_a_frozen_header_widths_formats_and_neutralised_text() {
    let mut sheet = Sheet::new(
        "测试表",
        vec![
            Column::new("名称", 20.0, ColumnFormat::Text),
            Column::new("金额（万元）", 14.0, ColumnFormat::Wan),
            Column::new("比率", 10.0, ColumnFormat::Percent),
            Column::new("日期", 12.0, ColumnFormat::Date),
        ],
    );
    sheet.rows.push(vec![
        "=cmd|' /C calc'!A0".into(),
        1234.5.into(),
        0.9052.into(),
        Date::constant(2021, 5, 31).into(),
    ]);
    sheet.rows.push(vec![
        "@SUM(1)".into(),
        Value::Empty,
        Value::Empty,
        Value::Empty,
    ]);
    let bytes = write_workbook(&[sheet]).unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["测试表".to_owned()]);
    let range = book.worksheet_range("测试表").unwrap();
    assert_eq!(
        range.get_value((1, 0)),
        Some(&Data::String("'=cmd|' /C calc'!A0".into()))
    );
    assert_eq!(
        range.get_value((2, 0)),
        Some(&Data::String("'@SUM(1)".into()))
    );
    assert_eq!(range.get_value((1, 1)), Some(&Data::Float(1234.5)));
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains(r#"ySplit="1""#) && sheet_xml.contains(r#"state="frozen""#),
        "{sheet_xml}"
    );
    assert!(
        sheet_xml.contains(r#"width="20.7109375""#),
        "column widths are set"
    );
    let styles = part(&bytes, "xl/styles.xml");
    for format in ["#,##0.00", "0.00%", "yyyy-mm-dd"] {
        assert!(styles.contains(format), "{format} in {styles}");
    }
}

#[test]
fn the_league_table_lays_out_the_overview() {
    let portfolio = city();
    let overview = Overview::compute(portfolio, 2021, Date::constant(2021, 12, 31));
    let bytes = league_table_workbook(portfolio, &overview).unwrap();
    let mut book = open(&bytes);
    assert_eq!(
        book.sheet_names(),
        vec!["县区排名", "类别进度", "县区×类别", "全市合计"]
    );
    let total = book.worksheet_range("全市合计").unwrap();
    // Title, header, then the row: 项目数 and the project completion rate as the domain has them.
    assert_eq!(
        total.get_value((1, 1)),
        Some(&Data::String("项目数".into()))
    );
    assert_eq!(
        total.get_value((2, 1)),
        Some(&Data::Float(overview.total.projects as f64))
    );
    let rate = overview.total.project_completion.value().unwrap();
    assert_eq!(total.get_value((2, 4)), Some(&Data::Float(rate)));
    let cells = book.worksheet_range("县区×类别").unwrap();
    assert_eq!(cells.height(), 2 + overview.cells.len());
    let districts = book.worksheet_range("县区排名").unwrap();
    assert_eq!(districts.height(), 2 + overview.districts.len());
}

#[test]
fn the_compliance_table_lists_districts_units_and_exceptions() {
    let portfolio = city();
    let index = ReportIndex::of_reports(&portfolio.reports);
    let period = &portfolio.periods[10];
    let c = compliance(
        portfolio,
        &index,
        period,
        period.deadline.tomorrow().unwrap(),
    );
    let bytes = compliance_workbook(portfolio, &c).unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["县区", "责任单位", "迟报漏报"]);
    let districts = book.worksheet_range("县区").unwrap();
    assert_eq!(districts.height(), 2 + c.by_district.len() + 1);
    let last = districts.height() - 1;
    assert_eq!(
        districts.get_value((last as u32, 0)),
        Some(&Data::String("合计".into()))
    );
    assert_eq!(
        districts.get_value((last as u32, 1)),
        Some(&Data::Float(c.total.expected as f64))
    );
    let exceptions = book.worksheet_range("迟报漏报").unwrap();
    assert_eq!(exceptions.height().max(2), 2 + c.exceptions.len());
}

#[test]
fn the_scores_table_has_one_sheet_per_month_and_kind() {
    let portfolio = city();
    let ledger = InvestmentLedger::new(portfolio);
    let filings = ReportIndex::of_reports(&portfolio.reports);
    let warnings = WarningBook::new(Vec::new());
    let demo = jianguan_demo::demo_assessment(portfolio);
    let dictionary = default_dictionary();
    let input = AssessmentInput {
        portfolio,
        ledger: &ledger,
        filings: &filings,
        warnings: &warnings,
        items: &[],
        entered: &demo.entered,
        media: &demo.media,
        dictionary: &dictionary,
        plan_changes: &[],
    };
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    let month = Month::parse("2021-10").unwrap();
    let scores = score_month(&input, &scheme, SubjectKind::District, month).unwrap();
    let bytes = scores_workbook(std::slice::from_ref(&scores)).unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["2021-10县区".to_owned()]);
    let range = book.worksheet_range("2021-10县区").unwrap();
    assert_eq!(range.height(), 2 + scores.subjects.len());
    let first = &scores.subjects[0];
    assert_eq!(
        range.get_value((2, 1)),
        Some(&Data::String(first.subject.name.clone()))
    );
    assert_eq!(range.get_value((2, 5)), Some(&Data::Float(first.total)));

    // Every indicator has its value, headed with its unit, and its points, headed as points:
    // 望舒县's node completion is a rate of 95.72% scoring 78.60 points, not a "rate" of 78.60.
    let header: Vec<String> = range
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        !header
            .iter()
            .any(|h| h == "节点完成率" || h == "按期完成率"),
        "a bare rate name over points: {header:?}"
    );
    let column = |h: &str| {
        header
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("a column {h}: {header:?}"))
    };
    let wangshu = scores
        .subjects
        .iter()
        .position(|s| s.subject.name == "望舒县")
        .expect("望舒县 scored");
    let card = &scores.subjects[wangshu];
    for code in ["node_completion", "on_time"] {
        let line = card.indicator(code).expect("scored");
        assert_eq!(line.unit, "%");
        let fraction = line.fraction.as_ref().expect("a rate has its fraction");
        let rate = fraction.numerator as f64 / fraction.denominator as f64 * 100.0;
        let value = range.get_value((
            2 + wangshu as u32,
            column(&format!("{}（%）", line.name)) as u32,
        ));
        let Some(Data::Float(value)) = value else {
            panic!("{code}: value {value:?}")
        };
        assert!(
            (value - rate).abs() < 0.005,
            "{code}: {value} is the rate {rate}"
        );
        let points = range.get_value((
            2 + wangshu as u32,
            column(&format!("{}得分", line.name)) as u32,
        ));
        match line.points {
            Some(p) => assert_eq!(points, Some(&Data::Float(p)), "{code} points"),
            None => assert!(points.is_none_or(|d| *d == Data::Empty), "{code} points"),
        }
        assert_ne!(
            line.points, line.value,
            "{code}: points and value differ here"
        );
    }
}

#[test]
fn the_ledger_export_has_the_office_layout() {
    let portfolio = city();
    let bytes = ledger_workbook(
        portfolio,
        &latest_progress(portfolio),
        Date::constant(2021, 12, 31),
        jianguan_domain::coords::CoordinateSystem::Wgs84,
    )
    .unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["项目台账".to_owned()]);
    let range = book.worksheet_range("项目台账").unwrap();
    assert_eq!(range.height(), 2 + portfolio.projects.len());
    let header: Vec<String> = range
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..3], ["项目编号", "项目名称", "项目类别"]);
    assert!(header.contains(&"开工计划日期".to_owned()));
    assert!(header.contains(&"2021年计划投资（万元）".to_owned()));
    assert!(header.contains(&"最新进展".to_owned()));
    assert!(header.contains(&"经度（WGS-84）".to_owned()));
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains(r#"ySplit="2""#),
        "the header under the title is frozen"
    );
}
