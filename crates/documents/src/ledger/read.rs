//! Bytes → sheets of cells, behind the [`Limits`].

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Dimensions, Range, Reader, Xls, Xlsx};

use super::limits::{Deadline, Limits};
use super::{ImportError, column_letters};

/// The kind of file a ledger came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Office Open XML workbook (.xlsx, .xlsm).
    Xlsx,
    /// Excel 97–2003 workbook (.xls).
    Xls,
    /// Comma-separated values, UTF-8.
    Csv,
    /// SpreadsheetML 2003 (XML), as WPS and old Excel save it — often named .xls.
    SpreadsheetXml,
}

/// One sheet as read: its cells and, for .xlsx and .xls, its merged regions.
#[derive(Debug, Clone)]
pub struct RawSheet {
    pub(crate) name: String,
    pub(crate) range: Range<Data>,
    pub(crate) merges: Vec<Dimensions>,
}

impl RawSheet {
    /// The sheet's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Rows in the sheet's used range.
    pub fn height(&self) -> usize {
        self.range.height()
    }
}

/// A workbook read within the limits, ready for header detection and validation.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub(crate) file_name: String,
    pub(crate) format: SourceFormat,
    pub(crate) sheets: Vec<RawSheet>,
}

impl Workbook {
    /// The file name it was read from.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// What kind of file it was.
    pub fn format(&self) -> SourceFormat {
        self.format
    }

    /// Its sheets, in workbook order.
    pub fn sheets(&self) -> &[RawSheet] {
        &self.sheets
    }

    /// Rows over all sheets (header and blank rows included).
    pub fn rows(&self) -> usize {
        self.sheets.iter().map(RawSheet::height).sum()
    }
}

/// Reads a ledger file (.xlsx, .xls or UTF-8 .csv, told apart by content, with the file name's
/// extension deciding only for text) within `limits`. Never panics: a damaged or hostile file
/// is an [`ImportError`].
pub fn read_workbook(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Workbook, ImportError> {
    read_with_deadline(
        bytes,
        file_name,
        limits,
        &Deadline::after(limits.time_limit),
    )
}

pub(crate) fn read_with_deadline(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Workbook, ImportError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ImportError::FileTooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    if bytes
        .iter()
        .all(|b| b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF))
    {
        return Err(ImportError::Empty);
    }
    let format = if bytes.starts_with(b"PK\x03\x04") {
        SourceFormat::Xlsx
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        if is_encrypted(bytes) {
            return Err(ImportError::Encrypted);
        }
        SourceFormat::Xls
    } else if is_spreadsheet_xml(bytes) {
        SourceFormat::SpreadsheetXml
    } else if file_name.to_lowercase().ends_with(".csv") {
        SourceFormat::Csv
    } else {
        return Err(ImportError::Unreadable(
            "不是 Excel 工作簿（.xlsx、.xls）或 CSV 文件".into(),
        ));
    };
    let sheets = match format {
        SourceFormat::Xlsx => {
            check_zip(bytes, limits, deadline)?;
            guarded(|| read_xlsx(bytes, limits, deadline))?
        }
        SourceFormat::Xls => guarded(|| read_xls(bytes, limits, deadline))?,
        SourceFormat::Csv => vec![read_csv(bytes, file_name, limits)?],
        SourceFormat::SpreadsheetXml => guarded(|| read_spreadsheet_xml(bytes, limits, deadline))?,
    };
    let rows: usize = sheets.iter().map(RawSheet::height).sum();
    if rows == 0 {
        return Err(ImportError::Empty);
    }
    if rows > limits.max_rows {
        return Err(ImportError::TooBig(format!(
            "共 {rows} 行，上限 {} 行",
            limits.max_rows
        )));
    }
    Ok(Workbook {
        file_name: file_name.to_owned(),
        format,
        sheets,
    })
}

/// Runs a reader, turning a panic inside it into an error: a hostile file must not bring the
/// process down.
fn guarded<T>(read: impl FnOnce() -> Result<T, ImportError>) -> Result<T, ImportError> {
    catch_unwind(AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err(ImportError::Unreadable("文件已损坏，读取时出错".into())))
}

