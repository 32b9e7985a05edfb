//! The weekly dispatch pack (调度会材料) as a Word document: the headline and what changed since
//! the last meeting, the league tables with their lights, overdue milestones, new and escalated
//! warnings, items past their deadline or stuck, the last period's filing, and the supervision
//! items of earlier meetings still open — every line a field of the domain's
//! [`DispatchPack`].

use jianguan_domain::dispatch::{DispatchPack, ItemLine, LeagueRow, MilestoneLine};
use jianguan_domain::fmt;

use crate::docx::{Align, Block, Column, HeadingLevel, OfficialDocument, Signature, Table};

/// The most rows a list shows in the document (the page and the JSON carry every row).
const MAX_ROWS: usize = 30;

fn league(title: &str, first: &str, rows: &[LeagueRow]) -> Table {
    let num = |h: &str| Column::new(h, Align::Right);
    Table {
        title: Some(title.into()),
        columns: vec![
            num("序号").weight(0.6),
            Column::new(first, Align::Left).weight(1.8),
            num("项目数"),
            num("节点完成率"),
            num("项目完成率"),
            num("投资完成率"),
            num("逾期节点"),
            Column::new("亮灯", Align::Center).weight(0.7),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.name.clone(),
                    r.projects.to_string(),
                    fmt::rate(r.node_completion),
                    fmt::rate(r.project_completion),
                    fmt::rate(r.investment_completion),
                    r.overdue_milestones.to_string(),
                    r.light.label().to_string(),
                ]
            })
            .collect(),
    }
}

fn milestones(title: &str, rows: &[MilestoneLine]) -> Table {
    Table {
        title: Some(title.into()),
        columns: vec![
            Column::new("项目", Align::Left).weight(2.4),
            Column::new("县区", Align::Left),
            Column::new("节点", Align::Left),
            Column::new("计划日期", Align::Center).weight(1.2),
            Column::new("逾期天数", Align::Right),
            Column::new("警示", Align::Center),
        ],
        rows: rows
            .iter()
            .take(MAX_ROWS)
            .map(|m| {
                vec![
                    m.project.name.clone(),
                    m.project.district.clone(),
                    m.milestone.clone(),
                    m.planned.to_string(),
                    m.days_overdue.to_string(),
                    m.level.map_or("—".into(), |l| l.label().to_string()),
                ]
            })
            .collect(),
    }
}

fn items(title: &str, rows: &[ItemLine]) -> Table {
    Table {
        title: Some(title.into()),
        columns: vec![
            Column::new("事项", Align::Left).weight(2.6),
            Column::new("类别", Align::Center),
            Column::new("承办单位", Align::Left).weight(1.4),
            Column::new("期限", Align::Center).weight(1.2),
            Column::new("逾期天数", Align::Right),
        ],
        rows: rows
            .iter()
            .take(MAX_ROWS)
            .map(|i| {
                vec![
                    i.title.clone(),
                    i.kind.label().to_string(),
                    i.owner.clone(),
                    i.deadline.to_string(),
                    i.days_overdue.max(0).to_string(),
                ]
            })
            .collect(),
    }
}

fn more(total: usize) -> Option<Block> {
    (total > MAX_ROWS).then(|| {
        Block::paragraph(format!(
            "（共{total}条，此处列出前{MAX_ROWS}条，全部见平台调度页面。）"
        ))
    })
}

/// The pack as a document issued by `issuer`.
pub fn dispatch(pack: &DispatchPack, issuer: &str) -> OfficialDocument {
    let c = &pack.changes;
    let mut blocks = vec![Block::paragraph(format!(
        "截至{}，全市节点完成率{}，按期完成率{}，项目完成率{}，投资完成率{}，完工项目{}个，逾期节点{}个。与上次调度会（{}）相比，本周完成节点{}个，完工项目{}个，新开督办、协调、整改事项{}个，办结{}个。",
        fmt::date_cn(c.now.as_of),
        fmt::rate(c.now.node_completion),
        fmt::rate(c.now.on_time),
        fmt::rate(c.now.project_completion),
        fmt::rate(c.now.investment_completion),
        c.now.finished_projects,
        c.now.overdue_milestones,
        fmt::date_cn(c.before.as_of),
        c.milestones_reached,
        c.projects_finished.len(),
        c.items_opened,
        c.items_closed,
    ))];
    blocks.push(Block::heading(HeadingLevel::First, "进度排名"));
    blocks.push(Block::Table(league(
        "分县区进度",
        "县区",
        &pack.district_league,
    )));
    blocks.push(Block::Table(league(
        "分类别进度",
        "类别",
        &pack.category_league,
    )));
    blocks.push(Block::heading(HeadingLevel::First, "逾期与风险"));
    let open: Vec<String> = pack
        .open_warnings_by_level
        .iter()
        .map(|(level, n)| format!("{}{n}个", level.label()))
        .collect();
    blocks.push(Block::paragraph(format!(
        "本周新发警示{}个、升级{}个；周末在办警示：{}。逾期节点{}个，风险节点{}个。",
        pack.new_warnings.len(),
        pack.escalated_warnings.len(),
        if open.is_empty() {
            "无".into()
        } else {
            open.join("，")
        },
        pack.overdue_milestones.len(),
        pack.at_risk_milestones.len()
    )));
    if !pack.overdue_milestones.is_empty() {
        blocks.push(Block::Table(milestones(
            "逾期节点",
            &pack.overdue_milestones,
        )));
        blocks.extend(more(pack.overdue_milestones.len()));
    }
    blocks.push(Block::heading(HeadingLevel::First, "督办协调事项"));
    if let Some(f) = &pack.filing {
        blocks.push(Block::paragraph(format!(
            "第{}期填报（截止{}）应报{}个，按时{}个，迟报{}个，漏报{}个。",
            f.period_seq,
            fmt::date_cn(f.deadline),
            f.expected,
            f.on_time,
            f.late,
            f.missing
        )));
    }
    for (title, rows) in [
        ("逾期未办结事项", &pack.items_past_deadline),
        ("卡壳事项", &pack.stuck_items),
        ("督办、约谈（未办结）", &pack.open_supervision_items),
        ("本周签发的督办、约谈", &pack.acts_issued),
    ] {
        if rows.is_empty() {
            blocks.push(Block::paragraph(format!("{title}：无。")));
        } else {
            blocks.push(Block::Table(items(title, rows)));
            blocks.extend(more(rows.len()));
        }
    }
    if !pack.proposals.is_empty() {
        let shown: Vec<String> = pack
            .proposals
            .iter()
            .take(10)
            .map(|x| format!("{}（{}）", x.title, x.unit))
            .collect();
        blocks.push(Block::paragraph(format!(
            "按警示规则，本周提出督办、约谈建议{}条，请会议研究，由指挥部办公室签发或不予签发：{}{}。",
            pack.proposals.len(),
            shown.join("；"),
            if pack.proposals.len() > shown.len() { "等" } else { "" }
        )));
    }
    blocks.push(Block::heading(HeadingLevel::First, "本次调度会议定事项"));
    blocks.push(Block::placeholder("会议议定事项，会后录入平台形成督办事项"));
    super::finish(OfficialDocument {
        issuer: None,
        doc_number: None,
        title: format!(
            "城市建管提升行动第{}周调度会材料",
            pack.week.rsplit('W').next().unwrap_or(&pack.week)
        ),
        addressee: None,
        blocks,
        attachments: Vec::new(),
        signature: Some(Signature {
            signer: issuer.to_string(),
            date: fmt::date_cn(pack.to),
        }),
        note: None,
        record: None,
    })
}
