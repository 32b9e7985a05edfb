//! Rows → projects, checked against the portfolio, compared with the stored projects by ledger
//! code: the [`ImportPlan`].

use std::collections::{BTreeMap, HashMap};

use calamine::Data;
use jianguan_domain::model::{
    BuildType, Category, GeoPoint, Milestone, MilestoneId, Money, PlanKind, Portfolio, Project,
    ProjectId, Scale, Unit, UnitId, UnitKind, YearPlan,
};
use jiff::civil::Date;

use super::columns::{AliasTable, ColumnKind, Field, Layout, MappedColumn, detect, is_totals};
use super::limits::{Deadline, Limits};
use super::precision;
use super::read::{RawSheet, Workbook, read_with_deadline};
use super::values::{self, key};
use super::{CellError, ImportError, Progress, column_letters};

/// How to import: the alias table and the limits.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Header variants per column.
    pub aliases: AliasTable,
    /// What a file may be.
    pub limits: Limits,
}

/// A stored project the ledger changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectChange {
    /// The project as stored.
    pub old: Project,
    /// The project as the ledger has it (the stored ids kept; a milestone new to it has id 0).
    pub new: Project,
    /// The names of the fields that differ, e.g. 总投资, 节点「开工」计划日期.
    pub fields: Vec<String>,
}

/// What importing a ledger would do. Nothing is written until the store applies it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    /// Projects whose code is not stored yet (ids 0; milestone ids 0).
    pub new: Vec<Project>,
    /// Stored projects that change.
    pub updated: Vec<ProjectChange>,
    /// Stored projects the ledger leaves as they are.
    pub unchanged: usize,
    /// Project rows read.
    pub rows: usize,
    /// Sheets without a recognisable header, not read.
    pub skipped_sheets: Vec<String>,
    /// Columns not imported, as `sheet: header`.
    pub ignored_columns: Vec<String>,
}

impl ImportPlan {
    /// Whether applying the plan would change nothing.
    pub fn is_noop(&self) -> bool {
        self.new.is_empty() && self.updated.is_empty()
    }

    /// One line: 新增 N 个，更新 N 个，不变 N 个.
    pub fn summary(&self) -> String {
        format!(
            "读取 {} 行：新增 {} 个项目，更新 {} 个，不变 {} 个",
            self.rows,
            self.new.len(),
            self.updated.len(),
            self.unchanged
        )
    }
}