/// Decompresses every entry of the zip into nothing, with a budget, before calamine sees it: the
/// declared sizes are checked first (cheap), then the real ones (a header may lie).
fn check_zip(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<(), ImportError> {
    let bad = |e: zip::result::ZipError| ImportError::Unreadable(format!("压缩包已损坏：{e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    let has = |name: &str| archive.file_names().any(|n| n.is_ok_and(|n| n == name));
    if has("word/document.xml") && !has("xl/workbook.xml") {
        return Err(ImportError::WordDocument);
    }
    if archive.len() > limits.max_zip_entries {
        return Err(ImportError::ZipBomb(format!(
            "{} 个压缩条目，上限 {}",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(bad)?;
        declared = declared.saturating_add(entry.size());
        check_ratio(entry.size(), entry.compressed_size(), limits)?;
    }
    if declared > limits.max_uncompressed_bytes {
        return Err(ImportError::ZipBomb(format!(
            "声明解压后 {declared} 字节，上限 {} 字节",
            limits.max_uncompressed_bytes
        )));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        deadline.check()?;
        let mut entry = archive.by_index(i).map_err(bad)?;
        let compressed = entry.compressed_size();
        let mut size: u64 = 0;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| ImportError::Unreadable(format!("压缩包已损坏：{e}")))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if total > limits.max_uncompressed_bytes {
                return Err(ImportError::ZipBomb(format!(
                    "解压后超过 {} 字节",
                    limits.max_uncompressed_bytes
                )));
            }
            check_ratio(size, compressed, limits)?;
        }
    }
    Ok(())
}

fn check_ratio(size: u64, compressed: u64, limits: &Limits) -> Result<(), ImportError> {
    if size > 1 << 20 && size / compressed.max(1) > limits.max_compression_ratio {
        return Err(ImportError::ZipBomb(format!(
            "压缩比 {}:1，上限 {}:1",
            size / compressed.max(1),
            limits.max_compression_ratio
        )));
    }
    Ok(())
}

fn unreadable(e: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable(e.to_string())
}

fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Vec<RawSheet>, ImportError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let names = book.sheet_names();
    check_sheet_count(names.len(), limits)?;
    let mut sheets = Vec::new();
    for name in names {
        deadline.check()?;
        let range = stream_sheet(&mut book, &name, limits, deadline)?;
        let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
        // Cell lengths were checked while streaming.
        sheets.push(checked(name, range, merges, limits, false)?);
    }
    Ok(sheets)
}

/// Reads an .xlsx sheet cell by cell, refusing a cell beyond the row or column limit, a cell
/// too long, or a used area too large *before* the grid is allocated: two cells at A1 and
/// XFD1048576 would otherwise make calamine allocate seventeen billion cells.
fn stream_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Range<Data>, ImportError> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Range::empty()),
        Err(e) => return Err(unreadable(e)),
    };
    let mut cells = Vec::new();
    let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        if r as usize >= limits.max_rows {
            return Err(ImportError::TooBig(format!(
                "工作表「{name}」第 {} 行有数据，上限 {} 行",
                r + 1,
                limits.max_rows
            )));
        }
        if c as usize >= limits.max_columns {
            return Err(ImportError::TooBig(format!(
                "工作表「{name}」第 {} 列有数据，上限 {} 列",
                c + 1,
                limits.max_columns
            )));
        }
        if let Data::String(s) = &value
            && s.len() > limits.max_cell_chars
            && s.chars().count() > limits.max_cell_chars
        {
            return Err(ImportError::CellTooLong {
                sheet: name.to_owned(),
                cell: format!("{}{}", column_letters(c), r + 1),
                chars: s.chars().count(),
                limit: limits.max_cell_chars,
            });
        }
        (top, left) = (top.min(r), left.min(c));
        (bottom, right) = (bottom.max(r), right.max(c));
        cells.push(calamine::Cell::new((r, c), value));
        if cells.len() % 8192 == 0 {
            deadline.check()?;
        }
    }
    if !cells.is_empty() {
        let area = (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1);
        if area > limits.max_cells {
            return Err(ImportError::TooBig(format!(
                "工作表「{name}」的数据区域有 {area} 个单元格，上限 {}",
                limits.max_cells
            )));
        }
    }
    Ok(Range::from_sparse(cells))
}

