//! `word/document.xml`: the 版头, title, body blocks and closing parts of an official
//! document, in GB/T 9704-2012 order.

use super::layout::{CHARS_PER_LINE, TEXT_WIDTH, mm_to_emu};
use super::model::{
    Align, Block, HeadingLevel, Image, OfficialDocument, Record, Run, Signature, Table,
};
use super::parts::{R_NS, RED, TABLE_CELL_MARGIN, W_NS, id, image_rid, section_properties};
use super::xml::{escape, run_text_into};
use super::{DocxError, png_size};

/// The widest a picture may be: the text block, 156 mm.
const MAX_IMAGE_WIDTH_MM: f64 = 156.0;
/// The tallest a picture may be, leaving room for its caption on a 225 mm text block.
const MAX_IMAGE_HEIGHT_MM: f64 = 200.0;
/// Paragraph property keeping a paragraph on the page of the next.
const KEEP_NEXT: &str = "<w:keepNext/>";

/// The largest issuer size, 小初 (36 pt), in half-points.
const MAX_ISSUER_HALF_POINTS: u32 = 72;

/// A PNG to be stored as `word/media/image{n}.png`, n counting from 1 in order.
pub(crate) struct Media {
    /// The PNG's bytes.
    pub(crate) png: Vec<u8>,
}

/// The main document part and the pictures it refers to.
pub(crate) struct Body {
    /// `word/document.xml`.
    pub(crate) xml: String,
    /// The pictures, in order of their relationship ids.
    pub(crate) media: Vec<Media>,
}

/// Lays out `doc` as WordprocessingML.
pub(crate) fn write(doc: &OfficialDocument) -> Result<Body, DocxError> {
    let mut w = Writer::default();
    w.header(doc);
    w.title(&doc.title);
    // The addressee, or the body when there is none, one line below the title.
    w.blank_line();
    if let Some(addressee) = &doc.addressee {
        // The last addressee is followed by a full-width colon (§7.3.2); a half-width one a
        // user typed becomes full-width.
        let text = addressee.trim_end().trim_end_matches([':', '：']);
        w.paragraph(id::ADDRESSEE, "", &[Run::plain(format!("{text}："))]);
    }
    let mut numbers = [0u32; 4];
    // The signature keeps the body's last paragraph (and the attachments) on its page, so it
    // is never left alone on a page of its own.
    let closing = doc.signature.is_some();
    for (index, block) in doc.blocks.iter().enumerate() {
        let keep = if closing && index + 1 == doc.blocks.len() {
            KEEP_NEXT
        } else {
            ""
        };
        match block {
            Block::Heading { level, text } => {
                let i = level.index();
                numbers[i] += 1;
                numbers[i + 1..].fill(0);
                let numbered = format!("{}{}", heading_number(*level, numbers[i]), text);
                w.paragraph(id::HEADINGS[i], "", &[Run::plain(numbered)]);
            }
            Block::Paragraph(runs) => w.paragraph(id::BODY, keep, runs),
            Block::Placeholder(what) => w.placeholder(what, keep),
            Block::PageBreak => w
                .xml
                .push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>"),
            Block::Table(table) => w.table(table, index)?,
            Block::Image(image) => w.image(image, index)?,
        }
    }
    w.attachments(&doc.attachments, closing);
    if let Some(signature) = &doc.signature {
        w.signature(signature);
    }
    if let Some(note) = &doc.note {
        w.paragraph(id::NOTE, "", &[Run::plain(format!("（{note}）"))]);
    }
    if let Some(record) = &doc.record {
        w.record(record);
    }
    // Word needs a paragraph, not a table, before the section properties: every table is
    // followed by an empty line (see `Writer::table`).
    w.xml.push_str(&section_properties());
    w.xml.push_str("</w:body></w:document>");
    Ok(Body {
        xml: w.xml,
        media: w.media,
    })
}

