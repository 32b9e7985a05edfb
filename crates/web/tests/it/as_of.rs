//! Figures that follow the records and the chosen date, through the real router on both
//! backends (issue 13): projects suspended through the ledger import leave the investment
//! completion rate as they leave every other denominator; a correction that no longer names a
//! milestone withdraws it from the API and every rate, at every "as of" date; a milestone another
//! period's report named cannot be withdrawn from this period's form; the tracked-item pages and
//! the filing desk read the 数据截至 date every page reads, and default to the same day.

use std::collections::HashMap;

use crate::common::*;
use axum::http::StatusCode;
use jianguan_domain::model::{Money, PlanKind, Project};
use jianguan_domain::rates::InvestmentLedger;
use serde_json::Value;

/// The ledger as the page exports it, rebuilt as a CSV with `edit` applied to its cells
/// (`edit(header, row, cell)` returns the new text of a cell, or `None` to keep it).
async fn ledger_csv(app: &App, edit: impl Fn(&str, &[String], &str) -> Option<String>) -> String {
    use calamine::{Reader, Xlsx};
    let r = app.get("office", "/ledger/export.xlsx").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes)).expect("an xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the ledger sheet");
    let mut header: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
        if cells.iter().any(|c| c == "暂缓日期") {
            header = cells.clone();
        }
        let edited: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let column = header.get(i).map_or("", String::as_str);
                let text = if header.is_empty() || header == cells {
                    c.clone()
                } else {
                    edit(column, &cells, c).unwrap_or_else(|| c.clone())
                };
                if text.contains([',', '"', '\n']) {
                    format!("\"{}\"", text.replace('"', "\"\""))
                } else {
                    text
                }
            })
            .collect();
        lines.push(edited.join(","));
    }
    assert!(!header.is_empty(), "the ledger has a 暂缓日期 column");
    lines.join("\n")
}

