//! Which column is which: the alias table (canonical field → header variants, as TOML) and the
//! detection of a sheet's header rows, title rows and merged multi-row headers.

use std::collections::{BTreeMap, HashMap};

use calamine::Data;
use serde::Deserialize;

use super::read::RawSheet;
use super::values::{self, key};
use super::{CellError, column_letters};

/// The built-in alias table. A file given with `--aliases` replaces the lists of the fields it
/// names and keeps these for the others.
pub const DEFAULT_ALIASES_TOML: &str = r#"# 台账列名别名表：每个字段可写多种列名。比较前列名统一为半角（NFKC）、去掉空格和括号内的部分；
# 括号里的（万元）（亿元）（元）是金额单位。
[fields]
code = ["项目编号", "编号", "项目代码", "台账编号"]
name = ["项目名称", "名称", "项目"]
category = ["项目类别", "类别", "所属类别", "行动类别"]
sub_category = ["子类别", "细分类别", "二级类别", "项目子类"]
district = ["县区", "所属县区", "区县", "县(市、区)", "县市区", "所在县区", "行政区"]
street = ["街道", "所在街道", "街道(乡镇)", "乡镇街道", "乡镇(街道)"]
lead_unit = ["牵头单位", "市级牵头单位", "牵头部门"]
responsible_unit = ["责任单位", "实施单位", "建设单位", "项目责任单位"]
sub_hq = ["分指挥部", "所属分指挥部"]
build_type = ["建设类型", "建设性质", "新建/改造/整治"]
households = ["受益户数", "户数", "惠及户数"]
area_m2 = ["面积", "建设面积", "改造面积", "占地面积"]
parking_spaces = ["停车泊位", "泊位数", "新增泊位", "停车位"]
toilets = ["公厕", "公厕数", "公厕座数"]
length_m = ["长度", "建设长度", "道路长度", "里程"]
total_investment = ["总投资", "项目总投资", "总投资额", "计划总投资"]
funding_source = ["资金来源", "资金渠道"]
longitude = ["经度"]
latitude = ["纬度"]
coordinate_system = ["坐标系", "坐标系统", "坐标类型", "经纬度坐标系"]
suspended_on = ["暂缓日期", "暂缓时间"]
planned_start = ["计划开工时间", "开工时间", "计划开工日期", "开工日期"]
planned_completion = ["计划完工时间", "完工时间", "计划完工日期", "完工日期", "计划竣工时间", "计划竣工日期"]
year = ["年度", "计划年度", "实施年度"]
year_investment = ["年度计划投资", "年度投资计划", "本年计划投资", "计划投资"]
year_kind = ["计划类型", "年度计划类型", "年度计划性质"]
ignore = ["序号", "状态", "项目状态", "最新填报期次", "最新填报日期", "累计完成投资", "最新进展", "进展情况", "备注"]

# 节点列：列名含节点名（如「开工」）和下列标记之一。
[milestones]
planned = ["计划"]
actual = ["实际"]

# 合计行：首几列含这些字样且无项目编号的行不作为项目。
[rows]
totals = ["合计", "总计", "小计"]
"#;

/// A canonical column of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Field {
    Code,
    Name,
    Category,
    SubCategory,
    District,
    Street,
    LeadUnit,
    ResponsibleUnit,
    SubHq,
    BuildType,
    Households,
    AreaM2,
    ParkingSpaces,
    Toilets,
    LengthM,
    TotalInvestment,
    FundingSource,
    Longitude,
    Latitude,
    CoordinateSystem,
    SuspendedOn,
    PlannedStart,
    PlannedCompletion,
    Year,
    YearInvestment,
    YearKind,
    Ignore,
}

