//! Ledger import against messy and hostile files built here (title rows, merged multi-row
//! headers, every date form, units, full-width text, blank and totals rows, one sheet per
//! district, wrong values, a zip bomb, a 10 MB cell, truncated and random bytes, CSV), the
//! error report, and the round trip export → import of the demo city (also with every value
//! moved below the precision the ledger carries, as a spreadsheet program's re-save does).

use std::io::{Cursor, Read, Write};
use std::sync::Arc;

use jianguan_documents::ledger::{
    AliasTable, CellError, ImportError, ImportOptions, ImportPlan, Limits, error_report,
    import_ledger, latest_progress, ledger_sheet, ledger_workbook, plan_import, precision,
    read_workbook,
};
use jianguan_documents::xlsx::{Sheet, Value, write_workbook};
use jianguan_domain::coords::{CoordinateSystem, bd09_to_wgs84, gcj02_to_wgs84};
use jianguan_domain::model::*;
use jiff::civil::Date;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

// ---------------------------------------------------------------------------------------------
// Fixture: a small city with two districts and two categories.

fn portfolio() -> Portfolio {
    let unit = |id, kind, name: &str, parent: Option<i64>| Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent: parent.map(UnitId),
        active: true,
    };
    let step = |name: &str, weight, enters| TemplateStep {
        name: name.into(),
        weight,
        enters,
        share: 0,
    };
    Portfolio {
        units: vec![
            unit(1, UnitKind::CommandHq, "指挥部办公室", None),
            unit(2, UnitKind::SubHq, "老旧小区分指挥部", Some(1)),
            unit(3, UnitKind::LeadUnit, "市住建局", None),
            unit(4, UnitKind::District, "映湖区", None),
            unit(5, UnitKind::District, "青山区", None),
            unit(6, UnitKind::ResponsibleUnit, "映湖区住建局", Some(4)),
            unit(7, UnitKind::ResponsibleUnit, "青山区住建局", Some(5)),
            unit(8, UnitKind::LeadUnit, "市城管局", None),
        ],
        categories: vec![
            Category {
                id: CategoryId(1),
                code: "old_community".into(),
                name: "老旧小区改造".into(),
                sub_hq: UnitId(2),
                lead_unit: UnitId(3),
                template: vec![
                    step("方案设计", 20, None),
                    step("开工", 30, Some(ProjectStatus::UnderConstruction)),
                    step("竣工验收", 50, Some(ProjectStatus::Accepted)),
                ],
                template_version: 1,
            },
            Category {
                id: CategoryId(2),
                code: "public_toilet".into(),
                name: "公厕新建改造".into(),
                sub_hq: UnitId(2),
                lead_unit: UnitId(8),
                template: vec![
                    step("开工", 50, Some(ProjectStatus::UnderConstruction)),
                    step("完工", 50, Some(ProjectStatus::Built)),
                ],
                template_version: 1,
            },
        ],
        ..Portfolio::default()
    }
}

fn d(y: i16, m: i8, day: i8) -> Date {
    Date::constant(y, m, day)
}

// ---------------------------------------------------------------------------------------------
// Building workbooks.

#[derive(Clone, Debug)]
enum C {
    S(String),
    N(f64),
    /// A date cell: a serial with a date format.
    D(Date),
    B(bool),
    E,
}

impl From<&str> for C {
    fn from(s: &str) -> C {
        if s.is_empty() { C::E } else { C::S(s.into()) }
    }
}

impl From<f64> for C {
    fn from(n: f64) -> C {
        C::N(n)
    }
}

impl From<Date> for C {
    fn from(d: Date) -> C {
        C::D(d)
    }
}

fn serial(date: Date) -> f64 {
    jianguan_documents::xlsx::excel_serial(date)
}

fn put(ws: &mut Worksheet, r: u32, rows: &[Vec<C>]) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (i, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r + i as u32, c as u16);
            match cell {
                C::S(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                C::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                C::D(x) => {
                    ws.write_number_with_format(r, c, serial(*x), &date)
                        .unwrap();
                }
                C::B(b) => {
                    ws.write_boolean(r, c, *b).unwrap();
                }
                C::E => {}
            }
        }
    }
}

/// A workbook of sheets, each a name and rows from row 1.
fn book(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        put(ws, 0, rows);
    }
    wb.save_to_buffer().unwrap()
}

const HEAD: [&str; 12] = [
    "项目编号",
    "项目名称",
    "项目类别",
    "县区",
    "责任单位",
    "建设类型",
    "总投资（万元）",
    "2021年计划投资（万元）",
    "方案设计计划日期",
    "开工计划日期",
    "竣工验收计划日期",
    "开工实际日期",
];

fn head() -> Vec<C> {
    HEAD.iter().map(|h| C::from(*h)).collect()
}

/// A good 老旧小区改造 row in 映湖区 with dates as date cells.
fn row(code: &str) -> Vec<C> {
    vec![
        code.into(),
        format!("{code}小区改造").as_str().into(),
        "老旧小区改造".into(),
        "映湖区".into(),
        "映湖区住建局".into(),
        "改造".into(),
        1200.0.into(),
        800.0.into(),
        d(2021, 2, 28).into(),
        d(2021, 5, 31).into(),
        d(2021, 11, 30).into(),
        d(2021, 6, 2).into(),
    ]
}

fn with(mut row: Vec<C>, col: usize, value: C) -> Vec<C> {
    row[col] = value;
    row
}

fn no_progress() -> &'static (dyn Fn(u64, u64) + Sync) {
    &|_, _| {}
}

fn import(bytes: &[u8], name: &str) -> Result<ImportPlan, ImportError> {
    import_ledger(
        bytes,
        name,
        &portfolio(),
        &ImportOptions::default(),
        no_progress(),
    )
}

fn import_xlsx(bytes: &[u8]) -> Result<ImportPlan, ImportError> {
    import(bytes, "台账.xlsx")
}

fn errors(result: Result<ImportPlan, ImportError>) -> Vec<CellError> {
    match result {
        Err(ImportError::Invalid { errors, .. }) => errors,
        other => panic!("expected cell errors, got {other:?}"),
    }
}

fn project<'a>(plan: &'a ImportPlan, code: &str) -> &'a Project {
    plan.new
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("no project {code} in {plan:?}"))
}

fn planned(p: &Project, name: &str) -> Date {
    p.milestones
        .iter()
        .find(|m| m.name == name)
        .unwrap()
        .planned
}

// ---------------------------------------------------------------------------------------------
// Clean and messy files that import.

