//! Issue 15, point 4: the ledgers city offices really keep import — without project codes
//! (made up by the rule `JG{year}-{NNNN}`), with only a planned start and completion (the
//! milestones derived from the category's template), without street, build type or funding
//! columns, with the year from `--year`, the title row or the sheet's name, with responsible
//! units the system does not know yet (proposed as new units), saved by WPS as SpreadsheetML
//! 2003 under an .xls name — and the refusals say what to do.

use std::io::{Cursor, Write};
use std::sync::Arc;

use jianguan_documents::ledger::{
    CellError, ImportError, ImportOptions, ImportPlan, MAX_NAME_CHARS, import_ledger,
};
use jianguan_domain::model::*;
use jiff::civil::Date;
use rust_xlsxwriter::Workbook;

fn portfolio() -> Portfolio {
    let unit = |id, kind, name: &str, parent: Option<i64>| Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent: parent.map(UnitId),
        active: true,
    };
    let step = |name: &str, share, enters| TemplateStep {
        name: name.into(),
        weight: 25,
        enters,
        share,
    };
    let category = |id, code: &str, name: &str, shares: [u32; 4]| Category {
        id: CategoryId(id),
        code: code.into(),
        name: name.into(),
        sub_hq: UnitId(2),
        lead_unit: UnitId(3),
        template: vec![
            step("方案设计", shares[0], None),
            step("开工", shares[1], Some(ProjectStatus::UnderConstruction)),
            step("主体完工", shares[2], None),
            step("竣工验收", shares[3], Some(ProjectStatus::Accepted)),
        ],
        template_version: 1,
    };
    Portfolio {
        units: vec![
            unit(1, UnitKind::CommandHq, "指挥部办公室", None),
            unit(2, UnitKind::SubHq, "老旧小区分指挥部", Some(1)),
            unit(3, UnitKind::LeadUnit, "市住建局", None),
            unit(4, UnitKind::District, "东湖区", None),
            unit(5, UnitKind::District, "西山区", None),
            unit(6, UnitKind::ResponsibleUnit, "东湖区住建局", Some(4)),
            unit(7, UnitKind::ResponsibleUnit, "西山区住建局", Some(5)),
        ],
        categories: vec![
            category(1, "old_community", "老旧小区改造", [0, 0, 80, 20]),
            category(2, "back_alley", "背街小巷整治", [10, 10, 60, 20]),
            category(3, "parking", "停车场建设", [0, 0, 50, 50]),
            // A template whose shares do not add up to 100.
            category(4, "market", "农贸市场改造", [0, 0, 50, 40]),
        ],
        ..Portfolio::default()
    }
}

fn d(y: i16, m: i8, day: i8) -> Date {
    Date::constant(y, m, day)
}

const HEAD: &str =
    "项目名称,项目类别,所属县区,牵头单位,责任单位,总投资（万元）,计划开工时间,计划完工时间";

/// The acceptance check's ledger: `n` rows like the office's, dates in both forms.
fn office_csv(n: usize) -> String {
    let mut out = format!("{HEAD}\n");
    for i in 1..=n {
        let (start, end) = if i % 2 == 0 {
            ("2026-03-05", "2026/10/17")
        } else {
            ("2026/03/05", "2026-10-17")
        };
        out.push_str(&format!(
            "东湖区第{i}号老旧小区改造项目,老旧小区改造,东湖区,市住建局,东湖区住建局,1234.56,{start},{end}\n"
        ));
    }
    out
}

fn import_with(
    bytes: &[u8],
    name: &str,
    portfolio: &Portfolio,
    year: Option<i16>,
) -> Result<ImportPlan, ImportError> {
    let options = ImportOptions {
        year,
        ..ImportOptions::default()
    };
    import_ledger(bytes, name, portfolio, &options, &|_, _| {})
}

fn csv(text: &str, year: Option<i16>) -> Result<ImportPlan, ImportError> {
    import_with(text.as_bytes(), "ledger.csv", &portfolio(), year)
}

fn errors(result: Result<ImportPlan, ImportError>) -> Vec<CellError> {
    match result {
        Err(ImportError::Invalid { errors, .. }) => errors,
        other => panic!("expected cell errors, got {other:?}"),
    }
}

