//! The cadence's commands: the weekly dispatch pack as text or JSON, the daily warning job run
//! by hand (or to catch up a range of days), and the warning rules' settings.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use jianguan_app::Clock;
use jianguan_app::cadence::{self, RulesSaved, WARNING_RULES_KEY};
use jianguan_domain::Date;
use jianguan_domain::dispatch::{DispatchPack, Extent, ItemLine, MilestoneLine, Week};
use jianguan_domain::fmt;
use jianguan_domain::i18n::Lang;
use jianguan_domain::store::prelude::*;

/// `jianguan dispatch`: prints the pack of `week`.
pub async fn dispatch(db: &str, week: &str, json: bool, lang: Lang) -> Result<()> {
    let week = Week::parse(week).map_err(anyhow::Error::msg)?;
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    let pack = build_pack(&store, week).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&pack)?);
    } else {
        print!("{}", render_text(&pack, lang));
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
        Extent::Full,
        None,
    ))
}

fn percent(v: Option<f64>) -> String {
    fmt::rate(v)
}

fn milestone_line(out: &mut String, m: &MilestoneLine, lang: Lang) {
    let _ = writeln!(
        out,
        "  {} {}{}{}{}{}",
        m.project.code,
        m.project.name,
        lang.tn2("（{n}·{m}）", &m.project.district, &m.project.unit),
        lang.tn2("「{n}」计划 {m}，", &m.milestone, m.planned),
        if m.days_overdue >= 0 {
            lang.tn("逾期 {n} 天", m.days_overdue)
        } else {
            lang.tn("{n} 天后到期", -m.days_overdue)
        },
        m.level
            .map(|l| format!(" [{}]", lang.t(l.label())))
            .unwrap_or_default()
    );
}

fn item_line(out: &mut String, i: &ItemLine, lang: Lang) {
    let _ = writeln!(
        out,
        "  #{} {}{}{}{}{}{}{}",
        i.id,
        lang.tn2("{n}：{m}", lang.t(i.kind.label()), &i.title),
        lang.tn2("（{n}，{m}跟踪，", &i.owner, lang.t(&i.level)),
        lang.tn("期限 {n}", i.deadline),
        if i.days_overdue > 0 {
            lang.tn("，逾期 {n} 天", i.days_overdue)
        } else {
            String::new()
        },
        if i.days_without_movement > 0 {
            lang.tn("，{n} 天无进展", i.days_without_movement)
        } else {
            String::new()
        },
        lang.t("）"),
        if i.bodies.is_empty() {
            String::new()
        } else {
            lang.tn(" 涉及：{n}", i.bodies.join(lang.t("、")))
        }
    );
}