#[test]
fn a_clean_ledger_imports_every_field() {
    let bytes = book(&[("台账", vec![head(), row("JG-0001"), row("JG-0002")])]);
    let plan = import_xlsx(&bytes).unwrap();
    assert_eq!(plan.new.len(), 2);
    assert_eq!((plan.updated.len(), plan.unchanged, plan.rows), (0, 0, 2));
    let p = project(&plan, "JG-0001");
    assert_eq!(p.id, ProjectId(0));
    assert_eq!(p.name, "JG-0001小区改造");
    assert_eq!(p.category, CategoryId(1));
    assert_eq!(p.district, UnitId(4));
    assert_eq!(p.responsible_unit, UnitId(6));
    assert_eq!(
        p.lead_unit,
        UnitId(3),
        "lead unit defaults to the category's"
    );
    assert_eq!(p.sub_hq, UnitId(2));
    assert_eq!(p.build_type, BuildType::Renovation);
    assert_eq!(p.total_investment, Money(12_000_000));
    assert_eq!(
        p.year_plans,
        vec![YearPlan {
            year: 2021,
            kind: PlanKind::Construction,
            planned_investment: Money(8_000_000),
            status: jianguan_domain::model::PlanStatus::Draft,
            adjusted_investment: None,
            cancelled_on: None,
        }]
    );
    let names: Vec<_> = p
        .milestones
        .iter()
        .map(|m| (m.seq, m.name.as_str(), m.weight))
        .collect();
    assert_eq!(
        names,
        vec![(1, "方案设计", 20), (2, "开工", 30), (3, "竣工验收", 50)]
    );
    assert_eq!(p.milestones[1].planned, d(2021, 5, 31));
    assert_eq!(p.milestones[1].actual, Some(d(2021, 6, 2)));
    assert_eq!(
        p.milestones[1].enters,
        Some(ProjectStatus::UnderConstruction)
    );
    assert_eq!(p.milestones[0].actual, None);
}

#[test]
fn a_title_row_above_the_header_is_skipped() {
    let title = vec![C::from("示例市2021年城市建管提升行动项目台账")];
    let unit = vec![
        C::E,
        C::E,
        C::E,
        C::E,
        C::E,
        C::E,
        C::from("填报日期：2021年6月"),
    ];
    let bytes = book(&[("台账", vec![title, unit, head(), row("JG-0001")])]);
    let plan = import_xlsx(&bytes).unwrap();
    assert_eq!(plan.new.len(), 1);
}

#[test]
fn merged_multi_row_headers_are_combined() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 11, "示例市项目台账", &f).unwrap();
    // Row 2: groups; row 3: milestone names over 计划/实际 in row 4; the basic columns are merged
    // over rows 2–4.
    let basic = [
        "项目编号",
        "项目名称",
        "项目类别",
        "县区",
        "责任单位",
        "建设类型",
        "总投资（万元）",
        "2021年计划投资（万元）",
    ];
    for (c, h) in basic.iter().enumerate() {
        ws.merge_range(1, c as u16, 3, c as u16, h, &f).unwrap();
    }
    ws.merge_range(1, 8, 1, 12, "计划节点", &f).unwrap();
    ws.write_string(2, 8, "方案设计").unwrap();
    ws.merge_range(2, 9, 2, 10, "开工", &f).unwrap();
    ws.merge_range(2, 11, 2, 12, "竣工验收", &f).unwrap();
    for (c, h) in [
        (8, "计划"),
        (9, "计划"),
        (10, "实际"),
        (11, "计划"),
        (12, "实际"),
    ] {
        ws.write_string(3, c, h).unwrap();
    }
    let data = vec![vec![
        C::from("JG-0001"),
        "甲小区改造".into(),
        "老旧小区改造".into(),
        "映湖区".into(),
        "映湖区住建局".into(),
        "改造".into(),
        100.0.into(),
        50.0.into(),
        d(2021, 2, 1).into(),
        d(2021, 5, 1).into(),
        d(2021, 5, 3).into(),
        d(2021, 10, 1).into(),
        C::E,
    ]];
    put(ws, 4, &data);
    let bytes = wb.save_to_buffer().unwrap();
    let plan = import_xlsx(&bytes).unwrap();
    let p = project(&plan, "JG-0001");
    assert_eq!(planned(p, "方案设计"), d(2021, 2, 1));
    assert_eq!(planned(p, "开工"), d(2021, 5, 1));
    assert_eq!(p.milestones[1].actual, Some(d(2021, 5, 3)));
    assert_eq!(planned(p, "竣工验收"), d(2021, 10, 1));
    assert_eq!(p.milestones[2].actual, None);
}

#[test]
fn sub_header_rows_without_merges_are_combined() {
    // As an .xls or CSV would give them: group labels only in their first cell.
    let mut top = vec![
        C::from("项目编号"),
        "项目名称".into(),
        "项目类别".into(),
        "县区".into(),
        "责任单位".into(),
        "建设类型".into(),
        "总投资（万元）".into(),
        "2021年计划投资（万元）".into(),
    ];
    top.extend([C::from("方案设计"), "开工".into(), C::E, "竣工验收".into()]);
    let mut sub: Vec<C> = vec![C::E; 8];
    sub.extend([C::from("计划"), "计划".into(), "实际".into(), "计划".into()]);
    let r = with(
        with(row("JG-0001"), 10, d(2021, 6, 2).into()),
        11,
        d(2021, 11, 30).into(),
    );
    let bytes = book(&[("台账", vec![top, sub, r])]);
    let plan = import_xlsx(&bytes).unwrap();
    let p = project(&plan, "JG-0001");
    assert_eq!(p.milestones[1].actual, Some(d(2021, 6, 2)));
    assert_eq!(planned(p, "竣工验收"), d(2021, 11, 30));
}

#[test]
fn header_variants_and_yi_yuan_amounts_are_understood() {
    let mut h = head();
    h[1] = "名称".into();
    h[6] = "总投资（亿元）".into();
    h[3] = "所属县区".into();
    h[4] = "实施单位".into();
    let bytes = book(&[("台账", vec![h, with(row("JG-0001"), 6, 0.25.into())])]);
    let plan = import_xlsx(&bytes).unwrap();
    assert_eq!(
        project(&plan, "JG-0001").total_investment,
        Money(25_000_000)
    );
}

#[test]
fn a_unit_line_above_the_header_sets_the_default_unit() {
    let mut h = head();
    h[6] = "总投资".into();
    let unit = vec![C::from("填报单位：映湖区"), C::from("单位：亿元")];
    let bytes = book(&[("台账", vec![unit, h, with(row("JG-0001"), 6, 1.5.into())])]);
    let plan = import_xlsx(&bytes).unwrap();
    let p = project(&plan, "JG-0001");
    assert_eq!(p.total_investment, Money(150_000_000));
    assert_eq!(
        p.year_plans[0].planned_investment,
        Money(8_000_000),
        "a header's own unit wins"
    );
}

#[test]
fn an_amount_may_carry_its_own_unit() {
    let bytes = book(&[(
        "台账",
        vec![head(), with(row("JG-0001"), 6, "0.3亿元".into())],
    )]);
    let plan = import_xlsx(&bytes).unwrap();
    assert_eq!(
        project(&plan, "JG-0001").total_investment,
        Money(30_000_000)
    );
}