fn stored(code: &str) -> Project {
    Project {
        id: ProjectId(1),
        code: code.into(),
        name: "已有项目".into(),
        category: CategoryId(1),
        sub_category: None,
        district: UnitId(4),
        street: String::new(),
        lead_unit: UnitId(3),
        responsible_unit: UnitId(6),
        sub_hq: UnitId(2),
        build_type: BuildType::Renovation,
        scale: Scale::default(),
        total_investment: Money(1),
        funding_source: String::new(),
        location: None,
        suspended_on: None,
        year_plans: vec![],
        milestones: vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Project code optional.

#[test]
fn the_offices_code_less_csv_imports_with_codes_made_up() {
    let plan = csv(&office_csv(24), Some(2026)).unwrap();
    assert_eq!(plan.new.len(), 24);
    let codes: Vec<&str> = plan.new.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes[0], "JG2026-0001");
    assert_eq!(codes[23], "JG2026-0024");
    assert_eq!(plan.generated_codes.len(), 24);
    let g = &plan.generated_codes[0];
    assert_eq!(
        (g.code.as_str(), g.name.as_str(), g.sheet.as_str(), g.row),
        ("JG2026-0001", "东湖区第1号老旧小区改造项目", "ledger", 2)
    );
    let p = &plan.new[0];
    assert_eq!(p.total_investment, Money(12_345_600));
    assert_eq!((p.street.as_str(), p.funding_source.as_str()), ("", ""));
    assert_eq!(p.build_type, BuildType::Renovation);
    assert_eq!(p.responsible_unit, UnitId(6));
    assert!(plan.new_units.is_empty());
}

#[test]
fn made_up_codes_continue_after_the_highest_stored_and_given_number() {
    let mut city = portfolio();
    city.projects = vec![
        Arc::new(stored("JG2026-0007")),
        Arc::new(stored("JG2025-0100")),
    ];
    let text = format!(
        "项目编号,{HEAD}\n,甲,老旧小区改造,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-30\n\
         JG2026-0010,乙,老旧小区改造,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-30\n\
         ,丙,老旧小区改造,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-30\n"
    );
    let plan = import_with(text.as_bytes(), "ledger.csv", &city, Some(2026)).unwrap();
    let codes: Vec<&str> = plan.new.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["JG2026-0011", "JG2026-0010", "JG2026-0012"]);
    let made: Vec<(&str, u32)> = plan
        .generated_codes
        .iter()
        .map(|g| (g.code.as_str(), g.row))
        .collect();
    assert_eq!(made, [("JG2026-0011", 2), ("JG2026-0012", 4)]);
}

// ---------------------------------------------------------------------------------------------
// 2. Only planned start and completion.

#[test]
fn milestones_are_derived_from_start_and_completion() {
    let plan = csv(&office_csv(2), Some(2026)).unwrap();
    let p = &plan.new[0];
    let dates: Vec<(&str, Date, bool)> = p
        .milestones
        .iter()
        .map(|m| (m.name.as_str(), m.planned, m.derived))
        .collect();
    // 2026-03-05 → 2026-10-17 is 226 days: shares 0, 0, 80, 20 (80% is 180.8 days → 181).
    assert_eq!(
        dates,
        [
            ("方案设计", d(2026, 3, 5), true),
            ("开工", d(2026, 3, 5), true),
            ("主体完工", d(2026, 9, 2), true),
            ("竣工验收", d(2026, 10, 17), true),
        ]
    );
    assert!(
        plan.notes.iter().any(|n| n.contains("推算")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn every_header_variant_of_start_and_completion_is_understood() {
    for (start, end) in [
        ("开工时间", "完工时间"),
        ("计划开工日期", "计划完工日期"),
        ("开工日期", "完工日期"),
        ("计划开工时间", "计划竣工时间"),
    ] {
        let text = format!(
            "项目名称,项目类别,县区,责任单位,总投资,{start},{end}\n甲,老旧小区改造,东湖区,东湖区住建局,10,2026-03-01,2026-09-30\n"
        );
        let plan = csv(&text, Some(2026)).unwrap_or_else(|e| panic!("{start}/{end}: {e:?}"));
        let last = plan.new[0].milestones.last().unwrap();
        assert_eq!(last.planned, d(2026, 9, 30), "{start}/{end}");
    }
}

#[test]
fn a_milestones_own_column_wins_over_the_derived_date() {
    let text = "项目名称,项目类别,县区,责任单位,总投资,计划开工时间,计划完工时间,主体完工计划日期\n\
                甲,老旧小区改造,东湖区,东湖区住建局,10,2026-03-01,2026-09-30,2026-06-01\n";
    let plan = csv(text, Some(2026)).unwrap();
    let m = &plan.new[0].milestones;
    assert_eq!((m[2].planned, m[2].derived), (d(2026, 6, 1), false));
    assert_eq!((m[3].planned, m[3].derived), (d(2026, 9, 30), true));
}

#[test]
fn completion_before_start_names_both_cells() {
    let text =
        format!("{HEAD}\n甲,老旧小区改造,东湖区,市住建局,东湖区住建局,10,2026-09-01,2026-03-01\n");
    let errs = errors(csv(&text, Some(2026)));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].column.as_str(), errs[0].row), ("H", 2));
    assert!(errs[0].expected.contains("G2"), "{}", errs[0].expected);
    assert!(errs[0].expected.contains("早于"), "{}", errs[0].expected);
}

