//! The overview tells the story at a glance: the last closed week's warnings ladder, filing and
//! overdue items (the same pack the meeting reads, so the same counts), the year's trend of the
//! headline rates, and the districts ranked with their lights.

use serde_json::Value;

use crate::common::*;

scenarios!([the_overview_tells_the_week_the_trend_and_the_ranking]);

async fn the_overview_tells_the_week_the_trend_and_the_ranking(app: &App) {
    // Thursday 2021-10-14: the last closed week is W40 (10月4日—10月10日).
    let html = app.page("leader", "/?year=2021&as_of=2021-10-14").await;
    assert!(html.contains("本周态势"), "{html}");
    assert!(html.contains("第 40 周"), "the last closed week");
    assert!(html.contains("/dispatch?week=2021-W40"));
    let pack: Value = app.json("leader", "/api/v1/dispatch?week=2021-W40").await;
    // The ladder shows the pack's open warnings by level.
    let situation = &html[html.find("class=\"situation\"").expect("the section")..];
    let situation = &situation[..situation.find("</section>").expect("its end")];
    for entry in pack["open_warnings_by_level"].as_array().expect("levels") {
        let level = entry[0].as_str().expect("a level code");
        let n = entry[1].as_u64().expect("a count");
        let label = jianguan_domain::warnings::WarningLevel::ALL
            .into_iter()
            .find(|l| l.code() == level)
            .expect("a known level")
            .label();
        assert!(
            situation.contains(&format!("{label} {n}<")),
            "{label} {n} in {situation}"
        );
    }
    let new = pack["new_warnings"].as_array().expect("list").len();
    assert!(
        situation.contains(&format!("本周新增 {new} 条")),
        "{situation}"
    );
    let past = pack["items_past_deadline"].as_array().expect("list").len();
    assert!(
        situation.contains(&format!("逾期未办结 {past} 件")),
        "{situation}"
    );
    let filing = &pack["filing"];
    assert!(
        situation.contains(&format!("第 {} 期", filing["period_seq"])),
        "{situation}"
    );
    assert!(situation.contains("按时报送率"));

    // The trend: one point per month end from January to the date.
    let chart = &html[html.find("主要比率走势").expect("the trend chart")..];
    let chart = &chart[..chart.find("</svg>").expect("its end")];
    for month in 1..=10 {
        assert!(chart.contains(&format!("{month}月")), "{month}月");
    }
    assert!(!chart.contains("11月"), "no point after the date");

    // The districts ranked, with lights, in the pack's order.
    let league = &html[html.find("id=\"district-league\"").expect("the league")..];
    let league = &league[..league.find("</table>").expect("its end")];
    let names: Vec<&str> = pack["district_league"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["name"].as_str().expect("a name"))
        .collect();
    assert!(!names.is_empty());
    let mut at = 0;
    for name in &names {
        let found = league[at..]
            .find(&format!(">{name}<"))
            .unwrap_or_else(|| panic!("{name} after position {at}"));
        at += found + 1;
    }
    assert!(league.contains("class=\"light light-"), "lights");
}