/// Imports a row whose 开工 planned date is `cell` and returns the date read.
fn start_date(cell: C) -> Result<Date, Vec<CellError>> {
    let r = with(with(row("JG-0001"), 9, cell), 11, C::E);
    let bytes = book(&[("台账", vec![head(), r])]);
    match import_xlsx(&bytes) {
        Ok(plan) => Ok(planned(project(&plan, "JG-0001"), "开工")),
        Err(ImportError::Invalid { errors, .. }) => Err(errors),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn dates_as_date_cells_and_bare_serials() {
    assert_eq!(start_date(C::D(d(2021, 5, 31))), Ok(d(2021, 5, 31)));
    assert_eq!(start_date(C::N(44347.0)), Ok(d(2021, 5, 31)));
    assert_eq!(start_date(C::N(20210531.0)), Ok(d(2021, 5, 31)));
}

#[test]
fn dates_as_iso_text() {
    assert_eq!(start_date("2021-05-31".into()), Ok(d(2021, 5, 31)));
    assert_eq!(start_date("2021-05-31 00:00:00".into()), Ok(d(2021, 5, 31)));
}

#[test]
fn dates_with_slashes_and_dots() {
    assert_eq!(start_date("2021/5/31".into()), Ok(d(2021, 5, 31)));
    assert_eq!(start_date("2021.5.31".into()), Ok(d(2021, 5, 31)));
}

#[test]
fn dates_in_chinese() {
    assert_eq!(start_date("2021年5月31日".into()), Ok(d(2021, 5, 31)));
    assert_eq!(
        start_date("2021年5月".into()),
        Ok(d(2021, 5, 31)),
        "a month means its last day"
    );
    assert_eq!(start_date("2021年4月".into()), Ok(d(2021, 4, 30)));
}

#[test]
fn month_only_dates_with_dots_as_text_and_number() {
    assert_eq!(start_date("2021.5".into()), Ok(d(2021, 5, 31)));
    assert_eq!(start_date(C::N(2021.5)), Ok(d(2021, 5, 31)));
    assert_eq!(start_date(C::N(2021.11)), Ok(d(2021, 11, 30)));
}

#[test]
fn an_ambiguous_year_dot_month_number_is_refused() {
    let errs = start_date(C::N(2021.1)).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].expected.contains("10月"), "{}", errs[0].expected);
    assert_eq!(errs[0].column, "J");
}

#[test]
fn full_width_digits_letters_and_spaces_are_folded() {
    let r = vec![
        C::from("ＪＧ－０００１"),
        "甲小区（一期）改造".into(),
        " 老旧小区改造 ".into(),
        "映湖区\u{3000}".into(),
        "映湖区 住建局".into(),
        "改造".into(),
        "１，２００".into(),
        "８００".into(),
        "２０２１年２月".into(),
        "２０２１年５月３１日".into(),
        "２０２１．１１．３０".into(),
        C::E,
    ];
    let bytes = book(&[("台账", vec![head(), r])]);
    let plan = import_xlsx(&bytes).unwrap();
    let p = project(&plan, "JG-0001");
    assert_eq!(
        p.name, "甲小区（一期）改造",
        "free text keeps its own brackets"
    );
    assert_eq!(p.total_investment, Money(12_000_000));
    assert_eq!(planned(p, "方案设计"), d(2021, 2, 28));
    assert_eq!(planned(p, "竣工验收"), d(2021, 11, 30));
}

#[test]
fn blank_rows_are_skipped() {
    let blank = vec![C::E; 12];
    let spaces = vec![C::from(" "), C::from("\u{3000}")];
    let bytes = book(&[(
        "台账",
        vec![
            head(),
            row("JG-0001"),
            blank.clone(),
            spaces,
            blank,
            row("JG-0002"),
        ],
    )]);
    assert_eq!(import_xlsx(&bytes).unwrap().new.len(), 2);
}

#[test]
fn a_totals_row_is_not_a_project() {
    let mut total = vec![C::E; 12];
    total[0] = "合计".into();
    total[6] = 2400.0.into();
    total[7] = 1600.0.into();
    let bytes = book(&[("台账", vec![head(), row("JG-0001"), row("JG-0002"), total])]);
    let plan = import_xlsx(&bytes).unwrap();
    assert_eq!(plan.rows, 2);
    let mut total2 = vec![C::E; 12];
    total2[1] = "总 计".into();
    let bytes = book(&[("台账", vec![head(), row("JG-0003"), total2])]);
    assert_eq!(import_xlsx(&bytes).unwrap().rows, 1);
}

#[test]
fn one_sheet_per_district_takes_the_district_from_the_sheet_name() {
    let h: Vec<C> = head()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|x| x.1)
        .collect();
    let drop_district = |r: Vec<C>| -> Vec<C> {
        r.into_iter()
            .enumerate()
            .filter(|(i, _)| *i != 3)
            .map(|x| x.1)
            .collect()
    };
    let qs = with(row("JG-0002"), 4, "青山区住建局".into());
    let bytes = book(&[
        ("映湖区", vec![h.clone(), drop_district(row("JG-0001"))]),
        ("青山区", vec![h, drop_district(qs)]),
        ("填表说明", vec![vec![C::from("请按模板填写")]]),
    ]);
    let plan = import_xlsx(&bytes).unwrap();
    assert_eq!(project(&plan, "JG-0001").district, UnitId(4));
    assert_eq!(project(&plan, "JG-0002").district, UnitId(5));
    assert_eq!(plan.skipped_sheets, vec!["填表说明".to_owned()]);
}

#[test]
fn unknown_columns_are_listed_not_imported() {
    let mut h = head();
    h.push("联系人".into());
    let mut r = row("JG-0001");
    r.push("张三".into());
    let plan = import_xlsx(&book(&[("台账", vec![h, r])])).unwrap();
    assert_eq!(plan.ignored_columns, vec!["台账: 联系人".to_owned()]);
}

#[test]
fn a_single_year_plan_may_be_given_as_year_and_amount_columns() {
    let mut h = head();
    h[7] = "年度计划投资".into();
    h.push("年度".into());
    h.push("计划类型".into());
    let mut r = row("JG-0001");
    r.push(2021.0.into());
    r.push("开展前期".into());
    let plan = import_xlsx(&book(&[("台账", vec![h, r])])).unwrap();
    assert_eq!(
        project(&plan, "JG-0001").year_plans,
        vec![YearPlan {
            year: 2021,
            kind: PlanKind::Preliminary,
            planned_investment: Money(8_000_000),
            status: jianguan_domain::model::PlanStatus::Draft,
            adjusted_investment: None,
            cancelled_on: None,
        }]
    );
}

#[test]
fn a_custom_alias_table_maps_other_names() {
    let mut h = head();
    h[1] = "工程名称".into();
    let bytes = book(&[("台账", vec![h, row("JG-0001")])]);
    assert!(import_xlsx(&bytes).is_err(), "not a default name");
    let options = ImportOptions {
        aliases: AliasTable::from_toml("[fields]\nname = [\"工程名称\", \"项目名称\"]\n").unwrap(),
        ..ImportOptions::default()
    };
    let plan = import_ledger(&bytes, "a.xlsx", &portfolio(), &options, no_progress()).unwrap();
    assert_eq!(plan.new.len(), 1);
}

#[test]
fn a_utf8_csv_with_a_byte_order_mark_imports() {
    let mut text = String::from("\u{feff}");
    text.push_str(&HEAD.join(","));
    text.push_str("\nJG-0001,\"甲小区,一期\",老旧小区改造,映湖区,映湖区住建局,改造,1200,800,2021-02-28,2021/5/31,2021年11月,\n");
    let plan = import(text.as_bytes(), "台账.csv").unwrap();
    let p = project(&plan, "JG-0001");
    assert_eq!(p.name, "甲小区,一期");
    assert_eq!(planned(p, "竣工验收"), d(2021, 11, 30));
}

