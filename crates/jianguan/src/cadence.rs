//! The cadence's commands: the weekly dispatch pack as text or JSON, the daily warning job run
//! by hand (or to catch up a range of days), and the warning rules' settings.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use jianguan_app::Clock;
use jianguan_app::cadence::{self, RulesSaved, WARNING_RULES_KEY};
use jianguan_domain::Date;
use jianguan_domain::dispatch::{DispatchPack, ItemLine, MilestoneLine, Week};
use jianguan_domain::fmt;
use jianguan_domain::store::prelude::*;

/// `jianguan dispatch`: prints the pack of `week`.
pub async fn dispatch(db: &str, week: &str, json: bool) -> Result<()> {
    let week = Week::parse(week).map_err(anyhow::Error::msg)?;
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    let pack = build_pack(&store, week).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&pack)?);
    } else {
        print!("{}", render_text(&pack));
    }
    store.close().await;
    Ok(())
}

/// Reads what a pack needs and builds it.
pub async fn build_pack(store: &jianguan_store::Db, week: Week) -> Result<DispatchPack> {
    let snapshot = jianguan_app::Snapshot::load(store).await?;
    let records = cadence::load(store, snapshot.version).await?;
    let filings = records
        .pack_filings(store, &snapshot.portfolio, week)
        .await?;
    Ok(cadence::dispatch_pack(
        &snapshot.portfolio,
        &snapshot.ledger,
        &records,
        &filings,
        week,
    ))
}

fn percent(v: Option<f64>) -> String {
    fmt::rate(v)
}

fn milestone_line(out: &mut String, m: &MilestoneLine) {
    let _ = writeln!(
        out,
        "  {} {}（{}·{}）「{}」计划 {}，{}{}",
        m.project.code,
        m.project.name,
        m.project.district,
        m.project.unit,
        m.milestone,
        m.planned,
        if m.days_overdue >= 0 {
            format!("逾期 {} 天", m.days_overdue)
        } else {
            format!("{} 天后到期", -m.days_overdue)
        },
        m.level
            .map(|l| format!(" [{}]", l.label()))
            .unwrap_or_default()
    );
}

fn item_line(out: &mut String, i: &ItemLine) {
    let _ = writeln!(
        out,
        "  #{} {}：{}（{}，{}跟踪，期限 {}{}{}）{}",
        i.id,
        i.kind.label(),
        i.title,
        i.owner,
        i.level,
        i.deadline,
        if i.days_overdue > 0 {
            format!("，逾期 {} 天", i.days_overdue)
        } else {
            String::new()
        },
        if i.days_without_movement > 0 {
            format!("，{} 天无进展", i.days_without_movement)
        } else {
            String::new()
        },
        if i.bodies.is_empty() {
            String::new()
        } else {
            format!(" 涉及：{}", i.bodies.join("、"))
        }
    );
}

