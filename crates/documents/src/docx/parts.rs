//! The package's fixed parts: content types, relationships, styles, settings, font table,
//! footers and document properties.

use super::layout::{CHAR_SPACING, LINE_PITCH, ONE_CHAR, half_points, mm_to_twips};
use super::xml::escape;

/// The main WordprocessingML namespace.
pub(crate) const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// The relationships namespace used for `r:id` and `r:embed` attributes.
pub(crate) const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Body text and most of the document: 仿宋_GB2312.
pub(crate) const FANGSONG: &str = "仿宋_GB2312";
/// First-level headings: 黑体.
pub(crate) const HEITI: &str = "黑体";
/// Second-level headings: 楷体_GB2312.
pub(crate) const KAITI: &str = "楷体_GB2312";
/// The title and the issuer: 方正小标宋简体.
pub(crate) const XIAOBIAOSONG: &str = "方正小标宋简体";
/// Page numbers: 宋体.
pub(crate) const SONGTI: &str = "宋体";
/// Latin letters and digits in the text.
pub(crate) const LATIN: &str = "Times New Roman";

/// Red of the issuer and the separator line.
pub(crate) const RED: &str = "FF0000";

/// Body size (3号): 32 half-points.
pub(crate) const SZ_BODY: u32 = half_points(16);
/// Title size (2号): 44 half-points.
pub(crate) const SZ_TITLE: u32 = half_points(22);
/// Page-number size (4号): 28 half-points.
pub(crate) const SZ_PAGE_NUMBER: u32 = half_points(14);
/// Table text size (小四, 12 pt): 24 half-points.
pub(crate) const SZ_TABLE: u32 = half_points(12);
/// Caption size (4号): 28 half-points.
pub(crate) const SZ_CAPTION: u32 = half_points(14);

/// Left and right margin of table cells, in twips (1.5 mm).
pub(crate) const TABLE_CELL_MARGIN: u32 = 85;

/// Relationship id of the odd-page (default) footer.
pub(crate) const RID_FOOTER_ODD: &str = "rIdFooterOdd";
/// Relationship id of the even-page footer.
pub(crate) const RID_FOOTER_EVEN: &str = "rIdFooterEven";

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// `w:rFonts` naming `east_asia` for Chinese and `latin` for everything else.
pub(crate) fn fonts(east_asia: &str, latin: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"{latin}\" w:hAnsi=\"{latin}\" w:eastAsia=\"{east_asia}\" w:cs=\"{latin}\"/>"
    )
}

/// `w:sz` and `w:szCs` of `half_points`.
fn size(half_points: u32) -> String {
    format!("<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/>")
}

/// First-line indent of two characters (in grid characters, with the twips as a fallback).
pub(crate) fn indent_two_chars() -> String {
    format!(
        "<w:ind w:firstLineChars=\"200\" w:firstLine=\"{}\"/>",
        2 * ONE_CHAR
    )
}

/// `[Content_Types].xml` for a package with `images` PNG pictures.
pub(crate) fn content_types() -> String {
    const MAIN: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"{MAIN}.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"{MAIN}.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"{MAIN}.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"{MAIN}.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"{MAIN}.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"{MAIN}.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>"
    )
}

/// `_rels/.rels`: the main document and the document properties.
pub(crate) fn package_rels() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"{R_NS}/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"{R_NS}/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>"
    )
}

/// Relationship id of the `n`th picture (1-based).
pub(crate) fn image_rid(n: usize) -> String {
    format!("rIdImage{n}")
}

/// Part name of the `n`th picture (1-based), relative to `word/`.
pub(crate) fn image_target(n: usize) -> String {
    format!("media/image{n}.png")
}

/// `word/_rels/document.xml.rels` for a document with `images` pictures.
pub(crate) fn document_rels(images: usize) -> String {
    let mut out = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"{R_NS}/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"{R_NS}/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFontTable\" Type=\"{R_NS}/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"{RID_FOOTER_ODD}\" Type=\"{R_NS}/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"{RID_FOOTER_EVEN}\" Type=\"{R_NS}/footer\" Target=\"footer2.xml\"/>"
    );
    for n in 1..=images {
        out.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{R_NS}/image\" Target=\"{}\"/>",
            image_rid(n),
            image_target(n)
        ));
    }
    out.push_str("</Relationships>");
    out
}

/// `docProps/core.xml`: the title and language, and no dates, so that the same document
/// always gives the same bytes.
pub(crate) fn core_properties(title: &str) -> String {
    format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:creator>jianguan</dc:creator><dc:language>zh-CN</dc:language>\
</cp:coreProperties>",
        escape(&title.replace('\n', ""))
    )
}

