//! Rows → projects, checked against the portfolio, compared with the stored projects by ledger
//! code: the [`ImportPlan`].

use std::collections::{BTreeMap, HashMap, HashSet};

use calamine::Data;
use jianguan_domain::coords::{self, CoordinateSystem, OutOfBounds};
use jianguan_domain::model::{
    BuildType, Category, GeoPoint, Milestone, MilestoneId, Money, PlanKind, PlanStatus, Portfolio,
    Project, ProjectId, Scale, Unit, UnitId, UnitKind, YearPlan,
};
use jiff::civil::Date;

use super::columns::{
    AliasTable, ColumnKind, Field, Layout, MappedColumn, detect, is_totals, year_in,
};
use super::limits::{Deadline, Limits};
use super::precision;
use super::read::{RawSheet, Workbook, read_with_deadline};
use super::values::{self, key};
use super::{CellError, ImportError, Progress, column_letters};

/// How to import: the alias table, the limits and the ledger's year.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Header variants per column.
    pub aliases: AliasTable,
    /// What a file may be.
    pub limits: Limits,
    /// The year the ledger plans (`--year`, the upload form's 年度). Without it, a year written
    /// in a sheet's title row (「2027年城建项目台账」), else in the sheet's name.
    pub year: Option<i16>,
    /// The coordinate system the 经度 and 纬度 columns are written in (`--coordinates`), for
    /// sheets whose longitude or latitude header does not name one in
    /// brackets (经度（GCJ-02）) and rows without a 坐标系 cell saying otherwise; WGS-84 when
    /// `None`. Coordinates are stored in WGS-84.
    pub coordinates: Option<CoordinateSystem>,
}

/// The longest project name a ledger may give, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A responsible unit the ledger names that is not stored yet: created, under its district,
/// when the import is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// The id the plan's projects hold until the store assigns the real one (below zero).
    pub placeholder: UnitId,
    /// Its name as the ledger first writes it.
    pub name: String,
    /// The district it is under (the rows' 县区).
    pub district: UnitId,
    /// That district's name.
    pub district_name: String,
    /// The rows naming it, as (sheet, row).
    pub rows: Vec<(String, u32)>,
}

impl NewUnit {
    /// The rows naming it, e.g. `台账 第3、5行`.
    pub fn rows_label(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut last_sheet: Option<&str> = None;
        for (sheet, row) in self.rows.iter().take(20) {
            if last_sheet == Some(sheet.as_str()) {
                out.push(format!("{row}"));
            } else {
                out.push(format!("{sheet} 第{row}"));
                last_sheet = Some(sheet);
            }
        }
        let more = if self.rows.len() > 20 {
            format!(" 等 {} 行", self.rows.len())
        } else {
            "行".to_owned()
        };
        format!("{}{more}", out.join("、"))
    }
}

/// A project code the import made up for a row without one (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCode {
    /// The code, e.g. `JG2026-0001`.
    pub code: String,
    /// The project's name.
    pub name: String,
    /// The sheet.
    pub sheet: String,
    /// The row, from 1.
    pub row: u32,
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
    /// Responsible units to create (the new projects name them by placeholder id).
    pub new_units: Vec<NewUnit>,
    /// The codes made up for rows without a 项目编号, in row order.
    pub generated_codes: Vec<GeneratedCode>,
    /// What the import assumed, in sentences: the year and where it came from, defaults
    /// applied, milestones derived.
    pub notes: Vec<String>,
}

impl ImportPlan {
    /// Whether applying the plan would change nothing.
    pub fn is_noop(&self) -> bool {
        self.new.is_empty() && self.updated.is_empty()
    }