fn read_xls(
    bytes: &[u8],
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Vec<RawSheet>, ImportError> {
    let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => ImportError::Encrypted,
        e => unreadable(e),
    })?;
    let names = book.sheet_names();
    check_sheet_count(names.len(), limits)?;
    let mut sheets = Vec::new();
    for name in names {
        deadline.check()?;
        let range = book.worksheet_range(&name).map_err(unreadable)?;
        let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
        sheets.push(checked(name, range, merges, limits, true)?);
    }
    Ok(sheets)
}

/// Whether an OLE compound file holds an encrypted workbook: Office writes a password-protected
/// .xlsx as a compound file with the streams `EncryptionInfo` and `EncryptedPackage` (their
/// names stored as UTF-16).
fn is_encrypted(bytes: &[u8]) -> bool {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let info = utf16("EncryptionInfo");
    let package = utf16("EncryptedPackage");
    bytes
        .windows(info.len())
        .any(|w| w == info.as_slice() || w.starts_with(&package[..info.len()]))
}

/// Whether `bytes` are a SpreadsheetML 2003 workbook: XML naming the Excel spreadsheet namespace
/// or the `Excel.Sheet` processing instruction near its start, whatever the file is called.
fn is_spreadsheet_xml(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<')
        && (head.contains("urn:schemas-microsoft-com:office:spreadsheet")
            || head.contains("progid=\"Excel.Sheet\""))
}

/// A sheet of a SpreadsheetML workbook being read.
struct XmlSheet {
    name: String,
    cells: Vec<calamine::Cell<Data>>,
    merges: Vec<Dimensions>,
    bounds: Option<(u32, u32, u32, u32)>,
}

