//! Finding and taking things away (issue 17 item 7), through the real router on both backends:
//! the header's search finds projects by code, name and street, units and tracked items, within
//! the reader's scope (the 映湖区 liaison never sees another district's project); the project
//! list sorts by its column headers (an unknown order is the default order, not an error page);
//! a page beyond the last shows the last page; the Excel exports of the project list, the
//! warnings and the tracked items hold exactly the rows the filtered list holds; the favicon is
//! served; the help page opens for every role and carries the domain's definitions.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jianguan_access::Role;
use jianguan_domain::followup::{EscalationLevel, ItemId, ItemKind, TrackedItem};
use jianguan_domain::model::{Project, UnitKind};
use jianguan_domain::store::CadenceWrite;
use serde_json::Value;

scenarios!([
    search_finds_a_project_by_code_name_and_street,
    search_within_the_yinghu_liaisons_scope_shows_only_yinghu,
    search_finds_units_and_tracked_items,
    empty_and_too_short_searches_say_so_in_chinese,
    column_headers_sort_the_list_and_unknown_orders_fall_back,
    a_page_beyond_the_last_shows_the_last_page_with_numbers,
    the_project_export_holds_the_filtered_sorted_rows_in_scope,
    warning_and_item_exports_hold_the_lists_rows,
    warning_and_item_lists_sort_by_their_headers_and_exports_follow,
    the_favicon_is_served_and_linked,
    help_opens_for_every_role_with_the_domains_definitions,
]);

/// The 映湖区 district and a session of its liaison.
async fn yinghu(app: &App) -> (jianguan_domain::model::UnitId, String) {
    let unit = app
        .city
        .units_of(UnitKind::District)
        .find(|u| u.name == "映湖区")
        .expect("映湖区")
        .id;
    let cookie = session(app.store.as_ref(), "liaison-yh", unit, Role::DistrictStaff).await;
    (unit, cookie)
}