/// The pack as plain text, section by section, in the order the meeting takes them.
pub fn render_text(p: &DispatchPack, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}",
        lang.tn("调度会材料 {n}", &p.week),
        lang.tn2("（{n} 至 {m}）", p.from, p.to)
    );
    let c = &p.changes;
    let _ = writeln!(
        out,
        "\n{}",
        lang.tn("一、总体进展（较上周 {n}）", c.before.as_of)
    );
    let _ = writeln!(
        out,
        "  {}  {}  {}  {}",
        lang.tn2(
            "节点完成率 {n}（上周 {m}）",
            percent(c.now.node_completion),
            percent(c.before.node_completion)
        ),
        lang.tn("按期完成率 {n}", percent(c.now.on_time)),
        lang.tn2(
            "项目完成率 {n}（完工 {m} 个）",
            percent(c.now.project_completion),
            c.now.finished_projects
        ),
        lang.tn("投资完成率 {n}", percent(c.now.investment_completion))
    );
    let _ = writeln!(
        out,
        "  {}{}",
        lang.tn2(
            "本周完成节点 {n} 个，完工项目 {m} 个；",
            c.milestones_reached,
            c.projects_finished.len()
        ),
        lang.tn2(
            "新开事项 {n} 件，办结 {m} 件",
            c.items_opened,
            c.items_closed
        )
    );
    let _ = writeln!(
        out,
        "\n{}",
        lang.tn("二、逾期节点（{n} 个）", p.overdue_milestones.len())
    );
    for m in &p.overdue_milestones {
        milestone_line(&mut out, m, lang);
    }
    let _ = writeln!(
        out,
        "\n{}",
        lang.tn("三、风险节点（{n} 个）", p.at_risk_milestones.len())
    );
    for m in &p.at_risk_milestones {
        milestone_line(&mut out, m, lang);
    }
    let _ = writeln!(
        out,
        "\n{}{}",
        lang.tn2(
            "四、本周警示：新发 {n} 条，升级 {m} 条；",
            p.new_warnings.len(),
            p.escalated_warnings.len()
        ),
        lang.tn(
            "在办 {n}",
            p.open_warnings_by_level
                .iter()
                .map(|(l, n)| format!("{} {n}", lang.t(l.label())))
                .collect::<Vec<_>>()
                .join(lang.t("、"))
        )
    );
    for w in p.new_warnings.iter().chain(&p.escalated_warnings) {
        let _ = writeln!(
            out,
            "  {} {} {}{} → {}{}",
            w.on,
            w.project.code,
            lang.tn2("{n}「{m}」", &w.project.name, &w.milestone),
            w.previous.map_or("—", |l| lang.t(l.label())),
            lang.t(w.level.label()),
            lang.tn("：{n}", &w.reason)
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        lang.tn("五、逾期未办结事项（{n} 件）", p.items_past_deadline.len())
    );
    for i in &p.items_past_deadline {
        item_line(&mut out, i, lang);
    }
    let _ = writeln!(
        out,
        "\n{}",
        lang.tn("六、卡壳事项（{n} 件）", p.stuck_items.len())
    );
    for i in &p.stuck_items {
        item_line(&mut out, i, lang);
    }
    match &p.filing {
        Some(f) => {
            let _ = writeln!(
                out,
                "\n{}{}{}",
                lang.tn2("七、第{n}期填报（{m} 截止）：", f.period_seq, f.deadline),
                lang.tn2("应报 {n}，按时 {m}，", f.expected, f.on_time),
                lang.tn2("迟报 {n}，漏报 {m}", f.late, f.missing)
            );
            for (unit, late, missing) in &f.units_behind {
                let _ = writeln!(
                    out,
                    "  {unit}{}",
                    lang.tn2("：迟报 {n}，漏报 {m}", late, missing)
                );
            }
        }
        None => {
            let _ = writeln!(out, "\n{}", lang.t("七、填报：本年尚无截止的期次"));
        }
    }
    for (title, rows) in [
        (lang.t("八、县区排名"), &p.district_league),
        (lang.t("九、类别排名"), &p.category_league),
    ] {
        let _ = writeln!(
            out,
            "\n{title}\n  {}",
            lang.t("名次\t名称\t项目\t节点完成率\t按期完成率\t项目完成率\t逾期节点\t亮灯")
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
                lang.t(r.light.label())
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        lang.tn2(
            "十、督办、约谈（在办 {n} 件，本周签发 {m} 件）",
            p.open_supervision_items.len(),
            p.acts_issued.len()
        )
    );
    for i in &p.open_supervision_items {
        item_line(&mut out, i, lang);
    }
    if !p.proposals.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            lang.tn(
                "十一、督办约谈建议（{n} 条，待办公室签发或不予签发）",
                p.proposals.len()
            )
        );
        for x in &p.proposals {
            let _ = writeln!(
                out,
                "  {} {} · {}{}",
                lang.t(x.act.label()),
                x.unit,
                x.title,
                lang.tn("（{n}）", &x.reason)
            );
        }
    }
    out
}

/// `jianguan warnings run`: the daily job for each day from `from` to `to`.
pub async fn warnings_run(db: &str, from: Date, to: Option<Date>, lang: Lang) -> Result<()> {
    let to = to.unwrap_or(from);
    anyhow::ensure!(from <= to, "--to ({to}) is before --date ({from})");
    let store = crate::backup::open_for_writing(db, lang)
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
        "{}{}{}",
        lang.tn2("已运行警示任务 {n} 至 {m}：", from, to),
        lang.tn2("警示变化 {n} 条，事项升级 {m} 件，", events, escalations),
        lang.tn(
            "用时 {n} 秒",
            format!("{:.2}", started.elapsed().as_secs_f64())
        )
    );
    store.close().await;
    Ok(())
}