/// The number a heading of `level` carries when it is the `n`th at its level.
pub(crate) fn heading_number(level: HeadingLevel, n: u32) -> String {
    match level {
        HeadingLevel::First => format!("{}、", chinese_number(n)),
        HeadingLevel::Second => format!("（{}）", chinese_number(n)),
        HeadingLevel::Third => format!("{n}."),
        HeadingLevel::Fourth => format!("（{n}）"),
    }
}

/// `n` in Chinese numerals (一 … 九十九); larger numbers stay Arabic.
pub(crate) fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_owned(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n - 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// The width of `text` in body characters: half-width (ASCII) characters count half.
fn width_in_chars(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

/// Twips a table cell needs around its text: the cell margins (1.5 mm, 85 twips a side, see
/// the table style) and a little slack for renderers whose fonts run wider.
const CELL_PADDING: f64 = 2.0 * super::parts::TABLE_CELL_MARGIN as f64 + 60.0;

/// The width in twips `text` needs in a table cell (小四, 12 pt) to stay on one line: Chinese
/// characters 12 pt, half-width ones a little over half that (digits of the substitute fonts
/// run wider than Times New Roman's).
fn cell_need(text: &str) -> f64 {
    let longest = text
        .lines()
        .map(|line| {
            line.chars()
                .map(|c| if c.is_ascii() { 0.56 } else { 1.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    (longest * f64::from(super::parts::SZ_TABLE) * 10.0 + CELL_PADDING).ceil()
}

/// The widths of `table`'s columns in twips, summing exactly to the text block's width.
///
/// Every column first gets what its widest body cell needs, so that no figure wraps; what is
/// left goes to the headers that would otherwise wrap, then by weight. When the cells need
/// more than the text block, the text columns (left-aligned) share what the others leave,
/// by weight, and wrap; figures still do not.
fn column_widths(table: &Table, total_weight: f64) -> Vec<u32> {
    let width = f64::from(TEXT_WIDTH);
    let needs: Vec<f64> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, _)| {
            table
                .rows
                .iter()
                .map(|row| cell_need(&row[i]))
                .fold(CELL_PADDING, f64::max)
        })
        .collect();
    let header_needs: Vec<f64> = table
        .columns
        .iter()
        .zip(&needs)
        .map(|(c, need)| cell_need(&c.header).max(*need))
        .collect();
    let by_weight = |room: f64, eligible: &dyn Fn(usize) -> bool| -> Vec<f64> {
        let weights: f64 = (0..table.columns.len())
            .filter(|i| eligible(*i))
            .map(|i| table.columns[i].weight)
            .sum();
        (0..table.columns.len())
            .map(|i| {
                if eligible(i) && weights > 0.0 {
                    room * table.columns[i].weight / weights
                } else {
                    0.0
                }
            })
            .collect()
    };
    let need: f64 = needs.iter().sum();
    let mut widths: Vec<f64> = if need <= width {
        let with_headers: f64 = header_needs.iter().sum();
        if with_headers <= width {
            let extra = by_weight(width - with_headers, &|_| true);
            header_needs.iter().zip(extra).map(|(n, e)| n + e).collect()
        } else {
            // Not every header fits: the shortest shortfalls first, so that as many headers
            // as can stay on one line do; the others wrap (at their natural breaks).
            let mut widths = needs.clone();
            let mut room = width - need;
            let mut order: Vec<usize> = (0..needs.len()).collect();
            order.sort_by(|a, b| {
                (header_needs[*a] - needs[*a]).total_cmp(&(header_needs[*b] - needs[*b]))
            });
            for i in order {
                let short = header_needs[i] - needs[i];
                let given = short.min(room);
                widths[i] += given;
                room -= given;
            }
            widths
        }
    } else {
        let is_text = |i: usize| table.columns[i].align == Align::Left;
        let fixed = |of: &[f64]| -> f64 {
            (0..needs.len())
                .filter(|i| !is_text(*i))
                .map(|i| of[i])
                .sum()
        };
        // The other columns' headers on one line too, if that leaves the text columns at
        // least four characters each.
        let texts = (0..needs.len()).filter(|i| is_text(*i)).count() as f64;
        let four = cell_need("四个汉字");
        let kept = if fixed(&header_needs) + texts * four <= width {
            &header_needs
        } else {
            &needs
        };
        if fixed(kept) < width && texts > 0.0 {
            let shares = by_weight(width - fixed(kept), &is_text);
            (0..needs.len())
                .map(|i| if is_text(i) { shares[i] } else { kept[i] })
                .collect()
        } else {
            // Nothing fits: by weight, as the caller asked.
            table
                .columns
                .iter()
                .map(|c| width * c.weight / total_weight)
                .collect()
        }
    };
    for w in &mut widths {
        *w = w.floor();
    }
    let mut widths: Vec<u32> = widths.into_iter().map(|w| w as u32).collect();
    let used: u32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_WIDTH.saturating_sub(used);
    }
    widths
}

/// `text` cut into the numbers and Latin words (`true`: an ASCII letter or digit, then ASCII
/// letters, digits and `. , % - / :` not ending the segment) and what lies between (`false`).
fn latin_segments(text: &str) -> Vec<(bool, &str)> {
    let inner = |c: char| c.is_ascii_alphanumeric() || ".,%-/:".contains(c);
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(|c: char| c.is_ascii_alphanumeric()) {
            Some(0) => {
                let mut end = rest.find(|c: char| !inner(c)).unwrap_or(rest.len());
                // Trailing punctuation is the sentence's, not the number's (a "%" stays).
                while end > 1 && ".,-/:".contains(&rest[end - 1..end]) {
                    end -= 1;
                }
                out.push((true, &rest[..end]));
                rest = &rest[end..];
            }
            Some(start) => {
                out.push((false, &rest[..start]));
                rest = &rest[start..];
            }
            None => {
                out.push((false, rest));
                rest = "";
            }
        }
    }
    if out.is_empty() {
        out.push((false, text));
    }
    out
}

/// Accumulates the document part.
struct Writer {
    xml: String,
    media: Vec<Media>,
}

impl Default for Writer {
    fn default() -> Self {
        Writer {
            xml: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>"
            ),
            media: Vec::new(),
        }
    }
}

impl Writer {
    /// A paragraph of `style` with further paragraph properties `ppr` (already in schema
    /// order, after `w:pStyle`) and `runs`.
    fn paragraph(&mut self, style: &str, ppr: &str, runs: &[Run]) {
        self.xml.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{ppr}</w:pPr>"
        ));
        for run in runs {
            self.run(run.bold, "", &run.text);
        }
        self.xml.push_str("</w:p>");
    }

    /// A run of `text`, bold or not, with further run properties `rpr` (in schema order,
    /// after `w:b`, before `w:lang`).
    ///
    /// Numbers and Latin words (`1,362`, `90.52%`, `2021-W40`) go in runs of their own marked
    /// as English also for East Asian text: LibreOffice breaks Chinese text between any two
    /// characters, digits included, unless their language is one whose words it keeps whole,
    /// so without this a number could be split across two lines. Word keeps them whole anyway.
    fn run(&mut self, bold: bool, rpr: &str, text: &str) {
        for (latin, segment) in latin_segments(text) {
            self.xml.push_str("<w:r>");
            if bold || !rpr.is_empty() || latin {
                self.xml.push_str("<w:rPr>");
                if bold {
                    self.xml.push_str("<w:b/><w:bCs/>");
                }
                self.xml.push_str(rpr);
                if latin {
                    self.xml
                        .push_str("<w:lang w:val=\"en-US\" w:eastAsia=\"en-US\"/>");
                }
                self.xml.push_str("</w:rPr>");
            }
            run_text_into(&mut self.xml, segment);
            self.xml.push_str("</w:r>");
        }
    }

    /// An empty body line (the "空一行" of the standard).
    fn blank_line(&mut self) {
        self.xml.push_str("<w:p/>");
    }

    /// An empty body line kept on the page of the next paragraph.
    fn kept_blank_line(&mut self) {
        self.xml
            .push_str(&format!("<w:p><w:pPr>{KEEP_NEXT}</w:pPr></w:p>"));
    }

    /// 版头: the issuer in red, the document number and the red separator line below the
    /// last of them, then two empty lines before the title.
    fn header(&mut self, doc: &OfficialDocument) {
        if doc.issuer.is_none() && doc.doc_number.is_none() {
            return;
        }
        // The red line is 4 mm (11 pt) under the document number, or under the issuer
        // when there is no number; its length is the paragraph's, i.e. the text block's.
        let red_line = format!(
            "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"11\" w:color=\"{RED}\"/></w:pBdr>"
        );
        if let Some(issuer) = &doc.issuer {
            // As large as fits one line with a tenth to spare for the font's own spacing, up
            // to 小初: 17 characters get 23 pt.
            let width = width_in_chars(issuer).max(1.0);
            let fit = (f64::from(TEXT_WIDTH) * 0.9 / 10.0 / width).floor() as u32;
            let half_points = fit.min(MAX_ISSUER_HALF_POINTS);
            let ppr = if doc.doc_number.is_none() {
                red_line.as_str()
            } else {
                ""
            };
            self.xml.push_str(&format!(
                "<w:p><w:pPr><w:pStyle w:val=\"{}\"/>{ppr}</w:pPr>",
                id::ISSUER
            ));
            self.run(
                false,
                &format!("<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/>"),
                issuer,
            );
            self.xml.push_str("</w:p>");
        }
        if let Some(number) = &doc.doc_number {
            if doc.issuer.is_some() {
                // Two lines below the issuer (§7.2.3).
                self.blank_line();
                self.blank_line();
            }
            let ppr = if doc.issuer.is_some() {
                red_line.as_str()
            } else {
                ""
            };
            self.paragraph(id::DOC_NUMBER, ppr, &[Run::plain(number.clone())]);
        }
        self.blank_line();
        self.blank_line();
    }

    /// 标题: centred, each `'\n'` a line break.
    fn title(&mut self, title: &str) {
        self.paragraph(id::TITLE, "", &[Run::plain(title)]);
    }

    /// A highlighted "（待撰写：…）" paragraph.
    fn placeholder(&mut self, what: &str, ppr: &str) {
        self.xml.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{}\"/>{ppr}</w:pPr>",
            id::PLACEHOLDER
        ));
        self.run(
            false,
            "<w:highlight w:val=\"yellow\"/>",
            &format!("（待撰写：{what}）"),
        );
        self.xml.push_str("</w:p>");
    }

    /// A table with its title, a header row repeated on every page and rows that do not
    /// break across pages, followed by an empty line (which also keeps Word from merging it
    /// with a table that follows).
    fn table(&mut self, table: &Table, index: usize) -> Result<(), DocxError> {
        let invalid = |reason: String| DocxError::InvalidTable { index, reason };
        if table.columns.is_empty() {
            return Err(invalid("a table needs at least one column".into()));
        }
        let total: f64 = table.columns.iter().map(|c| c.weight).sum();
        if table
            .columns
            .iter()
            .any(|c| !c.weight.is_finite() || c.weight <= 0.0)
        {
            return Err(invalid("column weights must be positive".into()));
        }
        for (r, row) in table.rows.iter().enumerate() {
            if row.len() != table.columns.len() {
                return Err(invalid(format!(
                    "row {} has {} cells for {} columns",
                    r + 1,
                    row.len(),
                    table.columns.len()
                )));
            }
        }
        let widths = column_widths(table, total);

        if let Some(title) = &table.title {
            self.paragraph(id::CAPTION, "<w:keepNext/>", &[Run::plain(title.clone())]);
        }
        let border = |side: &str| {
            format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
        };
        self.xml.push_str(&format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
<w:tblBorders>{}{}{}{}{}{}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>\
<w:tblCellMar><w:left w:w=\"{TABLE_CELL_MARGIN}\" w:type=\"dxa\"/><w:right w:w=\"{TABLE_CELL_MARGIN}\" w:type=\"dxa\"/></w:tblCellMar>\
<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
</w:tblPr><w:tblGrid>",
            border("top"),
            border("left"),
            border("bottom"),
            border("right"),
            border("insideH"),
            border("insideV"),
        ));
        for width in &widths {
            self.xml.push_str(&format!("<w:gridCol w:w=\"{width}\"/>"));
        }
        self.xml.push_str("</w:tblGrid>");

        self.xml
            .push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (column, width) in table.columns.iter().zip(&widths) {
            self.cell(*width, id::TABLE_HEADER, "center", &column.header);
        }
        self.xml.push_str("</w:tr>");
        for row in &table.rows {
            self.xml.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for ((cell, column), width) in row.iter().zip(&table.columns).zip(&widths) {
                let jc = match column.align {
                    Align::Left => "left",
                    Align::Center => "center",
                    Align::Right => "right",
                };
                self.cell(*width, id::TABLE_TEXT, jc, cell);
            }
            self.xml.push_str("</w:tr>");
        }
        self.xml.push_str("</w:tbl>");
        self.blank_line();
        Ok(())
    }

    /// One table cell, vertically centred.
    fn cell(&mut self, width: u32, style: &str, jc: &str, text: &str) {
        self.xml.push_str(&format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
        ));
        self.paragraph(
            style,
            &format!("<w:jc w:val=\"{jc}\"/>"),
            &[Run::plain(text)],
        );
        self.xml.push_str("</w:tc>");
    }

    /// A picture inline in its own centred paragraph, then its caption.
    fn image(&mut self, image: &Image, index: usize) -> Result<(), DocxError> {
        if png_size(&image.png).is_none() {
            return Err(DocxError::InvalidImage {
                index,
                reason: "not a PNG file",
            });
        }
        let (mut w, mut h) = (image.width_mm, image.height_mm);
        if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
            return Err(DocxError::InvalidImage {
                index,
                reason: "width and height must be positive",
            });
        }
        // Keep the aspect ratio while fitting the text block.
        let scale = (MAX_IMAGE_WIDTH_MM / w)
            .min(MAX_IMAGE_HEIGHT_MM / h)
            .min(1.0);
        w *= scale;
        h *= scale;
        let (cx, cy) = (mm_to_emu(w), mm_to_emu(h));
        self.media.push(Media {
            png: image.png.clone(),
        });
        let n = self.media.len();
        let rid = image_rid(n);
        let name = format!("图片 {n}");
        let description = escape(image.caption.as_deref().unwrap_or(&name));
        self.xml.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{}\"/></w:pPr><w:r><w:drawing>\
<wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/>\
<wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:docPr id=\"{n}\" name=\"{name}\" descr=\"{description}\"/>\
<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
<pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"image{n}.png\"/><pic:cNvPicPr/></pic:nvPicPr>\
<pic:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm>\
<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>\
</wp:inline></w:drawing></w:r></w:p>",
            id::FIGURE
        ));
        if let Some(caption) = &image.caption {
            self.paragraph(id::CAPTION, "", &[Run::plain(caption.clone())]);
        }
        Ok(())
    }

    /// 附件说明 (§7.3.4): one line below the body, "附件：" two characters in, the names
    /// numbered "1．" … when there are several, later names aligned under the first.
    fn attachments(&mut self, names: &[String], keep: bool) {
        if names.is_empty() {
            return;
        }
        let keep = if keep { KEEP_NEXT } else { "" };
        self.kept_blank_line();
        let numbered = names.len() > 1;
        for (i, name) in names.iter().enumerate() {
            // Names carry no closing punctuation.
            let name = name.trim_end_matches(['。', '；', '，', '.', ';', ',']);
            let label = if numbered {
                format!("{}．{name}", i + 1)
            } else {
                name.to_owned()
            };
            // Names start five characters in: two of indent and "附件：". A long name wraps
            // under its own start; the first line hangs "附件：" out to the left.
            if i == 0 {
                self.paragraph(
                    id::ATTACHMENT,
                    &format!("{keep}<w:ind w:leftChars=\"500\" w:left=\"1600\" w:hangingChars=\"300\" w:hanging=\"960\"/>"),
                    &[Run::plain(format!("附件：{label}"))],
                );
            } else {
                self.paragraph(
                    id::ATTACHMENT,
                    &format!("{keep}<w:ind w:leftChars=\"500\" w:left=\"1600\"/>"),
                    &[Run::plain(label)],
                );
            }
        }
    }

    /// 署名 and 成文日期 of a document without a seal (§7.3.5.2): one line below, the signer
    /// two characters from the right, the date on the next line starting two characters
    /// right of the signer's first character; when the date is the longer, it keeps two
    /// characters from the right and the signer moves left.
    fn signature(&mut self, signature: &Signature) {
        let signer = width_in_chars(&signature.signer);
        let date = width_in_chars(&signature.date);
        let date_right = (signer - date).max(2.0).min(f64::from(CHARS_PER_LINE));
        let signer_right = (date_right + date + 2.0 - signer).max(0.0);
        let ind = |chars: f64| {
            let hundredths = (chars * 100.0).round() as u32;
            format!(
                "<w:ind w:rightChars=\"{hundredths}\" w:right=\"{}\"/>",
                hundredths * super::layout::ONE_CHAR / 100
            )
        };
        self.kept_blank_line();
        self.paragraph(
            id::SIGNATURE,
            &format!("{KEEP_NEXT}{}", ind(signer_right)),
            &[Run::plain(signature.signer.clone())],
        );
        self.paragraph(
            id::SIGNATURE,
            &ind(date_right),
            &[Run::plain(signature.date.clone())],
        );
    }
}