/// Reads and checks a ledger file in one step (see [`super::read_workbook`] and
/// [`plan_import`]); one time limit covers both.
pub fn import_ledger(
    bytes: &[u8],
    file_name: &str,
    portfolio: &Portfolio,
    options: &ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportPlan, ImportError> {
    let deadline = Deadline::after(options.limits.time_limit);
    let workbook = read_with_deadline(bytes, file_name, &options.limits, &deadline)?;
    plan_with_deadline(&workbook, portfolio, options, progress, &deadline)
}

/// Checks every row of `workbook` against `portfolio` and compares the projects with the stored
/// ones by code. All-or-nothing: any problem makes it [`ImportError::Invalid`] with every
/// problem found (up to [`Limits::max_errors`]).
pub fn plan_import(
    workbook: &Workbook,
    portfolio: &Portfolio,
    options: &ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportPlan, ImportError> {
    let deadline = Deadline::after(options.limits.time_limit);
    plan_with_deadline(workbook, portfolio, options, progress, &deadline)
}

struct Errors {
    list: Vec<CellError>,
    cap: usize,
    truncated: bool,
}

impl Errors {
    fn push(&mut self, e: CellError) {
        if self.list.len() < self.cap {
            self.list.push(e);
        } else {
            self.truncated = true;
        }
    }

    fn full(&self) -> bool {
        self.truncated
    }
}

/// The portfolio indexed for lookups by name.
struct Lookup<'a> {
    categories: HashMap<String, &'a Category>,
    units: HashMap<String, Vec<&'a Unit>>,
    steps: Vec<String>,
    existing: HashMap<&'a str, &'a Project>,
}

impl<'a> Lookup<'a> {
    fn new(portfolio: &'a Portfolio) -> Lookup<'a> {
        let mut categories = HashMap::new();
        for c in &portfolio.categories {
            categories.insert(key(&c.code), c);
        }
        for c in &portfolio.categories {
            categories.insert(key(&c.name), c);
        }
        let mut units: HashMap<String, Vec<&Unit>> = HashMap::new();
        for u in &portfolio.units {
            units.entry(key(&u.name)).or_default().push(u);
        }
        let mut steps: Vec<String> = Vec::new();
        for c in &portfolio.categories {
            for s in &c.template {
                if !steps.contains(&s.name) {
                    steps.push(s.name.clone());
                }
            }
        }
        let existing = portfolio
            .projects
            .iter()
            .map(|p| (p.code.as_str(), p))
            .collect();
        Lookup {
            categories,
            units,
            steps,
            existing,
        }
    }

    /// The unit named `name` of one of `kinds`; among several, the one under `parent`.
    fn unit(
        &self,
        name: &str,
        kinds: &[UnitKind],
        parent: Option<UnitId>,
    ) -> Result<&'a Unit, String> {
        let found: Vec<&Unit> = self
            .units
            .get(&key(name))
            .into_iter()
            .flatten()
            .copied()
            .filter(|u| kinds.contains(&u.kind))
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(format!(
                "未知的{}：应为系统中已有的单位名称",
                kinds
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("或")
            )),
            many => {
                let under: Vec<&&Unit> = many
                    .iter()
                    .filter(|u| u.parent == parent && parent.is_some())
                    .collect();
                match under.as_slice() {
                    [one] => Ok(one),
                    _ => Err(format!("名称「{name}」对应多个单位，无法确定")),
                }
            }
        }
    }
}

/// Where a sheet's columns are, by what they hold.
struct SheetColumns<'l> {
    fields: HashMap<Field, &'l MappedColumn>,
    planned: HashMap<&'l str, &'l MappedColumn>,
    actual: HashMap<&'l str, &'l MappedColumn>,
    years: BTreeMap<i16, (Option<&'l MappedColumn>, Option<&'l MappedColumn>)>,
}

impl<'l> SheetColumns<'l> {
    fn new(layout: &'l Layout) -> SheetColumns<'l> {
        let mut s = SheetColumns {
            fields: HashMap::new(),
            planned: HashMap::new(),
            actual: HashMap::new(),
            years: BTreeMap::new(),
        };
        for m in &layout.columns {
            match &m.kind {
                ColumnKind::Field(f) => {
                    s.fields.insert(*f, m);
                }
                ColumnKind::Planned(step) => {
                    s.planned.insert(step, m);
                }
                ColumnKind::Actual(step) => {
                    s.actual.insert(step, m);
                }
                ColumnKind::YearInvestment(y) => s.years.entry(*y).or_default().0 = Some(m),
                ColumnKind::YearKind(y) => s.years.entry(*y).or_default().1 = Some(m),
            }
        }
        s
    }
}

/// One row being read: where it is and its cells.
struct RowCtx<'r> {
    sheet: &'r str,
    row: u32,
    first_col: u32,
    cells: &'r [Data],
    default_factor: i64,
}

impl RowCtx<'_> {
    fn cell(&self, m: &MappedColumn) -> &Data {
        self.cells.get(m.col).unwrap_or(&Data::Empty)
    }

    fn error(&self, m: &MappedColumn, expected: impl Into<String>) -> CellError {
        CellError {
            sheet: self.sheet.to_owned(),
            row: self.row,
            column: column_letters(self.first_col + m.col as u32),
            header: m.header.clone(),
            value: shown(self.cell(m)),
            expected: expected.into(),
        }
    }

    fn missing(&self, what: &str, expected: impl Into<String>) -> CellError {
        CellError {
            sheet: self.sheet.to_owned(),
            row: self.row,
            column: String::new(),
            header: what.to_owned(),
            value: String::new(),
            expected: expected.into(),
        }
    }
}