/// `docProps/app.xml`.
pub(crate) fn app_properties() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>jianguan</Application></Properties>"
    )
}

/// `word/settings.xml`: different odd and even footers, punctuation not compressed (every
/// full-width mark keeps its grid cell), Chinese as the East Asian theme language, and no
/// font embedding.
pub(crate) fn settings() -> String {
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{W_NS}\">\
<w:zoom w:percent=\"100\"/>\
<w:defaultTabStop w:val=\"{tab}\"/>\
<w:evenAndOddHeaders/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
<w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>\
</w:settings>",
        tab = 2 * ONE_CHAR
    )
}

/// `word/fontTable.xml`: every font the document names, with the GB2312 character set and an
/// alternative name Word may substitute on machines without the GB2312 fonts. No font is
/// embedded.
pub(crate) fn font_table() -> String {
    let font = |name: &str, alt: Option<&str>, charset: &str, family: &str, pitch: &str| {
        let alt = alt
            .map(|a| format!("<w:altName w:val=\"{a}\"/>"))
            .unwrap_or_default();
        format!(
            "<w:font w:name=\"{name}\">{alt}<w:charset w:val=\"{charset}\"/>\
<w:family w:val=\"{family}\"/><w:pitch w:val=\"{pitch}\"/></w:font>"
        )
    };
    let fonts = [
        font(FANGSONG, Some("仿宋"), "86", "modern", "fixed"),
        font(KAITI, Some("楷体"), "86", "modern", "fixed"),
        font(HEITI, Some("SimHei"), "86", "modern", "fixed"),
        font(SONGTI, Some("SimSun"), "86", "auto", "variable"),
        font(XIAOBIAOSONG, Some("宋体"), "86", "auto", "variable"),
        font(LATIN, None, "00", "roman", "variable"),
    ];
    format!(
        "{XML_DECL}<w:fonts xmlns:w=\"{W_NS}\">{}</w:fonts>",
        fonts.concat()
    )
}

/// One paragraph style: id, name, parent, paragraph and run properties.
struct Style<'a> {
    id: &'a str,
    name: &'a str,
    based_on: Option<&'a str>,
    next: Option<&'a str>,
    ppr: String,
    rpr: String,
}

impl Style<'_> {
    fn xml(&self) -> String {
        let mut out = format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{}\"><w:name w:val=\"{}\"/>",
            self.id, self.name
        );
        if let Some(parent) = self.based_on {
            out.push_str(&format!("<w:basedOn w:val=\"{parent}\"/>"));
        }
        if let Some(next) = self.next {
            out.push_str(&format!("<w:next w:val=\"{next}\"/>"));
        }
        out.push_str("<w:qFormat/>");
        if !self.ppr.is_empty() {
            out.push_str(&format!("<w:pPr>{}</w:pPr>", self.ppr));
        }
        if !self.rpr.is_empty() {
            out.push_str(&format!("<w:rPr>{}</w:rPr>", self.rpr));
        }
        out.push_str("</w:style>");
        out
    }
}

/// Paragraph properties of text set off the grid with single line spacing (tables,
/// pictures, captions, the issuer, page numbers): the grid would otherwise stretch lines
/// to whole grid lines and clip pictures to one grid line.
const OFF_GRID: &str = "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\"/>";

/// Run properties of text off the body's character pitch: its natural spacing.
const NATURAL_SPACING: &str = "<w:spacing w:val=\"0\"/>";

/// Style ids, shared with the body writer.
pub(crate) mod id {
    /// 标题.
    pub const TITLE: &str = "Title";
    /// Headings, by level index.
    pub const HEADINGS: [&str; 4] = ["Heading1", "Heading2", "Heading3", "Heading4"];
    /// 正文 paragraphs.
    pub const BODY: &str = "JgBody";
    /// 待撰写 placeholders.
    pub const PLACEHOLDER: &str = "JgPlaceholder";
    /// 发文机关标志.
    pub const ISSUER: &str = "JgIssuer";
    /// 发文字号.
    pub const DOC_NUMBER: &str = "JgDocNumber";
    /// 主送机关.
    pub const ADDRESSEE: &str = "JgAddressee";
    /// 附件说明.
    pub const ATTACHMENT: &str = "JgAttachment";
    /// 署名 and 成文日期.
    pub const SIGNATURE: &str = "JgSignature";
    /// 附注.
    pub const NOTE: &str = "JgNote";
    /// Table and picture titles.
    pub const CAPTION: &str = "JgCaption";
    /// The paragraph holding a picture.
    pub const FIGURE: &str = "JgFigure";
    /// Table body cells.
    pub const TABLE_TEXT: &str = "JgTableText";
    /// Table header cells.
    pub const TABLE_HEADER: &str = "JgTableHeader";
    /// Page numbers.
    pub const PAGE_NUMBER: &str = "JgPageNumber";
    /// 版记 lines.
    pub const RECORD: &str = "JgRecord";
}

