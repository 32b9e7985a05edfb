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