/// A cell's value as the error report shows it: at most 60 characters.
fn shown(cell: &Data) -> String {
    let s = match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => values::text(cell)
            .ok()
            .flatten()
            .unwrap_or_else(|| f.to_string()),
        other => values::text(other)
            .ok()
            .flatten()
            .unwrap_or_else(|| format!("{other:?}")),
    };
    if s.chars().count() > 60 {
        let head: String = s.chars().take(60).collect();
        format!("{head}…")
    } else {
        s
    }
}

fn plan_with_deadline(
    workbook: &Workbook,
    portfolio: &Portfolio,
    options: &ImportOptions,
    progress: Progress<'_>,
    deadline: &Deadline,
) -> Result<ImportPlan, ImportError> {
    let lookup = Lookup::new(portfolio);
    let mut errors = Errors {
        list: Vec::new(),
        cap: options.limits.max_errors.max(1),
        truncated: false,
    };
    let mut plan = ImportPlan::default();
    let mut projects: Vec<Project> = Vec::new();
    let mut seen: HashMap<String, (String, u32)> = HashMap::new();
    let total = workbook.rows() as u64;
    let mut done: u64 = 0;
    let mut any_header = false;
    for sheet in &workbook.sheets {
        deadline.check()?;
        let layout = match detect(sheet, &options.aliases, &lookup.steps) {
            Ok(Some(layout)) => layout,
            Ok(None) => {
                plan.skipped_sheets.push(sheet.name.clone());
                done += sheet.height() as u64;
                continue;
            }
            Err(e) => {
                errors.push(*e);
                any_header = true;
                continue;
            }
        };
        any_header = true;
        plan.ignored_columns.extend(
            layout
                .ignored
                .iter()
                .map(|h| format!("{}: {h}", sheet.name)),
        );
        read_sheet(
            sheet,
            &layout,
            &lookup,
            &options.aliases,
            &mut errors,
            &mut projects,
            &mut seen,
            deadline,
            &mut |n| {
                done += n;
                progress(done, total);
            },
        )?;
        if errors.full() {
            break;
        }
    }
    progress(total, total);
    if !any_header {
        return Err(ImportError::NoHeader);
    }
    if !errors.list.is_empty() {
        return Err(ImportError::Invalid {
            errors: errors.list,
            truncated: errors.truncated,
        });
    }
    plan.rows = projects.len();
    for mut project in projects {
        match lookup.existing.get(project.code.as_str()) {
            None => plan.new.push(project),
            Some(old) => {
                project.id = old.id;
                for m in &mut project.milestones {
                    if let Some(o) = old.milestones.iter().find(|o| o.name == m.name) {
                        m.id = o.id;
                    }
                }
                keep_stored_at_precision(old, &mut project);
                let fields = changed_fields(old, &project);
                if fields.is_empty() {
                    plan.unchanged += 1;
                } else {
                    plan.updated.push(ProjectChange {
                        old: (*old).clone(),
                        new: project,
                        fields,
                    });
                }
            }
        }
    }
    Ok(plan)
}