/// The character spacing of body text, `w:spacing` in run properties (see
/// [`CHAR_SPACING`]).
fn body_spacing() -> String {
    format!("<w:spacing w:val=\"{CHAR_SPACING}\"/>")
}

/// `word/styles.xml`. The document defaults carry the body text (仿宋_GB2312 3号 at a
/// 15.75 pt character pitch, Times New Roman for Latin text, exact 28.95 pt lines, no extra
/// space between Chinese and Latin text or digits, zh-CN); every other style changes only what
/// differs, so the office can restyle a finished document in Word.
pub(crate) fn styles() -> String {
    let body_font = fonts(FANGSONG, LATIN);
    let defaults = format!(
        "<w:docDefaults><w:rPrDefault><w:rPr>{body_font}{}<w:kern w:val=\"2\"/>{}\
<w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/>\
<w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/>\
<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE_PITCH}\" w:lineRule=\"exact\"/>\
<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        body_spacing(),
        size(SZ_BODY)
    );
    let heading = |level: usize, font: &str, bold: bool| Style {
        id: id::HEADINGS[level],
        name: ["heading 1", "heading 2", "heading 3", "heading 4"][level],
        based_on: Some("Normal"),
        next: Some(id::BODY),
        ppr: format!(
            "<w:keepNext/>{}<w:outlineLvl w:val=\"{level}\"/>",
            indent_two_chars()
        ),
        rpr: format!(
            "{}{}",
            fonts(font, LATIN),
            if bold { "<w:b/><w:bCs/>" } else { "" }
        ),
    };
    let styles = [
        // The body font, pitch and size are repeated on Normal: readers do not all resolve
        // Normal through the document defaults (LibreOffice assumes 12 pt when Normal names
        // no size).
        Style {
            id: "Normal",
            name: "Normal",
            based_on: None,
            next: None,
            ppr: String::new(),
            rpr: format!("{body_font}{}{}", body_spacing(), size(SZ_BODY)),
        },
        Style {
            id: id::TITLE,
            name: "Title",
            based_on: Some("Normal"),
            next: Some("Normal"),
            ppr: "<w:keepNext/><w:snapToGrid w:val=\"0\"/><w:jc w:val=\"center\"/>".into(),
            rpr: format!("{}{}", fonts(XIAOBIAOSONG, LATIN), size(SZ_TITLE)),
        },
        heading(0, HEITI, false),
        heading(1, KAITI, false),
        heading(2, FANGSONG, true),
        heading(3, FANGSONG, false),
        Style {
            id: id::BODY,
            name: "公文正文",
            based_on: Some("Normal"),
            next: Some(id::BODY),
            ppr: indent_two_chars(),
            rpr: String::new(),
        },
        Style {
            id: id::PLACEHOLDER,
            name: "待撰写",
            based_on: Some(id::BODY),
            next: Some(id::BODY),
            ppr: String::new(),
            rpr: String::new(),
        },
        Style {
            id: id::ISSUER,
            name: "发文机关标志",
            based_on: Some("Normal"),
            next: Some("Normal"),
            // The issuer's top edge sits 35 mm below the text block's top (§7.2.2).
            ppr: format!(
                "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"{}\" w:line=\"240\" w:lineRule=\"auto\"/>\
<w:jc w:val=\"center\"/>",
                mm_to_twips(35)
            ),
            rpr: format!(
                "{}<w:color w:val=\"{RED}\"/>{NATURAL_SPACING}",
                fonts(XIAOBIAOSONG, LATIN)
            ),
        },
        Style {
            id: id::DOC_NUMBER,
            name: "发文字号",
            based_on: Some("Normal"),
            next: Some("Normal"),
            ppr: "<w:jc w:val=\"center\"/>".into(),
            rpr: String::new(),
        },
        Style {
            id: id::ADDRESSEE,
            name: "主送机关",
            based_on: Some("Normal"),
            next: Some(id::BODY),
            ppr: String::new(),
            rpr: String::new(),
        },
        Style {
            id: id::ATTACHMENT,
            name: "附件说明",
            based_on: Some("Normal"),
            next: Some("Normal"),
            ppr: String::new(),
            rpr: String::new(),
        },
        Style {
            id: id::SIGNATURE,
            name: "署名",
            based_on: Some("Normal"),
            next: Some("Normal"),
            ppr: "<w:jc w:val=\"right\"/>".into(),
            rpr: String::new(),
        },
        Style {
            id: id::NOTE,
            name: "附注",
            based_on: Some("Normal"),
            next: Some("Normal"),
            ppr: indent_two_chars(),
            rpr: String::new(),
        },
        Style {
            id: id::CAPTION,
            name: "图表标题",
            based_on: Some("Normal"),
            next: Some(id::BODY),
            ppr: format!("{OFF_GRID}<w:jc w:val=\"center\"/>"),
            rpr: format!(
                "{}{NATURAL_SPACING}{}",
                fonts(HEITI, LATIN),
                size(SZ_CAPTION)
            ),
        },
        Style {
            id: id::FIGURE,
            name: "图片",
            based_on: Some("Normal"),
            next: Some(id::CAPTION),
            ppr: format!("<w:keepNext/>{OFF_GRID}<w:jc w:val=\"center\"/>"),
            rpr: String::new(),
        },
        Style {
            id: id::TABLE_TEXT,
            name: "表格文字",
            based_on: Some("Normal"),
            next: Some(id::TABLE_TEXT),
            ppr: format!("{OFF_GRID}<w:jc w:val=\"center\"/>"),
            rpr: format!("{NATURAL_SPACING}{}", size(SZ_TABLE)),
        },
        Style {
            id: id::TABLE_HEADER,
            name: "表头",
            based_on: Some(id::TABLE_TEXT),
            next: Some(id::TABLE_TEXT),
            ppr: String::new(),
            rpr: fonts(HEITI, LATIN),
        },
        Style {
            id: id::RECORD,
            name: "版记",
            based_on: Some("Normal"),
            next: None,
            ppr: "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"80\" w:after=\"80\" w:line=\"240\" w:lineRule=\"auto\"/>\
<w:jc w:val=\"left\"/>"
                .into(),
            rpr: format!("{NATURAL_SPACING}{}", size(SZ_CAPTION)),
        },
        Style {
            id: id::PAGE_NUMBER,
            name: "页码",
            based_on: Some("Normal"),
            next: None,
            ppr: OFF_GRID.into(),
            // 半角宋体: digits, spaces and dashes all in 宋体.
            rpr: format!(
                "<w:rFonts w:ascii=\"{SONGTI}\" w:hAnsi=\"{SONGTI}\" w:eastAsia=\"{SONGTI}\" w:cs=\"{SONGTI}\"/>{NATURAL_SPACING}{}",
                size(SZ_PAGE_NUMBER)
            ),
        },
    ];
    let mut out = format!("{XML_DECL}<w:styles xmlns:w=\"{W_NS}\">{defaults}");
    for style in &styles {
        let xml = style.xml();
        // Normal is the default paragraph style.
        if style.id == "Normal" {
            out.push_str(&xml.replacen("w:styleId", "w:default=\"1\" w:styleId", 1));
        } else {
            out.push_str(&xml);
        }
    }
    out.push_str(&format!(
        "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
<w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
<w:semiHidden/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>\
<w:left w:w=\"{TABLE_CELL_MARGIN}\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"{TABLE_CELL_MARGIN}\" w:type=\"dxa\"/>\
</w:tblCellMar></w:tblPr></w:style></w:styles>",
    ));
    out
}