// ---------------------------------------------------------------------------------------------
// Files with errors: nothing imported, every error located.

#[test]
fn an_unknown_district_is_located_and_explained() {
    let bytes = book(&[(
        "台账",
        vec![
            head(),
            row("JG-0001"),
            with(row("JG-0002"), 3, "东湖区".into()),
        ],
    )]);
    let errs = errors(import_xlsx(&bytes));
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("台账", 3, "D")
    );
    assert_eq!((e.header.as_str(), e.value.as_str()), ("县区", "东湖区"));
    assert!(e.expected.contains("县区"), "{}", e.expected);
}

#[test]
fn an_unknown_category_lists_the_categories() {
    let bytes = book(&[(
        "台账",
        vec![head(), with(row("JG-0001"), 2, "口袋公园".into())],
    )]);
    let errs = errors(import_xlsx(&bytes));
    assert_eq!(errs[0].column, "C");
    assert!(errs[0].expected.contains("老旧小区改造") && errs[0].expected.contains("公厕新建改造"));
}

#[test]
fn completion_planned_before_the_start_is_refused() {
    let bytes = book(&[(
        "台账",
        vec![head(), with(row("JG-0001"), 10, d(2021, 3, 1).into())],
    )]);
    let errs = errors(import_xlsx(&bytes));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].column, "K");
    assert!(errs[0].expected.contains("开工"), "{}", errs[0].expected);
}

#[test]
fn a_missing_milestone_date_is_refused() {
    let bytes = book(&[("台账", vec![head(), with(row("JG-0001"), 8, C::E)])]);
    let errs = errors(import_xlsx(&bytes));
    assert_eq!((errs[0].column.as_str(), errs[0].row), ("I", 2));
    assert!(errs[0].expected.contains("方案设计"));
}

#[test]
fn a_milestone_the_category_lacks_must_stay_blank() {
    let mut h = head();
    h.push("完工计划日期".into());
    let mut r = row("JG-0001");
    r.push(d(2021, 12, 1).into());
    let errs = errors(import_xlsx(&book(&[("台账", vec![h, r])])));
    assert_eq!(errs[0].column, "M");
    assert!(errs[0].expected.contains("没有节点「完工」"));
}

#[test]
fn wrong_types_are_refused_with_what_was_expected() {
    let r = with(
        with(with(row("JG-0001"), 6, "约三百万".into()), 9, C::B(true)),
        5,
        "翻新".into(),
    );
    let errs = errors(import_xlsx(&book(&[("台账", vec![head(), r])])));
    let at: Vec<_> = errs.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(at, vec!["F", "G", "J"], "{errs:?}");
    assert!(errs[0].expected.contains("新建"));
    assert!(errs[1].expected.contains("数字"));
    assert!(errs[2].expected.contains("日期"));
}

#[test]
fn a_date_in_words_is_refused() {
    let errs = start_date("下月底".into()).unwrap_err();
    assert!(errs[0].expected.contains("2021-05-31"));
}

#[test]
fn a_duplicate_code_names_the_first_row() {
    let bytes = book(&[("台账", vec![head(), row("JG-0001"), row("JG-0001")])]);
    let errs = errors(import_xlsx(&bytes));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].row, 3);
    assert!(errs[0].expected.contains("第 2 行"));
}

#[test]
fn every_error_is_collected_not_just_the_first() {
    let bytes = book(&[(
        "台账",
        vec![
            head(),
            with(row("JG-0001"), 3, "东湖区".into()),
            row("JG-0002"),
            with(row("JG-0003"), 2, "不存在".into()),
            with(row("JG-0004"), 6, C::E),
        ],
    )]);
    let errs = errors(import_xlsx(&bytes));
    let at: Vec<_> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(at, vec![(2, "D"), (4, "C"), (5, "G")]);
}