#[expect(clippy::too_many_arguments, reason = "the state of one import pass")]
fn read_sheet(
    sheet: &RawSheet,
    layout: &Layout,
    lookup: &Lookup<'_>,
    table: &AliasTable,
    errors: &mut Errors,
    projects: &mut Vec<Project>,
    seen: &mut HashMap<String, (String, u32)>,
    deadline: &Deadline,
    advance: &mut dyn FnMut(u64),
) -> Result<(), ImportError> {
    let (r0, c0) = sheet.range.start().unwrap_or((0, 0));
    let cols = SheetColumns::new(layout);
    let header_row = r0 + layout.header_last as u32 + 1;
    // Columns the sheet must have; the district may come from the sheet's name.
    let sheet_district = lookup.unit(&sheet.name, &[UnitKind::District], None).ok();
    for (field, needed) in [
        (Field::Name, true),
        (Field::Category, true),
        (Field::ResponsibleUnit, true),
        (Field::BuildType, true),
        (Field::TotalInvestment, true),
        (Field::District, sheet_district.is_none()),
    ] {
        if needed && !cols.fields.contains_key(&field) {
            errors.push(CellError {
                sheet: sheet.name.clone(),
                row: header_row,
                column: String::new(),
                header: field.label().into(),
                value: String::new(),
                expected: if field == Field::District {
                    format!("缺少「县区」列，且工作表名「{}」不是县区名称", sheet.name)
                } else {
                    format!("缺少「{}」列", field.label())
                },
            });
        }
    }
    if !cols.fields.contains_key(&Field::Code) || errors.full() {
        advance(sheet.height() as u64);
        return Ok(());
    }
    let mut pending: u64 = (layout.header_last + 1) as u64;
    for (i, cells) in sheet.range.rows().enumerate().skip(layout.header_last + 1) {
        pending += 1;
        if pending >= 512 {
            advance(pending);
            pending = 0;
            deadline.check()?;
        }
        if cells.iter().all(|c| matches!(c, Data::Empty))
            || cells.iter().all(|c| matches!(values::text(c), Ok(None)))
        {
            continue;
        }
        let ctx = RowCtx {
            sheet: &sheet.name,
            row: r0 + i as u32 + 1,
            first_col: c0,
            cells,
            default_factor: layout.default_factor,
        };
        let code_col = cols.fields[&Field::Code];
        let code = values::text(ctx.cell(code_col)).ok().flatten();
        let code_is_total = code
            .as_deref()
            .is_none_or(|c| table.totals.iter().any(|w| key(c).contains(w.as_str())));
        if code_is_total && is_totals(cells, table) {
            continue;
        }
        if let Some(p) = read_row(&ctx, &cols, lookup, sheet_district, errors) {
            match seen.get(&p.code) {
                Some((s, r)) => errors.push(ctx.error(
                    code_col,
                    format!("项目编号重复：与工作表「{s}」第 {r} 行相同"),
                )),
                None => {
                    seen.insert(p.code.clone(), (sheet.name.clone(), ctx.row));
                    projects.push(p);
                }
            }
        }
        if errors.full() {
            break;
        }
    }
    advance(pending);
    Ok(())
}

const BUILD_TYPES: [BuildType; 3] = [
    BuildType::New,
    BuildType::Renovation,
    BuildType::Remediation,
];

fn build_type(s: &str) -> Option<BuildType> {
    let k = key(s);
    BUILD_TYPES
        .into_iter()
        .find(|b| k == b.label() || k == b.code() || k.starts_with(b.label()))
}

fn plan_kind(s: &str) -> Option<PlanKind> {
    let k = key(s);
    if k == PlanKind::Preliminary.code() || k.contains("前期") || k.contains("跨年") {
        Some(PlanKind::Preliminary)
    } else if k == PlanKind::Construction.code() || k.contains("建设") {
        Some(PlanKind::Construction)
    } else {
        None
    }
}