/// Uploads a ledger and confirms its preview, as the office does.
async fn import(app: &App, csv: String) {
    let r = app
        .post_multipart(
            "office",
            "/ledger/import",
            &[],
            &[("file", "台账.csv", csv.into_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r
        .body
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap_or_else(|| panic!("a confirmation token: {}", r.body))
        .to_string();
    let r = app
        .post("office", "/ledger/import/confirm", &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn stats_line<'a>(stats: &'a Value, list: &str, id: i64) -> &'a Value {
    array(stats, list)
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("{list} has {id}"))
}

fn int(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or_else(|| panic!("{key}: {v}"))
}

async fn suspending_projects_through_the_ledger_drops_their_investment_like_their_milestones(
    app: &App,
) {
    // Five projects of the 2021 construction plan with investment planned, suspended from
    // 1 August by the office's ledger.
    let suspended: Vec<&Project> = app
        .city
        .projects
        .iter()
        .map(|p| &**p)
        .filter(|p| p.id != app.project.id && p.suspended_on.is_none())
        .filter(|p| {
            p.plan_for(2021).is_some_and(|y| {
                y.kind == PlanKind::Construction && y.planned_investment > Money(0)
            })
        })
        .step_by(97)
        .take(5)
        .collect();
    assert_eq!(suspended.len(), 5);
    let codes: Vec<&str> = suspended.iter().map(|p| p.code.as_str()).collect();
    let ledger = InvestmentLedger::new(&app.city);
    let planned: i64 = suspended
        .iter()
        .map(|p| p.plan_for(2021).unwrap().planned_investment.0)
        .sum();
    let completed: i64 = suspended
        .iter()
        .map(|p| {
            ledger
                .in_year(p.id, 2021, jiff::civil::date(2021, 12, 31))
                .0
        })
        .sum();
    assert!(completed > 0, "the five have reported investment");

    let path = |as_of: &str| format!("/api/v1/stats?year=2021&as_of={as_of}");
    let before_end = app.json("leader", &path("2021-12-31")).await;
    let before_july = app.json("leader", &path("2021-07-31")).await;
    let code_col = "项目编号";
    let csv = ledger_csv(app, |column, row, _| {
        (column == "暂缓日期" && row.iter().any(|c| codes.contains(&c.as_str())))
            .then(|| "2021-08-01".to_string())
    })
    .await;
    assert!(csv.contains(code_col));
    import(app, csv).await;
    let after_end = app.json("leader", &path("2021-12-31")).await;
    let after_july = app.json("leader", &path("2021-07-31")).await;

    // As of the year's end the five leave every denominator, investment included.
    assert_eq!(int(&after_end, "suspended_projects"), 5);
    assert_eq!(
        int(&after_end, "annual_projects"),
        int(&before_end, "annual_projects") - 5
    );
    assert!(int(&after_end, "milestones_due") < int(&before_end, "milestones_due"));
    assert_eq!(
        int(&after_end, "investment_planned"),
        int(&before_end, "investment_planned") - planned
    );
    assert_eq!(
        int(&after_end, "investment_completed"),
        int(&before_end, "investment_completed") - completed
    );
    // So does every district's line (and the lines add up to the total).
    let mut by_district: HashMap<i64, i64> = HashMap::new();
    for p in &suspended {
        *by_district.entry(p.district.0).or_default() +=
            p.plan_for(2021).unwrap().planned_investment.0;
    }
    for (district, drop) in &by_district {
        let (b, a) = (
            stats_line(&before_end, "districts", *district),
            stats_line(&after_end, "districts", *district),
        );
        assert_eq!(
            int(a, "investment_planned"),
            int(b, "investment_planned") - drop
        );
        assert_eq!(
            int(a, "planned"),
            int(b, "planned")
                - suspended
                    .iter()
                    .filter(|p| p.district.0 == *district)
                    .count() as i64
        );
    }
    for list in ["districts", "categories"] {
        let sum: i64 = array(&after_end, list)
            .iter()
            .map(|l| int(l, "investment_planned"))
            .sum();
        assert_eq!(sum, int(&after_end, "investment_planned"), "{list}");
    }
    // Before their suspension nothing changed.
    assert_eq!(after_july, before_july);
}

/// The project's milestone as `/api/v1/projects/{id}` shows it as of a date.
async fn api_milestone(app: &App, seq: u16, as_of: &str) -> Value {
    let d = app
        .json(
            "reporter",
            &format!(
                "/api/v1/projects/{}?year=2021&as_of={as_of}",
                app.project.id
            ),
        )
        .await;
    array(&d, "milestones")
        .iter()
        .find(|m| m["seq"] == seq)
        .cloned()
        .expect("the milestone")
}

async fn a_correction_that_unticks_a_milestone_withdraws_it_from_the_api_and_every_rate(app: &App) {
    // A milestone of 2021 the project never reached, reported reached on 20 December in the
    // period whose report is missing, then withdrawn by a correction.
    let m = app
        .project
        .milestones
        .iter()
        .find(|m| m.actual.is_none() && m.planned.year() == 2021)
        .expect("the fixture's project has an unreached milestone of 2021");
    let reached_on = "2021-12-10";
    let dates = ["2021-12-09", reached_on, "2021-12-31", "2026-11-28"];
    let stats = |as_of: &'static str| async move {
        app.json("leader", &format!("/api/v1/stats?year=2021&as_of={as_of}"))
            .await
    };
    let mut before = Vec::new();
    for d in dates {
        before.push((stats(d).await, api_milestone(app, m.seq, d).await));
    }
    for (_, mv) in &before {
        assert!(mv["actual"].is_null(), "{mv}");
    }
    let project = app.project.id.0.to_string();
    let period = app.period.to_string();
    let id = m.id.0.to_string();
    let date_field = format!("date_{id}");
    let investment = format!("{:.2}", app.project.total_investment.wan());
    let base = [
        ("project", project.as_str()),
        ("period", period.as_str()),
        ("investment_to_date", investment.as_str()),
        ("note", "本期按计划推进"),
        ("offered", id.as_str()),
    ];
    let mut ticked = base.to_vec();
    ticked.extend([("reached", id.as_str()), (date_field.as_str(), reached_on)]);
    let r = app.post("reporter", "/filing", &ticked).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.versions().await, 1);
    for (d, (s, _)) in dates.iter().zip(&before) {
        let mv = api_milestone(app, m.seq, d).await;
        let now = stats(d).await;
        if *d >= reached_on {
            assert_eq!(mv["actual"], reached_on, "as of {d}");
            // Counted once due (planned in 2021 on or before the date).
            let due = m.planned <= d.parse::<jiff::civil::Date>().expect("a date");
            assert_eq!(
                int(&now, "milestones_reached"),
                int(s, "milestones_reached") + i64::from(due),
                "as of {d}"
            );
        } else {
            assert!(mv["actual"].is_null(), "as of {d}: {mv}");
            assert_eq!(&now, s, "as of {d}");
        }
    }
    // The form shows it ticked, with the way to withdraw it.
    let form_path = format!("/filing?year=2021&period=25&project={}", app.project.id);
    let form = app.page("reporter", &form_path).await;
    assert!(
        form.contains(&format!("value=\"{id}\" checked")),
        "ticked in this period's form"
    );
    assert!(
        form.contains("取消勾选即撤回"),
        "the form says how to withdraw it"
    );

    // Unticked without a reason: refused naming the field, nothing stored.
    let version = app.store.data_version().await.expect("version");
    let r = app.post("reporter", "/filing", &base).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("更正理由") && r.body.contains("撤回本期已报完成的节点"),
        "{}",
        r.body
    );
    assert_eq!(app.store.data_version().await.expect("version"), version);
    assert_eq!(app.versions().await, 1);
    // With a reason: a new version that withdraws it.
    let mut reasoned = base.to_vec();
    reasoned.push(("correction_reason", "节点未经验收，撤回"));
    let r = app.post("reporter", "/filing", &reasoned).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.versions().await, 2);
    // At every date the API and the figures are as before either version.
    for (d, (s, mv_before)) in dates.iter().zip(&before) {
        let mv = api_milestone(app, m.seq, d).await;
        assert!(mv["actual"].is_null(), "as of {d}: {mv}");
        assert_eq!(&mv, mv_before, "as of {d}");
        assert_eq!(&stats(d).await, s, "as of {d}");
    }
    let form = app.page("reporter", &form_path).await;
    assert!(
        form.contains(&format!("name=\"reached\" value=\"{id}\">")),
        "tickable again, unticked"
    );

    // Reported again in period 25, it cannot be withdrawn from period 26's form.
    let mut again = ticked.clone();
    again.push(("correction_reason", "验收通过，重报"));
    let r = app.post("reporter", "/filing", &again).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let next = app
        .city
        .periods
        .iter()
        .find(|p| p.year == 2021 && p.seq == 26)
        .expect("period 26")
        .id
        .0
        .to_string();
    let form = app
        .page(
            "reporter",
            &format!("/filing?year=2021&period=26&project={}", app.project.id),
        )
        .await;
    assert!(
        form.contains(&format!("{}（已于 {reached_on} 完成）", m.name)),
        "shown done in the next period, not untickable"
    );
    let version = app.store.data_version().await.expect("version");
    let audit = app.audit_actions().await.len();
    let r = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", next.as_str()),
                ("investment_to_date", investment.as_str()),
                ("offered", id.as_str()),
                ("correction_reason", "撤回上期节点"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("完成节点") && r.body.contains("撤回须更正该期填报"),
        "{}",
        r.body
    );
    assert_eq!(app.store.data_version().await.expect("version"), version);
    assert_eq!(app.audit_actions().await.len(), audit);
    assert_eq!(
        api_milestone(app, m.seq, "2021-12-31").await["actual"],
        reached_on
    );
}