async fn get_as(app: &App, cookie: &str, path: &str) -> Reply {
    app.send(
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

/// The links to projects on a page (the project ids, in order, first occurrence).
fn project_links(html: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for part in html.split("href=\"/projects/").skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(id) = digits.parse::<i64>()
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// An attribute's text as a browser reads it (the templates escape `&` in links).
fn unescape(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

/// Every row of the project list API for `query`, page by page, as `who`.
async fn api_rows(app: &App, cookie: &str, query: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for page in 1.. {
        let r = get_as(
            app,
            cookie,
            &format!("/api/v1/projects?{query}&per_page=100&page={page}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = r.json();
        let items = array(&body, "items").clone();
        if items.is_empty() {
            break;
        }
        rows.extend(items);
    }
    rows
}

/// Every item of a paged API list (`path` with its query), page by page, as `who`.
async fn api_all(app: &App, who: &str, path: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let body = app
            .json(who, &format!("{path}&per_page=100&page={page}"))
            .await;
        let items = array(&body, "items").clone();
        if items.is_empty() {
            break;
        }
        all.extend(items);
    }
    all
}

/// The cells of a workbook's first sheet as text, row by row.
fn sheet(xlsx: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).expect("an xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the sheet");
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The values of the column headed `header` in the rows under the header row.
fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let (at, col) = rows
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.iter().position(|c| c == header).map(|c| (i, c)))
        .unwrap_or_else(|| panic!("a column {header}"));
    rows[at + 1..].iter().map(|r| r[col].clone()).collect()
}

async fn download(app: &App, cookie: &str, path: &str) -> Vec<Vec<String>> {
    let r = get_as(app, cookie, path).await;
    assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.body);
    assert!(r.bytes.starts_with(b"PK"), "GET {path}: an .xlsx");
    sheet(&r.bytes)
}

async fn search_finds_a_project_by_code_name_and_street(app: &App) {
    let p = &app.project;
    let office = &app.cookies["office"];
    for q in [p.code.as_str(), p.name.as_str()] {
        let r = get_as(app, office, &format!("/search?q={}", enc(q))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            project_links(&r.body).contains(&p.id.0),
            "searching {q} finds {}",
            p.name
        );
    }
    // A street names many projects: the search counts the list's rows for it and links to them.
    let listed = api_rows(app, office, &format!("q={}", enc(&p.street))).await;
    assert!(
        listed.iter().any(|r| r["id"] == p.id.0),
        "the list finds it by street"
    );
    let html = get_as(app, office, &format!("/search?q={}", enc(&p.street)))
        .await
        .body;
    assert!(
        html.contains(&format!("项目（{}）", listed.len())),
        "{}",
        p.street
    );
    let shown = project_links(&html);
    assert_eq!(shown.len(), listed.len().min(20));
    for (id, row) in shown.iter().zip(&listed) {
        assert_eq!(row["id"], *id, "in the list's order");
    }
    // The code in lower case finds it too (people type codes either way).
    let lower = p.code.to_lowercase();
    let r = get_as(app, office, &format!("/search?q={}", enc(&lower))).await;
    assert!(project_links(&r.body).contains(&p.id.0), "{lower}");
    // The search box in the header keeps what was searched.
    assert!(r.body.contains(&format!("value=\"{lower}\"")));
}

async fn search_within_the_yinghu_liaisons_scope_shows_only_yinghu(app: &App) {
    let (district, cookie) = yinghu(app).await;
    let other: &Project = app
        .city
        .projects
        .iter()
        .find(|p| p.district != district)
        .expect("a project elsewhere");
    let own: &Project = app
        .city
        .projects
        .iter()
        .find(|p| p.district == district)
        .expect("a 映湖区 project");
    // Another district's project, by its exact code and name: not found.
    for q in [other.code.as_str(), other.name.as_str()] {
        let html = get_as(app, &cookie, &format!("/search?q={}", enc(q)))
            .await
            .body;
        assert!(
            !project_links(&html).contains(&other.id.0) && html.contains("项目（0）"),
            "the 映湖区 liaison does not find {q}"
        );
    }
    let html = get_as(app, &cookie, &format!("/search?q={}", enc(&own.code)))
        .await
        .body;
    assert!(project_links(&html).contains(&own.id.0), "its own project");
    // A search projects of 映湖区 and of other districts match (two characters of one of its
    // project names that another district's names share) lists only 映湖区's, as many as the
    // liaison's list holds.
    let chars: Vec<char> = own.name.chars().collect();
    let shared = chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .find(|t| {
            app.city
                .projects
                .iter()
                .any(|p| p.district != district && p.name.contains(t.as_str()))
        })
        .expect("a term shared with another district");
    let term = enc(&shared);
    let html = get_as(app, &cookie, &format!("/search?q={term}"))
        .await
        .body;
    let listed = api_rows(app, &cookie, &format!("q={term}")).await;
    assert!(!listed.is_empty());
    for row in &listed {
        assert_eq!(row["district_name"], "映湖区", "{row}");
    }
    assert!(
        html.contains(&format!("项目（{}）", listed.len())),
        "the search counts the list's rows"
    );
    for id in project_links(&html) {
        let p = app
            .city
            .projects
            .iter()
            .find(|p| p.id.0 == id)
            .expect("a project");
        assert_eq!(p.district, district, "{} is in 映湖区", p.name);
    }
    // Another district, searched by name: no unit, no project.
    let elsewhere = app.city.unit_name(other.district);
    let html = get_as(app, &cookie, &format!("/search?q={}", enc(elsewhere)))
        .await
        .body;
    assert!(
        html.contains("项目（0）") && html.contains("单位（0）"),
        "{elsewhere}"
    );
}

/// A coordination item about `project`, as the office would open it.
fn item_about(project: &Project, title: &str) -> TrackedItem {
    TrackedItem {
        id: ItemId(0),
        kind: ItemKind::Coordination,
        title: title.into(),
        detail: "需铁路部门配合".into(),
        project: Some(project.id),
        district: Some(project.district),
        owner: project.responsible_unit,
        issuer: project.sub_hq,
        bodies: vec!["铁路".into()],
        topic: "审批手续".into(),
        source: "进度填报第20期".into(),
        opened_on: jiff::civil::date(2021, 10, 1),
        deadline: jiff::civil::date(2021, 10, 31),
        level: EscalationLevel::District,
        events: Vec::new(),
        act: None,
    }
}

async fn search_finds_units_and_tracked_items(app: &App) {
    let (district, cookie) = yinghu(app).await;
    let own = app
        .city
        .projects
        .iter()
        .find(|p| p.district == district)
        .expect("own");
    let other = app
        .city
        .projects
        .iter()
        .find(|p| p.district != district)
        .expect("other");
    let ids = app
        .store
        .record_cadence(
            &CadenceWrite {
                new_items: vec![
                    item_about(own, "映湖区涵洞拓宽需铁路配合"),
                    item_about(other, "外区涵洞拓宽需铁路配合"),
                ],
                ..CadenceWrite::default()
            },
            &[],
        )
        .await
        .expect("items");
    let office = &app.cookies["office"];
    let html = get_as(app, office, &format!("/search?q={}", enc("涵洞拓宽")))
        .await
        .body;
    for id in &ids {
        assert!(
            html.contains(&format!("href=\"/items/{id}?")),
            "office finds item {id}"
        );
    }
    let html = get_as(app, &cookie, &format!("/search?q={}", enc("涵洞拓宽")))
        .await
        .body;
    assert!(
        html.contains(&format!("href=\"/items/{}?", ids[0])),
        "its own item"
    );
    assert!(
        !html.contains(&format!("href=\"/items/{}?", ids[1])) && !html.contains("外区涵洞"),
        "not another district's item"
    );
    // Units by name: the district itself, linking to its page.
    let html = get_as(app, office, &format!("/search?q={}", enc("映湖区")))
        .await
        .body;
    assert!(
        html.contains(&format!("href=\"/districts/{district}?")),
        "the district"
    );
}

async fn empty_and_too_short_searches_say_so_in_chinese(app: &App) {
    for (q, says) in [
        ("", "请输入要查找的内容"),
        ("%20%20", "请输入要查找的内容"),
        ("%E6%B9%96", "请至少输入 2 个字"),
    ] {
        let html = app.page("office", &format!("/search?q={q}")).await;
        assert!(html.contains(says), "q={q}: {says}");
        assert!(project_links(&html).is_empty(), "q={q}: no results listed");
    }
    let html = app.page("office", "/search").await;
    assert!(html.contains("请输入要查找的内容"));
    let long = "长".repeat(101);
    let html = app
        .page("office", &format!("/search?q={}", enc(&long)))
        .await;
    assert!(html.contains("搜索内容过长"));
}

/// The names of the project table's rows, in order.
fn row_names(html: &str) -> Vec<String> {
    html.split("<td class=\"title\"><a href=\"")
        .skip(1)
        .map(|part| {
            let start = part.find("\">").expect("a link") + 2;
            part[start..part.find("</a>").expect("end")].to_string()
        })
        .collect()
}

/// The numbers in the table cells labelled `label`, in order.
fn row_numbers(html: &str, label: &str) -> Vec<f64> {
    html.split(&format!("data-label=\"{label}\">"))
        .skip(1)
        .map(|part| {
            part[..part.find("</td>").expect("cell")]
                .trim_end_matches('%')
                .replace(',', "")
                .parse::<f64>()
                .expect("a number")
        })
        .collect()
}

async fn column_headers_sort_the_list_and_unknown_orders_fall_back(app: &App) {
    let html = app
        .page("office", "/projects?sort=name&order=asc&per_page=100")
        .await;
    let names = row_names(&html);
    assert_eq!(names.len(), 100);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");
    assert!(html.contains("aria-sort=\"ascending\""));
    // The name header links to the other direction.
    assert!(unescape(&html).contains("sort=name&order=desc"));

    let html = app
        .page(
            "office",
            "/projects?sort=investment&order=desc&per_page=100",
        )
        .await;
    let invest = row_numbers(&html, "年度完成投资（万元）");
    assert_eq!(invest.len(), 100);
    assert!(
        invest.windows(2).all(|w| w[0] >= w[1]),
        "descending: {invest:?}"
    );
    assert!(invest[0] > invest[99], "the order is not flat");
    assert!(html.contains("aria-sort=\"descending\""));

    let html = app
        .page("office", "/projects?sort=progress&per_page=100")
        .await;
    let progress = row_numbers(&html, "进度");
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "ascending progress"
    );

    // Unknown sort keys and directions are the default order (by code), not an error page.
    let default = row_names(&app.page("office", "/projects").await);
    let r = app
        .get("office", "/projects?sort=bogus&order=sideways")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(row_names(&r.body), default);
}

async fn a_page_beyond_the_last_shows_the_last_page_with_numbers(app: &App) {
    let total = app.json("office", "/api/v1/projects").await["total"]
        .as_u64()
        .expect("total");
    let last = total.div_ceil(20);
    let html = app.page("office", "/projects?page=999").await;
    assert!(
        !html.contains("没有符合条件的项目"),
        "never the total and no rows"
    );
    assert!(
        html.contains(&format!("第 {last} / {last} 页")),
        "the last page"
    );
    let rows = row_names(&html);
    let on_last = total - (last - 1) * 20;
    assert_eq!(rows.len() as u64, on_last);
    let last_page = app.page("office", &format!("/projects?page={last}")).await;
    assert_eq!(rows, row_names(&last_page));
    // Page numbers: the first page and the neighbours of the current one link.
    assert!(html.contains("page=1\">1</a>"), "a link to page 1");
    assert!(html.contains(&format!("page={}\">{}</a>", last - 1, last - 1)));
    assert!(html.contains(&format!("<span aria-current=\"page\">{last}</span>")));
    // A filter nothing matches says so, without a total beside it.
    let html = app
        .page(
            "office",
            "/projects?q=%E6%97%A0%E6%AD%A4%E9%A1%B9%E7%9B%AE&page=3",
        )
        .await;
    assert!(html.contains("没有符合条件的项目"));
    assert!(!html.contains("个项目 ·"));
}

async fn the_project_export_holds_the_filtered_sorted_rows_in_scope(app: &App) {
    let office = &app.cookies["office"];
    let district = app.project.district;
    let query = format!("district={district}&overdue=1&sort=overdue&order=desc");
    let html = app.page("office", &format!("/projects?{query}")).await;
    // The page's export link carries the filters and the order.
    let link = html
        .split("href=\"/projects.xlsx?")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(unescape)
        .expect("an export link");
    for part in [
        format!("district={district}"),
        "overdue=1".into(),
        "sort=overdue".into(),
        "order=desc".into(),
    ] {
        assert!(link.contains(&part), "{link}: {part}");
    }
    let listed: Vec<String> = api_rows(app, office, &query)
        .await
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_string())
        .collect();
    assert!(listed.len() > 1, "the filter keeps several rows");
    let rows = download(app, office, &format!("/projects.xlsx?{link}")).await;
    assert_eq!(
        column(&rows, "编码"),
        listed,
        "the export's rows are the list's, in order"
    );
    // A district liaison's export is its scope, whatever the filter asks.
    let cookie = &app.cookies["district"];
    let mine: Vec<String> = api_rows(app, cookie, "")
        .await
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_string())
        .collect();
    let rows = download(app, cookie, "/projects.xlsx").await;
    assert_eq!(column(&rows, "编码"), mine);
    let all = app.json("office", "/api/v1/projects").await["total"]
        .as_u64()
        .expect("total");
    assert!((mine.len() as u64) < all, "narrowed to the district");
}