/// Reads one project row; `None` (with errors pushed) when it has problems.
fn read_row(
    ctx: &RowCtx<'_>,
    cols: &SheetColumns<'_>,
    lookup: &Lookup<'_>,
    sheet_district: Option<&Unit>,
    errors: &mut Errors,
) -> Option<Project> {
    let before = errors.list.len() + usize::from(errors.truncated);
    let col = |f: Field| cols.fields.get(&f).copied();
    // Text of an optional column; a wrong-typed cell is an error.
    let text = |f: Field, errors: &mut Errors| -> Option<String> {
        let m = col(f)?;
        match values::text(ctx.cell(m)) {
            Ok(t) => t,
            Err(e) => {
                errors.push(ctx.error(m, e));
                None
            }
        }
    };
    let required = |f: Field, value: Option<String>, errors: &mut Errors| -> Option<String> {
        if value.is_none()
            && let Some(m) = col(f)
        {
            errors.push(ctx.error(m, format!("必填：{}", f.label())));
        }
        value
    };
    let code = text(Field::Code, errors).map(|c| key(&c));
    let code = required(Field::Code, code, errors);
    let name = text(Field::Name, errors);
    let name = required(Field::Name, name, errors);
    let category = text(Field::Category, errors);
    let category = required(Field::Category, category, errors).and_then(|c| {
        let found = lookup.categories.get(&key(&c)).copied();
        if found.is_none() {
            let mut names: Vec<&str> = lookup
                .categories
                .values()
                .map(|c| c.name.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            errors.push(ctx.error(
                col(Field::Category)?,
                format!("未知类别；应为：{}", names.join("、")),
            ));
        }
        found
    });
    let district = match text(Field::District, errors) {
        Some(d) => match lookup.unit(&d, &[UnitKind::District], None) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(ctx.error(col(Field::District)?, e.replace("的", "的县区，")));
                None
            }
        },
        None => match sheet_district {
            Some(u) => Some(u),
            None => {
                if let Some(m) = col(Field::District) {
                    errors.push(ctx.error(m, "必填：县区"));
                }
                None
            }
        },
    };
    let street = text(Field::Street, errors).unwrap_or_default();
    let sub_category = text(Field::SubCategory, errors);
    let funding_source = text(Field::FundingSource, errors).unwrap_or_default();
    let unit_of = |f: Field, kinds: &[UnitKind], errors: &mut Errors| -> Option<Option<UnitId>> {
        let m = col(f)?;
        let name = match values::text(ctx.cell(m)) {
            Ok(Some(n)) => n,
            Ok(None) => return Some(None),
            Err(e) => {
                errors.push(ctx.error(m, e));
                return None;
            }
        };
        match lookup.unit(&name, kinds, district.map(|d| d.id)) {
            Ok(u) => Some(Some(u.id)),
            Err(e) => {
                errors.push(ctx.error(m, e));
                None
            }
        }
    };
    let lead_unit = unit_of(Field::LeadUnit, &[UnitKind::LeadUnit], errors);
    let responsible = unit_of(
        Field::ResponsibleUnit,
        &[
            UnitKind::ResponsibleUnit,
            UnitKind::District,
            UnitKind::LeadUnit,
        ],
        errors,
    );
    let responsible = match responsible {
        Some(Some(u)) => Some(u),
        Some(None) => {
            if let Some(m) = col(Field::ResponsibleUnit) {
                errors.push(ctx.error(m, "必填：责任单位"));
            }
            None
        }
        None => None,
    };
    let sub_hq = unit_of(Field::SubHq, &[UnitKind::SubHq], errors);
    let build = text(Field::BuildType, errors);
    let build = required(Field::BuildType, build, errors).and_then(|b| {
        let t = build_type(&b);
        if t.is_none() {
            errors.push(ctx.error(col(Field::BuildType)?, "应为 新建、改造 或 整治"));
        }
        t
    });
    let count = |f: Field, errors: &mut Errors| -> Option<i64> {
        let m = col(f)?;
        values::count(ctx.cell(m))
            .map_err(|e| errors.push(ctx.error(m, e)))
            .ok()
            .flatten()
    };
    let scale = Scale {
        households: count(Field::Households, errors),
        area_m2: count(Field::AreaM2, errors),
        parking_spaces: count(Field::ParkingSpaces, errors),
        toilets: count(Field::Toilets, errors),
        length_m: count(Field::LengthM, errors),
    };
    let money = |m: &MappedColumn, errors: &mut Errors| -> Option<Money> {
        values::money(ctx.cell(m), m.factor.unwrap_or(ctx.default_factor))
            .map_err(|e| errors.push(ctx.error(m, e)))
            .ok()
            .flatten()
    };
    let total_investment = col(Field::TotalInvestment).and_then(|m| {
        let v = money(m, errors);
        if v.is_none() && values::money(ctx.cell(m), 1).is_ok() {
            errors.push(ctx.error(m, "必填：总投资"));
        }
        v
    });
    let degrees = |f: Field, limit: f64, errors: &mut Errors| -> Option<f64> {
        let m = col(f)?;
        values::degrees(ctx.cell(m), limit)
            .map_err(|e| errors.push(ctx.error(m, e)))
            .ok()
            .flatten()
    };
    let lon = degrees(Field::Longitude, 180.0, errors);
    let lat = degrees(Field::Latitude, 90.0, errors);
    let location = match (lon, lat) {
        (Some(lon), Some(lat)) => Some(GeoPoint { lon, lat }),
        (None, None) => None,
        (Some(_), None) => {
            if let Some(m) = col(Field::Latitude) {
                errors.push(ctx.error(m, "填了经度就须填纬度"));
            } else {
                errors.push(ctx.missing("纬度", "填了经度就须有纬度列"));
            }
            None
        }
        (None, Some(_)) => {
            if let Some(m) = col(Field::Longitude) {
                errors.push(ctx.error(m, "填了纬度就须填经度"));
            } else {
                errors.push(ctx.missing("经度", "填了纬度就须有经度列"));
            }
            None
        }
    };
    let date = |m: &MappedColumn, errors: &mut Errors| -> Option<Date> {
        values::date(ctx.cell(m))
            .map_err(|e| errors.push(ctx.error(m, e)))
            .ok()
            .flatten()
    };
    let suspended_on = col(Field::SuspendedOn).and_then(|m| date(m, errors));
    let year_plans = year_plans(ctx, cols, errors, &money);
    let milestones = category.and_then(|c| milestones(ctx, cols, c, errors, &date));
    if errors.list.len() + usize::from(errors.truncated) > before {
        return None;
    }
    let category = category?;
    Some(Project {
        id: ProjectId(0),
        code: code?,
        name: name?,
        category: category.id,
        sub_category,
        district: district?.id,
        street,
        lead_unit: lead_unit.flatten().unwrap_or(category.lead_unit),
        responsible_unit: responsible?,
        sub_hq: sub_hq.flatten().unwrap_or(category.sub_hq),
        build_type: build?,
        scale,
        total_investment: total_investment?,
        funding_source,
        location,
        suspended_on,
        year_plans: year_plans?,
        milestones: milestones?,
    })
}

