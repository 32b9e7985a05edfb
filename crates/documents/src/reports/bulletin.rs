//! The monthly assessment bulletin (月度考评通报): the league tables of the month's published
//! (or draft) runs, the reward and accountability lists with their reasons, and the office's
//! requirements left for the writer.

use jianguan_domain::assessment::{ListEntry, ListReason, ScoreRun, default_dictionary};
use jianguan_domain::fmt;

use crate::docx::{
    Align, Block, Column, HeadingLevel, OfficialDocument, Record, Run, Signature, Table,
};

/// What a bulletin is drafted from.
pub struct BulletinInput<'a> {
    /// The month's runs, districts first (one per kind scored).
    pub runs: &'a [ScoreRun],
    /// The issuing office.
    pub issuer: &'a str,
    /// The document number, e.g. 示建管办〔2021〕45号; when not given, the office's prefix and
    /// the year with the sequence left blank for the office to fill in at issue
    /// (示建管办〔2021〕　号).
    pub doc_number: Option<String>,
    /// The day of the bulletin.
    pub dated: jianguan_domain::Date,
}

/// The prefix of the office's document numbers (发文机关代字).
pub const DEFAULT_NUMBER_PREFIX: &str = "示建管办";

/// Who receives a copy of the bulletin (抄送机关).
pub const BULLETIN_COPIES: [&str; 4] = [
    "市委办公室",
    "市人大常委会办公室",
    "市政府办公室",
    "市政协办公室",
];

/// A document number with its sequence left blank: 示建管办〔2021〕　号.
pub fn blank_doc_number(year: i16) -> String {
    format!("{DEFAULT_NUMBER_PREFIX}〔{year}〕\u{3000}号")
}

fn reasons(entry: &ListEntry) -> String {
    let dictionary = default_dictionary();
    entry
        .reasons
        .iter()
        .map(|r| match r {
            ListReason::Top { rank } => format!("总分第{rank}名"),
            ListReason::Bottom { rank } => format!("总分第{rank}名，居后"),
            ListReason::Flagged {
                indicator, count, ..
            } => format!(
                "当月{}{count:.0}次",
                dictionary
                    .get(indicator)
                    .map_or(indicator.as_str(), |i| i.name.as_str())
            ),
        })
        .collect::<Vec<_>>()
        .join("，")
}

fn league(run: &ScoreRun) -> Table {
    let num = |h: &str| Column::new(h, Align::Right);
    Table {
        title: Some(format!(
            "{}年{}月{}考评结果",
            run.month.year(),
            run.month.month(),
            run.kind.label()
        )),
        columns: vec![
            num("名次").weight(0.7),
            Column::new(run.kind.label(), Align::Left).weight(1.8),
            num("基础分"),
            num("扣分"),
            num("加分"),
            num("总分"),
            Column::new("等次", Align::Center).weight(0.8),
            Column::new("较上月", Align::Center),
        ],
        rows: run
            .scores
            .subjects
            .iter()
            .map(|c| {
                vec![
                    c.rank.map_or("—".into(), |r| r.to_string()),
                    c.subject.name.clone(),
                    format!("{:.2}", c.base),
                    format!("{:.2}", c.deducted),
                    format!("{:.2}", c.added),
                    format!("{:.2}", c.total),
                    c.tier.clone().unwrap_or_else(|| "—".into()),
                    c.trend
                        .as_ref()
                        .map_or("—".into(), |t| match t.rank_change {
                            Some(r) if r > 0 => format!("↑{r}"),
                            Some(r) if r < 0 => format!("↓{}", -r),
                            _ => "—".into(),
                        }),
                ]
            })
            .collect(),
    }
}

/// The bulletin of the month of `input.runs`.
pub fn bulletin(input: &BulletinInput<'_>) -> OfficialDocument {
    let Some(first) = input.runs.first() else {
        return OfficialDocument {
            title: "月度考评通报".into(),
            blocks: vec![Block::placeholder("该月尚未计分")],
            ..OfficialDocument::default()
        };
    };
    let month = first.month;
    let mut blocks = vec![Block::paragraph(format!(
        "根据《{}》，指挥部办公室对各县（区）和市直牵头单位{}年{}月城市建管提升行动工作进行了考评{}。现将结果通报如下：",
        first.scores.scheme.name,
        month.year(),
        month.month(),
        if first.published {
            String::new()
        } else {
            "（本结果尚未发布，仅供核对）".into()
        }
    ))];
    blocks.push(Block::heading(HeadingLevel::First, "考评结果"));
    for run in input.runs {
        blocks.push(Block::Table(league(run)));
        if let Some(reason) = &run.correction_reason {
            blocks.push(Block::paragraph(format!(
                "本结果为更正后第{}版，更正理由：{reason}。",
                run.version
            )));
        }
    }
    blocks.push(Block::heading(HeadingLevel::First, "表扬与问责"));
    for run in input.runs {
        let names = |list: &[ListEntry]| {
            list.iter()
                .map(|e| format!("{}（{}）", e.subject.name, reasons(e)))
                .collect::<Vec<_>>()
                .join("、")
        };
        let reward = names(&run.scores.reward);
        let account = names(&run.scores.accountability);
        blocks.push(Block::Paragraph(vec![
            Run::bold(format!("{}：", run.kind.label())),
            Run::plain(format!(
                "予以通报表扬的：{}。列入问责名单的：{}。",
                if reward.is_empty() {
                    "无".into()
                } else {
                    reward
                },
                if account.is_empty() {
                    "无".into()
                } else {
                    account
                }
            )),
        ]));
    }
    blocks.push(Block::heading(HeadingLevel::First, "有关要求"));
    blocks.push(Block::placeholder(
        "对排名靠后、列入问责名单的单位提出整改要求，由办公室撰写",
    ));
    blocks.push(Block::paragraph(format!(
        "对考评结果有异议的，请于结果发布之日起{}日内向指挥部办公室提出申诉，并附佐证材料。",
        first.scores.scheme.objection_window_days
    )));
    super::finish(OfficialDocument {
        issuer: Some(input.issuer.to_string()),
        doc_number: Some(
            input
                .doc_number
                .clone()
                .unwrap_or_else(|| blank_doc_number(input.dated.year())),
        ),
        title: format!(
            "关于{}年{}月城市建管提升行动\n月度考评结果的通报",
            month.year(),
            month.month()
        ),
        addressee: Some("各县（区）城市建管提升行动指挥部，市直各牵头单位".into()),
        blocks,
        attachments: Vec::new(),
        signature: Some(Signature {
            signer: input.issuer.to_string(),
            date: fmt::date_cn(input.dated),
        }),
        note: None,
        record: Some(Record {
            copies_to: BULLETIN_COPIES.iter().map(|s| s.to_string()).collect(),
            printer: input.issuer.to_string(),
            printed_on: fmt::date_cn(input.dated),
        }),
    })
}