impl Field {
    const ALL: [Field; 27] = [
        Field::Code,
        Field::Name,
        Field::Category,
        Field::SubCategory,
        Field::District,
        Field::Street,
        Field::LeadUnit,
        Field::ResponsibleUnit,
        Field::SubHq,
        Field::BuildType,
        Field::Households,
        Field::AreaM2,
        Field::ParkingSpaces,
        Field::Toilets,
        Field::LengthM,
        Field::TotalInvestment,
        Field::FundingSource,
        Field::Longitude,
        Field::Latitude,
        Field::CoordinateSystem,
        Field::SuspendedOn,
        Field::PlannedStart,
        Field::PlannedCompletion,
        Field::Year,
        Field::YearInvestment,
        Field::YearKind,
        Field::Ignore,
    ];

    /// The key in the alias TOML.
    fn code(self) -> &'static str {
        match self {
            Field::Code => "code",
            Field::Name => "name",
            Field::Category => "category",
            Field::SubCategory => "sub_category",
            Field::District => "district",
            Field::Street => "street",
            Field::LeadUnit => "lead_unit",
            Field::ResponsibleUnit => "responsible_unit",
            Field::SubHq => "sub_hq",
            Field::BuildType => "build_type",
            Field::Households => "households",
            Field::AreaM2 => "area_m2",
            Field::ParkingSpaces => "parking_spaces",
            Field::Toilets => "toilets",
            Field::LengthM => "length_m",
            Field::TotalInvestment => "total_investment",
            Field::FundingSource => "funding_source",
            Field::Longitude => "longitude",
            Field::Latitude => "latitude",
            Field::CoordinateSystem => "coordinate_system",
            Field::SuspendedOn => "suspended_on",
            Field::PlannedStart => "planned_start",
            Field::PlannedCompletion => "planned_completion",
            Field::Year => "year",
            Field::YearInvestment => "year_investment",
            Field::YearKind => "year_kind",
            Field::Ignore => "ignore",
        }
    }

    /// The Chinese name, as error messages and the dry run name the field.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Field::Code => "项目编号",
            Field::Name => "项目名称",
            Field::Category => "项目类别",
            Field::SubCategory => "子类别",
            Field::District => "县区",
            Field::Street => "街道",
            Field::LeadUnit => "牵头单位",
            Field::ResponsibleUnit => "责任单位",
            Field::SubHq => "分指挥部",
            Field::BuildType => "建设类型",
            Field::Households => "受益户数",
            Field::AreaM2 => "面积",
            Field::ParkingSpaces => "停车泊位",
            Field::Toilets => "公厕",
            Field::LengthM => "长度",
            Field::TotalInvestment => "总投资",
            Field::FundingSource => "资金来源",
            Field::Longitude => "经度",
            Field::Latitude => "纬度",
            Field::CoordinateSystem => "坐标系",
            Field::SuspendedOn => "暂缓日期",
            Field::PlannedStart => "计划开工时间",
            Field::PlannedCompletion => "计划完工时间",
            Field::Year => "年度",
            Field::YearInvestment => "年度计划投资",
            Field::YearKind => "计划类型",
            Field::Ignore => "（不导入）",
        }
    }
}

/// An alias table that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("别名表有误：{0}")]
pub struct AliasError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    #[serde(default)]
    fields: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    milestones: Option<Markers>,
    #[serde(default)]
    rows: Option<Rows>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Markers {
    planned: Vec<String>,
    actual: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rows {
    totals: Vec<String>,
}

/// Header variants per canonical column, the markers of milestone columns and the words of a
/// totals row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTable {
    exact: HashMap<String, Field>,
    planned: Vec<String>,
    actual: Vec<String>,
    pub(crate) totals: Vec<String>,
}

impl Default for AliasTable {
    fn default() -> AliasTable {
        AliasTable::parse(DEFAULT_ALIASES_TOML, None).expect("the built-in alias table is valid")
    }
}

impl AliasTable {
    /// The built-in table with the lists `text` names replaced (fields, `[milestones]`,
    /// `[rows]`). Fails on unknown field names, a variant claimed by two fields, or bad TOML.
    pub fn from_toml(text: &str) -> Result<AliasTable, AliasError> {
        let base: AliasFile =
            toml::from_str(DEFAULT_ALIASES_TOML).map_err(|e| AliasError(e.to_string()))?;
        AliasTable::parse(text, Some(base))
    }