async fn warning_and_item_exports_hold_the_lists_rows(app: &App) {
    app.warning_job(jiff::civil::date(2021, 10, 6)).await;
    let own = &app.project;
    let other = app
        .city
        .projects
        .iter()
        .find(|p| p.district != own.district)
        .expect("other");
    app.store
        .record_cadence(
            &CadenceWrite {
                new_items: vec![item_about(own, "本区事项"), item_about(other, "外区事项")],
                ..CadenceWrite::default()
            },
            &[],
        )
        .await
        .expect("items");
    for (who, query) in [
        ("office", "as_of=2021-10-06&level=warning"),
        ("district", "as_of=2021-10-06"),
    ] {
        let cookie = &app.cookies[who];
        let listed: Vec<String> = api_all(app, who, &format!("/api/v1/warnings?{query}"))
            .await
            .iter()
            .map(|w| {
                format!(
                    "{}/{}",
                    w["project_code"].as_str().unwrap_or(""),
                    w["milestone"].as_str().unwrap_or("")
                )
            })
            .collect();
        assert!(!listed.is_empty(), "{who}: warnings to export");
        let rows = download(app, cookie, &format!("/warnings.xlsx?{query}")).await;
        let exported: Vec<String> = column(&rows, "项目编码")
            .iter()
            .zip(column(&rows, "节点"))
            .map(|(c, m)| format!("{c}/{m}"))
            .collect();
        assert_eq!(
            exported, listed,
            "{who}: the export's warnings are the list's"
        );
        let html = app.page(who, &format!("/warnings?{query}")).await;
        assert!(
            html.contains("/warnings.xlsx?"),
            "{who}: the list links its export"
        );

        let listed: Vec<String> = api_all(app, who, "/api/v1/items?as_of=2021-10-06")
            .await
            .iter()
            .map(|i| i["id"].to_string())
            .collect();
        assert!(!listed.is_empty(), "{who}: items to export");
        let rows = download(app, cookie, "/items.xlsx?as_of=2021-10-06").await;
        assert_eq!(
            column(&rows, "编号"),
            listed,
            "{who}: the export's items are the list's"
        );
        assert!(
            column(&rows, "事项").contains(&"外区事项".to_string()) == (who == "office"),
            "{who}: another district's item only for the office"
        );
    }
}