fn year_plans(
    ctx: &RowCtx<'_>,
    cols: &SheetColumns<'_>,
    errors: &mut Errors,
    money: &dyn Fn(&MappedColumn, &mut Errors) -> Option<Money>,
) -> Option<Vec<YearPlan>> {
    let before = errors.list.len();
    let mut plans: Vec<YearPlan> = Vec::new();
    let kind_of = |m: &MappedColumn, errors: &mut Errors| -> Option<Option<PlanKind>> {
        match values::text(ctx.cell(m)) {
            Ok(None) => Some(None),
            Ok(Some(t)) => match plan_kind(&t) {
                Some(k) => Some(Some(k)),
                None => {
                    errors.push(ctx.error(m, "应为 年度建设 或 前期或跨年"));
                    None
                }
            },
            Err(e) => {
                errors.push(ctx.error(m, e));
                None
            }
        }
    };
    for (year, (inv, kind)) in &cols.years {
        let inv_blank = inv.is_none_or(|m| matches!(values::text(ctx.cell(m)), Ok(None)));
        let kind_blank = kind.is_none_or(|m| matches!(values::text(ctx.cell(m)), Ok(None)));
        if inv_blank && kind_blank {
            continue;
        }
        let planned = inv.and_then(|m| money(m, errors)).unwrap_or_default();
        let k = kind
            .and_then(|m| kind_of(m, errors))
            .flatten()
            .unwrap_or(PlanKind::Construction);
        plans.push(YearPlan {
            year: *year,
            kind: k,
            planned_investment: planned,
            status: jianguan_domain::model::PlanStatus::Approved,
            adjusted_investment: None,
            cancelled_on: None,
        });
    }
    // The single-year form: 年度, 年度计划投资, 计划类型.
    let year_col = cols.fields.get(&Field::Year).copied();
    let inv_col = cols.fields.get(&Field::YearInvestment).copied();
    let kind_col = cols.fields.get(&Field::YearKind).copied();
    let year = match year_col {
        Some(m) => match values::count(ctx.cell(m)) {
            Ok(Some(y)) if (1990..=2100).contains(&y) => Some(y as i16),
            Ok(None) => None,
            Ok(Some(_)) | Err(_) => match values::text(ctx.cell(m)).ok().flatten().map(|t| key(&t))
            {
                Some(t)
                    if t.trim_end_matches("年度")
                        .trim_end_matches('年')
                        .parse::<i16>()
                        .is_ok_and(|y| (1990..=2100).contains(&y)) =>
                {
                    t.trim_end_matches("年度")
                        .trim_end_matches('年')
                        .parse()
                        .ok()
                }
                _ => {
                    errors.push(ctx.error(m, "应为年份，如 2021"));
                    None
                }
            },
        },
        None => None,
    };
    let filled = |m: Option<&MappedColumn>| {
        m.is_some_and(|m| !matches!(values::text(ctx.cell(m)), Ok(None)))
    };
    match year {
        Some(y) => {
            if plans.iter().any(|p| p.year == y) {
                errors.push(ctx.error(year_col?, format!("{y} 年的计划重复")));
            } else {
                let planned = inv_col.and_then(|m| money(m, errors)).unwrap_or_default();
                let k = kind_col
                    .and_then(|m| kind_of(m, errors))
                    .flatten()
                    .unwrap_or(PlanKind::Construction);
                plans.push(YearPlan {
                    year: y,
                    kind: k,
                    planned_investment: planned,
                    status: jianguan_domain::model::PlanStatus::Approved,
                    adjusted_investment: None,
                    cancelled_on: None,
                });
            }
        }
        None if filled(inv_col) || filled(kind_col) => {
            let m = if filled(inv_col) { inv_col? } else { kind_col? };
            match year_col {
                Some(y) => errors.push(ctx.error(y, "填了年度计划就须填年度")),
                None => errors.push(ctx.error(
                    m,
                    "缺少「年度」列：请加年度列，或把列名写作「2021年计划投资」",
                )),
            }
        }
        None => {}
    }
    if errors.list.len() > before {
        return None;
    }
    if plans.is_empty() {
        let code = cols.fields.get(&Field::Code).copied()?;
        errors.push(ctx.error(
            code,
            "项目至少要有一个年度计划（如「2021年计划投资」「2021年计划类型」或「年度」列）",
        ));
        return None;
    }
    plans.sort_by_key(|p| p.year);
    Some(plans)
}