    fn parse(text: &str, base: Option<AliasFile>) -> Result<AliasTable, AliasError> {
        let file: AliasFile = toml::from_str(text).map_err(|e| AliasError(e.to_string()))?;
        let (mut fields, mut markers, mut rows) = match base {
            Some(b) => (b.fields, b.milestones, b.rows),
            None => (BTreeMap::new(), None, None),
        };
        for (name, list) in file.fields {
            if !Field::ALL.iter().any(|f| f.code() == name) {
                return Err(AliasError(format!(
                    "未知字段「{name}」；可用字段：{}",
                    Field::ALL.map(Field::code).join("、")
                )));
            }
            fields.insert(name, list);
        }
        if file.milestones.is_some() {
            markers = file.milestones;
        }
        if file.rows.is_some() {
            rows = file.rows;
        }
        let mut exact = HashMap::new();
        for field in Field::ALL {
            for variant in fields.get(field.code()).into_iter().flatten() {
                let k = header_key(variant).0;
                if let Some(other) = exact.insert(k.clone(), field)
                    && other != field
                {
                    return Err(AliasError(format!(
                        "列名「{variant}」同时属于 {} 和 {}",
                        other.code(),
                        field.code()
                    )));
                }
            }
        }
        let markers = markers.ok_or_else(|| AliasError("缺少 [milestones]".into()))?;
        Ok(AliasTable {
            exact,
            planned: markers.planned.iter().map(|m| key(m)).collect(),
            actual: markers.actual.iter().map(|m| key(m)).collect(),
            totals: rows
                .map(|r| r.totals.iter().map(|t| key(t)).collect())
                .unwrap_or_default(),
        })
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ColumnKind {
    Field(Field),
    /// Planned investment for a year written in the header (2021年计划投资).
    YearInvestment(i16),
    /// Plan kind for a year written in the header (2021年计划类型).
    YearKind(i16),
    /// A milestone's planned date.
    Planned(String),
    /// A milestone's actual date.
    Actual(String),
}

/// A recognised column of a sheet.
#[derive(Debug, Clone)]
pub(crate) struct MappedColumn {
    /// Index within the sheet's range.
    pub(crate) col: usize,
    pub(crate) kind: ColumnKind,
    /// Yuan per unit for amounts, when the header says.
    pub(crate) factor: Option<i64>,
    /// The header as written (its rows joined).
    pub(crate) header: String,
}

/// Where a sheet's header is and what its columns are.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Index within the range of the last header row; data follows.
    pub(crate) header_last: usize,
    pub(crate) columns: Vec<MappedColumn>,
    /// Headers not recognised (ignored).
    pub(crate) ignored: Vec<String>,
    /// Yuan per unit of amounts whose header names no unit.
    pub(crate) default_factor: i64,
    /// A year written in a title row above the header (「2027年城建项目台账」).
    pub(crate) title_year: Option<i16>,
}

/// The first year 1990–2100 written as four digits of their own in `text` (「2027年…」,
/// 「台账2027」), if any.
pub(crate) fn year_in(text: &str) -> Option<i16> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                let year: i16 = chars[start..i].iter().collect::<String>().parse().ok()?;
                if (1990..=2100).contains(&year) {
                    return Some(year);
                }
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The key of a header and the unit a bracketed part (or a 万元/亿元 suffix) names.
fn header_key(raw: &str) -> (String, Option<i64>) {
    let k = key(raw);
    let mut base = String::new();
    let mut factor = None;
    let mut depth = 0usize;
    let mut inside = String::new();
    for c in k.chars() {
        match c {
            '(' | '[' | '【' | '〔' => {
                depth += 1;
                inside.clear();
            }
            ')' | ']' | '】' | '〕' if depth > 0 => {
                depth -= 1;
                factor = factor.or_else(|| unit_in(&inside));
            }
            _ if depth > 0 => inside.push(c),
            _ => base.push(c),
        }
    }
    (base, factor)
}

fn unit_in(s: &str) -> Option<i64> {
    if s.contains("亿元") {
        Some(100_000_000)
    } else if s.contains("万元") {
        Some(10_000)
    } else if s.trim_start_matches("单位:").trim_start_matches("单位") == "元" {
        Some(1)
    } else {
        None
    }
}

impl AliasTable {
    fn exact(&self, base: &str) -> Option<(Field, Option<i64>)> {
        if let Some(f) = self.exact.get(base) {
            return Some((*f, None));
        }
        for (suffix, factor) in [("万元", 10_000), ("亿元", 100_000_000), ("/万元", 10_000)] {
            if let Some(b) = base.strip_suffix(suffix)
                && let Some(f) = self.exact.get(b.trim_end_matches('/'))
            {
                return Some((*f, Some(factor)));
            }
        }
        None
    }