/// The pack as plain text, section by section, in the order the meeting takes them.
pub fn render_text(p: &DispatchPack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "调度会材料 {}（{} 至 {}）", p.week, p.from, p.to);
    let c = &p.changes;
    let _ = writeln!(
        out,
        "\n一、总体进展（较上周 {}）\n  节点完成率 {}（上周 {}）  按期完成率 {}  项目完成率 {}（完工 {} 个）  投资完成率 {}\n  本周完成节点 {} 个，完工项目 {} 个；新开事项 {} 件，办结 {} 件",
        c.before.as_of,
        percent(c.now.node_completion),
        percent(c.before.node_completion),
        percent(c.now.on_time),
        percent(c.now.project_completion),
        c.now.finished_projects,
        percent(c.now.investment_completion),
        c.milestones_reached,
        c.projects_finished.len(),
        c.items_opened,
        c.items_closed
    );
    let _ = writeln!(out, "\n二、逾期节点（{} 个）", p.overdue_milestones.len());
    for m in &p.overdue_milestones {
        milestone_line(&mut out, m);
    }
    let _ = writeln!(out, "\n三、风险节点（{} 个）", p.at_risk_milestones.len());
    for m in &p.at_risk_milestones {
        milestone_line(&mut out, m);
    }
    let _ = writeln!(
        out,
        "\n四、本周警示：新发 {} 条，升级 {} 条；在办 {}",
        p.new_warnings.len(),
        p.escalated_warnings.len(),
        p.open_warnings_by_level
            .iter()
            .map(|(l, n)| format!("{} {n}", l.label()))
            .collect::<Vec<_>>()
            .join("、")
    );
    for w in p.new_warnings.iter().chain(&p.escalated_warnings) {
        let _ = writeln!(
            out,
            "  {} {} {}「{}」{} → {}：{}",
            w.on,
            w.project.code,
            w.project.name,
            w.milestone,
            w.previous.map_or("—", |l| l.label()),
            w.level.label(),
            w.reason
        );
    }
    let _ = writeln!(
        out,
        "\n五、逾期未办结事项（{} 件）",
        p.items_past_deadline.len()
    );
    for i in &p.items_past_deadline {
        item_line(&mut out, i);
    }
    let _ = writeln!(out, "\n六、卡壳事项（{} 件）", p.stuck_items.len());
    for i in &p.stuck_items {
        item_line(&mut out, i);
    }
    match &p.filing {
        Some(f) => {
            let _ = writeln!(
                out,
                "\n七、第{}期填报（{} 截止）：应报 {}，按时 {}，迟报 {}，漏报 {}",
                f.period_seq, f.deadline, f.expected, f.on_time, f.late, f.missing
            );
            for (unit, late, missing) in &f.units_behind {
                let _ = writeln!(out, "  {unit}：迟报 {late}，漏报 {missing}");
            }
        }
        None => {
            let _ = writeln!(out, "\n七、填报：本年尚无截止的期次");
        }
    }
    for (title, rows) in [
        ("八、县区排名", &p.district_league),
        ("九、类别排名", &p.category_league),
    ] {
        let _ = writeln!(
            out,
            "\n{title}\n  名次\t名称\t项目\t节点完成率\t按期完成率\t项目完成率\t逾期节点\t亮灯"
        );
        for r in rows {
            let _ = writeln!(
                out,
                "  {}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.rank,
                r.name,
                r.projects,
                percent(r.node_completion),
                percent(r.on_time),
                percent(r.project_completion),
                r.overdue_milestones,
                r.light.label()
            );
        }
    }
    let _ = writeln!(
        out,
        "\n十、督办、约谈（在办 {} 件，本周签发 {} 件）",
        p.open_supervision_items.len(),
        p.acts_issued.len()
    );
    for i in &p.open_supervision_items {
        item_line(&mut out, i);
    }
    if !p.proposals.is_empty() {
        let _ = writeln!(
            out,
            "\n十一、督办约谈建议（{} 条，待办公室签发或不予签发）",
            p.proposals.len()
        );
        for x in &p.proposals {
            let _ = writeln!(
                out,
                "  {} {} · {}（{}）",
                x.act.label(),
                x.unit,
                x.title,
                x.reason
            );
        }
    }
    out
}

