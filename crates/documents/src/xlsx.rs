//! The office's Excel tables: a small writer ([`Sheet`] → workbook bytes) with the layout the
//! office expects — a bold, frozen header row, column widths, number formats (integers, 万元 to two
//! decimals, percentages, dates), Chinese sheet names — and the builders of its tables: the league
//! table ([`league_table_workbook`]), filing compliance ([`compliance_workbook`]) and the monthly
//! scores ([`scores_workbook`]). The ledger itself is written by [`crate::ledger::ledger_workbook`].
//!
//! Every value comes from the domain: builders take the domain's computed figures (an
//! [`Overview`], a [`Compliance`], [`MonthScores`]) and only lay them out; no rate is computed
//! here.
//!
//! **Formula injection.** A text cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
//! return) is written with a leading single quote (`'`), as OWASP recommends for CSV injection.
//! rust_xlsxwriter always writes text as a string, so Excel itself never evaluates it, but the
//! office re-saves workbooks as CSV and opens them elsewhere, where a bare `=HYPERLINK(..)` would
//! run. The quote stays visible in the cell; ledger import strips one leading `'` from a text cell
//! whose remainder would need neutralising, so the round trip is lossless.

mod tables;

use jiff::civil::Date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

pub use tables::{compliance_workbook, league_table_workbook, scores_workbook};

/// How a column's cells are formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnFormat {
    /// Text, left-aligned.
    Text,
    /// A whole number: `0`.
    Int,
    /// An amount in 万元, two decimals: `#,##0.00`.
    Wan,
    /// A number with two decimals (scores, points): `0.00`.
    Decimal,
    /// A fraction shown as a percentage with two decimals: `0.00%`.
    Percent,
    /// A date: `yyyy-mm-dd`.
    Date,
    /// A coordinate in degrees: `0.0000000` (the 7 decimals the ledger carries).
    Degrees,
}

/// One column of a [`Sheet`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header shown in the first row.
    pub header: String,
    /// Width in characters (a Chinese character counts about two).
    pub width: f64,
    /// How the column's cells are formatted.
    pub format: ColumnFormat,
}

impl Column {
    /// A column with `header`, `width` and `format`.
    pub fn new(header: impl Into<String>, width: f64, format: ColumnFormat) -> Column {
        Column {
            header: header.into(),
            width,
            format,
        }
    }
}

/// A cell's value. The column decides the number format.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text (neutralised on writing, see the module note).
    Text(String),
    /// A number.
    Number(f64),
    /// A date, written as an Excel date serial.
    Date(Date),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n as f64)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n as f64)
    }
}

impl From<Date> for Value {
    fn from(d: Date) -> Value {
        Value::Date(d)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Empty, Into::into)
    }
}

/// One worksheet: a name (Chinese is fine; at most 31 characters, none of `[]:*?/\`), columns
/// and rows of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// An optional title written above the header (merged across the columns); the header row
    /// is then the second row.
    pub title: Option<String>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each with at most one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl Sheet {
    /// An empty sheet named `name` with `columns`.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Sheet {
        Sheet {
            name: name.into(),
            title: None,
            columns,
            rows: Vec::new(),
        }
    }
}