async fn warning_and_item_lists_sort_by_their_headers_and_exports_follow(app: &App) {
    app.warning_job(jiff::civil::date(2021, 10, 6)).await;
    let own = &app.project;
    app.store
        .record_cadence(
            &CadenceWrite {
                new_items: vec![item_about(own, "甲事项"), item_about(own, "乙事项")],
                ..CadenceWrite::default()
            },
            &[],
        )
        .await
        .expect("items");
    let cookie = &app.cookies["office"];
    // Warnings by days open, shortest first; ties keep the default order.
    let query = "as_of=2021-10-06&sort=days&order=asc";
    let rows = api_all(app, "office", &format!("/api/v1/warnings?{query}")).await;
    let days: Vec<i64> = rows
        .iter()
        .map(|w| w["days_open"].as_i64().expect("days"))
        .collect();
    assert!(days.len() > 1, "warnings to sort");
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "ascending: {days:?}");
    let codes: Vec<String> = rows
        .iter()
        .map(|w| w["project_code"].as_str().unwrap_or("").to_string())
        .collect();
    let exported = download(app, cookie, &format!("/warnings.xlsx?{query}")).await;
    assert_eq!(
        column(&exported, "项目编码"),
        codes,
        "the export follows the order"
    );
    let html = app.page("office", &format!("/warnings?{query}")).await;
    assert!(
        html.contains("aria-sort=\"ascending\""),
        "the sorted column is marked"
    );
    let html = unescape(&html);
    assert!(
        html.contains("sort=days&order=desc"),
        "its header links the other direction"
    );
    assert!(html.contains("/warnings.xlsx?") && html.contains("sort=days&order=asc&per_page"));
    // By project code, descending.
    let rows = api_all(
        app,
        "office",
        "/api/v1/warnings?as_of=2021-10-06&sort=project&order=desc",
    )
    .await;
    let codes: Vec<&str> = rows
        .iter()
        .map(|w| w["project_code"].as_str().unwrap_or(""))
        .collect();
    assert!(codes.windows(2).all(|w| w[0] >= w[1]), "descending codes");
    // Items by deadline.
    let rows = api_all(
        app,
        "office",
        "/api/v1/items?as_of=2021-10-06&sort=deadline&order=asc",
    )
    .await;
    let deadlines: Vec<&str> = rows
        .iter()
        .map(|i| i["deadline"].as_str().unwrap_or(""))
        .collect();
    assert!(deadlines.len() >= 2);
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "{deadlines:?}");
    let html = app
        .page("office", "/items?as_of=2021-10-06&sort=deadline&order=asc")
        .await;
    assert!(html.contains("aria-sort=\"ascending\""));
    // An unknown order falls back to the default (the most severe first), as on /projects.
    let fallback = api_all(
        app,
        "office",
        "/api/v1/warnings?as_of=2021-10-06&sort=colour",
    )
    .await;
    let default = api_all(app, "office", "/api/v1/warnings?as_of=2021-10-06").await;
    assert_eq!(fallback, default);
}