#[test]
fn errors_stop_at_the_cap_and_say_so() {
    let rows: Vec<Vec<C>> = std::iter::once(head())
        .chain((0..20).map(|i| with(row(&format!("JG-{i:04}")), 3, "东湖区".into())))
        .collect();
    let options = ImportOptions {
        limits: Limits {
            max_errors: 5,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    match import_ledger(
        &book(&[("台账", rows)]),
        "a.xlsx",
        &portfolio(),
        &options,
        no_progress(),
    ) {
        Err(ImportError::Invalid { errors, truncated }) => {
            assert_eq!(errors.len(), 5);
            assert!(truncated);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_required_column_is_named() {
    let h: Vec<C> = head()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|x| x.1)
        .collect();
    let r: Vec<C> = row("JG-0001")
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|x| x.1)
        .collect();
    let errs = errors(import_xlsx(&book(&[("台账", vec![h, r])])));
    assert_eq!(errs[0].header, "责任单位");
    assert!(errs[0].expected.contains("缺少"));
}

#[test]
fn a_longitude_without_latitude_is_refused() {
    let mut h = head();
    h.push("经度".into());
    h.push("纬度".into());
    let mut r = row("JG-0001");
    r.push(117.2.into());
    let errs = errors(import_xlsx(&book(&[("台账", vec![h, r])])));
    assert_eq!(errs[0].column, "N");
}

/// One good row located at `lon`, `lat` under the headers given (a 坐标系 column too when
/// `system` is `Some`), imported with `option` as the import's coordinate system.
fn import_located(
    headers: (&str, &str),
    rows: &[(f64, f64, Option<&str>)],
    option: Option<CoordinateSystem>,
) -> Result<ImportPlan, ImportError> {
    import_located_into(&portfolio(), headers, rows, option)
}

fn import_located_into(
    portfolio: &Portfolio,
    headers: (&str, &str),
    rows: &[(f64, f64, Option<&str>)],
    option: Option<CoordinateSystem>,
) -> Result<ImportPlan, ImportError> {
    let with_system = rows.iter().any(|r| r.2.is_some());
    let mut h = head();
    h.push(headers.0.into());
    h.push(headers.1.into());
    if with_system {
        h.push("坐标系".into());
    }
    let mut sheet = vec![h];
    for (i, (lon, lat, system)) in rows.iter().enumerate() {
        let mut r = row(&format!("JG-{:04}", i + 1));
        r.push((*lon).into());
        r.push((*lat).into());
        if with_system {
            r.push(system.unwrap_or("").into());
        }
        sheet.push(r);
    }
    let options = ImportOptions {
        coordinates: option,
        ..ImportOptions::default()
    };
    import_ledger(
        &book(&[("台账", sheet)]),
        "台账.xlsx",
        portfolio,
        &options,
        no_progress(),
    )
}

fn location(plan: &ImportPlan, code: &str) -> GeoPoint {
    project(plan, code).location.expect("a location")
}

/// A point in Xiamen as a phone map (GCJ-02) gives it.
const XIAMEN_GCJ: GeoPoint = GeoPoint {
    lon: 118.0945,
    lat: 24.477,
};

#[test]
fn coordinates_without_a_system_are_stored_as_wgs84() {
    let plan = import_located(("经度", "纬度"), &[(118.0945, 24.477, None)], None).unwrap();
    assert_eq!(location(&plan, "JG-0001"), XIAMEN_GCJ);
    assert!(
        !plan.notes.iter().any(|n| n.contains("换算")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn gcj02_coordinates_named_by_the_import_option_are_stored_in_wgs84() {
    let plan = import_located(
        ("经度", "纬度"),
        &[(118.0945, 24.477, None)],
        Some(CoordinateSystem::Gcj02),
    )
    .unwrap();
    assert_eq!(location(&plan, "JG-0001"), gcj02_to_wgs84(XIAMEN_GCJ));
    assert!(
        plan.notes
            .contains(&"1 个项目的经纬度按 GCJ-02 填写，已换算为 WGS-84 保存".to_string()),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_coordinate_system_column_converts_each_row_by_its_own_system() {
    let (lon, lat) = (XIAMEN_GCJ.lon, XIAMEN_GCJ.lat);
    let plan = import_located(
        ("经度", "纬度"),
        &[
            (lon, lat, Some("百度地图")),
            (lon, lat, Some("")),
            (lon, lat, Some("WGS84")),
            (lon, lat, Some("高德")),
        ],
        Some(CoordinateSystem::Gcj02),
    )
    .unwrap();
    assert_eq!(location(&plan, "JG-0001"), bd09_to_wgs84(XIAMEN_GCJ));
    assert_eq!(
        location(&plan, "JG-0002"),
        gcj02_to_wgs84(XIAMEN_GCJ),
        "a blank cell takes the import's system"
    );
    assert_eq!(location(&plan, "JG-0003"), XIAMEN_GCJ);
    assert_eq!(location(&plan, "JG-0004"), gcj02_to_wgs84(XIAMEN_GCJ));
}

#[test]
fn a_system_named_in_the_headers_brackets_is_the_sheets() {
    let plan = import_located(
        ("经度（GCJ-02）", "纬度(GCJ-02)"),
        &[(118.0945, 24.477, None)],
        Some(CoordinateSystem::Bd09),
    )
    .unwrap();
    assert_eq!(location(&plan, "JG-0001"), gcj02_to_wgs84(XIAMEN_GCJ));
    let errs = errors(import_located(
        ("经度（GCJ-02）", "纬度（BD-09）"),
        &[(118.0945, 24.477, None)],
        None,
    ));
    assert_eq!(errs[0].header, "纬度");
    assert!(errs[0].expected.contains("两列须为同一坐标系"), "{errs:?}");
}

#[test]
fn an_unknown_coordinate_system_is_refused_naming_row_and_column() {
    let errs = errors(import_located(
        ("经度", "纬度"),
        &[
            (118.0945, 24.477, Some("WGS84")),
            (118.0945, 24.477, Some("北京54")),
        ],
        None,
    ));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (
            errs[0].row,
            errs[0].column.as_str(),
            errs[0].header.as_str()
        ),
        (3, "O", "坐标系")
    );
    assert_eq!(
        errs[0].expected,
        "未知坐标系「北京54」：应为 WGS-84（GPS）、GCJ-02（高德、腾讯）或 BD-09（百度）"
    );
}

#[test]
fn swapped_longitude_and_latitude_are_refused_saying_so() {
    let errs = errors(import_located(
        ("经度", "纬度"),
        &[(118.0945, 24.477, None), (24.477, 118.0945, None)],
        Some(CoordinateSystem::Gcj02),
    ));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].row, errs[0].header.as_str()), (3, "经度"));
    assert!(
        errs[0].expected.starts_with("经纬度可能填反了"),
        "{}",
        errs[0].expected
    );
}

#[test]
fn coordinates_outside_the_citys_outlines_are_refused_naming_the_cell() {
    // The city's one district drawn around Xiamen.
    let mut city = portfolio();
    let district = city
        .units
        .iter()
        .find(|u| u.kind == jianguan_domain::model::UnitKind::District)
        .expect("a district")
        .id;
    let ring: Vec<GeoPoint> = [
        (118.0, 24.4),
        (118.2, 24.4),
        (118.2, 24.6),
        (118.0, 24.6),
        (118.0, 24.4),
    ]
    .into_iter()
    .map(|(lon, lat)| GeoPoint { lon, lat })
    .collect();
    city.district_boundaries.insert(
        district,
        std::sync::Arc::new(jianguan_domain::boundary::Boundary {
            polygons: vec![jianguan_domain::boundary::BoundaryPolygon {
                exterior: ring,
                holes: Vec::new(),
            }],
        }),
    );
    // Xiamen in GCJ-02 passes (converted first); Fuzhou's coordinates do not.
    let errs = errors(import_located_into(
        &city,
        ("经度", "纬度"),
        &[(118.0945, 24.477, Some("GCJ-02")), (119.3, 26.08, None)],
        None,
    ));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].row, errs[0].header.as_str()), (3, "经度"));
    assert!(
        errs[0].expected.starts_with("不在本市范围内")
            && errs[0].expected.contains("117.95–118.25"),
        "{}",
        errs[0].expected
    );
}

#[test]
fn coordinates_outside_china_are_refused_naming_the_cell() {
    for (lon, lat, header) in [(118.0945, 60.0, "纬度"), (-51.2, 24.477, "经度")] {
        let errs = errors(import_located(("经度", "纬度"), &[(lon, lat, None)], None));
        assert_eq!(errs[0].header, header, "{lon},{lat}: {errs:?}");
        assert!(errs[0].expected.contains("不在范围内"), "{errs:?}");
    }
}

#[test]
fn a_sheet_without_any_header_is_refused() {
    let bytes = book(&[("Sheet1", vec![vec![C::from("随便写点"), C::from("什么")]])]);
    assert_eq!(import_xlsx(&bytes), Err(ImportError::NoHeader));
}

#[test]
fn the_error_report_marks_the_bad_cells_with_notes() {
    let bytes = book(&[(
        "台账",
        vec![
            head(),
            with(row("JG-0001"), 3, "东湖区".into()),
            with(row("JG-0002"), 8, C::E),
        ],
    )]);
    let workbook = read_workbook(&bytes, "台账.xlsx", &Limits::default()).unwrap();
    let errs = match plan_import(
        &workbook,
        &portfolio(),
        &ImportOptions::default(),
        no_progress(),
    ) {
        Err(ImportError::Invalid { errors, .. }) => errors,
        other => panic!("{other:?}"),
    };
    let report = error_report(&workbook, &errs).unwrap();
    // The report reads back: 错误清单 first, then a copy of the ledger.
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(report.clone())).unwrap();
    use calamine::Reader;
    assert_eq!(
        book.sheet_names(),
        vec!["错误清单".to_owned(), "台账".to_owned()]
    );
    let list = book.worksheet_range("错误清单").unwrap();
    assert_eq!(list.height(), 2 + errs.len());
    assert_eq!(
        list.get_value((2, 2)),
        Some(&calamine::Data::String("D".into()))
    );
    let copy = book.worksheet_range("台账").unwrap();
    assert_eq!(
        copy.get_value((1, 3)),
        Some(&calamine::Data::String("东湖区".into()))
    );
    // Two notes, one per bad cell (the blank one included).
    let mut zip = zip::ZipArchive::new(Cursor::new(report)).unwrap();
    let mut comments = String::new();
    zip.by_name("xl/comments1.xml")
        .unwrap()
        .read_to_string(&mut comments)
        .unwrap();
    assert_eq!(comments.matches("<comment ").count(), 2, "{comments}");
    assert!(comments.contains("ref=\"D2\"") && comments.contains("ref=\"I3\""));
    assert!(comments.contains("方案设计"));
}

