//! The error report: an .xlsx copy of the ledger with every bad cell filled light red and a
//! note saying what was expected, after a first sheet 错误清单 listing all errors.

use std::collections::HashMap;

use calamine::Data;
use rust_xlsxwriter::{Format, Note, Workbook, XlsxError};

use super::CellError;
use super::read::Workbook as Ledger;
use crate::xlsx::{Column, ColumnFormat as F, Formats, Sheet, Value, neutralise, write_value};

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not 错误清单.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let clean = if clean.trim().is_empty() {
        "Sheet".to_owned()
    } else {
        clean
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while candidate == "错误清单" || taken.contains(&candidate) {
        candidate = format!("{clean}_{n}");
        n += 1;
    }
    candidate
}

/// Writes the error report of `ledger` with `errors`.
pub fn error_report(ledger: &Ledger, errors: &[CellError]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    let mut list = Sheet::new(
        "错误清单",
        vec![
            Column::new("工作表", 16.0, F::Text),
            Column::new("行", 7.0, F::Int),
            Column::new("列", 6.0, F::Text),
            Column::new("列名", 22.0, F::Text),
            Column::new("值", 24.0, F::Text),
            Column::new("应为", 60.0, F::Text),
        ],
    );
    list.title = Some(format!(
        "「{}」有 {} 处错误，未导入任何项目",
        ledger.file_name,
        errors.len()
    ));
    for e in errors {
        list.rows.push(vec![
            e.sheet.as_str().into(),
            Value::Number(f64::from(e.row)),
            e.column.as_str().into(),
            e.header.as_str().into(),
            e.value.as_str().into(),
            e.expected.as_str().into(),
        ]);
    }
    {
        let ws = book.add_worksheet();
        ws.set_name(&list.name)?;
        if let Some(title) = &list.title {
            ws.merge_range(0, 0, 0, 5, &neutralise(title), &formats.title)?;
        }
        for (c, col) in list.columns.iter().enumerate() {
            ws.set_column_width(c as u16, col.width)?;
            ws.write_string_with_format(1, c as u16, &col.header, &formats.header)?;
        }
        for (r, row) in list.rows.iter().enumerate() {
            for (c, (v, col)) in row.iter().zip(&list.columns).enumerate() {
                write_value(ws, r as u32 + 2, c as u16, v, formats.of(col.format))?;
            }
        }
        ws.set_freeze_panes(2, 0)?;
    }
    // Notes per sheet and cell, several errors on one cell joined.
    let mut notes: HashMap<(&str, u32, u32), Vec<&str>> = HashMap::new();
    for e in errors {
        if let Some(col) = column_index(&e.column) {
            notes
                .entry((e.sheet.as_str(), e.row - 1, col))
                .or_default()
                .push(&e.expected);
        }
    }
    let bad = Format::new()
        .set_background_color(0xFFC7CE)
        .set_font_color(0x9C0006);
    let bad_date = bad.clone().set_num_format("yyyy-mm-dd");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let plain = Format::new();
    let mut taken = vec!["错误清单".to_owned()];
    for sheet in &ledger.sheets {
        let name = sheet_name(&sheet.name, &taken);
        taken.push(name.clone());
        let ws = book.add_worksheet();
        ws.set_name(&name)?;
        let (r0, c0) = sheet.range.start().unwrap_or((0, 0));
        for c in 0..sheet.range.width() {
            ws.set_column_width((c0 as usize + c).min(16_383) as u16, 14)?;
        }
        for (r, c, value) in sheet.range.used_cells() {
            let (row, col) = (r0 + r as u32, c0 + c as u32);
            let Ok(col16) = u16::try_from(col) else {
                continue;
            };
            let marked = notes.contains_key(&(sheet.name.as_str(), row, col));
            let f = if marked { &bad } else { &plain };
            match value {
                Data::Empty => {}
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    ws.write_string_with_format(row, col16, neutralise(s), f)?;
                }
                Data::Int(i) => {
                    ws.write_number_with_format(row, col16, *i as f64, f)?;
                }
                Data::Float(x) => {
                    ws.write_number_with_format(row, col16, *x, f)?;
                }
                Data::Bool(b) => {
                    ws.write_boolean_with_format(row, col16, *b, f)?;
                }
                Data::DateTime(dt) => {
                    let df = if marked { &bad_date } else { &date };
                    ws.write_number_with_format(row, col16, dt.as_f64(), df)?;
                }
                Data::Error(e) => {
                    ws.write_string_with_format(row, col16, format!("#{e}"), f)?;
                }
            }
        }
        // Bad cells that are blank still get their fill and note.
        for ((s, row, col), expected) in &notes {
            if *s != sheet.name {
                continue;
            }
            let Ok(col16) = u16::try_from(*col) else {
                continue;
            };
            let rel = (row.wrapping_sub(r0) as usize, col.wrapping_sub(c0) as usize);
            if matches!(sheet.range.get(rel), None | Some(Data::Empty)) {
                ws.write_blank(*row, col16, &bad)?;
            }
            let note = Note::new(expected.join("\n"))
                .set_author("jianguan")
                .set_width(320)
                .set_height(90);
            ws.insert_note(*row, col16, &note)?;
        }
    }
    book.save_to_buffer()
}

/// The 0-based index of column letters: `A` → 0, `AB` → 27.
fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    letters
        .bytes()
        .try_fold(0u32, |acc, b| {
            acc.checked_mul(26)?.checked_add(u32::from(b - b'A') + 1)
        })
        .map(|n| n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_index_inverts_letters() {
        for c in [0, 25, 26, 27, 701, 702] {
            assert_eq!(column_index(&super::super::column_letters(c)), Some(c));
        }
        assert_eq!(column_index(""), None);
    }
}