#[test]
fn a_template_whose_shares_do_not_add_up_is_named() {
    let text =
        format!("{HEAD}\n甲,农贸市场改造,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-01\n");
    let errs = errors(csv(&text, Some(2026)));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].expected.contains("农贸市场改造") && errs[0].expected.contains("90%"),
        "{}",
        errs[0].expected
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Columns no longer required; columns not understood listed.

#[test]
fn build_type_defaults_from_the_category_name_and_says_so() {
    let text = "项目名称,项目类别,县区,责任单位,总投资,计划开工时间,计划完工时间,建设内容,联系人,联系电话\n\
                甲,背街小巷整治,东湖区,东湖区住建局,10,2026-03-01,2026-09-30,铺装,张三,123\n\
                乙,停车场建设,东湖区,东湖区住建局,10,2026-03-01,2026-09-30,,,\n\
                丙,老旧小区改造,东湖区,东湖区住建局,10,2026-03-01,2026-09-30,,,\n";
    let plan = csv(text, Some(2026)).unwrap();
    let types: Vec<BuildType> = plan.new.iter().map(|p| p.build_type).collect();
    assert_eq!(
        types,
        [
            BuildType::Remediation,
            BuildType::New,
            BuildType::Renovation
        ]
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("3 个项目未填建设类型")),
        "{:?}",
        plan.notes
    );
    assert_eq!(
        plan.ignored_columns,
        ["ledger: 建设内容", "ledger: 联系人", "ledger: 联系电话"]
    );
}

// ---------------------------------------------------------------------------------------------
// 4. The year.

#[test]
fn one_year_plan_for_the_year_given_with_the_total_as_its_investment() {
    let text = format!(
        "{HEAD}\n甲,老旧小区改造,东湖区,市住建局,东湖区住建局,100,2026-03-01,2026-09-30\n\
         乙,老旧小区改造,东湖区,市住建局,东湖区住建局,200,2026-09-01,2027-05-31\n"
    );
    let plan = csv(&text, Some(2026)).unwrap();
    let plans: Vec<(i16, PlanKind, Money, PlanStatus)> = plan
        .new
        .iter()
        .flat_map(|p| p.year_plans.iter())
        .map(|y| (y.year, y.kind, y.planned_investment, y.status))
        .collect();
    assert_eq!(
        plans,
        [
            (
                2026,
                PlanKind::Construction,
                Money(1_000_000),
                PlanStatus::Draft
            ),
            (
                2026,
                PlanKind::Preliminary,
                Money(2_000_000),
                PlanStatus::Draft
            ),
        ]
    );
}