    /// A year plan or milestone column.
    fn pattern(&self, base: &str, steps: &[String]) -> Option<ColumnKind> {
        let chars: Vec<char> = base.chars().collect();
        if chars.len() > 5 && chars[..4].iter().all(char::is_ascii_digit) && chars[4] == '年' {
            let year: i16 = chars[..4].iter().collect::<String>().parse().ok()?;
            let rest: String = chars[5..].iter().collect();
            let rest = rest.strip_prefix('度').unwrap_or(&rest);
            return match self.exact(rest).map(|x| x.0) {
                Some(Field::YearInvestment) => Some(ColumnKind::YearInvestment(year)),
                Some(Field::YearKind) => Some(ColumnKind::YearKind(year)),
                _ => None,
            };
        }
        let step = steps
            .iter()
            .filter(|s| base.contains(s.as_str()))
            .max_by_key(|s| s.chars().count())?;
        let rest = base.replacen(step.as_str(), "", 1);
        if self.actual.iter().any(|m| rest.contains(m.as_str())) {
            Some(ColumnKind::Actual(step.clone()))
        } else if self.planned.iter().any(|m| rest.contains(m.as_str())) {
            Some(ColumnKind::Planned(step.clone()))
        } else {
            None
        }
    }

    fn classify(
        &self,
        combined: &str,
        own: &str,
        steps: &[String],
    ) -> Option<(ColumnKind, Option<i64>)> {
        let (cb, cf) = header_key(combined);
        let (ob, of) = header_key(own);
        let factor = of.or(cf);
        if let Some((f, sf)) = self.exact(&cb).or_else(|| self.exact(&ob)) {
            return Some((ColumnKind::Field(f), sf.or(factor)));
        }
        self.pattern(&cb, steps)
            .or_else(|| self.pattern(&ob, steps))
            .map(|k| (k, factor))
    }
}

/// The rows scanned for a header.
const HEADER_SCAN: usize = 30;

fn label(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.trim().to_owned(),
        _ => String::new(),
    }
}

