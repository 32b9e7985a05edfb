//! The document model: what an official document says, with no notion of how it is laid out.

/// An official document (公文) to be written in the GB/T 9704-2012 layout.
///
/// Only `title` is required; the 版头 (issuer, document number and the red line) is written
/// only when an issuer or a document number is given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfficialDocument {
    /// 发文机关标志, printed red in 方正小标宋简体 at the top of the first page, e.g.
    /// "示例市城市建管提升行动指挥部办公室".
    pub issuer: Option<String>,
    /// 发文字号, e.g. "示建管办〔2021〕12号" (with the 六角括号 〔〕 around the year).
    pub doc_number: Option<String>,
    /// 标题, centred in 2号 方正小标宋简体; a `'\n'` starts a new line of a long title.
    pub title: String,
    /// 主送机关, e.g. "各区城市建管提升行动指挥部"; the full-width colon is added if missing.
    pub addressee: Option<String>,
    /// The body (正文), in order.
    pub blocks: Vec<Block>,
    /// 附件说明: the attachments' names, numbered "1．" … when there is more than one.
    pub attachments: Vec<String>,
    /// 发文机关署名 and 成文日期 (e.g. "2021年12月31日"), laid out as for a document without
    /// a seal.
    pub signature: Option<Signature>,
    /// 附注, e.g. "此件公开发布"; written in parentheses on the line below the date.
    pub note: Option<String>,
    /// 版记: 抄送机关, 印发机关 and 印发日期 between lines at the foot of the last page.
    pub record: Option<Record>,
}

/// 版记 (GB/T 9704-2012 §7.4): who else receives the document, who prints it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 抄送机关, e.g. ["市委办公室", "市政府办公室"]; none leaves the 抄送 line out.
    pub copies_to: Vec<String>,
    /// 印发机关, e.g. "示例市城市建管提升行动指挥部办公室".
    pub printer: String,
    /// 印发日期 in full, e.g. "2021年11月5日" ("印发" is added).
    pub printed_on: String,
}

/// 发文机关署名 and 成文日期.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signing body, e.g. "示例市城市建管提升行动指挥部办公室".
    pub signer: String,
    /// The date the document was made, in full, e.g. "2021年12月31日".
    pub date: String,
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; the writer numbers it ("一、" "（一）" "1." "（1）"), so `text` carries no
    /// number. A heading restarts the numbering of every level below it.
    Heading {
        /// Its level in the hierarchy of 文中结构层次序数.
        level: HeadingLevel,
        /// The heading's text, without its number.
        text: String,
    },
    /// A body paragraph (first line indented two characters), as runs of text.
    Paragraph(Vec<Run>),
    /// A table, such as a league table.
    Table(Table),
    /// A picture, such as a chart.
    Image(Image),
    /// A paragraph the office still has to write, highlighted: "（待撰写：…）".
    Placeholder(String),
    /// Starts a new page.
    PageBreak,
}

impl Block {
    /// A heading of `level` with `text` (no number: the writer adds it).
    pub fn heading(level: HeadingLevel, text: impl Into<String>) -> Self {
        Block::Heading {
            level,
            text: text.into(),
        }
    }

    /// A body paragraph of plain text.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::Paragraph(vec![Run::plain(text)])
    }

    /// A placeholder paragraph asking for `what` to be written.
    pub fn placeholder(what: impl Into<String>) -> Self {
        Block::Placeholder(what.into())
    }
}

/// The four levels of 文中结构层次序数 in GB/T 9704-2012 §7.3.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeadingLevel {
    /// "一、", in 黑体.
    First,
    /// "（一）", in 楷体_GB2312.
    Second,
    /// "1.", in bold 仿宋_GB2312.
    Third,
    /// "（1）", in 仿宋_GB2312.
    Fourth,
}

impl HeadingLevel {
    /// 0 for the first level … 3 for the fourth (also the heading's outline level).
    pub fn index(self) -> usize {
        match self {
            HeadingLevel::First => 0,
            HeadingLevel::Second => 1,
            HeadingLevel::Third => 2,
            HeadingLevel::Fourth => 3,
        }
    }
}

/// A run of text within a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The text; `'\n'` breaks the line, `'\t'` is a tab.
    pub text: String,
    /// Whether the run is bold (e.g. a lead-in sentence).
    pub bold: bool,
}

impl Run {
    /// A run of regular text.
    pub fn plain(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: false,
        }
    }

    /// A run of bold text.
    pub fn bold(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: true,
        }
    }
}

/// A table: a header row repeated on every page it runs over, then the rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Title set centred above the table, e.g. "表1  各区综合得分排名".
    pub title: Option<String>,
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The rows; each must have exactly one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header cell's text.
    pub header: String,
    /// The column's share of the text block's width, relative to the other columns' weights.
    pub weight: f64,
    /// How the column's body cells are aligned (the header is always centred).
    pub align: Align,
}

impl Column {
    /// A column of weight 1.
    pub fn new(header: impl Into<String>, align: Align) -> Self {
        Column {
            header: header.into(),
            weight: 1.0,
            align,
        }
    }

    /// The same column with another weight.
    pub fn weight(self, weight: f64) -> Self {
        Column { weight, ..self }
    }
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Short labels, ranks.
    Center,
    /// Numbers, so that their digits line up.
    Right,
}

/// A PNG picture set inline, centred, with an optional caption below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// Width on paper in millimetres (scaled down to the text block's 156 mm if wider).
    pub width_mm: f64,
    /// Height on paper in millimetres.
    pub height_mm: f64,
    /// Caption set centred below the picture, e.g. "图1  各区项目完工率".
    pub caption: Option<String>,
}

impl Image {
    /// A picture `width_mm` wide whose height keeps the PNG's aspect ratio.
    ///
    /// # Errors
    ///
    /// [`super::DocxError::InvalidImage`] (with index 0) when `png` is not a PNG file.
    pub fn from_png(
        png: Vec<u8>,
        width_mm: f64,
        caption: Option<String>,
    ) -> Result<Self, super::DocxError> {
        let (w, h) = super::png_size(&png).ok_or(super::DocxError::InvalidImage {
            index: 0,
            reason: "not a PNG file",
        })?;
        Ok(Image {
            height_mm: width_mm * f64::from(h) / f64::from(w),
            png,
            width_mm,
            caption,
        })
    }
}
