//! Word documents (.docx) in the layout of GB/T 9704-2012 《党政机关公文格式》: the weekly
//! dispatch pack, the monthly assessment bulletin (通报), the quarterly analysis and the
//! half-year and annual summaries are all an [`OfficialDocument`] written by [`to_docx`].
//!
//! The model knows nothing of the campaign: callers turn their figures into headings,
//! paragraphs, tables, pictures (charts rendered to PNG) and placeholders for what the office
//! still has to write.
//!
//! # What of GB/T 9704-2012 is implemented
//!
//! - **Paper and margins** (§5.2): A4, 210 × 297 mm = 11 906 × 16 838 twips; top 37 mm
//!   (2 098), bottom 35 mm (1 984), left 28 mm (1 587), right 26 mm (1 474), so the text block
//!   (版心) is 8 845 × 12 756 twips = 156 × 225 mm. Millimetres are converted with
//!   `round(mm × 1440 / 25.4)`, halves up (see [`layout`]).
//! - **22 lines × 28 characters** (§5.2.2): a `w:docGrid` of type `lines` with `linePitch`
//!   579 twips (the largest pitch of which 22 lines fit 12 756 twips: 28.95 pt), body lines
//!   set to exactly 579 twips; and the characters' own spacing −5 twips (`w:spacing` in the
//!   run properties of the defaults and Normal), a pitch of 15.75 pt of which 28 fit
//!   8 845 twips and 29 do not. No extra space between Chinese text and digits
//!   (`w:autoSpaceDE`/`DN` off). Numbers and Latin words are runs of their own marked English,
//!   so that LibreOffice (which breaks Chinese text between any two characters) keeps them
//!   whole.
//! - **Fonts** (§7): body 3号 (16 pt, `w:sz` 32) 仿宋_GB2312; title 2号 (22 pt, 44)
//!   方正小标宋简体, centred, lines broken where the title has `'\n'`; headings numbered
//!   "一、" in 黑体, "（一）" in 楷体_GB2312, "1." in bold 仿宋_GB2312, "（1）" in 仿宋_GB2312,
//!   all 3号 and indented two characters like body paragraphs (first line 2 characters, later
//!   lines flush left). Latin letters and digits are Times New Roman (`w:ascii`/`w:hAnsi`),
//!   Chinese the named font (`w:eastAsia`). Fonts are named only: the package has no
//!   `word/fonts/` part and the settings do not ask Word to embed; the font table gives each
//!   Chinese font the GB2312 character set and an alternative name (仿宋, 楷体, …) Word can
//!   fall back on where the GB2312 fonts are not installed.
//! - **版头** (§7.2): the issuer (发文机关标志) red, 方正小标宋简体, centred, its top 35 mm
//!   below the text block's top, as large as fits one line with a tenth to spare, up to 小初
//!   (36 pt); the document
//!   number (发文字号) two lines below it, centred; a red line as wide as the text block 4 mm
//!   below the number; the title two lines below the line.
//! - **主体** (§7.3): the addressee (主送机关) one line below the title, flush left, ending in
//!   a full-width colon; 附件说明 one line below the body, two characters in, numbered
//!   "1．" when there are several, names aligned under the first (hanging "附件："), no
//!   closing punctuation; 署名 and 成文日期 for a document without a seal (one line
//!   below, signer two characters from the right, the date starting two characters right of
//!   the signer, or two characters from the right when it is the longer); 附注 in parentheses
//!   two characters in.
//! - **Page numbers** (§7.5.2): 4号 (14 pt, 28 half-points) half-width 宋体 digits between
//!   em dashes, "— 1 —" (a `PAGE` field), in the footer about 7 mm below the text block;
//!   odd pages right-aligned one character from the edge, even pages left-aligned one
//!   character from the edge (`w:evenAndOddHeaders` in the settings, a default and an even
//!   footer).
//! - **Tables**: 小四 (12 pt) 仿宋_GB2312 body cells (12 pt rather than 4号 so that a league
//!   table of eight or nine columns fits 156 mm), 黑体 header cells, single 0.5 pt borders,
//!   as wide as the text block, header row repeated on every page (`w:tblHeader`), rows not
//!   split across pages, column alignment per column (numbers right-aligned), a 黑体 4号
//!   title above. Columns are as wide as their widest cell needs, so no figure wraps (what
//!   is left goes to headers, then by weight; text columns wrap when the figures leave too
//!   little). Tables and pictures are set off the grid with single line spacing.
//! - **版记** (§7.4): 抄送 and 印发机关/印发日期 in 4号 between a thick line above and below
//!   and a thin one between, as a table floating at the foot of the last page (Word and WPS
//!   place it there; LibreOffice 7.4 sets it directly after the signature).
//! - **The signature stays with the text**: the body's last paragraph, the attachments and
//!   the signer are kept with what follows (`w:keepNext`).
//! - **Pictures**: PNG, inline, centred, size in EMU (36 000 per mm), scaled down with the
//!   aspect ratio kept to at most 156 × 200 mm, with a caption below.
//! - **Language**: `zh-CN` in the document defaults, East Asian theme language zh-CN;
//!   full-width punctuation is not compressed (each mark keeps its grid cell).
//! - **Charts** (feature `svg-png`): `svg_to_png` and `Image::from_svg` rasterise the
//!   charts crate's SVG with `resvg` at 200 dpi using the machine's fonts (a CJK font such as
//!   `fonts-wqy-microhei` must be installed for the Chinese labels).
//!
//! Renderers differ on the character grid: Word compresses 3号 text into the cells of a
//! `linesAndChars` grid narrower than the font, LibreOffice 7.4 gives every such character two
//! cells (about 14 a line). So the 28 characters come from the characters' spacing, which
//! every renderer applies alike; `tests/it/libreoffice.rs` renders every drafted document with
//! LibreOffice and counts characters a line and lines a page.
//!
//! Not implemented: 份号, 密级, 紧急程度 and 签发人; the 版记 on an even page of its own;
//! sealed-document signatures; landscape table pages; the "first line of the last page must
//! be text" rule (that depends on each renderer's line breaking).
//!
//! # Why the parts are written by hand
//!
//! docx-rs 0.4 covers page size, margins, the grid and even/odd footers, but cannot express
//! a repeated table header row (`w:tblHeader`) or the document language (`w:lang`), and it
//! writes its own default styles and parts. Editing its output as text afterwards would
//! depend on how it happens to print XML. The package needs only eleven small parts, so this
//! module writes them itself with the `zip` crate: every element is one the tests can check,
//! the output is deterministic (entries dated 1980-01-01, no dates in the properties), and
//! the styles are real named styles (标题, heading 1–4, 公文正文, 表格文字, 页码, …) that the
//! office can adjust in Word afterwards. docx-rs's reader still serves the tests as an
//! independent check that the package reads back.

