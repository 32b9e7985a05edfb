//! The project ledger (项目台账) in Excel: read the office's own, messy workbooks into an
//! [`ImportPlan`], and write the ledger back out ([`ledger_workbook`]) in the columns import
//! reads, so export → import gives the same projects.
//!
//! Import runs in four pure steps, all-or-nothing:
//!
//! 1. [`read_workbook`]: bytes (.xlsx, .xls or .csv) → sheets of cells, behind [`Limits`]: file
//!    size, and for .xlsx the zip's entries are decompressed (and thrown away) with a budget
//!    *before* the spreadsheet reader opens them, so a zip bomb or a lying zip header is refused
//!    cheaply; then rows, columns, cell length (Excel's own 32,767) and a time limit. A reader
//!    panic on a hostile file is caught and reported as [`ImportError::Unreadable`].
//! 2. Header detection per sheet ([`AliasTable`]): a title row and multi-row (merged) headers
//!    above the column names are skipped or combined; names are compared after NFKC (full-width
//!    letters, digits, brackets and spaces become half-width), without spaces and without a
//!    bracketed part, which is read as a unit hint (（万元）, （亿元）, （元）). A line "单位：亿元"
//!    above the header sets the default unit of the sheet's amounts; otherwise amounts are in
//!    万元. Columns per milestone are recognised by the milestone's name plus 计划 / 实际.
//! 3. Normalisation of every value (see [`values`]): amounts to [`Money`] yuan; dates as Excel
//!    serials or date cells, `2021-05-31`, `2021/5/31`, `2021.5.31`, `2021年5月31日`,
//!    `20210531`, and the month-only forms `2021年5月`, `2021-05`, `2021.5` (text or number).
//!    **A month-only date means the month's last day**, for planned and actual dates alike: a
//!    milestone planned for May is due by 31 May, and an actual date known only to the month is
//!    never taken as earlier than it may have been. A number like 2021.1 is refused as ambiguous
//!    (January, or October typed as 2021.10).
//! 4. Validation against the [`Portfolio`] and comparison by ledger code (项目编号) with the
//!    projects already stored → [`ImportPlan`] (new / updated with the fields that change /
//!    unchanged), coordinates compared to 1e-7 degrees and amounts to 0.01 万元 (the precision
//!    export writes, [`precision`]), so a ledger re-saved by a spreadsheet program is unchanged.
//!    Blank rows and a totals row (合计, 总计, 小计) are skipped; a sheet without a
//!    district column takes its district from the sheet's name (one sheet per district). Every
//!    problem is a [`CellError`] naming sheet, row, column and what was expected; all are
//!    collected (up to [`Limits::max_errors`]) and any one of them refuses the whole import.
//!    [`error_report`] writes them back as an .xlsx copy of the input with the bad cells marked.
//!
//! .csv files must be UTF-8 (with or without a byte-order mark); a GB18030 file from an old
//! Excel "CSV" save is refused with a message saying to save as "CSV UTF-8" or .xlsx.
//! SpreadsheetML 2003 (the XML WPS and old Excel save, often named .xls) is recognised by its
//! content and read with `quick-xml` (`ss:Index` gaps, `ss:MergeAcross`/`ss:MergeDown`,
//! `DateTime` cells). An empty file ([`ImportError::Empty`]), a password-protected workbook
//! (an OLE file with `EncryptionInfo`/`EncryptedPackage` streams, [`ImportError::Encrypted`])
//! and a Word document renamed .xlsx ([`ImportError::WordDocument`]) are refused saying what
//! to do.
//!
//! # The ledgers offices keep
//!
//! The columns a ledger must have are 项目名称, 项目类别, 县区 (or the sheet's name), 责任单位,
//! 总投资, and either every milestone's planned date or 计划开工时间 and 计划完工时间; a missing
//! column is one error naming it and listing the columns found, not one per row.
//!
//! - **Codes.** 项目编号 is optional. A row without one is always a new project; once the whole
//!   ledger is read it gets `JG{year}-{NNNN}` (the year below; NNNN from 0001, four digits or
//!   more), numbered on after the highest number with that prefix among the stored codes and
//!   the ledger's own, in row order ([`ImportPlan::generated_codes`]).
//! - **Milestones.** A milestone's own planned-date column wins; the others are derived from the
//!   planned start and completion with the category's template shares
//!   (`Category::derive_dates`) and marked `derived`. A template whose shares do not add up to
//!   100 is an error naming the category; a completion before the start names both cells.
//! - **The year** is [`ImportOptions::year`] (`--year`, the upload form), else a four-digit year
//!   in a title row above the header (「2027年城建项目台账」), else in the sheet's name. A sheet
//!   without year-plan columns gives each project one annual plan for that year: 年度建设 when
//!   the planned completion (the last milestone's date) falls in it, 前期或跨年 otherwise, with
//!   the **total investment as the planned investment**. A new project's annual plans are
//!   drafts (`PlanStatus::Draft`); an updated project's keep their stored status.
//! - **Defaults.** 街道 and 资金来源 default to empty; 建设类型 to the category name's: ending in
//!   整治 → 整治, in 新建 or 建设 → 新建, otherwise 改造 ([`ImportPlan::notes`] says so).
//! - **New units.** A responsible unit no stored unit is named is proposed as a new 责任单位
//!   under the row's district ([`ImportPlan::new_units`], a placeholder id below zero in the
//!   projects), created by the store in the import's transaction. An unknown district or
//!   category stays an error listing the known names.
//! - A project name longer than [`MAX_NAME_CHARS`] is refused naming its cell.
//! - **Coordinates** (经度, 纬度) are stored in WGS-84. A row's 坐标系 cell (WGS-84, GCJ-02 for
//!   高德 and 腾讯, BD-09 for 百度, in any of the names `CoordinateSystem::parse` knows) says which
//!   system the row's pair is written in; a blank cell takes the sheet's, which a longitude or
//!   latitude header may name in brackets (经度（GCJ-02）, as export writes it), else
//!   [`ImportOptions::coordinates`] (`--coordinates`), else WGS-84. An unknown system name, a
//!   pair outside China's bounds (`coords::CHINA`) and a pair typed the wrong way round (said
//!   as such: 经纬度可能填反了) are errors naming the cell.
//!
//! [`Money`]: jianguan_domain::model::Money
//! [`Portfolio`]: jianguan_domain::model::Portfolio

