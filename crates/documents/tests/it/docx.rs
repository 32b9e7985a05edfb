//! Golden checks of the GB/T 9704-2012 Word documents: a document with every kind of block is
//! written, unzipped and read back with an XML parser, and its page setup, fonts, paragraphs,
//! footers, table and picture are compared with the standard's numbers.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use jianguan_documents::docx::{
    Align, Block, Column, DocxError, HeadingLevel, Image, OfficialDocument, Run, Signature, Table,
    layout, to_docx,
};
use roxmltree::{Document, Node};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";

/// A `w × h` RGB PNG.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_image_data(&vec![200; (w * h * 3) as usize])
        .unwrap();
    writer.finish().unwrap();
    out
}

const TRICKY: &str = "“两违”整治 & <拆违> 占比>90%，“A&B”；〔2021〕12号——完成！";

/// A bulletin with every kind of block.
fn sample() -> OfficialDocument {
    OfficialDocument {
        issuer: Some("示例市城市建管提升行动指挥部办公室".into()),
        doc_number: Some("示建管办〔2021〕12号".into()),
        title: "关于2021年11月城市建管提升行动\n考核情况的通报".into(),
        addressee: Some("各区城市建管提升行动指挥部，市直有关单位".into()),
        blocks: vec![
            Block::paragraph("根据《示例市城市建管提升行动考核办法》，现将11月考核情况通报如下。"),
            Block::heading(HeadingLevel::First, "总体情况"),
            Block::Paragraph(vec![Run::bold("项目推进总体平稳。"), Run::plain(TRICKY)]),
            Block::heading(HeadingLevel::Second, "节点完成情况"),
            Block::heading(HeadingLevel::Third, "按期完成"),
            Block::heading(HeadingLevel::Fourth, "市级项目"),
            Block::Table(Table {
                title: Some("表1  各区综合得分排名".into()),
                columns: vec![
                    Column::new("排名", Align::Center),
                    Column::new("区", Align::Left).weight(2.0),
                    Column::new("得分", Align::Right),
                ],
                rows: vec![
                    vec!["1".into(), "东城区".into(), "96.50".into()],
                    vec!["2".into(), "西城区".into(), "93.25".into()],
                ],
            }),
            Block::Image(Image {
                png: png(4, 3),
                width_mm: 150.0,
                height_mm: 90.0,
                caption: Some("图1  各区项目完工率".into()),
            }),
            Block::heading(HeadingLevel::Second, "投资完成情况"),
            Block::placeholder("各区投资完成情况分析"),
            Block::heading(HeadingLevel::First, "下步工作"),
            Block::heading(HeadingLevel::Second, "强化调度"),
            Block::Image(Image::from_png(png(20, 10), 300.0, None).unwrap()),
            Block::PageBreak,
            Block::paragraph("请各区对照问题清单抓紧整改。"),
        ],
        attachments: vec!["11月考核得分明细表".into(), "问题清单。".into()],
        signature: Some(Signature {
            signer: "示例市城市建管提升行动指挥部办公室".into(),
            date: "2021年12月31日".into(),
        }),
        note: Some("此件公开发布".into()),
        record: None,
    }
}

/// The package's parts by name.
struct Package(BTreeMap<String, Vec<u8>>);

impl Package {
    fn read(bytes: &[u8]) -> Package {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut parts = BTreeMap::new();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            parts.insert(file.name().unwrap().into_owned(), data);
        }
        Package(parts)
    }

    fn text(&self, name: &str) -> String {
        String::from_utf8(
            self.0
                .get(name)
                .unwrap_or_else(|| panic!("no part {name}"))
                .clone(),
        )
        .unwrap()
    }
}

fn write(doc: &OfficialDocument) -> Package {
    Package::read(&to_docx(doc).unwrap())
}

/// The first child element of `node` named `w:{name}`.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name((W, name)))
}

/// The `w:{name}` attribute of `node`.
fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

/// Every descendant element named `w:{name}`.
fn all<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.descendants()
        .filter(move |n| n.has_tag_name((W, name)))
}

/// The text of a paragraph: its `w:t`s, `'\n'` for a `w:br`, `'\t'` for a `w:tab`.
fn para_text(p: Node) -> String {
    let mut out = String::new();
    for n in p.descendants() {
        if n.has_tag_name((W, "t")) {
            out.push_str(n.text().unwrap_or(""));
        } else if n.has_tag_name((W, "br")) && attr(n, "type").is_none() {
            out.push('\n');
        } else if n.has_tag_name((W, "tab")) && n.parent().is_some_and(|p| p.has_tag_name((W, "r")))
        {
            out.push('\t');
        }
    }
    out
}

