//! The office's organisation file (.xlsx or .csv): one unit a row under the headers 单位名称,
//! 类型 and 上级单位, read within the ledger's [`Limits`](crate::ledger::Limits). What a row
//! means is checked by the app against the stored units; this reads the text only.

use calamine::Data;

use crate::ledger::{Limits, read_workbook};

/// The headers an organisation file carries.
pub const HEADERS: [&str; 3] = ["单位名称", "类型", "上级单位"];

/// One row of an organisation file, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    /// Its row number in the sheet, from 1 (as Excel shows it).
    pub row: usize,
    /// 单位名称.
    pub name: String,
    /// 类型, e.g. 县区.
    pub kind: String,
    /// 上级单位 (a unit's name), empty for none.
    pub parent: String,
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_string(),
        Some(other) => other.to_string().trim().to_string(),
    }
}

/// Reads the rows of an organisation file: the first sheet's first row holding 单位名称 is the
/// header; blank rows are skipped. Refused (with the reason, in Chinese) when the file cannot be
/// read or a header is missing.
pub fn read_org_file(bytes: &[u8], file_name: &str) -> Result<Vec<OrgRow>, String> {
    let book = read_workbook(bytes, file_name, &Limits::default()).map_err(|e| e.to_string())?;
    let sheet = book
        .sheets
        .first()
        .ok_or_else(|| "文件中没有工作表".to_string())?;
    let first_row = sheet.range.start().map_or(0, |(r, _)| r as usize);
    let rows: Vec<&[Data]> = sheet.range.rows().collect();
    let header_at = rows
        .iter()
        .position(|r| r.iter().any(|c| text(Some(c)) == HEADERS[0]))
        .ok_or_else(|| format!("找不到表头「{}」", HEADERS.join("、")))?;
    let header: Vec<String> = rows[header_at].iter().map(|c| text(Some(c))).collect();
    let mut columns = [0usize; 3];
    for (i, name) in HEADERS.iter().enumerate() {
        columns[i] = header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("第 {} 行表头缺少列「{name}」", first_row + header_at + 1))?;
    }
    Ok(rows
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .map(|(i, r)| OrgRow {
            row: first_row + i + 1,
            name: text(r.get(columns[0])),
            kind: text(r.get(columns[1])),
            parent: text(r.get(columns[2])),
        })
        .filter(|r| !(r.name.is_empty() && r.kind.is_empty() && r.parent.is_empty()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_is_read_row_by_row_with_row_numbers() {
        let csv = "单位名称,类型,上级单位\n东湖区,县区,\n\n东湖区住建局, 责任单位 ,东湖区\n";
        let rows = read_org_file(csv.as_bytes(), "org.csv").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].row, 4);
        assert_eq!(rows[1].kind, "责任单位");
        assert_eq!(rows[1].parent, "东湖区");
    }

    #[test]
    fn a_missing_header_is_named() {
        let err = read_org_file("单位名称,类型\n东湖区,县区\n".as_bytes(), "org.csv").unwrap_err();
        assert!(err.contains("上级单位"), "{err}");
        assert!(
            read_org_file(b"a,b\n", "org.csv")
                .unwrap_err()
                .contains("表头")
        );
    }
}