mod columns;
mod export;
mod limits;
mod plan;
pub mod precision;
mod read;
mod report;
pub mod values;

pub use columns::{AliasError, AliasTable, DEFAULT_ALIASES_TOML};
pub use export::{
    LatestProgress, latest_from_investment, latest_progress, ledger_sheet, ledger_workbook,
};
pub use limits::Limits;
pub use plan::{
    GeneratedCode, ImportOptions, ImportPlan, MAX_NAME_CHARS, NewUnit, ProjectChange,
    import_ledger, plan_import,
};
pub use read::{RawSheet, SourceFormat, Workbook, read_workbook};
pub use report::error_report;

/// One problem in a ledger, where Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The sheet's name.
    pub sheet: String,
    /// The row, from 1 as Excel numbers it.
    pub row: u32,
    /// The column's letters (`A`, `AB`), or empty when the problem is a missing column.
    pub column: String,
    /// The column's header as the file wrote it (or the missing column's name).
    pub header: String,
    /// The cell's value as read (shortened when long).
    pub value: String,
    /// What was expected instead.
    pub expected: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}!{}{}「{}」: 值「{}」，{}",
            self.sheet, self.column, self.row, self.header, self.value, self.expected
        )
    }
}

/// Why a ledger was not imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The file is larger than allowed.
    #[error("文件过大：{size} 字节，上限 {limit} 字节")]
    FileTooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The compressed workbook would expand beyond the limits (a zip bomb, or a lying header).
    #[error("文件解压后过大或压缩比异常（疑似压缩炸弹）：{0}")]
    ZipBomb(String),
    /// More rows, columns or sheets than allowed.
    #[error("超出限制：{0}")]
    TooBig(String),
    /// A cell longer than Excel allows.
    #[error("单元格 {sheet}!{cell} 有 {chars} 个字符，超过上限 {limit}")]
    CellTooLong {
        /// The sheet.
        sheet: String,
        /// The cell, e.g. `C7`.
        cell: String,
        /// Its length in characters.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// Reading took longer than allowed.
    #[error("读取超时（上限 {0} 秒）")]
    TimedOut(u64),
    /// Not a workbook this reader understands, or a damaged one.
    #[error("无法读取文件：{0}")]
    Unreadable(String),
    /// The file has no content.
    #[error("文件是空的：请确认选对了文件，在 Excel 或 WPS 中打开、填好台账并保存后重新导入")]
    Empty,
    /// The workbook is protected by an opening password, so its content is encrypted.
    #[error(
        "工作簿设有打开密码（已加密），无法读取：请在 Excel 或 WPS 中打开它，取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新保存，再导入"
    )]
    Encrypted,
    /// A Word document, not a workbook (often one renamed .xlsx).
    #[error(
        "这是 Word 文档，不是 Excel 工作簿（可能被改了扩展名）：请把台账表格复制到 Excel 或 WPS 表格中，另存为 .xlsx 后再导入"
    )]
    WordDocument,
    /// No sheet has a recognisable header row.
    #[error(
        "未找到表头：没有一个工作表含有「项目名称」「项目类别」「县区」「责任单位」「总投资」等列名；请检查表头行（前 30 行内）"
    )]
    NoHeader,
    /// The ledger has errors; nothing was imported.
    #[error("台账有 {} 处错误{}，未导入任何项目", errors.len(), if *truncated { "（仅列出前若干处）" } else { "" })]
    Invalid {
        /// The errors, in sheet and row order.
        errors: Vec<CellError>,
        /// Whether more errors were found than [`Limits::max_errors`].
        truncated: bool,
    },
}

/// Progress of a long import or export, as (done, total) rows.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// The letters of 0-based column `col`: 0 → `A`, 27 → `AB`.
pub fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
