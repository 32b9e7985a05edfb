//! The wall display of issue 19 through the real router, on both backends: one screen of the
//! week's figures for the command centre, its body alone for its own refresh, the reader's
//! scope kept, and no page around it.

use crate::common::*;

async fn the_wall_shows_the_weeks_figures_and_refreshes_its_body(app: &App) {
    let page = app.page("office", "/wall").await;
    assert!(page.starts_with("<!DOCTYPE html>"), "a page of its own");
    assert!(page.contains("class=\"wall\""), "{page}");
    assert!(page.contains("/assets/wall.js"), "its refresh script");
    assert!(
        !page.contains("class=\"sidenav\""),
        "no navigation on the wall"
    );
    for label in [
        "项目完成率",
        "节点完成率",
        "按期完成率",
        "投资完成率",
        "警示阶梯",
        "县区排名",
        "卡壳事项",
        "月度考评",
        "逾期项目分布",
    ] {
        assert!(page.contains(label), "{label}: {page}");
    }
    assert!(page.contains("class=\"project-map\""), "the map");
    // The demo's year is over: the last week of 2021, not a week of 2022 with nothing in it.
    assert!(page.contains("2021 年城市建管提升行动"), "{page}");
    let districts = app
        .city
        .units_of(jianguan_domain::model::UnitKind::District)
        .count();
    assert_eq!(
        page.matches("class=\"wall-rank\"").count(),
        districts,
        "every district ranked"
    );

    let body = app.page("office", "/wall?part=body").await;
    assert!(!body.contains("<html"), "the body alone");
    assert!(body.contains("wall-head") && body.contains("class=\"project-map\""));

    // A district's liaison sees the overdue projects of its own district on the map.
    let overdue = |page: &str| -> usize {
        page.split("逾期项目分布 · 逾期项目 ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("the map's count: {page}"))
    };
    let citywide = overdue(&app.page("office", "/wall").await);
    let own = overdue(&app.page("district", "/wall").await);
    assert!(own < citywide, "{own} of {citywide}");
}

scenarios!([the_wall_shows_the_weeks_figures_and_refreshes_its_body]);