// ---------------------------------------------------------------------------------------------
// Hostile files: an error, never a panic.

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The entries of a real workbook, to be tampered with.
fn entries_of(xlsx: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_parsed() {
    let good = book(&[("台账", vec![head(), row("JG-0001")])]);
    let mut entries = entries_of(&good);
    let zeros = vec![b' '; 64 << 20];
    for (name, data) in &mut entries {
        if name == "xl/worksheets/sheet1.xml" {
            data.extend_from_slice(&zeros);
        }
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bomb = zip_of(&refs);
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    assert!(matches!(import_xlsx(&bomb), Err(ImportError::ZipBomb(_))));
}

/// Sets the uncompressed size `entry` declares, in its local header and the central directory.
fn lie_about_size(zip: &mut [u8], entry: &str, size: u32) {
    let name = entry.as_bytes();
    let u16_at = |z: &[u8], i: usize| usize::from(u16::from_le_bytes([z[i], z[i + 1]]));
    for i in 0..zip.len().saturating_sub(46) {
        if zip[i..].starts_with(b"PK\x03\x04")
            && zip[i + 30..].starts_with(name)
            && u16_at(zip, i + 26) == name.len()
        {
            zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        }
        if zip[i..].starts_with(b"PK\x01\x02")
            && zip[i + 46..].starts_with(name)
            && u16_at(zip, i + 28) == name.len()
        {
            zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
    }
}

#[test]
fn a_zip_entry_that_lies_about_its_size_is_caught_while_decompressing() {
    let good = book(&[("台账", vec![head(), row("JG-0001")])]);
    let mut entries = entries_of(&good);
    for (name, data) in &mut entries {
        if name == "xl/worksheets/sheet1.xml" {
            data.extend_from_slice(&vec![b' '; 16 << 20]);
        }
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let mut bomb = zip_of(&refs);
    lie_about_size(&mut bomb, "xl/worksheets/sheet1.xml", 1_000);
    let r = import_xlsx(&bomb);
    assert!(
        matches!(r, Err(ImportError::ZipBomb(_) | ImportError::Unreadable(_))),
        "{r:?}"
    );
}

#[test]
fn too_much_uncompressed_data_is_refused() {
    let good = book(&[("台账", vec![head(), row("JG-0001")])]);
    let options = ImportOptions {
        limits: Limits {
            max_uncompressed_bytes: 2_000,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    let r = import_ledger(&good, "a.xlsx", &portfolio(), &options, no_progress());
    assert!(matches!(r, Err(ImportError::ZipBomb(_))), "{r:?}");
}

/// Pseudo-random CJK text that does not compress much.
fn noise(chars: usize) -> String {
    let mut x: u32 = 12345;
    (0..chars)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            char::from_u32(0x4E00 + (x >> 16) % 0x5000).unwrap()
        })
        .collect()
}

#[test]
fn a_ten_megabyte_cell_is_refused() {
    let good = book(&[(
        "台账",
        vec![head(), with(row("JG-0001"), 1, "PLACEHOLDER".into())],
    )]);
    let big = noise(3_500_000);
    let mut entries = entries_of(&good);
    for (name, data) in &mut entries {
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(data.clone())
                .unwrap()
                .replace("PLACEHOLDER", &big);
            *data = text.into_bytes();
        }
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bytes = zip_of(&refs);
    match import_xlsx(&bytes) {
        Err(ImportError::CellTooLong { cell, chars, .. }) => {
            assert_eq!(cell, "B2");
            assert_eq!(chars, 3_500_000);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cells_at_the_far_corners_are_refused_before_the_grid_is_allocated() {
    // Two cells spanning the whole sheet would make a dense reader allocate 17 billion cells.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "项目编号").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(matches!(import_xlsx(&bytes), Err(ImportError::TooBig(_))));
    // Within the row limit but a used area too large.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "项目编号").unwrap();
    ws.write_string(150_000, 400, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    match import_xlsx(&bytes) {
        Err(ImportError::TooBig(msg)) => assert!(msg.contains("单元格"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_truncated_workbook_is_unreadable() {
    let good = book(&[("台账", vec![head(), row("JG-0001")])]);
    for cut in [10, good.len() / 3, good.len() / 2, good.len() - 30] {
        let r = import_xlsx(&good[..cut]);
        assert!(
            matches!(r, Err(ImportError::Unreadable(_))),
            "cut at {cut}: {r:?}"
        );
    }
}

#[test]
fn random_and_corrupted_bytes_give_errors_not_panics() {
    let good = book(&[("台账", vec![head(), row("JG-0001")])]);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..40 {
        let mut bytes = match round % 4 {
            0 => (0..(next() % 5000))
                .map(|_| next() as u8)
                .collect::<Vec<u8>>(),
            1 => [
                b"PK\x03\x04".as_slice(),
                &(0..2000).map(|_| next() as u8).collect::<Vec<_>>(),
            ]
            .concat(),
            2 => [
                [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1].as_slice(),
                &(0..4000).map(|_| next() as u8).collect::<Vec<_>>(),
            ]
            .concat(),
            _ => good.clone(),
        };
        if round % 4 == 3 {
            // Flip bytes inside the compressed data of a real workbook.
            for _ in 0..8 {
                let i = (next() as usize) % bytes.len();
                bytes[i] ^= 0xFF;
            }
        }
        let name = if round % 5 == 0 { "x.csv" } else { "x.xlsx" };
        let r = std::panic::catch_unwind(|| import(&bytes, name));
        assert!(r.is_ok(), "round {round} panicked");
    }
}

#[test]
fn an_xls_that_is_not_one_is_unreadable() {
    // No crate here writes .xls, so real .xls files are not tested; a damaged one must fail
    // cleanly.
    let bytes = [
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1].as_slice(),
        &[0u8; 600],
    ]
    .concat();
    assert!(matches!(
        import(&bytes, "台账.xls"),
        Err(ImportError::Unreadable(_))
    ));
}

#[test]
fn a_csv_that_is_not_utf8_says_how_to_save_it() {
    // 项目编号 in GB18030.
    let bytes = [0xCF, 0xEE, 0xC4, 0xBF, 0xB1, 0xE0, 0xBA, 0xC5, b'\n'];
    match import(&bytes, "台账.csv") {
        Err(ImportError::Unreadable(msg)) => assert!(msg.contains("UTF-8"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_file_that_is_no_workbook_is_unreadable() {
    assert!(matches!(
        import(b"hello", "x.docx"),
        Err(ImportError::Unreadable(_))
    ));
}

#[test]
fn limits_on_size_rows_and_time_hold() {
    let bytes = book(&[(
        "台账",
        (0..30)
            .map(|i| {
                if i == 0 {
                    head()
                } else {
                    row(&format!("JG-{i:04}"))
                }
            })
            .collect(),
    )]);
    let run = |limits: Limits| {
        import_ledger(
            &bytes,
            "a.xlsx",
            &portfolio(),
            &ImportOptions {
                limits,
                ..ImportOptions::default()
            },
            no_progress(),
        )
    };
    assert!(matches!(
        run(Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        }),
        Err(ImportError::FileTooLarge { .. })
    ));
    assert!(matches!(
        run(Limits {
            max_rows: 10,
            ..Limits::default()
        }),
        Err(ImportError::TooBig(_))
    ));
    assert!(matches!(
        run(Limits {
            max_columns: 5,
            ..Limits::default()
        }),
        Err(ImportError::TooBig(_))
    ));
    assert!(matches!(
        run(Limits {
            time_limit: std::time::Duration::ZERO,
            ..Limits::default()
        }),
        Err(ImportError::TimedOut(_))
    ));
    assert!(run(Limits::default()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Dry run, re-import, formula injection and the round trip.

fn with_projects(projects: Vec<Project>) -> Portfolio {
    let mut p = portfolio();
    p.projects = projects
        .into_iter()
        .enumerate()
        .map(|(i, mut project)| {
            project.id = ProjectId(i as i64 + 1);
            for m in &mut project.milestones {
                m.id = MilestoneId(project.id.0 * 100 + i64::from(m.seq));
            }
            Arc::new(project)
        })
        .collect();
    p
}

#[test]
fn re_importing_the_same_file_changes_nothing() {
    let bytes = book(&[("台账", vec![head(), row("JG-0001"), row("JG-0002")])]);
    let first = import_xlsx(&bytes).unwrap();
    let stored = with_projects(first.new);
    let again = import_ledger(
        &bytes,
        "a.xlsx",
        &stored,
        &ImportOptions::default(),
        no_progress(),
    )
    .unwrap();
    assert!(again.is_noop());
    assert_eq!(again.unchanged, 2);
}

#[test]
fn the_dry_run_names_new_updated_and_unchanged_projects() {
    let bytes = book(&[("台账", vec![head(), row("JG-0001"), row("JG-0002")])]);
    let stored = with_projects(import_xlsx(&bytes).unwrap().new);
    let changed = book(&[(
        "台账",
        vec![
            head(),
            row("JG-0001"),
            with(
                with(row("JG-0002"), 6, 1500.0.into()),
                11,
                d(2021, 6, 5).into(),
            ),
            row("JG-0003"),
        ],
    )]);
    let plan = import_ledger(
        &changed,
        "a.xlsx",
        &stored,
        &ImportOptions::default(),
        no_progress(),
    )
    .unwrap();
    assert_eq!(plan.new.len(), 1);
    assert_eq!(plan.unchanged, 1);
    assert_eq!(plan.updated.len(), 1);
    let change = &plan.updated[0];
    assert_eq!(change.new.code, "JG-0002");
    assert_eq!(change.new.id, change.old.id, "the stored id is kept");
    assert_eq!(change.new.milestones[1].id, change.old.milestones[1].id);
    assert_eq!(
        change.fields,
        vec!["总投资".to_owned(), "节点「开工」实际日期".to_owned()]
    );
    assert!(
        plan.summary()
            .contains("新增 1 个项目，更新 1 个，不变 1 个")
    );
}

#[test]
fn progress_is_reported_up_to_the_total() {
    let bytes = book(&[("台账", vec![head(), row("JG-0001")])]);
    let last = std::sync::Mutex::new((0, 0));
    let record = |done, total| *last.lock().unwrap() = (done, total);
    import_ledger(
        &bytes,
        "a.xlsx",
        &portfolio(),
        &ImportOptions::default(),
        &record,
    )
    .unwrap();
    assert_eq!(*last.lock().unwrap(), (2, 2));
}

#[test]
fn exported_text_that_looks_like_a_formula_is_neutralised_and_reimports_unchanged() {
    let bytes = book(&[("台账", vec![head(), row("JG-0001")])]);
    let mut stored = with_projects(import_xlsx(&bytes).unwrap().new);
    let first = Arc::make_mut(&mut stored.projects[0]);
    first.name = "=HYPERLINK(\"http://x\",\"点我\")".into();
    first.street = "-1+2".into();
    let out = ledger_workbook(
        &stored,
        &latest_progress(&stored),
        d(2021, 12, 31),
        CoordinateSystem::Wgs84,
    )
    .unwrap();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(out.clone())).unwrap();
    use calamine::Reader;
    let range = wb.worksheet_range("项目台账").unwrap();
    let cells: Vec<String> = range
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://x\",\"点我\")".to_owned()),
        "{cells:?}"
    );
    assert!(cells.contains(&"'-1+2".to_owned()));
    let plan = import_ledger(
        &out,
        "out.xlsx",
        &stored,
        &ImportOptions::default(),
        no_progress(),
    )
    .unwrap();
    assert!(plan.is_noop(), "{plan:?}");
}

/// The demo city without its projects' ids: what an import into an empty store gives.
fn without_ids(mut p: Project) -> Project {
    p.id = ProjectId(0);
    for m in &mut p.milestones {
        m.id = MilestoneId(0);
    }
    p
}

#[test]
fn export_then_import_gives_the_same_ledger() {
    let city = jianguan_demo::demo_city();
    let bytes = ledger_workbook(
        &city,
        &latest_progress(&city),
        d(2021, 12, 31),
        CoordinateSystem::Wgs84,
    )
    .unwrap();
    // Into a store with the organisation but no projects: every project is new and equal.
    let empty = Portfolio {
        projects: Vec::new(),
        reports: Vec::new(),
        ..city.clone()
    };
    let plan = import_ledger(
        &bytes,
        "台账.xlsx",
        &empty,
        &ImportOptions::default(),
        no_progress(),
    )
    .unwrap();
    assert_eq!(plan.new.len(), city.projects.len());
    // Coordinates come back at the ledger's 7 decimals; everything else as stored.
    let mut expected: Vec<Project> = city
        .projects
        .iter()
        .map(|p| without_ids(Project::clone(p)))
        .map(|mut p| {
            p.location = p.location.map(|l| GeoPoint {
                lon: precision::degrees(l.lon),
                lat: precision::degrees(l.lat),
            });
            p
        })
        .collect();
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    let mut got = plan.new.clone();
    got.sort_by(|a, b| a.code.cmp(&b.code));
    // New projects' annual plans come in as drafts, for the office to approve.
    for p in &mut got {
        for (y, e) in p.year_plans.iter_mut().zip(
            expected
                .iter()
                .find(|e| e.code == p.code)
                .map(|e| &e.year_plans)
                .into_iter()
                .flatten(),
        ) {
            assert_eq!(y.status, jianguan_domain::model::PlanStatus::Draft);
            y.status = e.status;
        }
    }
    for (e, g) in expected.iter().zip(&got) {
        assert_eq!(e, g, "project {}", e.code);
    }
    // Into the store that holds them: nothing changes.
    let again = import_ledger(
        &bytes,
        "台账.xlsx",
        &city,
        &ImportOptions::default(),
        no_progress(),
    )
    .unwrap();
    assert!(
        again.is_noop(),
        "{:?}",
        again.updated.first().map(|c| &c.fields)
    );
    assert_eq!(again.unchanged, city.projects.len());
}

/// The column of `sheet` headed `header`.
fn column_of(sheet: &Sheet, header: &str) -> usize {
    sheet
        .columns
        .iter()
        .position(|c| c.header == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// The columns of `sheet` whose header ends with `suffix`.
fn columns_ending(sheet: &Sheet, suffix: &str) -> Vec<usize> {
    let found: Vec<usize> = (0..sheet.columns.len())
        .filter(|&i| sheet.columns[i].header.ends_with(suffix))
        .collect();
    assert!(!found.is_empty(), "no column ends with {suffix}");
    found
}

fn nudge(cell: &mut Value, by: f64) {
    if let Value::Number(n) = cell {
        *n += by;
    }
}

fn demo_sheet(city: &Portfolio) -> Sheet {
    ledger_sheet(
        city,
        &latest_progress(city),
        d(2021, 12, 31),
        CoordinateSystem::Wgs84,
    )
}

fn reimport(sheet: Sheet, city: &Portfolio) -> ImportPlan {
    let bytes = write_workbook(&[sheet]).unwrap();
    import_ledger(
        &bytes,
        "台账.xlsx",
        city,
        &ImportOptions::default(),
        no_progress(),
    )
    .unwrap()
}

#[test]
fn values_moved_below_the_ledgers_precision_import_as_unchanged() {
    let city = jianguan_demo::demo_city();
    let mut sheet = demo_sheet(&city);
    let (lon, lat) = (
        column_of(&sheet, "经度（WGS-84）"),
        column_of(&sheet, "纬度（WGS-84）"),
    );
    let total = column_of(&sheet, "总投资（万元）");
    let plans = columns_ending(&sheet, "年计划投资（万元）");
    let mut dates = columns_ending(&sheet, "计划日期");
    dates.extend(columns_ending(&sheet, "实际日期"));
    let mut moved = 0;
    for (i, row) in sheet.rows.iter_mut().enumerate() {
        let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
        // Coordinates by 1e-9 degrees (the ledger carries 1e-7), amounts by 0.001 and 0.0049
        // 万元 (it carries 0.01), dates given a time of day (it carries days).
        nudge(&mut row[lon], sign * 1e-9);
        nudge(&mut row[lat], -sign * 1e-9);
        nudge(&mut row[total], 0.001);
        for &c in &plans {
            nudge(&mut row[c], 0.0049);
        }
        for &c in &dates {
            if let Value::Date(day) = row[c] {
                row[c] = Value::Number(serial(day) + 0.75);
                moved += 1;
            }
        }
    }
    assert!(moved > 1000, "dates moved: {moved}");
    let plan = reimport(sheet, &city);
    assert!(
        plan.updated.is_empty(),
        "{} updated, first: {:?}",
        plan.updated.len(),
        plan.updated
            .first()
            .map(|c| (&c.new.code, &c.fields, c.old.location, c.new.location))
    );
    assert!(plan.new.is_empty());
    assert_eq!(plan.unchanged, city.projects.len());
    assert!(plan.summary().contains("更新 0 个"), "{}", plan.summary());
}

#[test]
fn values_changed_by_a_step_of_the_ledgers_precision_are_updates() {
    let city = jianguan_demo::demo_city();
    let mut sheet = demo_sheet(&city);
    let lon = column_of(&sheet, "经度（WGS-84）");
    let total = column_of(&sheet, "总投资（万元）");
    let plan_col = columns_ending(&sheet, "年计划投资（万元）")[0];
    let actual = columns_ending(&sheet, "实际日期");
    let code = |row: &[Value]| match &row[0] {
        Value::Text(t) => t.clone(),
        other => panic!("code {other:?}"),
    };
    // One step each: 1e-7 degrees, 0.01 万元 on the total and on a year's plan, one day.
    nudge(&mut sheet.rows[0][lon], 1e-7);
    nudge(&mut sheet.rows[1][total], 0.01);
    let with_plan = (2..sheet.rows.len())
        .find(|&r| matches!(sheet.rows[r][plan_col], Value::Number(_)))
        .unwrap();
    nudge(&mut sheet.rows[with_plan][plan_col], 0.01);
    let (dated, date_col) = (with_plan + 1..sheet.rows.len())
        .find_map(|r| {
            actual
                .iter()
                .find(|&&c| matches!(sheet.rows[r][c], Value::Date(_)))
                .map(|&c| (r, c))
        })
        .unwrap();
    if let Value::Date(day) = sheet.rows[dated][date_col] {
        sheet.rows[dated][date_col] = Value::Date(day.yesterday().unwrap());
    }
    let step = sheet.columns[date_col]
        .header
        .trim_end_matches("实际日期")
        .to_owned();
    let expected = [
        (code(&sheet.rows[0]), vec!["位置".to_owned()]),
        (code(&sheet.rows[1]), vec!["总投资".to_owned()]),
        (code(&sheet.rows[with_plan]), vec!["年度计划".to_owned()]),
        (
            code(&sheet.rows[dated]),
            vec![format!("节点「{step}」实际日期")],
        ),
    ];
    let plan = reimport(sheet, &city);
    let mut got: Vec<(String, Vec<String>)> = plan
        .updated
        .iter()
        .map(|c| (c.new.code.clone(), c.fields.clone()))
        .collect();
    got.sort();
    let mut expected = expected.to_vec();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(plan.unchanged, city.projects.len() - 4);
    // The fields no one changed keep their stored values exactly, not the ledger's rounding.
    for c in &plan.updated {
        if !c.fields.contains(&"位置".to_owned()) {
            assert_eq!(c.new.location, c.old.location, "{}", c.new.code);
        }
    }
}

#[test]
fn a_ledger_exported_in_gcj02_or_bd09_says_so_and_imports_back_unchanged() {
    let city = jianguan_demo::demo_city();
    for system in [CoordinateSystem::Gcj02, CoordinateSystem::Bd09] {
        let sheet = ledger_sheet(&city, &latest_progress(&city), d(2021, 12, 31), system);
        let (lon, lat) = (
            column_of(&sheet, &format!("经度（{system}）")),
            column_of(&sheet, &format!("纬度（{system}）")),
        );
        let project = &city.projects[0];
        let row = sheet
            .rows
            .iter()
            .find(|r| matches!(&r[0], Value::Text(c) if *c == project.code))
            .expect("the project's row");
        let written = system.from_wgs84(project.location.expect("demo projects are located"));
        assert_eq!(
            (&row[lon], &row[lat]),
            (
                &Value::Number(precision::degrees(written.lon)),
                &Value::Number(precision::degrees(written.lat))
            ),
            "{system}"
        );
        // The header names the system, so import converts back without being told.
        let plan = reimport(sheet, &city);
        assert!(
            plan.updated.is_empty(),
            "{system}: {} updated, first: {:?}",
            plan.updated.len(),
            plan.updated
                .first()
                .map(|c| (&c.new.code, &c.fields, c.old.location, c.new.location))
        );
        assert_eq!(plan.unchanged, city.projects.len());
    }
}