fn xlsx(sheet: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

const XHEAD: [&str; 7] = [
    "项目名称",
    "项目类别",
    "县区",
    "责任单位",
    "总投资",
    "计划开工时间",
    "计划完工时间",
];
const XROW: [&str; 7] = [
    "甲",
    "老旧小区改造",
    "东湖区",
    "东湖区住建局",
    "10",
    "2027-03-01",
    "2027-09-30",
];

#[test]
fn the_year_comes_from_the_option_then_the_title_row_then_the_sheet_name() {
    let titled = xlsx("Sheet1", &[&["2027年城建项目台账"], &XHEAD, &XROW]);
    let plan = import_with(&titled, "台账.xlsx", &portfolio(), None).unwrap();
    assert_eq!(plan.new[0].year_plans[0].year, 2027);
    assert_eq!(plan.new[0].code, "JG2027-0001");
    assert!(
        plan.notes.iter().any(|n| n.contains("标题行")),
        "{:?}",
        plan.notes
    );
    // The option wins over the title.
    let plan = import_with(&titled, "台账.xlsx", &portfolio(), Some(2026)).unwrap();
    assert_eq!(plan.new[0].year_plans[0].year, 2026);
    assert_eq!(plan.new[0].year_plans[0].kind, PlanKind::Preliminary);
    let named = xlsx("2028年", &[&XHEAD, &XROW]);
    let plan = import_with(&named, "台账.xlsx", &portfolio(), None).unwrap();
    assert_eq!(plan.new[0].year_plans[0].year, 2028);
}

#[test]
fn without_any_year_one_error_says_how_to_give_it() {
    let errs = errors(csv(&office_csv(5), None));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].header, "年度");
    assert!(errs[0].expected.contains("--year"), "{}", errs[0].expected);
}

// ---------------------------------------------------------------------------------------------
// 5. Unknown responsible units are proposed.

#[test]
fn unknown_responsible_units_are_proposed_under_their_district() {
    let text = format!(
        "{HEAD}\n甲,老旧小区改造,东湖区,市住建局,东湖区城投公司,10,2026-03-01,2026-09-30\n\
         乙,老旧小区改造,东湖区,市住建局,东湖区城投公司,10,2026-03-01,2026-09-30\n\
         丙,老旧小区改造,西山区,市住建局,东湖区城投公司,10,2026-03-01,2026-09-30\n\
         丁,老旧小区改造,西山区,市住建局,西山区住建局,10,2026-03-01,2026-09-30\n"
    );
    let plan = csv(&text, Some(2026)).unwrap();
    assert_eq!(plan.new_units.len(), 2);
    let u = &plan.new_units[0];
    assert_eq!(
        (u.name.as_str(), u.district, u.district_name.as_str()),
        ("东湖区城投公司", UnitId(4), "东湖区")
    );
    assert_eq!(u.rows, [("ledger".to_owned(), 2), ("ledger".to_owned(), 3)]);
    assert_eq!(u.rows_label(), "ledger 第2、3行");
    assert!(u.placeholder.0 < 0);
    assert_eq!(plan.new_units[1].district, UnitId(5));
    assert_ne!(plan.new_units[1].placeholder, u.placeholder);
    assert_eq!(plan.new[0].responsible_unit, u.placeholder);
    assert_eq!(plan.new[1].responsible_unit, u.placeholder);
    assert_eq!(plan.new[2].responsible_unit, plan.new_units[1].placeholder);
    assert_eq!(plan.new[3].responsible_unit, UnitId(7));
    assert!(
        plan.summary().contains("新建责任单位 2 个"),
        "{}",
        plan.summary()
    );
}

#[test]
fn an_unknown_district_or_category_stays_an_error_listing_the_known_names() {
    let text = format!(
        "{HEAD}\n甲,老旧小区改造,南湖区,市住建局,南湖区住建局,10,2026-03-01,2026-09-30\n\
         乙,口袋公园,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-30\n"
    );
    let errs = errors(csv(&text, Some(2026)));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].expected.contains("东湖区、西山区"),
        "{}",
        errs[0].expected
    );
    assert!(
        errs[1].expected.contains("老旧小区改造"),
        "{}",
        errs[1].expected
    );
}

// ---------------------------------------------------------------------------------------------
// 6. SpreadsheetML 2003 saved as .xls.