/// A footer part with the page number "— N —" (a `PAGE` field between em dashes), right-aligned
/// one character from the edge on odd pages, left-aligned one character from the edge on
/// even pages (§7.5.2 of GB/T 9704-2012).
pub(crate) fn footer(odd: bool) -> String {
    let (jc, ind) = if odd {
        ("right", format!("<w:ind w:right=\"{ONE_CHAR}\"/>"))
    } else {
        ("left", format!("<w:ind w:left=\"{ONE_CHAR}\"/>"))
    };
    format!(
        "{XML_DECL}<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{ind}\
<w:jc w:val=\"{jc}\"/></w:pPr>\
<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>\
<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
<w:r><w:t>1</w:t></w:r>\
<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>",
        style = id::PAGE_NUMBER
    )
}

/// The section properties: A4, the GB/T 9704 margins, the two footers and the grid of 22
/// lines (the 28 characters a line are the body's character pitch, see [`CHAR_SPACING`]).
pub(crate) fn section_properties() -> String {
    use super::layout::*;
    format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"{RID_FOOTER_ODD}\"/>\
<w:footerReference w:type=\"even\" r:id=\"{RID_FOOTER_EVEN}\"/>\
<w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" \
w:header=\"{HEADER_DISTANCE}\" w:footer=\"{FOOTER_DISTANCE}\" w:gutter=\"0\"/>\
<w:cols w:space=\"425\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"{LINE_PITCH}\"/>\
</w:sectPr>"
    )
}