fn milestones(
    ctx: &RowCtx<'_>,
    cols: &SheetColumns<'_>,
    category: &Category,
    errors: &mut Errors,
    date: &dyn Fn(&MappedColumn, &mut Errors) -> Option<Date>,
) -> Option<Vec<Milestone>> {
    let before = errors.list.len();
    // Dates given for milestones the category does not have.
    for (step, m) in cols.planned.iter().chain(&cols.actual) {
        if !category.template.iter().any(|s| s.name == *step)
            && !matches!(values::text(ctx.cell(m)), Ok(None))
        {
            errors.push(ctx.error(
                m,
                format!("类别「{}」没有节点「{step}」，此格应留空", category.name),
            ));
        }
    }
    let mut out = Vec::with_capacity(category.template.len());
    let mut previous: Option<(&str, Date)> = None;
    for (i, step) in category.template.iter().enumerate() {
        let planned = match cols.planned.get(step.name.as_str()) {
            Some(m) => {
                let d = date(m, errors);
                if d.is_none() && matches!(values::text(ctx.cell(m)), Ok(None)) {
                    errors.push(ctx.error(
                        m,
                        format!(
                            "必填：类别「{}」的节点「{}」计划日期",
                            category.name, step.name
                        ),
                    ));
                }
                if let (Some(d), Some((name, p))) = (d, previous)
                    && d < p
                {
                    errors.push(ctx.error(
                        m,
                        format!("计划日期不得早于上一节点「{name}」的计划日期 {p}"),
                    ));
                }
                d
            }
            None => {
                errors.push(ctx.missing(
                    &format!("{}计划日期", step.name),
                    format!(
                        "缺少节点「{}」的计划日期列（类别「{}」的模板有此节点）",
                        step.name, category.name
                    ),
                ));
                None
            }
        };
        let actual = cols
            .actual
            .get(step.name.as_str())
            .and_then(|m| date(m, errors));
        if let Some(p) = planned {
            previous = Some((step.name.as_str(), p));
        }
        if let Some(planned) = planned {
            out.push(Milestone {
                id: MilestoneId(0),
                seq: i as u16 + 1,
                name: step.name.clone(),
                weight: step.weight,
                enters: step.enters,
                planned,
                actual,
                derived: false,
                adjusted: None,
            });
        }
    }
    (errors.list.len() == before).then_some(out)
}