impl Writer {
    /// 版记 (§7.4) at the foot of the last page: a table as wide as the text block, floating
    /// at the bottom margin, with a thick line above and below and a thin one between
    /// 抄送 ("抄送：" one character in, names joined by "、", ending "。", wrapped lines
    /// aligned after the colon) and the line of 印发机关 (one character in) and 印发日期
    /// (one character from the right, "印发" added), all 4号 仿宋_GB2312.
    fn record(&mut self, record: &Record) {
        const THICK: u32 = 8; // 1 pt ≈ 0.35 mm, in eighths of a point.
        const THIN: u32 = 6; // 0.75 pt ≈ 0.25 mm.
        let line = |side: &str, sz: u32| {
            format!("<w:{side} w:val=\"single\" w:sz=\"{sz}\" w:space=\"0\" w:color=\"000000\"/>")
        };
        let none = |side: &str| format!("<w:{side} w:val=\"nil\"/>");
        self.xml.push_str(&format!(
            "<w:tbl><w:tblPr><w:tblpPr w:leftFromText=\"0\" w:rightFromText=\"0\" \
w:vertAnchor=\"margin\" w:horzAnchor=\"margin\" w:tblpXSpec=\"center\" w:tblpYSpec=\"bottom\"/>\
<w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
<w:tblBorders>{}{}{}{}{}{}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>\
<w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar>\
<w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
</w:tblPr><w:tblGrid><w:gridCol w:w=\"{TEXT_WIDTH}\"/></w:tblGrid>",
            line("top", THICK),
            none("left"),
            line("bottom", THICK),
            none("right"),
            line("insideH", THIN),
            none("insideV"),
        ));
        let one = super::layout::ONE_CHAR;
        let cell = |w: &mut Writer, ppr: &str, text: &str| {
            w.xml.push_str(&format!(
                "<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/></w:tcPr>"
            ));
            w.paragraph(id::RECORD, ppr, &[Run::plain(text)]);
            w.xml.push_str("</w:tc></w:tr>");
        };
        if !record.copies_to.is_empty() {
            let names = record
                .copies_to
                .iter()
                .map(|n| n.trim_end_matches(['。', '，', '、']))
                .collect::<Vec<_>>()
                .join("、");
            // Wrapped lines align after "抄送：" (three characters of 14 pt).
            let hanging = 3 * 280;
            cell(
                self,
                &format!(
                    "<w:ind w:left=\"{}\" w:right=\"{one}\" w:hanging=\"{hanging}\"/>",
                    one + hanging
                ),
                &format!("抄送：{names}。"),
            );
        }
        let tab = TEXT_WIDTH - one;
        cell(
            self,
            &format!(
                "<w:tabs><w:tab w:val=\"right\" w:pos=\"{tab}\"/></w:tabs><w:ind w:left=\"{one}\" w:right=\"{one}\"/>"
            ),
            &format!("{}\t{}印发", record.printer, record.printed_on),
        );
        self.xml.push_str("</w:tbl>");
        self.blank_line();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_numbered_in_chinese_then_arabic() {
        assert_eq!(heading_number(HeadingLevel::First, 1), "一、");
        assert_eq!(heading_number(HeadingLevel::First, 10), "十、");
        assert_eq!(heading_number(HeadingLevel::Second, 12), "（十二）");
        assert_eq!(heading_number(HeadingLevel::Second, 20), "（二十）");
        assert_eq!(heading_number(HeadingLevel::First, 35), "三十五、");
        assert_eq!(heading_number(HeadingLevel::Third, 3), "3.");
        assert_eq!(heading_number(HeadingLevel::Fourth, 11), "（11）");
        assert_eq!(chinese_number(100), "100");
    }

    #[test]
    fn table_columns_are_wide_enough_for_every_figure() {
        use super::super::model::Column;
        let num = |h: &str| Column::new(h, Align::Right);
        let table = Table {
            title: None,
            columns: vec![
                Column::new("类别", Align::Left).weight(2.0),
                num("项目数"),
                num("已开工"),
                num("已完工"),
                num("完成率"),
                num("节点完成率"),
                num("完成投资（亿元）").weight(1.4),
                num("计划投资（万元）"),
            ],
            rows: vec![
                [
                    "公园、绿道、邮票绿地",
                    "1,362",
                    "1,362",
                    "1,222",
                    "90.52%",
                    "98.82%",
                    "126.92",
                    "1,318,300.00",
                ]
                .map(String::from)
                .to_vec(),
            ],
        };
        let widths = column_widths(&table, 9.4);
        assert_eq!(widths.iter().sum::<u32>(), TEXT_WIDTH);
        for (i, w) in widths.iter().enumerate().skip(1) {
            let need = cell_need(&table.rows[0][i]);
            assert!(f64::from(*w) >= need, "column {i}: {w} < {need}");
        }
        // With room to spare, headers stay on one line too.
        let short = Table {
            title: None,
            columns: table.columns[..5].to_vec(),
            rows: vec![
                ["老旧小区改造", "158", "158", "156", "98.73%"]
                    .map(String::from)
                    .to_vec(),
            ],
        };
        let widths = column_widths(&short, 6.0);
        for (i, w) in widths.iter().enumerate() {
            let need = cell_need(&short.columns[i].header);
            assert!(f64::from(*w) >= need, "header {i}: {w} < {need}");
        }
    }

    #[test]
    fn numbers_are_cut_out_of_chinese_text_whole() {
        assert_eq!(
            latin_segments("完成率90.52%，共1,362个。"),
            vec![
                (false, "完成率"),
                (true, "90.52%"),
                (false, "，共"),
                (true, "1,362"),
                (false, "个。")
            ]
        );
        assert_eq!(
            latin_segments("2021-W40."),
            vec![(true, "2021-W40"), (false, ".")]
        );
        assert_eq!(latin_segments("仅中文"), vec![(false, "仅中文")]);
        assert_eq!(latin_segments(""), vec![(false, "")]);
    }

    #[test]
    fn half_width_characters_count_half() {
        assert_eq!(width_in_chars("2021年12月31日"), 7.0);
    }
}