/// `jianguan warnings run`: the daily job for each day from `from` to `to`.
pub async fn warnings_run(db: &str, from: Date, to: Option<Date>) -> Result<()> {
    let to = to.unwrap_or(from);
    anyhow::ensure!(from <= to, "--to ({to}) is before --date ({from})");
    let store = crate::backup::open_for_writing(db)
        .await
        .context("opening the database")?;
    // The ladder reads the records; no report version is scanned for it.
    let records = store.load_records().await?;
    let mut day = from;
    let (mut events, mut escalations) = (0, 0);
    let started = std::time::Instant::now();
    let mut job = cadence::WarningJob::load(&store).await?;
    while day <= to {
        let o = job
            .run_day(&store, &records, day, Clock::system().now_ms())
            .await?;
        events += o.warning_events;
        escalations += o.escalations;
        day = day.tomorrow()?;
    }
    println!(
        "已运行警示任务 {from} 至 {to}：警示变化 {events} 条，事项升级 {escalations} 件，用时 {:.2} 秒",
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

/// `jianguan rules show`: the warning rules in force.
pub async fn rules_show(db: &str) -> Result<()> {
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    match store.setting(WARNING_RULES_KEY).await? {
        Some(saved) => {
            eprintln!("第 {} 版，{} 保存", saved.version, saved.saved_by);
            print!("{}", saved.body);
        }
        None => {
            eprintln!("尚未保存规则，使用默认规则：");
            print!("{}", jianguan_domain::warnings::DEFAULT_RULES_TOML);
        }
    }
    store.close().await;
    Ok(())
}

/// `jianguan rules set FILE`: validates and saves a new version of the warning rules (the same
/// gate as the settings page: the rules' version must rise); a refused file names the line and
/// reason and changes nothing.
pub async fn rules_set(db: &str, file: &std::path::Path, by: &str) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = crate::backup::open_for_writing(db)
        .await
        .context("opening the database")?;
    let saved = cadence::save_warning_rules(&store, Clock::system(), &text, by, None)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    match saved {
        RulesSaved::Unchanged => println!("规则与正在执行的相同，未保存新版本"),
        RulesSaved::Saved {
            setting,
            rules_version,
        } => println!(
            "已保存警示规则（存储第 {} 版，规则 version = {rules_version}）",
            setting.version
        ),
    }
    store.close().await;
    Ok(())
}

/// `jianguan calendar show`: the calendar in force and, for `year`, its periods.
pub async fn calendar_show(db: &str, year: Option<i16>) -> Result<()> {
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    let (calendar, version) = cadence::calendar_in_force(&store).await?;
    match version {
        Some(v) => eprintln!("填报日历第 {v} 版"),
        None => eprintln!("尚未保存填报日历，使用默认日历"),
    }
    let portfolio = store.load_records().await?;
    let year =
        year.unwrap_or_else(|| portfolio.default_year(jianguan_app::clock::today_in_china()));
    let stored: Vec<_> = portfolio
        .periods
        .iter()
        .filter(|p| p.year == year)
        .collect();
    let periods = if stored.is_empty() {
        println!("{year} 年尚未开设期次；按现行日历将为：");
        calendar.periods(year, 1)
    } else {
        println!("{year} 年期次（已开设）：");
        stored.into_iter().cloned().collect()
    };
    for p in periods {
        println!(
            "  第{:>2}期 {} 至 {}，{} {} 前报送",
            p.seq, p.start, p.end, p.deadline, calendar.deadline_time
        );
    }
    store.close().await;
    Ok(())
}

/// `jianguan calendar set FILE`: validates and saves a new version of the calendar.
pub async fn calendar_set(db: &str, file: &std::path::Path, by: &str) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = crate::backup::open_for_writing(db)
        .await
        .context("opening the database")?;
    let saved = cadence::save_calendar(&store, Clock::system(), &text, by)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!("已保存填报日历（第 {} 版）", saved.version);
    store.close().await;
    Ok(())
}

/// `jianguan calendar open --year Y`: lays out year Y's reporting periods from the calendar in
/// force (refused if the year already has periods), then carries the previous year's unfinished
/// projects into Y as draft plans (as `jianguan plan carry-over --from Y-1` does; running that
/// again later adds only what is still missing).
pub async fn calendar_open(db: &str, year: i16, by: &str) -> Result<()> {
    let store = crate::backup::open_for_writing(db)
        .await
        .context("opening the database")?;
    let count = cadence::open_year(&store, year, by).await?;
    println!("已开设 {year} 年 {count} 个填报期次");
    // The carry-over reads the records (plans and milestones), no report version.
    let portfolio = store.load_records().await?;
    let carried = jianguan_app::plans::carry_over(
        &store,
        jianguan_app::Clock::system(),
        &portfolio,
        year - 1,
        by,
    )
    .await?;
    if carried > 0 {
        println!(
            "已将 {} 年未完成的 {carried} 个项目结转为 {year} 年草拟计划：请各单位补填年度投资后报送，由指挥部办公室批准",
            year - 1
        );
    }
    store.close().await;
    Ok(())
}