/// Finds the header of `sheet`: the row among the first 30 where most cells are known column
/// names, extended down by sub-header rows (no project code or name under the code or name
/// column) and up by group rows (two or more different labels, merged cells filled); `None`
/// when no row has three known names including the project code or the project name.
pub(crate) fn detect(
    sheet: &RawSheet,
    table: &AliasTable,
    steps: &[String],
) -> Result<Option<Layout>, Box<CellError>> {
    let range = &sheet.range;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let height = range.height().min(HEADER_SCAN);
    let width = range.width();
    // The labels of the first rows with merged cells filled from their top-left cell.
    let mut grid: Vec<Vec<String>> = (0..height)
        .map(|r| (0..width).map(|c| label(range.get((r, c)))).collect())
        .collect();
    for m in &sheet.merges {
        let (top, left) = (m.start.0 as i64 - r0 as i64, m.start.1 as i64 - c0 as i64);
        if top < 0 || left < 0 || top as usize >= height || left as usize >= width {
            continue;
        }
        let value = grid[top as usize][left as usize].clone();
        let bottom = (m.end.0 as i64 - r0 as i64).min(height as i64 - 1);
        let right = (m.end.1 as i64 - c0 as i64).min(width as i64 - 1);
        for row in grid.iter_mut().take(bottom as usize + 1).skip(top as usize) {
            for cell in row.iter_mut().take(right as usize + 1).skip(left as usize) {
                *cell = value.clone();
            }
        }
    }
    let known = |r: usize| {
        grid[r]
            .iter()
            .filter(|l| {
                !l.is_empty()
                    && matches!(table.classify(l, l, steps), Some((k, _)) if k != ColumnKind::Field(Field::Ignore))
            })
            .count()
    };
    let Some((best, score)) =
        (0..height)
            .map(|r| (r, known(r)))
            .fold(None, |acc: Option<(usize, usize)>, (r, s)| match acc {
                Some((_, bs)) if bs >= s => acc,
                _ => Some((r, s)),
            })
    else {
        return Ok(None);
    };
    let column_of = |field: Field| {
        grid[best].iter().position(|l| {
            matches!(table.classify(l, l, steps), Some((ColumnKind::Field(f), _)) if f == field)
        })
    };
    // The columns a data row fills and a sub-header row leaves blank (or repeats, merged):
    // the code and the name, or else the first known column.
    let mut anchors: Vec<usize> = [column_of(Field::Code), column_of(Field::Name)]
        .into_iter()
        .flatten()
        .collect();
    if anchors.is_empty() {
        anchors.extend(grid[best].iter().position(|l| {
            !l.is_empty()
                && matches!(table.classify(l, l, steps), Some((k, _)) if k != ColumnKind::Field(Field::Ignore))
        }));
    }
    if anchors.is_empty() || score < 3 {
        return Ok(None);
    }
    // Sub-header rows: no project code or name of their own under those columns.
    let mut last = best;
    while last + 1 < height && last < best + 2 {
        let next = last + 1;
        let blank_anchors = anchors
            .iter()
            .all(|&c| grid[next][c].is_empty() || grid[next][c] == grid[best][c]);
        let has_text = grid[next].iter().any(|l| !l.is_empty());
        let is_data = (0..width).any(|c| {
            matches!(
                range.get((next, c)),
                Some(Data::Float(_) | Data::Int(_) | Data::DateTime(_))
            )
        });
        if has_text && !is_data && blank_anchors {
            last = next;
        } else {
            break;
        }
    }
    // Group rows above: two or more different labels.
    let mut top = best;
    while top > 0 && best - top < 2 {
        let mut labels: Vec<&String> = grid[top - 1].iter().filter(|l| !l.is_empty()).collect();
        labels.dedup();
        // A line such as 填报单位：… 单位：万元 is a caption, not a group of columns.
        let caption = labels.iter().any(|l| {
            let k = key(l);
            k.contains(':') || k.starts_with("填报")
        });
        if labels.len() >= 2 && !caption {
            top -= 1;
        } else {
            break;
        }
    }
    // Without merge information (.xls, .csv), a group label covers the empty cells to its right.
    if sheet.merges.is_empty() {
        for row in grid.iter_mut().take(last).skip(top) {
            let mut carry = String::new();
            for cell in row.iter_mut() {
                if cell.is_empty() {
                    cell.clone_from(&carry);
                } else {
                    carry.clone_from(cell);
                }
            }
        }
    }
    let mut default_factor = 10_000;
    let mut title_year = None;
    for row in grid.iter().take(top) {
        for l in row {
            title_year = title_year.or_else(|| year_in(l));
            let k = key(l);
            if let Some(pos) = k.find("单位:")
                && let Some(f) = unit_in(&k[pos..])
            {
                default_factor = f;
            }
        }
    }
    let mut columns: Vec<MappedColumn> = Vec::new();
    let mut ignored = Vec::new();
    for c in 0..width {
        let mut parts: Vec<&str> = Vec::new();
        for row in grid.iter().take(last + 1).skip(top) {
            let l = row[c].as_str();
            if !l.is_empty() && parts.last() != Some(&l) {
                parts.push(l);
            }
        }
        if parts.is_empty() {
            continue;
        }
        let combined = parts.concat();
        let own = parts[parts.len() - 1];
        let header = parts.join(" / ");
        match table.classify(&combined, own, steps) {
            Some((ColumnKind::Field(Field::Ignore), _)) => {}
            Some((kind, factor)) => {
                if let Some(first) = columns.iter().find(|m| m.kind == kind) {
                    return Err(Box::new(CellError {
                        sheet: sheet.name.clone(),
                        row: r0 + last as u32 + 1,
                        column: column_letters(c0 + c as u32),
                        header,
                        value: String::new(),
                        expected: format!(
                            "与 {} 列「{}」重复：每项只能有一列",
                            column_letters(c0 + first.col as u32),
                            first.header
                        ),
                    }));
                }
                columns.push(MappedColumn {
                    col: c,
                    kind,
                    factor,
                    header,
                });
            }
            None => ignored.push(header),
        }
    }
    Ok(Some(Layout {
        header_last: last,
        columns,
        ignored,
        default_factor,
        title_year,
    }))
}