/// `jianguan rules show`: the warning rules in force.
pub async fn rules_show(db: &str, lang: Lang) -> Result<()> {
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    match store.setting(WARNING_RULES_KEY).await? {
        Some(saved) => {
            eprintln!(
                "{}",
                lang.tn2("第 {n} 版，{m} 保存", saved.version, &saved.saved_by)
            );
            print!("{}", saved.body);
        }
        None => {
            eprintln!("{}", lang.t("尚未保存规则，使用默认规则："));
            print!("{}", jianguan_domain::warnings::DEFAULT_RULES_TOML);
        }
    }
    store.close().await;
    Ok(())
}

/// `jianguan rules set FILE`: validates and saves a new version of the warning rules (the same
/// gate as the settings page: the rules' version must rise); a refused file names the line and
/// reason and changes nothing.
pub async fn rules_set(db: &str, file: &std::path::Path, by: &str, lang: Lang) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = crate::backup::open_for_writing(db, lang)
        .await
        .context("opening the database")?;
    let saved = cadence::save_warning_rules(&store, Clock::system(), &text, by, None)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    match saved {
        RulesSaved::Unchanged => println!("{}", lang.t("规则与正在执行的相同，未保存新版本")),
        RulesSaved::Saved {
            setting,
            rules_version,
        } => println!(
            "{}",
            lang.tn2(
                "已保存警示规则（存储第 {n} 版，规则 version = {m}）",
                setting.version,
                rules_version
            )
        ),
    }
    store.close().await;
    Ok(())
}

/// `jianguan calendar show`: the calendar in force and, for `year`, its periods.
pub async fn calendar_show(db: &str, year: Option<i16>, lang: Lang) -> Result<()> {
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    let (calendar, version) = cadence::calendar_in_force(&store).await?;
    match version {
        Some(v) => eprintln!("{}", lang.tn("填报日历第 {n} 版", v)),
        None => eprintln!("{}", lang.t("尚未保存填报日历，使用默认日历")),
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
        println!("{}", lang.tn("{n} 年尚未开设期次；按现行日历将为：", year));
        calendar.periods(year, 1)
    } else {
        println!("{}", lang.tn("{n} 年期次（已开设）：", year));
        stored.into_iter().cloned().collect()
    };
    for p in periods {
        println!(
            "  {}{}{}",
            lang.tn("第{n}期", format!("{:>2}", p.seq)),
            lang.tn2(" {n} 至 {m}，", p.start, p.end),
            lang.tn2("{n} {m} 前报送", p.deadline, calendar.deadline_time)
        );
    }
    store.close().await;
    Ok(())
}

/// `jianguan calendar set FILE`: validates and saves a new version of the calendar.
pub async fn calendar_set(db: &str, file: &std::path::Path, by: &str, lang: Lang) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = crate::backup::open_for_writing(db, lang)
        .await
        .context("opening the database")?;
    let saved = cadence::save_calendar(&store, Clock::system(), &text, by)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!("{}", lang.tn("已保存填报日历（第 {n} 版）", saved.version));
    store.close().await;
    Ok(())
}

/// `jianguan calendar open --year Y`: lays out year Y's reporting periods from the calendar in
/// force (refused if the year already has periods), then carries the previous year's unfinished
/// projects into Y as draft plans (as `jianguan plan carry-over --from Y-1` does; running that
/// again later adds only what is still missing).
pub async fn calendar_open(db: &str, year: i16, by: &str, lang: Lang) -> Result<()> {
    let store = crate::backup::open_for_writing(db, lang)
        .await
        .context("opening the database")?;
    let count = cadence::open_year(&store, year, by).await?;
    println!("{}", lang.tn2("已开设 {n} 年 {m} 个填报期次", year, count));
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
            "{}{}",
            lang.tn2("已将 {n} 年未完成的 {m} 个项目", year - 1, carried),
            lang.tn(
                "结转为 {n} 年草拟计划：请各单位补填年度投资后报送，由指挥部办公室批准",
                year
            )
        );
    }
    store.close().await;
    Ok(())
}
