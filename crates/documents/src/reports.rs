//! The office's documents drafted from data: each function takes what the domain computed
//! (the overview, the dispatch pack, a month's scores, the tracked items) and lays it out as an
//! [`OfficialDocument`](crate::docx::OfficialDocument) in the structure the office writes it,
//! leaving what only people can write as highlighted placeholders. No figure is computed here:
//! every number in a sentence is a field of a domain value, written by [`jianguan_domain::fmt`].

mod bulletin;
mod dispatch;
mod quarterly;
mod summary;

pub use bulletin::{
    BULLETIN_COPIES, BulletinInput, DEFAULT_NUMBER_PREFIX, blank_doc_number, bulletin,
};
pub use dispatch::dispatch;
pub use quarterly::{finished_chart, quarterly, trend_chart};
pub use summary::{SummaryInput, SummaryPeriod, summary};

/// The issuing office printed at the head and foot of the city's documents.
pub const DEFAULT_ISSUER: &str = "示例市城市建管提升行动指挥部办公室";

use crate::docx::OfficialDocument;

/// `text` with the quotation marks of mainland usage (GB/T 15834): “ ” and ‘ ’ for the
/// corner brackets 「 」 and 『 』 the records may carry (milestone names in warning reasons,
/// item titles).
pub fn mainland_quotes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '「' => '“',
            '」' => '”',
            '『' => '‘',
            '』' => '’',
            c => c,
        })
        .collect()
}

/// `doc` with every text in it written with [`mainland_quotes`]: every drafted document passes
/// here last.
fn finish(mut doc: OfficialDocument) -> OfficialDocument {
    use crate::docx::Block;
    let fix = |s: &mut String| *s = mainland_quotes(s);
    fix(&mut doc.title);
    doc.addressee.as_mut().map(fix);
    doc.attachments.iter_mut().for_each(fix);
    doc.note.as_mut().map(fix);
    if let Some(signature) = &mut doc.signature {
        fix(&mut signature.signer);
    }
    for block in &mut doc.blocks {
        match block {
            Block::Heading { text, .. } | Block::Placeholder(text) => fix(text),
            Block::Paragraph(runs) => runs.iter_mut().for_each(|r| fix(&mut r.text)),
            Block::Table(table) => {
                table.title.as_mut().map(fix);
                table.columns.iter_mut().for_each(|c| fix(&mut c.header));
                table.rows.iter_mut().flatten().for_each(fix);
            }
            Block::Image(image) => {
                image.caption.as_mut().map(fix);
            }
            Block::PageBreak => {}
        }
    }
    doc
}

/// Signs `doc` on `date` (its 成文日期), as `jianguan report --date` asks.
pub fn date_document(doc: &mut OfficialDocument, date: jianguan_domain::Date) {
    if let Some(signature) = &mut doc.signature {
        signature.date = jianguan_domain::fmt::date_cn(date);
    }
    if let Some(record) = &mut doc.record {
        record.printed_on = jianguan_domain::fmt::date_cn(date);
    }
}

/// Puts maps (SVG and caption each, from `jianguan_app::maps`) into `doc` under a heading
/// 分布图, before the first-level heading `before` (at the end when there is none). Without
/// the `svg-png` feature there is no way to draw them, and the document says where they were
/// left out.
pub fn insert_maps(
    doc: &mut crate::docx::OfficialDocument,
    maps: &[(String, String)],
    before: &str,
) -> Result<(), crate::docx::DocxError> {
    use crate::docx::{Block, HeadingLevel};
    if maps.is_empty() {
        return Ok(());
    }
    let mut blocks = vec![Block::heading(HeadingLevel::First, "分布图")];
    for (svg, caption) in maps {
        blocks.push(map_block(svg, caption)?);
    }
    let at = doc
        .blocks
        .iter()
        .position(
            |b| matches!(b, Block::Heading { level: HeadingLevel::First, text } if text == before),
        )
        .unwrap_or(doc.blocks.len());
    doc.blocks.splice(at..at, blocks);
    Ok(())
}

/// A map as a picture 156 mm wide (the text block's width) with its caption.
#[cfg(feature = "svg-png")]
fn map_block(svg: &str, caption: &str) -> Result<crate::docx::Block, crate::docx::DocxError> {
    Ok(crate::docx::Block::Image(crate::docx::Image::from_svg(
        svg,
        156.0,
        Some(caption.to_string()),
    )?))
}

/// Without the `svg-png` feature a map cannot be drawn: its caption stands as a placeholder.
#[cfg(not(feature = "svg-png"))]
fn map_block(_svg: &str, caption: &str) -> Result<crate::docx::Block, crate::docx::DocxError> {
    Ok(crate::docx::Block::Placeholder(format!("地图：{caption}")))
}

#[cfg(test)]
mod map_tests {
    use crate::docx::{Block, HeadingLevel, OfficialDocument};

    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" width="40" height="20"><rect width="40" height="20" fill="#1a9641"/></svg>"##;

    fn doc() -> OfficialDocument {
        OfficialDocument {
            title: "测试".into(),
            blocks: vec![
                Block::heading(HeadingLevel::First, "总体进展"),
                Block::heading(HeadingLevel::First, "逾期与风险"),
            ],
            ..OfficialDocument::default()
        }
    }

    fn headings(doc: &OfficialDocument) -> Vec<String> {
        doc.blocks
            .iter()
            .map(|b| match b {
                Block::Heading { text, .. } => text.clone(),
                Block::Image(_) => "图".into(),
                _ => "其他".into(),
            })
            .collect()
    }

    #[test]
    fn maps_go_before_the_heading_named_or_at_the_end() {
        let maps = vec![(SVG.to_string(), "图一".to_string()); 2];
        let mut d = doc();
        super::insert_maps(&mut d, &maps, "逾期与风险").expect("maps");
        assert_eq!(
            headings(&d),
            ["总体进展", "分布图", "图", "图", "逾期与风险"]
        );
        let mut d = doc();
        super::insert_maps(&mut d, &maps, "没有这一节").expect("maps");
        assert_eq!(
            headings(&d),
            ["总体进展", "逾期与风险", "分布图", "图", "图"]
        );
        let mut d = doc();
        super::insert_maps(&mut d, &[], "逾期与风险").expect("nothing");
        assert_eq!(
            headings(&d),
            ["总体进展", "逾期与风险"],
            "no maps, no heading"
        );
    }
}