    /// One line: 新增 N 个，更新 N 个，不变 N 个 (and the new units, if any).
    pub fn summary(&self) -> String {
        let units = if self.new_units.is_empty() {
            String::new()
        } else {
            format!("，新建责任单位 {} 个", self.new_units.len())
        };
        format!(
            "读取 {} 行：新增 {} 个项目，更新 {} 个，不变 {} 个{units}",
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
    /// The box the city's projects lie in, from its districts' outlines (where stored).
    city: Option<coords::Bounds>,
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
            .map(|p| (p.code.as_str(), &**p))
            .collect();
        Lookup {
            city: portfolio.city_bounds().map(coords::city_box),
            categories,
            units,
            steps,
            existing,
        }
    }

    /// Whether a unit named `name` of one of `kinds` is stored.
    fn known(&self, name: &str, kinds: &[UnitKind]) -> bool {
        self.units
            .get(&key(name))
            .is_some_and(|us| us.iter().any(|u| kinds.contains(&u.kind)))
    }

    /// The stored districts' names, for a message.
    fn district_names(&self) -> String {
        let mut names: Vec<&str> = self
            .units
            .values()
            .flatten()
            .filter(|u| u.kind == UnitKind::District)
            .map(|u| u.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.join("、")
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

/// What one import pass gathers besides the errors: the rows read, the new units proposed and
/// the counts behind the plan's notes.
#[derive(Default)]
struct Pass {
    rows: Vec<RowRead>,
    seen: HashMap<String, (String, u32)>,
    new_units: Vec<NewUnit>,
    unit_index: HashMap<(UnitId, String), usize>,
    /// Sheet-level problems already reported (one error per missing column, not per row).
    reported: HashSet<String>,
    build_type_defaulted: usize,
    derived: usize,
    default_plans: usize,
    /// Projects whose location was converted to WGS-84, per [`CoordinateSystem::ALL`].
    converted: [usize; 3],
}

impl Pass {
    /// Whether `what` is reported for the first time.
    fn once(&mut self, sheet: &str, what: &str) -> bool {
        self.reported.insert(format!("{sheet}\u{0}{what}"))
    }

    /// The placeholder id of the new unit `name` under `district`, proposed on first use.
    fn propose_unit(&mut self, name: &str, district: &Unit, sheet: &str, row: u32) -> UnitId {
        let k = (district.id, key(name));
        let i = match self.unit_index.get(&k) {
            Some(i) => *i,
            None => {
                let i = self.new_units.len();
                self.new_units.push(NewUnit {
                    placeholder: UnitId(-(i as i64) - 1),
                    name: name.trim().to_owned(),
                    district: district.id,
                    district_name: district.name.clone(),
                    rows: Vec::new(),
                });
                self.unit_index.insert(k, i);
                i
            }
        };
        self.new_units[i].rows.push((sheet.to_owned(), row));
        self.new_units[i].placeholder
    }
}

/// A project read from a row; `generated` when its code is still to be made up, with the year
/// the code takes.
struct RowRead {
    project: Project,
    generated: Option<(String, u32, i16)>,
    /// The location as the row writes it and the system it is written in, when that is not
    /// WGS-84: a stored project is compared with it in that system, at the ledger's precision.
    written: Option<(GeoPoint, CoordinateSystem)>,
}

/// What a sheet gives every row.
struct SheetCtx<'a> {
    /// The district the sheet's name names, if any.
    district: Option<&'a Unit>,
    /// The ledger's year for this sheet, if known.
    year: Option<i16>,
    /// The system of the sheet's coordinates where a row does not say.
    coordinates: CoordinateSystem,
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
    let mut pass = Pass::default();
    let total = workbook.rows() as u64;
    let mut done: u64 = 0;
    let mut any_header = false;
    let mut years: Vec<String> = Vec::new();
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
        let (year, from) = match (options.year, layout.title_year, year_in(&sheet.name)) {
            (Some(y), ..) => (Some(y), "导入时指定"),
            (None, Some(y), _) => (Some(y), "标题行"),
            (None, None, Some(y)) => (Some(y), "工作表名"),
            (None, None, None) => (None, ""),
        };
        if let Some(y) = year {
            years.push(format!("「{}」{y} 年（{from}）", sheet.name));
        }
        read_sheet(
            sheet,
            &layout,
            &lookup,
            &options.aliases,
            year,
            options.coordinates,
            &mut errors,
            &mut pass,
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
    assign_codes(&mut pass.rows, &lookup, &mut plan);
    if !years.is_empty() {
        plan.notes.push(format!("年度：{}", years.join("，")));
    }
    if pass.default_plans > 0 {
        plan.notes.push(format!(
            "{} 个项目没有年度计划列：各得一条该年度的计划（计划完工在该年为「年度建设」，否则为「前期或跨年」；年度计划投资取总投资）",
            pass.default_plans
        ));
    }
    if pass.derived > 0 {
        plan.notes.push(format!(
            "{} 个项目的节点计划日期由计划开工、完工时间按类别模板的工期占比推算（标为推算）",
            pass.derived
        ));
    }
    if pass.build_type_defaulted > 0 {
        plan.notes.push(format!(
            "{} 个项目未填建设类型，已按类别名称取默认值（以「整治」结尾为整治，以「新建」「建设」结尾为新建，其余为改造）",
            pass.build_type_defaulted
        ));
    }
    for (system, n) in CoordinateSystem::ALL.iter().zip(pass.converted) {
        if n > 0 {
            plan.notes.push(format!(
                "{n} 个项目的经纬度按 {system} 填写，已换算为 WGS-84 保存"
            ));
        }
    }
    if !pass.new_units.is_empty() {
        plan.notes.push(format!(
            "{} 个责任单位系统中没有，确认导入时将在所属县区下新建",
            pass.new_units.len()
        ));
    }
    plan.new_units = pass.new_units;
    plan.rows = pass.rows.len();
    for RowRead {
        mut project,
        written,
        ..
    } in pass.rows
    {
        match lookup.existing.get(project.code.as_str()) {
            None => {
                // The office approves a new project's annual plans later.
                for y in &mut project.year_plans {
                    y.status = PlanStatus::Draft;
                }
                plan.new.push(project);
            }
            Some(old) => {
                project.id = old.id;
                for m in &mut project.milestones {
                    if let Some(o) = old.milestones.iter().find(|o| o.name == m.name) {
                        m.id = o.id;
                    }
                }
                // A year the ledger keeps keeps its approval, adjustment and cancellation.
                for y in &mut project.year_plans {
                    if let Some(o) = old.year_plans.iter().find(|o| o.year == y.year) {
                        y.status = o.status;
                        y.adjusted_investment = o.adjusted_investment;
                        y.cancelled_on = o.cancelled_on;
                    }
                }
                keep_stored_at_precision(old, &mut project, written);
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

/// Gives every row without a code one: `JG{year}-{NNNN}`, numbered on after the highest number
/// with that prefix among the stored codes and the ledger's own.
fn assign_codes(rows: &mut [RowRead], lookup: &Lookup<'_>, plan: &mut ImportPlan) {
    let mut next: HashMap<i16, u64> = HashMap::new();
    let number = |code: &str, prefix: &str| -> Option<u64> {
        let rest = code.strip_prefix(prefix)?;
        (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
            .then(|| rest.parse().ok())
            .flatten()
    };
    let explicit: Vec<String> = rows
        .iter()
        .filter(|r| r.generated.is_none())
        .map(|r| r.project.code.clone())
        .collect();
    for r in rows.iter_mut() {
        let Some((sheet, row, year)) = r.generated.take() else {
            continue;
        };
        let prefix = format!("JG{year}-");
        let n = next.entry(year).or_insert_with(|| {
            lookup
                .existing
                .keys()
                .copied()
                .chain(explicit.iter().map(String::as_str))
                .filter_map(|c| number(c, &prefix))
                .max()
                .unwrap_or(0)
        });
        *n += 1;
        r.project.code = format!("{prefix}{n:04}");
        plan.generated_codes.push(GeneratedCode {
            code: r.project.code.clone(),
            name: r.project.name.clone(),
            sheet,
            row,
        });
    }
}

#[expect(clippy::too_many_arguments, reason = "the state of one import pass")]
fn read_sheet(
    sheet: &RawSheet,
    layout: &Layout,
    lookup: &Lookup<'_>,
    table: &AliasTable,
    year: Option<i16>,
    coordinates: Option<CoordinateSystem>,
    errors: &mut Errors,
    pass: &mut Pass,
    deadline: &Deadline,
    advance: &mut dyn FnMut(u64),
) -> Result<(), ImportError> {
    let (r0, c0) = sheet.range.start().unwrap_or((0, 0));
    let cols = SheetColumns::new(layout);
    let header_row = r0 + layout.header_last as u32 + 1;
    // Columns the sheet must have; the district may come from the sheet's name.
    let sheet_district = lookup.unit(&sheet.name, &[UnitKind::District], None).ok();
    let found = {
        let mut found: Vec<&str> = layout.columns.iter().map(|m| m.header.as_str()).collect();
        found.extend(layout.ignored.iter().map(String::as_str));
        found.join("、")
    };
    let before = errors.list.len();
    let mut missing = |what: String, expected: String| {
        errors.push(CellError {
            sheet: sheet.name.clone(),
            row: header_row,
            column: String::new(),
            header: what,
            value: String::new(),
            expected,
        });
    };
    for (field, needed) in [
        (Field::Name, true),
        (Field::Category, true),
        (Field::ResponsibleUnit, true),
        (Field::TotalInvestment, true),
        (Field::District, sheet_district.is_none()),
    ] {
        if needed && !cols.fields.contains_key(&field) {
            let extra = if field == Field::District {
                format!("，且工作表名「{}」不是县区名称", sheet.name)
            } else {
                String::new()
            };
            missing(
                field.label().into(),
                format!(
                    "缺少「{}」列{extra}：请在表头加上此列。本表的列：{found}",
                    field.label()
                ),
            );
        }
    }
    let has_start = cols.fields.contains_key(&Field::PlannedStart);
    let has_end = cols.fields.contains_key(&Field::PlannedCompletion);
    if cols.planned.is_empty() && !(has_start && has_end) {
        let what = match (has_start, has_end) {
            (true, false) => "计划完工时间",
            (false, true) => "计划开工时间",
            _ => "计划开工时间、计划完工时间",
        };
        missing(
            what.into(),
            format!(
                "缺少「{what}」列：请给出计划开工时间和计划完工时间两列，或各节点的计划日期列（如「开工计划日期」）。本表的列：{found}"
            ),
        );
    }
    // A system named in the longitude or latitude header's brackets (经度（GCJ-02）, as export
    // writes them) is the sheet's; otherwise the import's.
    let named = |f: Field| {
        cols.fields
            .get(&f)
            .and_then(|m| header_system(&m.header).map(|s| (s, m.header.as_str())))
    };
    let coordinates = match (named(Field::Longitude), named(Field::Latitude)) {
        (Some((a, ha)), Some((b, hb))) if a != b => {
            missing(
                Field::Latitude.label().into(),
                format!("「{ha}」与「{hb}」写明的坐标系不同：两列须为同一坐标系"),
            );
            CoordinateSystem::Wgs84
        }
        (Some((a, _)), _) | (None, Some((a, _))) => a,
        (None, None) => coordinates.unwrap_or_default(),
    };
    let year_columns = !cols.years.is_empty() || cols.fields.contains_key(&Field::Year);
    if !year_columns && year.is_none() {
        missing(
            "年度".into(),
            "无法确定年度：请在导入时指定年度（--year 或上传页的「年度」），或在表头上方的标题行写明年份（如「2027年城建项目台账」），或加「年度」列".into(),
        );
    }
    if errors.list.len() > before || errors.full() {
        advance(sheet.height() as u64);
        return Ok(());
    }
    let sheet_ctx = SheetCtx {
        district: sheet_district,
        year,
        coordinates,
    };
    let code_col = cols.fields.get(&Field::Code).copied();
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
        let code = code_col.and_then(|m| values::text(ctx.cell(m)).ok().flatten());
        let code_is_total = code
            .as_deref()
            .is_none_or(|c| table.totals.iter().any(|w| key(c).contains(w.as_str())));
        if code_is_total && is_totals(cells, table) {
            continue;
        }
        if let Some(r) = read_row(&ctx, &cols, lookup, &sheet_ctx, errors, pass) {
            if r.generated.is_some() {
                pass.rows.push(r);
            } else {
                match pass.seen.get(&r.project.code) {
                    Some((s, row)) => {
                        if let Some(m) = code_col {
                            errors.push(
                                ctx.error(
                                    m,
                                    format!("项目编号重复：与工作表「{s}」第 {row} 行相同"),
                                ),
                            );
                        }
                    }
                    None => {
                        pass.seen
                            .insert(r.project.code.clone(), (sheet.name.clone(), ctx.row));
                        pass.rows.push(r);
                    }
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

/// The build type a project of category `name` has when the ledger does not say: 整治 for
/// a name ending in 整治, 新建 for one ending in 新建 or 建设, 改造 otherwise.
pub(crate) fn default_build_type(name: &str) -> BuildType {
    let k = key(name);
    if k.ends_with("整治") {
        BuildType::Remediation
    } else if k.ends_with("新建") || k.ends_with("建设") {
        BuildType::New
    } else {
        BuildType::Renovation
    }
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

/// The place of a cell, e.g. `G5`.
fn place(ctx: &RowCtx<'_>, m: &MappedColumn) -> String {
    format!(
        "{}{}",
        column_letters(ctx.first_col + m.col as u32),
        ctx.row
    )
}

/// The coordinate system a header names in brackets, e.g. GCJ-02 in 经度（GCJ-02）.
fn header_system(header: &str) -> Option<CoordinateSystem> {
    let k = key(header);
    let mut rest = k.as_str();
    while let Some(open) = rest.find(['(', '[', '【', '〔']) {
        let inside = &rest[open..];
        let inside = &inside[inside.chars().next().map_or(0, char::len_utf8)..];
        let close = inside.find([')', ']', '】', '〕']).unwrap_or(inside.len());
        if let Some(system) = CoordinateSystem::parse(&inside[..close]) {
            return Some(system);
        }
        rest = &inside[close..];
    }
    None
}

/// Reads one project row; `None` (with errors pushed) when it has problems.
fn read_row(
    ctx: &RowCtx<'_>,
    cols: &SheetColumns<'_>,
    lookup: &Lookup<'_>,
    sheet: &SheetCtx<'_>,
    errors: &mut Errors,
    pass: &mut Pass,
) -> Option<RowRead> {
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
    // A blank code: the project is new, its code made up once the whole ledger is read.
    let code = text(Field::Code, errors).map(|c| key(&c));
    let name = text(Field::Name, errors);
    let name = required(Field::Name, name, errors).and_then(|n| {
        let chars = n.chars().count();
        if chars > MAX_NAME_CHARS {
            errors.push(ctx.error(
                col(Field::Name)?,
                format!("项目名称过长：{chars} 个字符，最多 {MAX_NAME_CHARS} 个；请精简后重新导入"),
            ));
            None
        } else {
            Some(n)
        }
    });
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
                let message = if lookup.known(&d, &[UnitKind::District]) {
                    e
                } else {
                    format!("未知县区；应为：{}", lookup.district_names())
                };
                errors.push(ctx.error(col(Field::District)?, message));
                None
            }
        },
        None => match sheet.district {
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
    // A responsible unit the system does not know is proposed as a new unit under the row's
    // district, created when the import is confirmed.
    const RESPONSIBLE: [UnitKind; 3] = [
        UnitKind::ResponsibleUnit,
        UnitKind::District,
        UnitKind::LeadUnit,
    ];
    let responsible = match col(Field::ResponsibleUnit) {
        None => None,
        Some(m) => match values::text(ctx.cell(m)) {
            Err(e) => {
                errors.push(ctx.error(m, e));
                None
            }
            Ok(None) => {
                errors.push(ctx.error(m, "必填：责任单位"));
                None
            }
            Ok(Some(n)) if lookup.known(&n, &RESPONSIBLE) => {
                match lookup.unit(&n, &RESPONSIBLE, district.map(|d| d.id)) {
                    Ok(u) => Some(u.id),
                    Err(e) => {
                        errors.push(ctx.error(m, e));
                        None
                    }
                }
            }
            Ok(Some(n)) => district.map(|d| pass.propose_unit(&n, d, ctx.sheet, ctx.row)),
        },
    };
    let sub_hq = unit_of(Field::SubHq, &[UnitKind::SubHq], errors);
    let build = match text(Field::BuildType, errors) {
        Some(b) => {
            let t = build_type(&b);
            if t.is_none() {
                errors.push(ctx.error(col(Field::BuildType)?, "应为 新建、改造 或 整治"));
            }
            t
        }
        None => category.map(|c| {
            pass.build_type_defaulted += 1;
            default_build_type(&c.name)
        }),
    };
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
    // The latitude is read up to ±180 too, so that a pair typed the wrong way round is named
    // as such by the bounds check below rather than refused as a latitude beyond 90.
    let lon = degrees(Field::Longitude, 180.0, errors);
    let lat = degrees(Field::Latitude, 180.0, errors);
    let system = match text(Field::CoordinateSystem, errors) {
        None => Some(sheet.coordinates),
        Some(name) => match name.parse::<CoordinateSystem>() {
            Ok(s) => Some(s),
            Err(e) => {
                if let Some(m) = col(Field::CoordinateSystem) {
                    errors.push(ctx.error(m, e.to_string()));
                }
                None
            }
        },
    };
    let mut written = None;
    let location = match (lon, lat) {
        (Some(lon), Some(lat)) => match coords::CHINA.check(lon, lat) {
            Ok(()) => system.and_then(|system| {
                let point = GeoPoint { lon, lat };
                let at = system.to_wgs84(point);
                // Within China, but within this city? (Its districts' outlines say.)
                if let Some(city) = lookup.city
                    && let Err(problem) = city.check(at.lon, at.lat)
                {
                    let field = match problem {
                        OutOfBounds::Swapped | OutOfBounds::Longitude => Field::Longitude,
                        OutOfBounds::Latitude => Field::Latitude,
                    };
                    if let Some(m) = col(field) {
                        errors
                            .push(ctx.error(m, city.explain_outside_city(problem, at.lon, at.lat)));
                    }
                    return None;
                }
                if system != CoordinateSystem::Wgs84 {
                    pass.converted[system as usize] += 1;
                    written = Some((point, system));
                }
                Some(at)
            }),
            Err(problem) => {
                let field = match problem {
                    OutOfBounds::Swapped | OutOfBounds::Longitude => Field::Longitude,
                    OutOfBounds::Latitude => Field::Latitude,
                };
                if let Some(m) = col(field) {
                    errors.push(ctx.error(m, coords::CHINA.explain(problem, lon, lat)));
                }
                None
            }
        },
        (None, None) => None,
        (Some(_), None) => {
            if let Some(m) = col(Field::Latitude) {
                errors.push(ctx.error(m, "填了经度就须填纬度"));
            } else if pass.once(ctx.sheet, "纬度") {
                errors.push(ctx.missing("纬度", "填了经度就须有纬度列"));
            }
            None
        }
        (None, Some(_)) => {
            if let Some(m) = col(Field::Longitude) {
                errors.push(ctx.error(m, "填了纬度就须填经度"));
            } else if pass.once(ctx.sheet, "经度") {
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
    let start_col = col(Field::PlannedStart);
    let end_col = col(Field::PlannedCompletion);
    let start = start_col.and_then(|m| date(m, errors));
    let end = end_col.and_then(|m| date(m, errors));
    let mut span = None;
    if let (Some(s), Some(e), Some(sm), Some(em)) = (start, end, start_col, end_col) {
        if e < s {
            errors.push(ctx.error(
                em,
                format!(
                    "计划完工时间 {e} 早于 {} 的计划开工时间 {s}：请改正两格中有误的一格",
                    place(ctx, sm)
                ),
            ));
        } else {
            span = Some((s, e));
        }
    }
    let milestones = category.and_then(|c| milestones(ctx, cols, c, errors, &date, span, pass));
    let completion = end.or_else(|| {
        milestones
            .as_ref()
            .and_then(|(ms, _)| ms.iter().map(|m| m.planned).max())
    });
    let no_year_columns = cols.years.is_empty()
        && col(Field::Year).is_none()
        && col(Field::YearInvestment).is_none()
        && col(Field::YearKind).is_none();
    let year_plans = year_plans(
        ctx,
        cols,
        errors,
        &money,
        sheet.year,
        total_investment,
        completion,
    );
    if errors.list.len() + usize::from(errors.truncated) > before {
        return None;
    }
    let category = category?;
    let (milestones, derived) = milestones?;
    if derived {
        pass.derived += 1;
    }
    if no_year_columns {
        pass.default_plans += 1;
    }
    let year_plans = year_plans?;
    let generated = match code {
        Some(_) => None,
        None => Some((
            ctx.sheet.to_owned(),
            ctx.row,
            sheet.year.unwrap_or(year_plans[0].year),
        )),
    };
    Some(RowRead {
        project: Project {
            id: ProjectId(0),
            code: code.unwrap_or_default(),
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
            year_plans,
            milestones,
        },
        generated,
        written,
    })
}

/// The annual plans of a row: from the year columns (「2021年计划投资」, or 年度 with
/// 年度计划投资 / 计划类型, where a missing 年度 column means the ledger's `default_year`), or,
/// when the sheet has no year column at all, one plan for `default_year`: 年度建设 when the
/// planned completion falls in that year, 前期或跨年 otherwise, with the total investment as
/// its planned investment.
fn year_plans(
    ctx: &RowCtx<'_>,
    cols: &SheetColumns<'_>,
    errors: &mut Errors,
    money: &dyn Fn(&MappedColumn, &mut Errors) -> Option<Money>,
    default_year: Option<i16>,
    total: Option<Money>,
    completion: Option<Date>,
) -> Option<Vec<YearPlan>> {
    let before = errors.list.len();
    let plan = |year: i16, kind: PlanKind, planned_investment: Money| YearPlan {
        year,
        kind,
        planned_investment,
        status: PlanStatus::Approved,
        adjusted_investment: None,
        cancelled_on: None,
    };
    let year_col = cols.fields.get(&Field::Year).copied();
    let inv_col = cols.fields.get(&Field::YearInvestment).copied();
    let kind_col = cols.fields.get(&Field::YearKind).copied();
    if cols.years.is_empty() && year_col.is_none() && inv_col.is_none() && kind_col.is_none() {
        let year = default_year?;
        let kind = if completion.is_some_and(|d| d.year() == year) {
            PlanKind::Construction
        } else {
            PlanKind::Preliminary
        };
        return Some(vec![plan(year, kind, total?)]);
    }
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
        plans.push(plan(*year, k, planned));
    }
    // The single-year form: 年度, 年度计划投资, 计划类型.
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
    let year = year.or(if year_col.is_none() {
        default_year
    } else {
        None
    });
    match year {
        Some(y) if filled(inv_col) || filled(kind_col) || year_col.is_some() => {
            if plans.iter().any(|p| p.year == y) {
                let m = year_col.or(inv_col).or(kind_col)?;
                errors.push(ctx.error(m, format!("{y} 年的计划重复")));
            } else {
                let planned = inv_col.and_then(|m| money(m, errors)).unwrap_or_default();
                let k = kind_col
                    .and_then(|m| kind_of(m, errors))
                    .flatten()
                    .unwrap_or(PlanKind::Construction);
                plans.push(plan(y, k, planned));
            }
        }
        Some(_) => {}
        None if filled(inv_col) || filled(kind_col) => {
            let m = if filled(inv_col) { inv_col? } else { kind_col? };
            match year_col {
                Some(y) => errors.push(ctx.error(y, "填了年度计划就须填年度")),
                None => errors.push(ctx.error(
                    m,
                    "缺少「年度」列：请加年度列，或把列名写作「2021年计划投资」，或导入时指定年度",
                )),
            }
        }
        None => {}
    }
    if errors.list.len() > before {
        return None;
    }
    if plans.is_empty() {
        let m = cols
            .fields
            .get(&Field::Code)
            .or_else(|| cols.fields.get(&Field::Name))
            .copied()?;
        errors.push(ctx.error(
            m,
            "项目至少要有一个年度计划（如「2021年计划投资」「2021年计划类型」或「年度」列）",
        ));
        return None;
    }
    plans.sort_by_key(|p| p.year);
    Some(plans)
}

/// The milestones of a row and whether any date was derived. A step's own planned-date column,
/// when filled, wins; the others are derived from the planned start and completion
/// (`span`) with [`Category::derive_dates`] and marked `derived`.
fn milestones(
    ctx: &RowCtx<'_>,
    cols: &SheetColumns<'_>,
    category: &Category,
    errors: &mut Errors,
    date: &dyn Fn(&MappedColumn, &mut Errors) -> Option<Date>,
    span: Option<(Date, Date)>,
    pass: &mut Pass,
) -> Option<(Vec<Milestone>, bool)> {
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
    let blank = |m: &MappedColumn| matches!(values::text(ctx.cell(m)), Ok(None));
    let all_given = category
        .template
        .iter()
        .all(|s| cols.planned.get(s.name.as_str()).is_some_and(|m| !blank(m)));
    let has_span_columns = cols.fields.contains_key(&Field::PlannedStart)
        && cols.fields.contains_key(&Field::PlannedCompletion);
    let derived: Option<Vec<Date>> = match span {
        Some((start, completion)) if !all_given => match category.derive_dates(start, completion) {
            Some(dates) => Some(dates),
            None => {
                let sum: u32 = category.template.iter().map(|s| s.share).sum();
                let m = cols.fields.get(&Field::PlannedStart).copied()?;
                errors.push(ctx.error(
                    m,
                    format!(
                        "类别「{}」的节点模板工期占比合计 {sum}%，不是 100%，无法由计划开工、完工时间推算节点日期：请先在类别设置中改正模板，或填写各节点计划日期",
                        category.name
                    ),
                ));
                return None;
            }
        },
        _ => None,
    };
    if !all_given && derived.is_none() && has_span_columns {
        // Neither every step's date nor both ends of the span: say which end is blank.
        for f in [Field::PlannedStart, Field::PlannedCompletion] {
            if let Some(m) = cols.fields.get(&f).copied()
                && blank(m)
            {
                errors.push(ctx.error(
                    m,
                    format!(
                        "必填：{}（或填写类别「{}」各节点的计划日期）",
                        f.label(),
                        category.name
                    ),
                ));
            }
        }
        // A completion before the start or an unreadable date was reported already.
        return None;
    }
    let mut out = Vec::with_capacity(category.template.len());
    let mut any_derived = false;
    let mut previous: Option<(&str, Date)> = None;
    for (i, step) in category.template.iter().enumerate() {
        let own = cols.planned.get(step.name.as_str()).copied();
        let given = own.and_then(|m| date(m, errors));
        let (planned, is_derived) = match (given, &derived) {
            (Some(d), _) => {
                if let (Some(m), Some((name, p))) = (own, previous)
                    && d < p
                {
                    errors.push(ctx.error(
                        m,
                        format!("计划日期不得早于上一节点「{name}」的计划日期 {p}"),
                    ));
                }
                previous = Some((step.name.as_str(), d));
                (Some(d), false)
            }
            (None, Some(dates)) => (dates.get(i).copied(), true),
            (None, None) => {
                match own {
                    Some(m) if blank(m) => errors.push(ctx.error(
                        m,
                        format!(
                            "必填：类别「{}」的节点「{}」计划日期",
                            category.name, step.name
                        ),
                    )),
                    Some(_) => {}
                    None => {
                        // One error for the missing column, not one per row.
                        let what = format!("{}计划日期", step.name);
                        if pass.once(ctx.sheet, &what) {
                            errors.push(ctx.missing(
                                &what,
                                format!(
                                    "缺少节点「{}」的计划日期列（类别「{}」的模板有此节点）：请加上此列，或给出计划开工时间和计划完工时间两列",
                                    step.name, category.name
                                ),
                            ));
                        }
                    }
                }
                (None, false)
            }
        };
        any_derived |= is_derived;
        let actual = cols
            .actual
            .get(step.name.as_str())
            .and_then(|m| date(m, errors));
        if let Some(planned) = planned {
            out.push(Milestone {
                id: MilestoneId(0),
                seq: i as u16 + 1,
                name: step.name.clone(),
                weight: step.weight,
                enters: step.enters,
                planned,
                actual,
                derived: is_derived,
                adjusted: None,
            });
        }
    }
    (errors.list.len() == before).then_some((out, any_derived))
}

/// Keeps the stored value wherever the ledger's value equals it at the precision the ledger
/// carries ([`precision`]): a coordinate or an amount no person changed is not rewritten, even
/// when another field of the project is.
fn keep_stored_at_precision(
    old: &Project,
    new: &mut Project,
    written: Option<(GeoPoint, CoordinateSystem)>,
) {
    if precision::same_money(old.total_investment, new.total_investment) {
        new.total_investment = old.total_investment;
    }
    // Coordinates written in another system are compared in it, as export wrote them: a ledger
    // exported in GCJ-02 imports back unchanged although its values, converted, may fall on the
    // other side of a rounding step.
    let same = match written {
        Some((point, system)) => {
            precision::same_location(old.location.map(|l| system.from_wgs84(l)), Some(point))
        }
        None => precision::same_location(old.location, new.location),
    };
    if same {
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