/// Whether a row is a totals row: one of its first cells says 合计 (or another totals word).
pub(crate) fn is_totals(row: &[Data], table: &AliasTable) -> bool {
    row.iter().take(4).any(|cell| match values::text(cell) {
        Ok(Some(t)) => {
            let k = key(&t);
            k.chars().count() <= 6 && table.totals.iter().any(|w| k.contains(w.as_str()))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_four_digits_of_their_own() {
        assert_eq!(year_in("2027年城建项目台账"), Some(2027));
        assert_eq!(year_in("台账（截至2021-12-31）"), Some(2021));
        assert_eq!(year_in("第12345号"), None);
        assert_eq!(year_in("项目台账"), None);
    }

    #[test]
    fn header_keys_read_units_from_brackets() {
        assert_eq!(
            header_key("总投资（万元）"),
            ("总投资".into(), Some(10_000))
        );
        assert_eq!(
            header_key("总投资(亿元)"),
            ("总投资".into(), Some(100_000_000))
        );
        assert_eq!(header_key(" 项目\n名称 "), ("项目名称".into(), None));
    }

    #[test]
    fn variants_and_patterns_classify() {
        let t = AliasTable::default();
        let steps = vec!["开工".to_owned(), "主体完工".to_owned(), "完工".to_owned()];
        let kind = |h: &str| t.classify(h, h, &steps).map(|x| x.0);
        assert_eq!(kind("名称"), Some(ColumnKind::Field(Field::Name)));
        assert_eq!(
            kind("总投资万元"),
            Some(ColumnKind::Field(Field::TotalInvestment))
        );
        assert_eq!(
            kind("2021年计划投资（万元）"),
            Some(ColumnKind::YearInvestment(2021))
        );
        assert_eq!(kind("2022年度计划类型"), Some(ColumnKind::YearKind(2022)));
        assert_eq!(
            kind("开工计划时间"),
            Some(ColumnKind::Planned("开工".into()))
        );
        assert_eq!(
            kind("计划开工时间"),
            Some(ColumnKind::Field(Field::PlannedStart))
        );
        assert_eq!(
            kind("计划竣工时间"),
            Some(ColumnKind::Field(Field::PlannedCompletion))
        );
        assert_eq!(
            kind("主体完工实际日期"),
            Some(ColumnKind::Actual("主体完工".into()))
        );
        assert_eq!(kind("开工"), None);
        // Columns a ledger often has but import does not take are listed by name as ignored.
        assert_eq!(kind("联系人"), None);
        assert_eq!(kind("建设内容"), None);
    }

    #[test]
    fn a_custom_table_replaces_only_the_lists_it_names() {
        let t = AliasTable::from_toml("[fields]\nname = [\"工程名称\"]\n").unwrap();
        assert_eq!(t.exact("工程名称").map(|x| x.0), Some(Field::Name));
        assert_eq!(t.exact("名称"), None);
        assert_eq!(t.exact("项目编号").map(|x| x.0), Some(Field::Code));
        assert!(AliasTable::from_toml("[fields]\nnope = [\"x\"]\n").is_err());
        assert!(AliasTable::from_toml("[fields]\nname = [\"项目编号\"]\n").is_err());
    }
}