pub mod layout;
mod model;

mod body;
mod parts;
#[cfg(feature = "svg-png")]
mod svg;
mod xml;

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

pub use model::{
    Align, Block, Column, HeadingLevel, Image, OfficialDocument, Record, Run, Signature, Table,
};
#[cfg(feature = "svg-png")]
pub use svg::{CHART_DPI, svg_to_png};

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// A picture block is not a usable PNG.
    #[error("block {index}: invalid picture: {reason}")]
    InvalidImage {
        /// Index of the block in [`OfficialDocument::blocks`].
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A table block's shape is inconsistent.
    #[error("block {index}: invalid table: {reason}")]
    InvalidTable {
        /// Index of the block in [`OfficialDocument::blocks`].
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A chart's SVG could not be rasterised (feature `svg-png`).
    #[error("rasterising a chart: {0}")]
    Svg(String),
    /// Writing the zip package failed.
    #[error("writing the .docx package: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing a part into the package failed.
    #[error("writing the .docx package: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes `doc` as a .docx file in the GB/T 9704-2012 layout.
///
/// The same document always gives the same bytes.
///
/// # Errors
///
/// [`DocxError::InvalidImage`] for a picture that is not a PNG or has no positive size,
/// [`DocxError::InvalidTable`] for a table without columns, with a non-positive column
/// weight or with a row whose cell count differs from the column count.
pub fn to_docx(doc: &OfficialDocument) -> Result<Vec<u8>, DocxError> {
    let body = body::write(doc)?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    // PNG data is compressed already.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let parts = [
        ("[Content_Types].xml", parts::content_types()),
        ("_rels/.rels", parts::package_rels()),
        ("docProps/core.xml", parts::core_properties(&doc.title)),
        ("docProps/app.xml", parts::app_properties()),
        ("word/document.xml", body.xml),
        (
            "word/_rels/document.xml.rels",
            parts::document_rels(body.media.len()),
        ),
        ("word/styles.xml", parts::styles()),
        ("word/settings.xml", parts::settings()),
        ("word/fontTable.xml", parts::font_table()),
        ("word/footer1.xml", parts::footer(true)),
        ("word/footer2.xml", parts::footer(false)),
    ];
    for (name, xml) in parts {
        zip.start_file(name, deflated)?;
        zip.write_all(xml.as_bytes())?;
    }
    for (i, media) in body.media.iter().enumerate() {
        zip.start_file(format!("word/{}", parts::image_target(i + 1)), stored)?;
        zip.write_all(&media.png)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The pixel width and height of a PNG file, read from its IHDR chunk; `None` when `png`
/// is not a PNG file or says it is empty.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() < 24 || !png.starts_with(SIGNATURE) || &png[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(png[20..24].try_into().ok()?);
    (width > 0 && height > 0).then_some((width, height))
}