async fn the_favicon_is_served_and_linked(app: &App) {
    let r = app
        .send(
            Request::get("/assets/favicon.svg")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "served without a session (the login page shows it)"
    );
    assert!(r.body.starts_with("<svg"), "an SVG");
    for path in ["/projects", "/filing", "/help", "/account"] {
        let who = if path == "/filing" {
            "reporter"
        } else {
            "district"
        };
        let html = app.page(who, path).await;
        assert!(
            html.contains("rel=\"icon\" href=\"/assets/favicon.svg\""),
            "{path}"
        );
    }
    let login = app
        .send(Request::get("/login").body(Body::empty()).expect("request"))
        .await;
    assert!(login.body.contains("/assets/favicon.svg"));
}

async fn help_opens_for_every_role_with_the_domains_definitions(app: &App) {
    for who in [
        "leader", "office", "subhq", "district", "reporter", "stranger",
    ] {
        let html = app.page(who, "/help").await;
        assert!(html.contains("（您的角色）"), "{who}: its own role marked");
        for d in jianguan_domain::rates::DEFINITIONS {
            assert!(
                html.contains(d.name) && html.contains(d.formula),
                "{who}: {}",
                d.name
            );
        }
        // Every page links to it: the header and the footer (each role's own page here).
        let overview = app.page(who, "/projects").await;
        assert!(
            overview.contains("href=\"/help?"),
            "{who}: linked from the header"
        );
        // The pages with a header of their own link to it too.
        let account = app.page(who, "/account").await;
        assert!(
            account.contains("href=\"/help\""),
            "{who}: linked from /account"
        );
    }
    // Its own role comes first: the reporter's section heads the page.
    let html = app.page("reporter", "/help").await;
    let first = html.find("<h3>").expect("a role");
    assert!(html[first..].starts_with("<h3>责任单位填报员（您的角色）"));
}