/// The style sheet, for resolving a paragraph's or run's effective properties through its
/// style's `w:basedOn` chain down to the document defaults.
struct Styles<'a, 'i>(&'a Document<'i>);

impl<'a, 'i> Styles<'a, 'i> {
    fn style(&self, id: &str) -> Node<'a, 'i> {
        all(self.0.root(), "style")
            .find(|s| attr(*s, "styleId") == Some(id))
            .unwrap_or_else(|| panic!("no style {id}"))
    }

    /// The style and its ancestors, nearest first.
    fn chain(&self, id: &str) -> Vec<Node<'a, 'i>> {
        let mut out = vec![self.style(id)];
        while let Some(parent) = child(*out.last().unwrap(), "basedOn") {
            out.push(self.style(attr(parent, "val").unwrap()));
        }
        out
    }

    fn default_props(&self, kind: &str) -> Node<'a, 'i> {
        let default = if kind == "rPr" {
            "rPrDefault"
        } else {
            "pPrDefault"
        };
        let holder = all(self.0.root(), default).next().unwrap();
        child(holder, kind).unwrap()
    }

    /// The effective property `name` (a child of `w:rPr` or `w:pPr`, per `kind`) of
    /// paragraph `p`, or of `run` within it: direct formatting first, then the paragraph's
    /// style chain, then the document defaults.
    fn effective<'d>(
        &self,
        kind: &str,
        p: Node<'d, 'd>,
        run: Option<Node<'d, 'd>>,
        name: &str,
        attribute: &str,
    ) -> Option<String> {
        let get = |props: Option<Node>| {
            props
                .and_then(|props| child(props, name))
                .map(|n| attr(n, attribute).unwrap_or("true").to_owned())
        };
        let ppr = child(p, "pPr");
        let direct = match kind {
            "rPr" => run.and_then(|r| child(r, "rPr")),
            _ => ppr,
        };
        if let Some(value) = get(direct) {
            return Some(value);
        }
        let style = ppr
            .and_then(|ppr| child(ppr, "pStyle"))
            .and_then(|s| attr(s, "val"))
            .unwrap_or("Normal");
        for s in self.chain(style) {
            if let Some(value) = get(child(s, kind)) {
                return Some(value);
            }
        }
        get(Some(self.default_props(kind)))
    }

    fn run_prop<'d>(&self, p: Node<'d, 'd>, name: &str, attribute: &str) -> Option<String> {
        let run = all(p, "r").next();
        self.effective("rPr", p, run, name, attribute)
    }

    fn para_prop<'d>(&self, p: Node<'d, 'd>, name: &str, attribute: &str) -> Option<String> {
        self.effective("pPr", p, None, name, attribute)
    }
}

fn paragraphs<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    all(doc.root(), "p").collect()
}

fn paragraph_starting<'a, 'i>(doc: &'a Document<'i>, start: &str) -> Node<'a, 'i> {
    paragraphs(doc)
        .into_iter()
        .find(|p| para_text(*p).starts_with(start))
        .unwrap_or_else(|| panic!("no paragraph starting {start:?}"))
}

fn style_of<'a>(p: Node<'a, '_>) -> Option<&'a str> {
    child(p, "pPr")
        .and_then(|ppr| child(ppr, "pStyle"))
        .and_then(|s| attr(s, "val"))
}