/// Reads a SpreadsheetML 2003 workbook: `<Worksheet ss:Name>` → `<Table>` → `<Row ss:Index>` →
/// `<Cell ss:Index ss:MergeAcross ss:MergeDown>` → `<Data ss:Type="String|Number|DateTime|
/// Boolean">` (text inside formatting tags included; comments skipped). Indexes count from 1
/// and skip the cells and rows left out; a merged cell takes the columns it spans.
fn read_spreadsheet_xml(
    bytes: &[u8],
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Vec<RawSheet>, ImportError> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::Unreadable(
            "XML 表格不是 UTF-8 编码：请在 Excel 或 WPS 中打开，另存为 .xlsx 后导入".into(),
        )
    })?;
    let bad = |e: &dyn std::fmt::Display| ImportError::Unreadable(format!("XML 表格已损坏：{e}"));
    let mut reader = quick_xml::Reader::from_str(text);
    let mut sheets: Vec<XmlSheet> = Vec::new();
    let mut current: Option<XmlSheet> = None;
    let mut row: i64 = -1;
    let mut col: u32 = 0;
    let mut cell: Option<u32> = None;
    let mut data: Option<(String, String)> = None;
    let mut comment = 0usize;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        let (element, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = element {
            let attr = |name: &str| -> Option<String> {
                e.attributes().flatten().find_map(|a| {
                    (a.key.local_name().as_ref() == name).then(|| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default()
                    })
                })
            };
            let index = |name: &str| -> Result<Option<u32>, ImportError> {
                match attr(name) {
                    None => Ok(None),
                    Some(v) => v
                        .trim()
                        .parse::<u32>()
                        .map(Some)
                        .map_err(|_| bad(&format!("属性 {} 的值「{v}」不是数字", name))),
                }
            };
            match e.local_name().as_ref() {
                "Worksheet" => {
                    if let Some(done) = current.take() {
                        sheets.push(done);
                    }
                    check_sheet_count(sheets.len() + 1, limits)?;
                    current = Some(XmlSheet {
                        name: attr("Name").unwrap_or_else(|| format!("Sheet{}", sheets.len() + 1)),
                        cells: Vec::new(),
                        merges: Vec::new(),
                        bounds: None,
                    });
                    row = -1;
                    if empty {
                        sheets.extend(current.take());
                    }
                }
                "Row" => {
                    row = match index("Index")? {
                        Some(i) if i >= 1 => i64::from(i) - 1,
                        _ => row + 1,
                    };
                    col = 0;
                    if row as usize >= limits.max_rows {
                        return Err(ImportError::TooBig(format!(
                            "第 {} 行有数据，上限 {} 行",
                            row + 1,
                            limits.max_rows
                        )));
                    }
                }
                "Cell" => {
                    if let Some(i) = index("Index")?.filter(|i| *i >= 1) {
                        col = i - 1;
                    }
                    let across = index("MergeAcross")?.unwrap_or(0);
                    let down = index("MergeDown")?.unwrap_or(0);
                    if col as usize >= limits.max_columns
                        || (col as usize).saturating_add(across as usize) >= limits.max_columns
                    {
                        return Err(ImportError::TooBig(format!(
                            "第 {} 列有数据，上限 {} 列",
                            col + 1,
                            limits.max_columns
                        )));
                    }
                    let r = row.max(0) as u32;
                    if (across > 0 || down > 0)
                        && let Some(s) = current.as_mut()
                    {
                        s.merges.push(Dimensions {
                            start: (r, col),
                            end: (r.saturating_add(down), col + across),
                        });
                    }
                    if !empty {
                        cell = Some(col);
                    }
                    col += 1 + across;
                }
                "Comment" if !empty => comment += 1,
                "Data" if comment == 0 && cell.is_some() && !empty => {
                    data = Some((attr("Type").unwrap_or_default(), String::new()));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Text(t) => {
                if let Some((_, buf)) = data.as_mut() {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((_, buf)) = data.as_mut() {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, buf)) = data.as_mut() {
                    match r.resolve_char_ref().map_err(|e| bad(&e))? {
                        Some(c) => buf.push(c),
                        None => {
                            let name = r.xml10_content();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(v) => buf.push_str(v),
                                None => return Err(bad(&format!("未知的实体 &{name};"))),
                            }
                        }
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "Data" if comment == 0 => {
                    if let (Some((kind, value)), Some(c), Some(sheet)) =
                        (data.take(), cell, current.as_mut())
                    {
                        let r = row.max(0) as u32;
                        let value = xml_value(&kind, value);
                        if let Data::String(s) = &value
                            && s.chars().count() > limits.max_cell_chars
                        {
                            return Err(ImportError::CellTooLong {
                                sheet: sheet.name.clone(),
                                cell: format!("{}{}", column_letters(c), r + 1),
                                chars: s.chars().count(),
                                limit: limits.max_cell_chars,
                            });
                        }
                        if value != Data::Empty {
                            let b = sheet.bounds.get_or_insert((r, c, r, c));
                            *b = (b.0.min(r), b.1.min(c), b.2.max(r), b.3.max(c));
                            sheet.cells.push(calamine::Cell::new((r, c), value));
                            count += 1;
                            if count.is_multiple_of(8192) {
                                deadline.check()?;
                            }
                        }
                    }
                }
                "Comment" => comment = comment.saturating_sub(1),
                "Cell" => {
                    cell = None;
                    data = None;
                }
                "Worksheet" => sheets.extend(current.take()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    sheets.extend(current.take());
    let mut out = Vec::with_capacity(sheets.len());
    for s in sheets {
        if let Some((top, left, bottom, right)) = s.bounds {
            let area = (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1);
            if area > limits.max_cells {
                return Err(ImportError::TooBig(format!(
                    "工作表「{}」的数据区域有 {area} 个单元格，上限 {}",
                    s.name, limits.max_cells
                )));
            }
        }
        let range = if s.cells.is_empty() {
            Range::empty()
        } else {
            Range::from_sparse(s.cells)
        };
        out.push(checked(s.name, range, s.merges, limits, false)?);
    }
    Ok(out)
}

/// A SpreadsheetML `<Data>`'s value by its `ss:Type`.
fn xml_value(kind: &str, value: String) -> Data {
    match kind {
        "Number" => match value.trim().parse::<f64>() {
            Ok(f) => Data::Float(f),
            Err(_) => Data::String(value),
        },
        "DateTime" if !value.trim().is_empty() => Data::DateTimeIso(value.trim().to_owned()),
        "Boolean" => Data::Bool(matches!(value.trim(), "1" | "true" | "TRUE")),
        _ if value.is_empty() => Data::Empty,
        _ => Data::String(value),
    }
}

fn check_sheet_count(count: usize, limits: &Limits) -> Result<(), ImportError> {
    if count > limits.max_sheets {
        return Err(ImportError::TooBig(format!(
            "{count} 个工作表，上限 {}",
            limits.max_sheets
        )));
    }
    Ok(())
}

/// A sheet within the row, column, area and (with `cell_lengths`) cell-length limits.
fn checked(
    name: String,
    range: Range<Data>,
    merges: Vec<Dimensions>,
    limits: &Limits,
    cell_lengths: bool,
) -> Result<RawSheet, ImportError> {
    if range.height() > limits.max_rows {
        return Err(ImportError::TooBig(format!(
            "工作表「{name}」有 {} 行，上限 {} 行",
            range.height(),
            limits.max_rows
        )));
    }
    if range.width() > limits.max_columns {
        return Err(ImportError::TooBig(format!(
            "工作表「{name}」有 {} 列，上限 {} 列",
            range.width(),
            limits.max_columns
        )));
    }
    let area = range.height() as u64 * range.width() as u64;
    if area > limits.max_cells {
        return Err(ImportError::TooBig(format!(
            "工作表「{name}」的数据区域有 {area} 个单元格，上限 {}",
            limits.max_cells
        )));
    }
    // .xlsx cells were checked while streaming; the others are checked here.
    let to_check = if cell_lengths { usize::MAX } else { 0 };
    for (row, col, value) in range.used_cells().take(to_check) {
        if let Data::String(s) = value
            && s.len() > limits.max_cell_chars
        {
            let chars = s.chars().count();
            if chars > limits.max_cell_chars {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                return Err(ImportError::CellTooLong {
                    sheet: name,
                    cell: format!("{}{}", column_letters(c0 + col as u32), r0 + row as u32 + 1),
                    chars,
                    limit: limits.max_cell_chars,
                });
            }
        }
    }
    Ok(RawSheet {
        name,
        range,
        merges,
    })
}

/// A UTF-8 CSV file (RFC 4180 quoting) as one sheet named after the file.
fn read_csv(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<RawSheet, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::Unreadable(
            "CSV 文件不是 UTF-8 编码：请在 Excel 中另存为「CSV UTF-8」或 .xlsx".into(),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = parse_csv(text, limits)?;
    let height = rows.len();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width > limits.max_columns {
        return Err(ImportError::TooBig(format!(
            "{width} 列，上限 {} 列",
            limits.max_columns
        )));
    }
    let mut range = if height == 0 || width == 0 {
        Range::empty()
    } else {
        Range::new((0, 0), (height as u32 - 1, width as u32 - 1))
    };
    for (r, row) in rows.into_iter().enumerate() {
        for (c, cell) in row.into_iter().enumerate() {
            if !cell.is_empty() {
                range.set_value((r as u32, c as u32), Data::String(cell));
            }
        }
    }
    let stem = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim_end_matches(".csv")
        .trim_end_matches(".CSV");
    checked(stem.to_owned(), range, Vec::new(), limits, true)
}

/// The rows of a CSV text: RFC 4180 quoting as Excel writes it, CRLF, LF or CR line ends, rows
/// of any length. Blank lines are rows too (the `csv` crate skips them), so that the row numbers
/// in messages are the lines a spreadsheet shows.
fn parse_csv(text: &str, limits: &Limits) -> Result<Vec<Vec<String>>, ImportError> {
    // The `csv` crate ends a quoted field left open at the end of its input without a word. A
    // sentinel line after the text tells: it is a record of its own when every quote was
    // closed, and is swallowed by the open field otherwise.
    const SENTINEL: &str = "\u{1}";
    let bytes = text.as_bytes();
    let input = bytes.chain(b"\n".as_slice()).chain(SENTINEL.as_bytes());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rows = Vec::new();
    let mut seen_record = false;
    let mut pending: Option<csv::StringRecord> = None;
    for record in reader.records() {
        let record =
            record.map_err(|e| ImportError::Unreadable(format!("CSV 文件无法读取：{e}")))?;
        let Some(record) = pending.replace(record) else {
            continue;
        };
        // Where the record's first field begins: after the line ends that the reader skipped.
        let start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .min(bytes.len());
        let first = start
            + bytes[start..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        let blank = line_ends_before(bytes, first).saturating_sub(usize::from(seen_record));
        push_blank_rows(&mut rows, blank, limits)?;
        seen_record = true;
        let mut row = Vec::with_capacity(record.len());
        for (col, field) in record.iter().enumerate() {
            if field.len() > limits.max_cell_chars * 4 {
                return Err(ImportError::CellTooLong {
                    sheet: "CSV".into(),
                    cell: format!("{}{}", column_letters(col as u32), rows.len() + 1),
                    chars: field.chars().count(),
                    limit: limits.max_cell_chars,
                });
            }
            row.push(field.to_owned());
        }
        push_row(&mut rows, row, limits)?;
    }
    if pending.is_none_or(|last| last.len() != 1 || &last[0] != SENTINEL) {
        return Err(ImportError::Unreadable("CSV 文件的引号未闭合".into()));
    }
    let blank = line_ends_before(bytes, bytes.len()).saturating_sub(usize::from(seen_record));
    push_blank_rows(&mut rows, blank, limits)?;
    Ok(rows)
}

/// The line ends (CRLF, LF or a lone CR, each one) in the run of `\r` and `\n` that ends at
/// `end`. A record's content never begins or ends with one, so between two records the run is
/// the first one's line end and one per blank line.
fn line_ends_before(bytes: &[u8], end: usize) -> usize {
    let before = &bytes[..end];
    let run_start = before
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    let run = &before[run_start..];
    run.iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && run.get(i + 1) != Some(&b'\n')))
        .count()
}

fn push_blank_rows(
    rows: &mut Vec<Vec<String>>,
    count: usize,
    limits: &Limits,
) -> Result<(), ImportError> {
    for _ in 0..count {
        push_row(rows, vec![String::new()], limits)?;
    }
    Ok(())
}

fn push_row(
    rows: &mut Vec<Vec<String>>,
    row: Vec<String>,
    limits: &Limits,
) -> Result<(), ImportError> {
    rows.push(row);
    if rows.len() > limits.max_rows {
        return Err(ImportError::TooBig(format!("超过 {} 行", limits.max_rows)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Vec<String>> {
        parse_csv(text, &Limits::default()).unwrap()
    }

    fn rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn quoted_fields_keep_commas_newlines_and_doubled_quotes() {
        let text =
            "编号,名称\nJG-1,\"甲小区,一期\"\nJG-2,\"两行\n名称\"\nJG-3,\"说\"\"好\"\"的\"\n";
        assert_eq!(
            parse(text),
            rows(&[
                &["编号", "名称"],
                &["JG-1", "甲小区,一期"],
                &["JG-2", "两行\n名称"],
                &["JG-3", "说\"好\"的"],
            ])
        );
    }

    #[test]
    fn crlf_line_ends_leave_no_carriage_return_in_a_cell() {
        assert_eq!(
            parse("a,b\r\nc,\"d\r\ne\"\r\n"),
            rows(&[&["a", "b"], &["c", "d\r\ne"]])
        );
        // A lone carriage return (old Mac files) ends a line too.
        assert_eq!(parse("a\rb\r"), rows(&[&["a"], &["b"]]));
    }

    #[test]
    fn blank_lines_are_rows_so_row_numbers_match_the_file() {
        // Row numbers in error messages count the file's lines, blank ones too.
        assert_eq!(
            parse("a\n\nb,\"x\ny\"\n\n\nc"),
            rows(&[&["a"], &[""], &["b", "x\ny"], &[""], &[""], &["c"]])
        );
        assert_eq!(parse("a\n\n"), rows(&[&["a"], &[""]]));
        assert_eq!(parse("a\r\n\r\nb\r\n"), rows(&[&["a"], &[""], &["b"]]));
        assert!(parse("").is_empty());
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text_and_rows_may_differ_in_length() {
        assert_eq!(
            parse("5\" 屏,b\n1,2,3,\n"),
            rows(&[&["5\" 屏", "b"], &["1", "2", "3", ""]])
        );
    }

    #[test]
    fn an_unclosed_quote_is_unreadable() {
        for text in ["a,\"b\nc,d\n", "a,\"b\"\"", "\""] {
            match parse_csv(text, &Limits::default()) {
                Err(ImportError::Unreadable(msg)) => assert!(msg.contains("引号"), "{msg}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn too_many_rows_or_too_long_a_cell_stop_the_reading() {
        let limits = Limits {
            max_rows: 2,
            max_cell_chars: 2,
            ..Limits::default()
        };
        assert!(matches!(
            parse_csv("a\nb\nc\nd\n", &limits),
            Err(ImportError::TooBig(_))
        ));
        match parse_csv("a,b\nc,0123456789\n", &limits) {
            Err(ImportError::CellTooLong { sheet, cell, .. }) => {
                assert_eq!((sheet.as_str(), cell.as_str()), ("CSV", "B2"));
            }
            other => panic!("{other:?}"),
        }
    }
}