async fn the_item_page_reads_the_date_its_list_was_read_on_and_both_default_like_every_page(
    app: &App,
) {
    // A supervision item opened in March 2021, due on 15 March, still open at the year's end
    // (291 days overdue then, over five years by the day the tests run on).
    use jianguan_domain::followup::*;
    let pr = &app.project;
    let on = |d: &str| d.parse::<jiff::civil::Date>().expect("a date");
    let progress = |d: &str, note: &str| ItemEvent {
        on: on(d),
        unit: pr.responsible_unit,
        by: "reporter".into(),
        action: ItemAction::Progress { note: note.into() },
    };
    let item = TrackedItem {
        id: ItemId(0),
        kind: ItemKind::Supervision,
        title: "督办：开工节点滞后".into(),
        detail: "调度会议定：倒排工期".into(),
        project: Some(pr.id),
        district: Some(pr.district),
        owner: pr.responsible_unit,
        issuer: pr.sub_hq,
        bodies: vec![],
        topic: "进度滞后".into(),
        source: "2021-W09".into(),
        opened_on: on("2021-03-01"),
        deadline: on("2021-03-15"),
        level: EscalationLevel::District,
        events: vec![
            progress("2021-06-01", "已进场"),
            progress("2022-01-10", "次年续报进展"),
        ],
        act: None,
    };
    let audit = jianguan_audit::AuditDraft {
        at_ms: 0,
        actor: "test".into(),
        unit: None,
        action: "item.open".into(),
        object: "item".into(),
        result: jianguan_audit::Outcome::Success,
        client: None,
        changes: vec![],
    };
    app.store
        .record_cadence(
            &jianguan_domain::store::CadenceWrite {
                new_items: vec![item],
                ..Default::default()
            },
            &[audit],
        )
        .await
        .expect("the item is stored");
    // Overdue at the demo year's end, as the list reads it.
    let list = app
        .json(
            "office",
            "/api/v1/items?year=2021&as_of=2021-12-31&overdue=1&per_page=100",
        )
        .await;
    let item = array(&list, "items")
        .iter()
        .find(|i| i["days_overdue"].as_i64().is_some_and(|d| d > 0))
        .unwrap_or_else(|| panic!("an item overdue at the year's end: {list}"))
        .clone();
    let id = int(&item, "id");
    let days = int(&item, "days_overdue");
    let overdue = |d: i64| format!("<dt>逾期</dt><dd>{d} 天</dd>");
    let page = app
        .page("office", &format!("/items/{id}?year=2021&as_of=2021-12-31"))
        .await;
    assert_eq!(days, 291);
    assert!(
        page.contains(&overdue(days)),
        "{days} days overdue on its page"
    );
    assert!(page.contains("已进场") && !page.contains("次年续报进展"));
    assert!(page.contains("此后另有 1 条办理记录"), "{page}");
    // As of the day the tests run on, it is years overdue, and the later event shows.
    let now = app
        .page("office", &format!("/items/{id}?year=2021&as_of=2026-11-28"))
        .await;
    assert!(now.contains(&overdue(2084)) && now.contains("次年续报进展"));
    // The list page links to it on the same date.
    let listed = app
        .page(
            "office",
            "/items?year=2021&as_of=2021-12-31&overdue=1&per_page=100",
        )
        .await;
    // (askama writes `&` as `&#38;`)
    assert!(
        listed.contains(&format!("/items/{id}?year=2021&#38;as_of=2021-12-31\"")),
        "{}",
        listed
            .split(&format!("/items/{id}"))
            .nth(1)
            .unwrap_or(&listed)
            .chars()
            .take(80)
            .collect::<String>()
    );
    // Another date, another figure, the same on both.
    let earlier = app
        .json(
            "office",
            "/api/v1/items?year=2021&as_of=2021-11-30&per_page=100",
        )
        .await;
    if let Some(e) = array(&earlier, "items").iter().find(|i| i["id"] == id)
        && let Some(d) = e["days_overdue"].as_i64()
    {
        let page = app
            .page("office", &format!("/items/{id}?year=2021&as_of=2021-11-30"))
            .await;
        assert!(page.contains(&overdue(d)), "{d} days on 30 November");
    }
    // Without a date, the item page, the list, its API and the filing desk read the demo
    // year's last day, as the overview does.
    let overview = app.page("office", "/").await;
    let default_date = "name=\"as_of\" value=\"2021-12-31\"";
    assert!(overview.contains(default_date), "the overview's default");
    for path in [
        format!("/items/{id}"),
        "/items".to_string(),
        "/filing".to_string(),
    ] {
        let who = if path == "/filing" {
            "reporter"
        } else {
            "office"
        };
        let page = app.page(who, &path).await;
        assert!(
            page.contains(default_date),
            "{path} defaults to the year's end"
        );
    }
    assert!(
        app.page("office", &format!("/items/{id}"))
            .await
            .contains(&overdue(days))
    );
    let default_list = app
        .json("office", "/api/v1/items?overdue=1&per_page=100")
        .await;
    assert_eq!(default_list, list);
}

scenarios!([
    suspending_projects_through_the_ledger_drops_their_investment_like_their_milestones,
    a_correction_that_unticks_a_milestone_withdraws_it_from_the_api_and_every_rate,
    the_item_page_reads_the_date_its_list_was_read_on_and_both_default_like_every_page,
]);