#[test]
fn page_is_a4_with_gb_9704_margins_and_a_22_by_28_grid() {
    let pkg = write(&sample());
    let xml = pkg.text("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let sect = all(doc.root(), "sectPr").next().unwrap();
    let size = child(sect, "pgSz").unwrap();
    assert_eq!(
        (attr(size, "w"), attr(size, "h")),
        (Some("11906"), Some("16838"))
    );
    assert_eq!(attr(size, "orient"), None);
    let margins = child(sect, "pgMar").unwrap();
    let m = |side| attr(margins, side).unwrap().parse::<u32>().unwrap();
    // 37, 35, 28 and 26 mm, rounded to the nearest twip.
    assert_eq!(
        (m("top"), m("bottom"), m("left"), m("right")),
        (2098, 1984, 1587, 1474)
    );
    assert_eq!(m("gutter"), 0);
    // The text block is 156 × 225 mm.
    assert_eq!(11906 - m("left") - m("right"), 8845);
    assert_eq!(16838 - m("top") - m("bottom"), 12756);
    let grid = child(sect, "docGrid").unwrap();
    assert_eq!(attr(grid, "type"), Some("lines"));
    assert_eq!(attr(grid, "linePitch"), Some("579"));
    assert_eq!(attr(grid, "charSpace"), None);
    // 22 lines fit the text block's height, 23 do not.
    let line_pitch: u32 = attr(grid, "linePitch").unwrap().parse().unwrap();
    let height = 16838 - m("top") - m("bottom");
    assert!(22 * line_pitch <= height && 23 * line_pitch > height);
    assert_eq!(layout::LINE_PITCH, 579);

    // Body lines are exactly one grid line.
    let styles_xml = pkg.text("word/styles.xml");
    let styles_doc = Document::parse(&styles_xml).unwrap();
    let styles = Styles(&styles_doc);
    // The grid's character pitch is relative to Normal's own size, so Normal must name 16 pt
    // itself (readers do not all resolve it through the document defaults).
    let normal_rpr = child(styles.style("Normal"), "rPr").unwrap();
    assert_eq!(attr(child(normal_rpr, "sz").unwrap(), "val"), Some("32"));
    // 28 characters a line: 16 pt characters set 0.25 pt closer (−5 twips), a pitch of
    // 15.75 pt, of which 28 fit the text block's width and 29 do not — in every renderer,
    // since it is the characters' own spacing, not a grid Word and LibreOffice read apart.
    let spacing: i32 = attr(child(normal_rpr, "spacing").unwrap(), "val")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(spacing, layout::CHAR_SPACING);
    let pitch = (16 * 20 + spacing) as u32;
    let width = 11906 - m("left") - m("right");
    assert!(28 * pitch <= width && 29 * pitch > width);
    let body = paragraph_starting(&doc, "根据");
    assert_eq!(
        styles.para_prop(body, "spacing", "line").as_deref(),
        Some("579")
    );
    assert_eq!(
        styles.para_prop(body, "spacing", "lineRule").as_deref(),
        Some("exact")
    );
}

#[test]
fn title_is_2hao_xiaobiaosong_centred_over_two_lines() {
    let pkg = write(&sample());
    let (xml, styles_xml) = (pkg.text("word/document.xml"), pkg.text("word/styles.xml"));
    let (doc, styles_doc) = (
        Document::parse(&xml).unwrap(),
        Document::parse(&styles_xml).unwrap(),
    );
    let styles = Styles(&styles_doc);
    let title = paragraph_starting(&doc, "关于2021年11月");
    assert_eq!(style_of(title), Some("Title"));
    assert_eq!(
        para_text(title),
        "关于2021年11月城市建管提升行动\n考核情况的通报"
    );
    assert_eq!(
        styles.run_prop(title, "rFonts", "eastAsia").as_deref(),
        Some("方正小标宋简体")
    );
    assert_eq!(styles.run_prop(title, "sz", "val").as_deref(), Some("44"));
    assert_eq!(
        styles.para_prop(title, "jc", "val").as_deref(),
        Some("center")
    );
    assert_eq!(styles.run_prop(title, "b", "val"), None);
}

#[test]
fn body_is_3hao_fangsong_with_times_digits_indented_two_characters() {
    let pkg = write(&sample());
    let (xml, styles_xml) = (pkg.text("word/document.xml"), pkg.text("word/styles.xml"));
    let (doc, styles_doc) = (
        Document::parse(&xml).unwrap(),
        Document::parse(&styles_xml).unwrap(),
    );
    let styles = Styles(&styles_doc);
    for start in ["根据", "项目推进", "请各区"] {
        let p = paragraph_starting(&doc, start);
        assert_eq!(
            styles.run_prop(p, "rFonts", "eastAsia").as_deref(),
            Some("仿宋_GB2312")
        );
        assert_eq!(
            styles.run_prop(p, "rFonts", "ascii").as_deref(),
            Some("Times New Roman")
        );
        assert_eq!(
            styles.run_prop(p, "rFonts", "hAnsi").as_deref(),
            Some("Times New Roman")
        );
        assert_eq!(styles.run_prop(p, "sz", "val").as_deref(), Some("32"));
        assert_eq!(
            styles.para_prop(p, "ind", "firstLineChars").as_deref(),
            Some("200")
        );
        assert_eq!(
            styles.para_prop(p, "ind", "firstLine").as_deref(),
            Some("640")
        );
        assert_eq!(styles.para_prop(p, "jc", "val").as_deref(), Some("both"));
    }
    // A bold run stays bold, the run after it does not.
    let p = paragraph_starting(&doc, "项目推进");
    let runs: Vec<_> = all(p, "r").collect();
    assert!(child(child(runs[0], "rPr").unwrap(), "b").is_some());
    assert!(child(runs[1], "rPr").is_none());
    // The addressee is flush left and ends with a full-width colon.
    let addressee = paragraph_starting(&doc, "各区城市建管");
    assert_eq!(
        para_text(addressee),
        "各区城市建管提升行动指挥部，市直有关单位："
    );
    assert_eq!(styles.para_prop(addressee, "ind", "firstLineChars"), None);
}

#[test]
fn headings_are_numbered_by_level_in_heiti_kaiti_and_fangsong() {
    let pkg = write(&sample());
    let (xml, styles_xml) = (pkg.text("word/document.xml"), pkg.text("word/styles.xml"));
    let (doc, styles_doc) = (
        Document::parse(&xml).unwrap(),
        Document::parse(&styles_xml).unwrap(),
    );
    let styles = Styles(&styles_doc);
    let expected = [
        ("一、总体情况", "Heading1", "黑体", false, "0"),
        ("（一）节点完成情况", "Heading2", "楷体_GB2312", false, "1"),
        ("1.按期完成", "Heading3", "仿宋_GB2312", true, "2"),
        ("（1）市级项目", "Heading4", "仿宋_GB2312", false, "3"),
        // The second second-level heading counts on; a new first level restarts it.
        ("（二）投资完成情况", "Heading2", "楷体_GB2312", false, "1"),
        ("二、下步工作", "Heading1", "黑体", false, "0"),
        ("（一）强化调度", "Heading2", "楷体_GB2312", false, "1"),
    ];
    let headings: Vec<_> = paragraphs(&doc)
        .into_iter()
        .filter(|p| style_of(*p).is_some_and(|s| s.starts_with("Heading")))
        .collect();
    assert_eq!(headings.len(), expected.len());
    for (p, (text, style, font, bold, outline)) in headings.into_iter().zip(expected) {
        assert_eq!(para_text(p), text);
        assert_eq!(style_of(p), Some(style));
        assert_eq!(
            styles.run_prop(p, "rFonts", "eastAsia").as_deref(),
            Some(font),
            "{text}"
        );
        assert_eq!(
            styles.run_prop(p, "sz", "val").as_deref(),
            Some("32"),
            "{text}"
        );
        assert_eq!(styles.run_prop(p, "b", "val").is_some(), bold, "{text}");
        assert_eq!(
            styles.para_prop(p, "outlineLvl", "val").as_deref(),
            Some(outline)
        );
        assert_eq!(
            styles.para_prop(p, "ind", "firstLineChars").as_deref(),
            Some("200")
        );
    }
    // Word shows them in the navigation pane under their built-in names.
    assert_eq!(
        attr(child(styles.style("Heading1"), "name").unwrap(), "val"),
        Some("heading 1")
    );
}

/// The footer parts of the section by reference type, resolved through the relationships.
fn footers(pkg: &Package) -> BTreeMap<String, String> {
    let xml = pkg.text("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let rels_xml = pkg.text("word/_rels/document.xml.rels");
    let rels = Document::parse(&rels_xml).unwrap();
    let sect = all(doc.root(), "sectPr").next().unwrap();
    all(sect, "footerReference")
        .map(|f| {
            let id = f.attribute((R, "id")).unwrap();
            let rel = rels
                .descendants()
                .find(|r| r.attribute("Id") == Some(id))
                .unwrap();
            assert!(rel.attribute("Type").unwrap().ends_with("/footer"));
            let target = format!("word/{}", rel.attribute("Target").unwrap());
            (attr(f, "type").unwrap().to_owned(), pkg.text(&target))
        })
        .collect()
}

#[test]
fn page_numbers_are_4hao_songti_between_em_dashes_odd_right_even_left() {
    let pkg = write(&sample());
    let settings_xml = pkg.text("word/settings.xml");
    let settings = Document::parse(&settings_xml).unwrap();
    assert!(all(settings.root(), "evenAndOddHeaders").next().is_some());
    let styles_xml = pkg.text("word/styles.xml");
    let styles_doc = Document::parse(&styles_xml).unwrap();
    let styles = Styles(&styles_doc);
    let footers = footers(&pkg);
    assert_eq!(footers.keys().collect::<Vec<_>>(), ["default", "even"]);
    for (kind, xml) in &footers {
        let doc = Document::parse(xml).unwrap();
        let p = all(doc.root(), "p").next().unwrap();
        assert_eq!(para_text(p), "— 1 —");
        let instr: String = all(p, "instrText").map(|n| n.text().unwrap()).collect();
        assert_eq!(instr.trim(), "PAGE");
        let chars: Vec<_> = all(p, "fldChar")
            .map(|n| attr(n, "fldCharType").unwrap())
            .collect();
        assert_eq!(chars, ["begin", "separate", "end"]);
        for run in all(p, "r") {
            for font in ["eastAsia", "ascii", "hAnsi"] {
                assert_eq!(
                    styles
                        .effective("rPr", p, Some(run), "rFonts", font)
                        .as_deref(),
                    Some("宋体")
                );
            }
            assert_eq!(
                styles
                    .effective("rPr", p, Some(run), "sz", "val")
                    .as_deref(),
                Some("28")
            );
        }
        let (jc, side) = if kind == "default" {
            ("right", "right")
        } else {
            ("left", "left")
        };
        assert_eq!(
            styles.para_prop(p, "jc", "val").as_deref(),
            Some(jc),
            "{kind}"
        );
        // One character (16 pt) from the edge.
        assert_eq!(
            styles.para_prop(p, "ind", side).as_deref(),
            Some("320"),
            "{kind}"
        );
    }
}

#[test]
fn table_repeats_its_header_row_and_right_aligns_numbers() {
    let pkg = write(&sample());
    let (xml, styles_xml) = (pkg.text("word/document.xml"), pkg.text("word/styles.xml"));
    let (doc, styles_doc) = (
        Document::parse(&xml).unwrap(),
        Document::parse(&styles_xml).unwrap(),
    );
    let styles = Styles(&styles_doc);
    let tables: Vec<_> = all(doc.root(), "tbl").collect();
    assert_eq!(tables.len(), 1);
    let table = tables[0];
    let widths: Vec<u32> = all(table, "gridCol")
        .map(|c| attr(c, "w").unwrap().parse().unwrap())
        .collect();
    assert_eq!(widths.iter().sum::<u32>(), 8845);
    // Every column as wide as its cells need, the room left shared by weight (1 : 2 : 1).
    assert!(widths[1] > widths[0] && widths[1] > widths[2], "{widths:?}");
    let rows: Vec<_> = all(table, "tr").collect();
    assert_eq!(rows.len(), 3);
    let header = |row: Node| {
        child(row, "trPr")
            .and_then(|p| child(p, "tblHeader"))
            .is_some()
    };
    assert!(header(rows[0]));
    assert!(!header(rows[1]) && !header(rows[2]));
    let cells = |row: Node| all(row, "p").map(para_text).collect::<Vec<_>>();
    assert_eq!(cells(rows[0]), ["排名", "区", "得分"]);
    assert_eq!(cells(rows[2]), ["2", "西城区", "93.25"]);
    let aligns: Vec<_> = all(rows[1], "p")
        .map(|p| styles.para_prop(p, "jc", "val").unwrap())
        .collect();
    assert_eq!(aligns, ["center", "left", "right"]);
    for p in all(rows[0], "p") {
        assert_eq!(
            styles.run_prop(p, "rFonts", "eastAsia").as_deref(),
            Some("黑体")
        );
        assert_eq!(styles.run_prop(p, "sz", "val").as_deref(), Some("24"));
    }
    for p in all(rows[1], "p") {
        assert_eq!(
            styles.run_prop(p, "rFonts", "eastAsia").as_deref(),
            Some("仿宋_GB2312")
        );
        assert_eq!(styles.run_prop(p, "sz", "val").as_deref(), Some("24"));
        assert_eq!(
            styles.para_prop(p, "snapToGrid", "val").as_deref(),
            Some("0")
        );
    }
    // The title is just above the table and kept with it.
    let title = table.prev_sibling_element().unwrap();
    assert_eq!(para_text(title), "表1  各区综合得分排名");
    assert!(styles.para_prop(title, "keepNext", "val").is_some());
    // A paragraph follows, so Word neither merges tables nor ends the body on one.
    assert!(table.next_sibling_element().unwrap().has_tag_name((W, "p")));
}

#[test]
fn pictures_are_stored_in_media_with_their_extent_in_emu() {
    let source = sample();
    let pkg = write(&source);
    let xml = pkg.text("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let rels_xml = pkg.text("word/_rels/document.xml.rels");
    let rels = Document::parse(&rels_xml).unwrap();
    let extents: Vec<(u64, u64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((WP, "extent")))
        .map(|n| {
            let v = |a| n.attribute(a).unwrap().parse().unwrap();
            (v("cx"), v("cy"))
        })
        .collect();
    // 150 × 90 mm; and 300 mm wide at 2:1, scaled down to the text block's 156 mm.
    assert_eq!(extents, [(5_400_000, 3_240_000), (5_616_000, 2_808_000)]);
    let blips: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((A, "blip")))
        .map(|n| n.attribute((R, "embed")).unwrap())
        .collect();
    assert_eq!(blips.len(), 2);
    let Block::Image(first) = &source.blocks[7] else {
        panic!("block 7 is the first picture")
    };
    for (i, rid) in blips.iter().enumerate() {
        let rel = rels
            .descendants()
            .find(|r| r.attribute("Id") == Some(rid))
            .unwrap();
        assert!(rel.attribute("Type").unwrap().ends_with("/image"));
        let target = format!("word/{}", rel.attribute("Target").unwrap());
        assert_eq!(target, format!("word/media/image{}.png", i + 1));
        assert!(pkg.0.contains_key(&target));
    }
    assert_eq!(pkg.0["word/media/image1.png"], first.png);
    let caption = paragraph_starting(&doc, "图1");
    assert_eq!(style_of(caption), Some("JgCaption"));
    let types = pkg.text("[Content_Types].xml");
    assert!(types.contains("<Default Extension=\"png\" ContentType=\"image/png\"/>"));
}

#[test]
fn language_is_zh_cn_and_fonts_are_named_not_embedded() {
    let pkg = write(&sample());
    let styles_xml = pkg.text("word/styles.xml");
    let styles = Document::parse(&styles_xml).unwrap();
    let lang = all(styles.root(), "rPrDefault")
        .next()
        .and_then(|d| all(d, "lang").next())
        .unwrap();
    assert_eq!(attr(lang, "val"), Some("zh-CN"));
    assert_eq!(attr(lang, "eastAsia"), Some("zh-CN"));
    assert!(!pkg.0.keys().any(|name| name.starts_with("word/fonts/")));
    assert!(
        !pkg.0
            .keys()
            .any(|name| name.ends_with(".odttf") || name.ends_with(".ttf"))
    );
    let settings = pkg.text("word/settings.xml");
    assert!(!settings.contains("embedTrueTypeFonts"));
    let fonts_xml = pkg.text("word/fontTable.xml");
    let fonts = Document::parse(&fonts_xml).unwrap();
    assert!(
        !fonts
            .descendants()
            .any(|n| n.tag_name().name().starts_with("embed"))
    );
    let names: Vec<_> = all(fonts.root(), "font")
        .map(|f| attr(f, "name").unwrap())
        .collect();
    for name in [
        "仿宋_GB2312",
        "楷体_GB2312",
        "黑体",
        "宋体",
        "方正小标宋简体",
        "Times New Roman",
    ] {
        assert!(names.contains(&name), "{name} missing from the font table");
    }
}

#[test]
fn text_survives_exactly_with_chinese_punctuation_and_markup_characters() {
    let pkg = write(&sample());
    let xml = pkg.text("word/document.xml");
    // Escaped in the file …
    assert!(xml.contains("&amp; &lt;拆违&gt; 占比&gt;"));
    // Numbers go in runs of their own, kept whole by LibreOffice's line breaking too.
    assert!(xml.contains(
        r#"<w:r><w:rPr><w:lang w:val="en-US" w:eastAsia="en-US"/></w:rPr><w:t xml:space="preserve">90%</w:t></w:r>"#
    ) || xml.contains(r#"<w:lang w:val="en-US" w:eastAsia="en-US"/></w:rPr><w:t>90%</w:t>"#), "{xml}");
    // … and read back as written.
    let doc = Document::parse(&xml).unwrap();
    let p = paragraph_starting(&doc, "项目推进");
    assert_eq!(para_text(p), format!("项目推进总体平稳。{TRICKY}"));
    assert_eq!(
        para_text(paragraph_starting(&doc, "示建管办")),
        "示建管办〔2021〕12号"
    );
    let texts: Vec<String> = paragraphs(&doc).into_iter().map(para_text).collect();
    for expected in [
        "示例市城市建管提升行动指挥部办公室",
        "根据《示例市城市建管提升行动考核办法》，现将11月考核情况通报如下。",
        "附件：1．11月考核得分明细表",
        "2．问题清单",
        "2021年12月31日",
        "（此件公开发布）",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected:?} not found"
        );
    }
    // Parts with user text are well-formed XML; so is every other part.
    for (name, data) in &pkg.0 {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let text = std::str::from_utf8(data).unwrap();
            Document::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let core = pkg.text("docProps/core.xml");
    assert!(core.contains("<dc:title>关于2021年11月城市建管提升行动考核情况的通报</dc:title>"));
}

#[test]
fn control_characters_are_dropped_so_word_can_open_the_file() {
    let doc = OfficialDocument {
        title: "标题\u{7}".into(),
        blocks: vec![Block::paragraph("a\u{0}b\u{1b}c & d")],
        ..OfficialDocument::default()
    };
    let pkg = write(&doc);
    let xml = pkg.text("word/document.xml");
    let parsed = Document::parse(&xml).unwrap();
    assert_eq!(para_text(paragraph_starting(&parsed, "abc")), "abc & d");
    assert_eq!(para_text(paragraph_starting(&parsed, "标题")), "标题");
}

#[test]
fn placeholder_is_a_highlighted_paragraph_to_write() {
    let pkg = write(&sample());
    let xml = pkg.text("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let p = paragraph_starting(&doc, "（待撰写");
    assert_eq!(para_text(p), "（待撰写：各区投资完成情况分析）");
    for run in all(p, "r") {
        let highlight = child(child(run, "rPr").unwrap(), "highlight").unwrap();
        assert_eq!(attr(highlight, "val"), Some("yellow"));
    }
}

#[test]
fn header_has_the_red_issuer_and_a_red_line_under_the_document_number() {
    let pkg = write(&sample());
    let (xml, styles_xml) = (pkg.text("word/document.xml"), pkg.text("word/styles.xml"));
    let (doc, styles_doc) = (
        Document::parse(&xml).unwrap(),
        Document::parse(&styles_xml).unwrap(),
    );
    let styles = Styles(&styles_doc);
    let ps = paragraphs(&doc);
    let issuer = ps[0];
    assert_eq!(para_text(issuer), "示例市城市建管提升行动指挥部办公室");
    assert_eq!(
        styles.run_prop(issuer, "color", "val").as_deref(),
        Some("FF0000")
    );
    assert_eq!(
        styles.run_prop(issuer, "rFonts", "eastAsia").as_deref(),
        Some("方正小标宋简体")
    );
    // 17 characters on one 156 mm line, with a tenth to spare: 23 pt.
    assert_eq!(styles.run_prop(issuer, "sz", "val").as_deref(), Some("46"));
    assert_eq!(
        styles.para_prop(issuer, "jc", "val").as_deref(),
        Some("center")
    );
    // Two empty lines, the number, its red line, two empty lines, the title.
    assert_eq!(para_text(ps[1]), "");
    assert_eq!(para_text(ps[2]), "");
    let number = ps[3];
    assert_eq!(para_text(number), "示建管办〔2021〕12号");
    assert_eq!(
        styles.para_prop(number, "jc", "val").as_deref(),
        Some("center")
    );
    let line = child(
        child(child(number, "pPr").unwrap(), "pBdr").unwrap(),
        "bottom",
    )
    .unwrap();
    assert_eq!(attr(line, "color"), Some("FF0000"));
    assert_eq!(attr(line, "val"), Some("single"));
    assert_eq!(
        (para_text(ps[4]), para_text(ps[5])),
        (String::new(), String::new())
    );
    assert_eq!(style_of(ps[6]), Some("Title"));
}

#[test]
fn signature_and_date_follow_the_unsealed_layout() {
    let pkg = write(&sample());
    let xml = pkg.text("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let ps = paragraphs(&doc);
    let right = |p: Node| {
        attr(
            child(child(p, "pPr").unwrap(), "ind").unwrap(),
            "rightChars",
        )
        .unwrap()
        .to_owned()
    };
    let signer = ps
        .iter()
        .rposition(|p| para_text(*p) == "示例市城市建管提升行动指挥部办公室")
        .unwrap();
    assert_eq!(para_text(ps[signer - 1]), "", "one line below the body");
    // Signer two characters from the right; the 7-character date starts two characters right
    // of the signer's 17-character start: 17 − 2 − 7 = 8 … i.e. 10 characters from the right.
    assert_eq!(right(ps[signer]), "200");
    assert_eq!(para_text(ps[signer + 1]), "2021年12月31日");
    assert_eq!(right(ps[signer + 1]), "1000");

    // A short signer moves left so the longer date keeps two characters from the right.
    let short = OfficialDocument {
        title: "标题".into(),
        signature: Some(Signature {
            signer: "市建管办".into(),
            date: "2021年12月31日".into(),
        }),
        ..OfficialDocument::default()
    };
    let pkg = write(&short);
    let xml = pkg.text("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    assert_eq!(right(paragraph_starting(&doc, "市建管办")), "700");
    assert_eq!(right(paragraph_starting(&doc, "2021年")), "200");
}

#[test]
fn a_ragged_table_or_a_picture_that_is_not_png_is_refused() {
    let mut doc = sample();
    if let Block::Table(table) = &mut doc.blocks[6] {
        table.rows.push(vec!["3".into()]);
    }
    let err = to_docx(&doc).unwrap_err();
    assert!(
        matches!(err, DocxError::InvalidTable { index: 6, .. }),
        "{err}"
    );

    let mut doc = sample();
    if let Block::Image(image) = &mut doc.blocks[7] {
        image.png = b"GIF89a not a png at all".to_vec();
    }
    let err = to_docx(&doc).unwrap_err();
    assert!(
        matches!(err, DocxError::InvalidImage { index: 7, .. }),
        "{err}"
    );
    assert!(Image::from_png(b"nope".to_vec(), 100.0, None).is_err());
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    assert_eq!(to_docx(&sample()).unwrap(), to_docx(&sample()).unwrap());
}

#[test]
fn every_part_has_a_content_type() {
    let pkg = write(&sample());
    let types_xml = pkg.text("[Content_Types].xml");
    let types = Document::parse(&types_xml).unwrap();
    let overrides: Vec<_> = types
        .descendants()
        .filter_map(|n| n.attribute("PartName"))
        .collect();
    let defaults: Vec<_> = types
        .descendants()
        .filter_map(|n| n.attribute("Extension"))
        .collect();
    for name in pkg.0.keys().filter(|n| *n != "[Content_Types].xml") {
        let extension = name.rsplit('.').next().unwrap();
        assert!(
            overrides.contains(&&*format!("/{name}")) || defaults.contains(&extension),
            "{name} has no content type"
        );
    }
    for part in overrides {
        assert!(
            pkg.0.contains_key(&part[1..]),
            "{part} is declared but missing"
        );
    }
}

#[test]
fn docx_rs_reads_the_package_back() {
    // A second, independent reader: docx-rs parses the whole package and finds the page
    // setup, the grid, the even/odd footers and the text.
    let bytes = to_docx(&sample()).unwrap();
    let read = docx_rs::read_docx(&bytes).unwrap();
    let text = read.json();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let section = &json["document"]["sectionProperty"];
    assert_eq!(section["pageSize"]["w"], 11906);
    assert_eq!(section["pageSize"]["h"], 16838);
    let margin = &section["pageMargin"];
    let margins = ["top", "bottom", "left", "right"].map(|side| margin[side].clone());
    assert_eq!(
        margins,
        [2098, 1984, 1587, 1474].map(serde_json::Value::from)
    );
    assert_eq!(section["docGrid"]["gridType"], "lines");
    assert_eq!(section["docGrid"]["linePitch"], 579);
    assert_eq!(section["footerReference"]["footerType"], "default");
    assert_eq!(section["evenFooterReference"]["footerType"], "even");
    assert_eq!(json["settings"]["evenAndOddHeaders"], true);
    for expected in [
        "示建管办〔",
        "〕",
        "（待撰写：各区投资完成情况分析）",
        "96.50",
    ] {
        assert!(text.contains(expected), "{expected} not read back");
    }
}

#[test]
fn addressee_ends_with_one_full_width_colon() {
    for typed in ["各区指挥部", "各区指挥部:", "各区指挥部：", "各区指挥部： "]
    {
        let doc = OfficialDocument {
            title: "标题".into(),
            addressee: Some(typed.into()),
            ..OfficialDocument::default()
        };
        let pkg = write(&doc);
        let xml = pkg.text("word/document.xml");
        let parsed = Document::parse(&xml).unwrap();
        let p = paragraph_starting(&parsed, "各区");
        assert_eq!(para_text(p), "各区指挥部：", "{typed:?}");
        assert_eq!(style_of(p), Some("JgAddressee"));
    }
}