/// The characters a text cell may not begin with unneutralised: they start a formula in Excel,
/// LibreOffice or a spreadsheet that opens a re-saved CSV.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` would be read as a formula by a spreadsheet opening it as CSV.
pub fn needs_neutralising(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// `text` made safe to write: prefixed with `'` when it begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return; otherwise unchanged.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if needs_neutralising(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The Excel (1900 date system) serial of `date`.
pub fn excel_serial(date: Date) -> f64 {
    // Serial 1 is 1900-01-01, but Excel counts a 29 February 1900 that never was, so from
    // 1 March 1900 on the serial is the day count from 1899-12-30.
    let epoch = Date::constant(1899, 12, 30);
    let days = (date - epoch).get_days() as f64;
    if days < 61.0 { days - 1.0 } else { days }
}

/// The formats of a workbook, made once.
pub(crate) struct Formats {
    pub(crate) header: Format,
    pub(crate) title: Format,
    text: Format,
    int: Format,
    wan: Format,
    decimal: Format,
    percent: Format,
    date: Format,
    degrees: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let base = Format::new().set_font_name("宋体").set_font_size(11);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0xDDEBF7)
                .set_border(FormatBorder::Thin),
            title: base
                .clone()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center),
            text: base.clone(),
            int: base.clone().set_num_format("0"),
            wan: base.clone().set_num_format("#,##0.00"),
            decimal: base.clone().set_num_format("0.00"),
            percent: base.clone().set_num_format("0.00%"),
            date: base.clone().set_num_format("yyyy-mm-dd"),
            degrees: base.set_num_format("0.0000000"),
        }
    }

    pub(crate) fn of(&self, format: ColumnFormat) -> &Format {
        match format {
            ColumnFormat::Text => &self.text,
            ColumnFormat::Int => &self.int,
            ColumnFormat::Wan => &self.wan,
            ColumnFormat::Decimal => &self.decimal,
            ColumnFormat::Percent => &self.percent,
            ColumnFormat::Date => &self.date,
            ColumnFormat::Degrees => &self.degrees,
        }
    }
}

/// Writes `sheets` as an .xlsx workbook: per sheet an optional merged title, a bold header row
/// frozen in place with an autofilter, the column widths and number formats, and the rows.
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name)?;
        let mut row: u32 = 0;
        let last_col = sheet.columns.len().saturating_sub(1) as u16;
        if let Some(title) = &sheet.title {
            if last_col > 0 {
                ws.merge_range(0, 0, 0, last_col, &neutralise(title), &formats.title)?;
            } else {
                ws.write_string_with_format(0, 0, neutralise(title), &formats.title)?;
            }
            ws.set_row_height(0, 28)?;
            row = 1;
        }
        let header_row = row;
        for (c, column) in sheet.columns.iter().enumerate() {
            let c = c as u16;
            ws.set_column_width(c, column.width)?;
            ws.write_string_with_format(row, c, neutralise(&column.header), &formats.header)?;
        }
        row += 1;
        for values in &sheet.rows {
            for (c, (value, column)) in values.iter().zip(&sheet.columns).enumerate() {
                write_value(ws, row, c as u16, value, formats.of(column.format))?;
            }
            row += 1;
        }
        ws.set_freeze_panes(header_row + 1, 0)?;
        if !sheet.columns.is_empty() {
            ws.autofilter(
                header_row,
                0,
                row.saturating_sub(1).max(header_row),
                last_col,
            )?;
        }
    }
    book.save_to_buffer()
}

/// Writes one value with its column's format (text always as text, neutralised).
pub(crate) fn write_value(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Value::Empty => {}
        Value::Text(t) => {
            ws.write_string_with_format(row, col, neutralise(t), format)?;
        }
        Value::Number(n) if n.is_finite() => {
            ws.write_number_with_format(row, col, *n, format)?;
        }
        Value::Number(_) => {}
        Value::Date(d) => {
            ws.write_number_with_format(row, col, excel_serial(*d), format)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_prefixed_with_a_quote() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("+86 10"), "'+86 10");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        // A leading tab or carriage return too: the audit trail's export relies on it.
        assert_eq!(neutralise("\t=1"), "'\t=1");
        assert_eq!(neutralise("\r=1"), "'\r=1");
        assert_eq!(neutralise("映湖区"), "映湖区");
        assert_eq!(neutralise("a=1"), "a=1");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn serials_match_excel() {
        assert_eq!(excel_serial(Date::constant(1900, 1, 1)), 1.0);
        assert_eq!(excel_serial(Date::constant(1900, 3, 1)), 61.0);
        assert_eq!(excel_serial(Date::constant(2021, 5, 31)), 44347.0);
    }
}