const SPREADSHEET_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Worksheet ss:Name="城建台账">
  <Table ss:ExpandedColumnCount="9" ss:ExpandedRowCount="5">
   <Row>
    <Cell ss:MergeAcross="7"><Data ss:Type="String">2026年城建项目台账</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="String">项目名称</Data></Cell>
    <Cell><Data ss:Type="String">项目类别</Data></Cell>
    <Cell><Data ss:Type="String">县区</Data></Cell>
    <Cell><Data ss:Type="String">街道</Data></Cell>
    <Cell><Data ss:Type="String">责任单位</Data></Cell>
    <Cell><Data ss:Type="String">总投资（万元）</Data></Cell>
    <Cell><Data ss:Type="String">计划开工时间</Data></Cell>
    <Cell><Data ss:Type="String">计划完工时间</Data><Comment><ss:Data>批注不是值</ss:Data></Comment></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="String">东湖区&amp;甲小区&#10;改造</Data></Cell>
    <Cell><Data ss:Type="String">老旧小区改造</Data></Cell>
    <Cell><Data ss:Type="String">东湖区</Data></Cell>
    <Cell ss:Index="5"><Data ss:Type="String">东湖区住建局</Data></Cell>
    <Cell><Data ss:Type="Number">1234.56</Data></Cell>
    <Cell><Data ss:Type="DateTime">2026-03-05T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="DateTime">2026-10-17T00:00:00.000</Data></Cell>
   </Row>
   <Row ss:Index="5">
    <Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>西山区</B>乙小区改造</ss:Data></Cell>
    <Cell><Data ss:Type="String">老旧小区改造</Data></Cell>
    <Cell><Data ss:Type="String">西山区</Data></Cell>
    <Cell><Data ss:Type="String">青年路</Data></Cell>
    <Cell><Data ss:Type="String">西山区住建局</Data></Cell>
    <Cell><Data ss:Type="Number">20</Data></Cell>
    <Cell><Data ss:Type="String">2026/04/01</Data></Cell>
    <Cell><Data ss:Type="DateTime">2026-12-31T00:00:00.000</Data></Cell>
   </Row>
  </Table>
 </Worksheet>
</Workbook>
"#;

#[test]
fn spreadsheetml_saved_as_xls_is_read_by_its_content() {
    for name in ["台账.xls", "台账.xml", "台账.xlsx"] {
        let plan = import_with(SPREADSHEET_XML.as_bytes(), name, &portfolio(), None)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(plan.new.len(), 2, "{name}");
        let a = &plan.new[0];
        assert_eq!(a.name, "东湖区&甲小区\n改造");
        assert_eq!(a.street, "", "the skipped cell (ss:Index) is blank");
        assert_eq!(a.responsible_unit, UnitId(6));
        assert_eq!(a.total_investment, Money(12_345_600));
        assert_eq!(a.milestones.last().unwrap().planned, d(2026, 10, 17));
        // The year from the merged title row.
        assert_eq!(a.year_plans[0].year, 2026);
        assert_eq!(a.code, "JG2026-0001");
        let b = &plan.new[1];
        assert_eq!(b.name, "西山区乙小区改造");
        assert_eq!(b.street, "青年路");
        assert_eq!(b.milestones[0].planned, d(2026, 4, 1));
    }
}