/// Keeps the stored value wherever the ledger's value equals it at the precision the ledger
/// carries ([`precision`]): a coordinate or an amount no person changed is not rewritten, even
/// when another field of the project is.
fn keep_stored_at_precision(old: &Project, new: &mut Project) {
    if precision::same_money(old.total_investment, new.total_investment) {
        new.total_investment = old.total_investment;
    }
    if precision::same_location(old.location, new.location) {
        new.location = old.location;
    }
    for plan in &mut new.year_plans {
        if let Some(o) = old.year_plans.iter().find(|o| o.year == plan.year)
            && precision::same_money(o.planned_investment, plan.planned_investment)
        {
            plan.planned_investment = o.planned_investment;
        }
    }
}

/// The names of the fields in which `new` differs from `old`, coordinates and amounts compared
/// at the precision the ledger carries, dates by day.
fn changed_fields(old: &Project, new: &Project) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut check = |differs: bool, name: &str| {
        if differs {
            out.push(name.to_owned());
        }
    };
    check(old.name != new.name, "项目名称");
    check(old.category != new.category, "项目类别");
    check(old.sub_category != new.sub_category, "子类别");
    check(old.district != new.district, "县区");
    check(old.street != new.street, "街道");
    check(old.lead_unit != new.lead_unit, "牵头单位");
    check(old.responsible_unit != new.responsible_unit, "责任单位");
    check(old.sub_hq != new.sub_hq, "分指挥部");
    check(old.build_type != new.build_type, "建设类型");
    check(old.scale != new.scale, "规模");
    check(
        !precision::same_money(old.total_investment, new.total_investment),
        "总投资",
    );
    check(old.funding_source != new.funding_source, "资金来源");
    check(
        !precision::same_location(old.location, new.location),
        "位置",
    );
    check(old.suspended_on != new.suspended_on, "暂缓日期");
    check(
        !precision::same_year_plans(&old.year_plans, &new.year_plans),
        "年度计划",
    );
    for m in &new.milestones {
        match old.milestones.iter().find(|o| o.name == m.name) {
            None => out.push(format!("节点「{}」（新增）", m.name)),
            Some(o) => {
                if o.planned != m.planned {
                    out.push(format!("节点「{}」计划日期", m.name));
                }
                if o.actual != m.actual {
                    out.push(format!("节点「{}」实际日期", m.name));
                }
                if o.seq != m.seq || o.weight != m.weight || o.enters != m.enters {
                    out.push(format!("节点「{}」模板", m.name));
                }
            }
        }
    }
    for o in &old.milestones {
        if !new.milestones.iter().any(|m| m.name == o.name) {
            out.push(format!("节点「{}」（删除）", o.name));
        }
    }
    out
}