#[test]
fn a_damaged_spreadsheetml_is_unreadable_not_a_panic() {
    let cut = &SPREADSHEET_XML[..SPREADSHEET_XML.len() / 2];
    let broken = cut.replace("</Data></Cell>", "</Dat></Cell>");
    match import_with(broken.as_bytes(), "台账.xls", &portfolio(), Some(2026)) {
        Err(ImportError::Unreadable(m)) => assert!(m.contains("XML"), "{m}"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Refusals that say what to do.

#[test]
fn a_missing_required_column_is_one_error_naming_the_columns_found() {
    let mut text = "项目名称,项目类别,县区,总投资,计划开工时间,计划完工时间\n".to_owned();
    for i in 0..30 {
        text.push_str(&format!(
            "项目{i},老旧小区改造,东湖区,10,2026-03-01,2026-09-30\n"
        ));
    }
    let errs = errors(csv(&text, Some(2026)));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].header, "责任单位");
    assert!(
        errs[0].expected.contains("缺少「责任单位」列")
            && errs[0]
                .expected
                .contains("项目名称、项目类别、县区、总投资"),
        "{}",
        errs[0].expected
    );
}

#[test]
fn every_required_column_missing_is_one_error_each_whatever_the_rows() {
    let all = [
        "项目名称",
        "项目类别",
        "县区",
        "责任单位",
        "总投资",
        "计划开工时间",
        "计划完工时间",
    ];
    let values = [
        "甲",
        "老旧小区改造",
        "东湖区",
        "东湖区住建局",
        "10",
        "2026-03-01",
        "2026-09-30",
    ];
    for skip in 0..all.len() {
        let pick = |row: &[&str]| -> String {
            row.iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, v)| *v)
                .collect::<Vec<_>>()
                .join(",")
        };
        // Keep three known names so the header is still found.
        let mut text = format!("{},联系人\n", pick(&all));
        for _ in 0..10 {
            text.push_str(&format!("{},张三\n", pick(&values)));
        }
        let errs = errors(csv(&text, Some(2026)));
        assert_eq!(errs.len(), 1, "without {}: {errs:?}", all[skip]);
        assert!(errs[0].expected.contains(all[skip]), "{}", errs[0].expected);
        assert!(
            errs[0].expected.contains("本表的列"),
            "{}",
            errs[0].expected
        );
    }
}

#[test]
fn a_missing_milestone_column_is_one_error_not_one_per_row() {
    let mut text =
        "项目名称,项目类别,县区,责任单位,总投资,方案设计计划日期,开工计划日期,主体完工计划日期\n"
            .to_owned();
    for i in 0..10 {
        text.push_str(&format!(
            "项目{i},老旧小区改造,东湖区,东湖区住建局,10,2026-01-01,2026-03-01,2026-06-01\n"
        ));
    }
    let errs = errors(csv(&text, Some(2026)));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].header, "竣工验收计划日期");
}

#[test]
fn an_encrypted_workbook_asks_to_remove_the_password() {
    // An OLE compound file whose directory names the encrypted package's streams.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    for name in ["EncryptionInfo", "EncryptedPackage"] {
        bytes.extend(name.encode_utf16().flat_map(u16::to_le_bytes));
        bytes.resize(bytes.len() + 64, 0);
    }
    let e = import_with(&bytes, "台账.xlsx", &portfolio(), None).unwrap_err();
    assert_eq!(e, ImportError::Encrypted);
    assert!(e.to_string().contains("取消密码"), "{e}");
}

#[test]
fn an_empty_file_is_refused_as_empty() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\n\n"] {
        let e = import_with(bytes, "台账.csv", &portfolio(), None).unwrap_err();
        assert_eq!(e, ImportError::Empty);
        assert!(e.to_string().contains("空"), "{e}");
    }
    let e = import_with(b"", "台账.xlsx", &portfolio(), None).unwrap_err();
    assert_eq!(e, ImportError::Empty);
}

#[test]
fn a_word_document_renamed_xlsx_says_it_is_word() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w:document/>"),
    ] {
        w.start_file(name, options).unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let e = import_with(&bytes, "台账.xlsx", &portfolio(), None).unwrap_err();
    assert_eq!(e, ImportError::WordDocument);
    assert!(e.to_string().contains("Word"), "{e}");
}

#[test]
fn a_project_name_over_the_limit_is_refused_naming_the_cell() {
    let long = "长".repeat(MAX_NAME_CHARS + 1);
    let text = format!(
        "{HEAD}\n{long},老旧小区改造,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-30\n"
    );
    let errs = errors(csv(&text, Some(2026)));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].column.as_str(), errs[0].row), ("A", 2));
    assert!(
        errs[0].expected.contains("过长") && errs[0].expected.contains("200"),
        "{}",
        errs[0].expected
    );
    // At the limit it imports.
    let ok = format!(
        "{HEAD}\n{},老旧小区改造,东湖区,市住建局,东湖区住建局,10,2026-03-01,2026-09-30\n",
        "长".repeat(MAX_NAME_CHARS)
    );
    assert!(csv(&ok, Some(2026)).is_ok());
}
