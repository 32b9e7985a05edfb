//! The binary from the outside: exit codes (0 ok, 1 failure with one line, 2 usage), refusing
//! foreign files untouched, `stats --json` on the demo city, and the documents `report` drafts.

use std::io::Read;
use std::process::{Command, Output};

use jianguan_domain::store::prelude::*;

use jianguan_domain::store::Actor;

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(jianguan(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(
        jianguan(&["stats"]).status.code(),
        Some(2),
        "--db is required"
    );
    let out = jianguan(&["stats", "--db", "x.db", "--year", "twenty"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(jianguan(&["--help"]).status.code(), Some(0));
}

#[test]
fn a_file_that_is_not_a_jianguan_database_is_refused_untouched_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "这不是数据库\n").expect("write");
    for command in ["stats", "serve"] {
        let out = jianguan(&[command, "--db", path.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{command}: {lines:?}");
        assert!(lines[0].contains("not a jianguan database"), "{}", lines[0]);
    }
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "这不是数据库\n"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(names.len(), 1, "nothing created beside the file");
}

#[test]
fn a_missing_database_is_an_error_not_a_new_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing.db");
    let out = jianguan(&["stats", "--db", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!path.exists());
}

#[test]
fn unknown_schemes_and_unreachable_servers_name_the_url_without_the_password() {
    for url in [
        "mysql://root:hunter2@db/x",
        "postgres://u:hunter2@127.0.0.1:1/x",
    ] {
        let out = jianguan(&["stats", "--db", url]);
        assert_eq!(out.status.code(), Some(1), "{url}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(":***@"), "{}", lines[0]);
        assert!(!lines[0].contains("hunter2"), "{}", lines[0]);
    }
}

#[tokio::test]
async fn stats_json_on_the_demo_city_carries_the_speech_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    let url = path.to_str().expect("utf-8").to_string();
    let db = jianguan_store::open(&url).await.expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    db.close().await;
    let out = jianguan(&["stats", "--db", &url, "--year", "2021", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(stats["projects"], 1362);
    assert_eq!(stats["finished_projects"], 1222);
    assert_eq!(stats["annual_projects"], 1350);
    let table = jianguan(&["stats", "--db", &url]);
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("90.52%"), "{text}");
}

async fn demo_database(dir: &std::path::Path) -> String {
    let url = dir.join("demo.db").to_str().expect("utf-8").to_string();
    let db = jianguan_store::open(&url).await.expect("open");
    db.create_portfolio(
        &jianguan_demo::demo_city(),
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    db.close().await;
    url
}

#[tokio::test]
async fn the_demo_command_writes_a_year_of_cadence_and_week_40_carries_meetings_items() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    // `demo` serves after writing; a port that is taken makes it stop right after the data.
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = blocker.local_addr().unwrap().to_string();
    let out = jianguan(&["demo", "--db", db, "--listen", &addr]);
    assert_eq!(out.status.code(), Some(1), "{:?}", stderr_lines(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("条警示记录"), "{err}");
    let run = || jianguan(&["dispatch", "--db", db, "--week", "2021-W40", "--json"]);
    let (a, b) = (run(), run());
    assert_eq!(a.status.code(), Some(0), "{:?}", stderr_lines(&a));
    assert_eq!(a.stdout, b.stdout, "the same week twice is the same pack");
    let pack: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let len = |k: &str| pack[k].as_array().map_or(0, Vec::len);
    assert!(len("overdue_milestones") > 0);
    assert!(len("new_warnings") + len("escalated_warnings") > 0);
    let carried = pack["open_supervision_items"].as_array().unwrap();
    assert!(!carried.is_empty());
    // Items decided at earlier meetings come back: some opened three weeks or more before.
    assert!(
        carried
            .iter()
            .any(|i| i["opened_on"].as_str().unwrap() <= "2021-09-13")
    );
    assert!(
        carried
            .iter()
            .all(|i| i["source"].as_str().unwrap() < "2021-W40")
    );
    let text = jianguan(&["dispatch", "--db", db, "--week", "2021-W40"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("十、督办、约谈（在办"), "{text}");
    // The year of monthly assessment: January–November published, December a draft.
    assert!(err.contains("24 个月度考评结果"), "{err}");
    for (month, published) in [("2021-01", true), ("2021-11", true), ("2021-12", false)] {
        let out = jianguan(&["score", "--db", db, "--month", month, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for run in json["runs"].as_array().unwrap() {
            assert_eq!(run["published"], published, "{month} {}", run["kind"]);
        }
    }
    drop(blocker);
}

#[tokio::test]
async fn a_rules_file_with_a_typo_is_refused_naming_the_line_and_the_rules_stay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let bad = dir.path().join("rules.toml");
    let text = jianguan_domain::warnings::DEFAULT_RULES_TOML
        .replace("\"warning\"      # 警示", "\"warnign\"");
    let line = text.lines().position(|l| l.contains("warnign")).unwrap() + 1;
    std::fs::write(&bad, &text).unwrap();
    let out = jianguan(&["rules", "set", "--db", &url, bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_lines(&out).join(" ");
    assert!(err.contains(&format!("第{line}行")), "{err}");
    let shown = jianguan(&["rules", "show", "--db", &url]);
    assert!(String::from_utf8_lossy(&shown.stderr).contains("默认规则"));

    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        jianguan_domain::warnings::DEFAULT_RULES_TOML
            .replace("version = 1", "version = 2")
            .replace("days = 15", "days = 10"),
    )
    .unwrap();
    let out = jianguan(&["rules", "set", "--db", &url, good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    let shown = jianguan(&["rules", "show", "--db", &url]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("days = 10"));

    // A further change that keeps version 2 is refused, as the settings page refuses it: two
    // rule sets never share the version that warning events record.
    let unraised = dir.path().join("unraised.toml");
    std::fs::write(
        &unraised,
        jianguan_domain::warnings::DEFAULT_RULES_TOML
            .replace("version = 1", "version = 2")
            .replace("days = 15", "days = 12"),
    )
    .unwrap();
    let out = jianguan(&["rules", "set", "--db", &url, unraised.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_lines(&out).join(" ");
    assert!(
        err.contains("第2行") && err.contains("version 须大于"),
        "{err}"
    );
    let shown = jianguan(&["rules", "show", "--db", &url]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("days = 10"));
}

#[tokio::test]
async fn the_warning_job_records_a_day_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let run = || jianguan(&["warnings", "run", "--db", &url, "--date", "2021-10-10"]);
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{:?}", stderr_lines(&first));
    let text = String::from_utf8_lossy(&first.stdout).to_string();
    let count: usize = text
        .split("警示变化 ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        count > 100,
        "week 40 of the demo has many overdue milestones: {text}"
    );
    let second = String::from_utf8_lossy(&run().stdout).to_string();
    assert!(second.contains("警示变化 0 条"), "{second}");
    let pack = jianguan(&["dispatch", "--db", &url, "--week", "2021-W40", "--json"]);
    assert_eq!(pack.status.code(), Some(0), "{:?}", stderr_lines(&pack));
    let json: serde_json::Value = serde_json::from_slice(&pack.stdout).expect("JSON");
    assert_eq!(json["week"], "2021-W40");
    assert!(!json["overdue_milestones"].as_array().unwrap().is_empty());
    // Every overdue milestone at the week's end carries the level the job gave it.
    assert!(
        json["overdue_milestones"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["level"].is_null())
    );
    let bad_week = jianguan(&["dispatch", "--db", &url, "--week", "2021-W60"]);
    assert_eq!(bad_week.status.code(), Some(1));
    assert!(stderr_lines(&bad_week)[0].contains("第 60 周"));
}

#[tokio::test]
async fn a_new_year_is_laid_out_from_the_calendar_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let bad = dir.path().join("cal.toml");
    std::fs::write(
        &bad,
        jianguan_domain::calendar::DEFAULT_CALENDAR_TOML
            .replace("\"2021-10-01\"", "\"2021-10-41\""),
    )
    .unwrap();
    let out = jianguan(&["calendar", "set", "--db", &url, bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_lines(&out)[0].contains("行"),
        "{:?}",
        stderr_lines(&out)
    );
    let open = || jianguan(&["calendar", "open", "--db", &url, "--year", "2022"]);
    let first = open();
    assert_eq!(first.status.code(), Some(0), "{:?}", stderr_lines(&first));
    assert!(String::from_utf8_lossy(&first.stdout).contains("26 个填报期次"));
    assert_eq!(open().status.code(), Some(1), "a year is opened once");
    let shown = jianguan(&["calendar", "show", "--db", &url, "--year", "2022"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("已开设"), "{text}");
    // 2022's first period ends Friday 14 January; due Sunday 16th → Monday 17th.
    assert!(text.contains("2022-01-17"), "{text}");
}

/// `plan show --json` as JSON, after checking it succeeded.
fn plan_json(url: &str, year: &str) -> serde_json::Value {
    let out = jianguan(&["plan", "show", "--db", url, "--year", year, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[tokio::test]
async fn opening_a_year_carries_unfinished_projects_and_the_office_approves_them_by_unit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let before = plan_json(&url, "2022");
    let opened = jianguan(&["calendar", "open", "--db", &url, "--year", "2022"]);
    assert_eq!(opened.status.code(), Some(0), "{:?}", stderr_lines(&opened));
    let said = String::from_utf8_lossy(&opened.stdout).to_string();
    assert!(said.contains("结转为 2022 年草拟计划"), "{said}");
    let after = plan_json(&url, "2022");
    let drafts = after["total"]["draft"].as_u64().expect("a count");
    assert!(drafts > 0, "{after}");
    assert_eq!(
        before["total"]["draft"].as_u64(),
        Some(0),
        "the demo's own 2022 plans are approved"
    );
    // Carrying again adds nothing.
    let again = jianguan(&["plan", "carry-over", "--db", &url, "--from", "2021"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains(" 0 个项目"));

    // An unknown unit is refused by name, nothing approved.
    let unknown = jianguan(&[
        "plan",
        "approve",
        "--db",
        &url,
        "--year",
        "2022",
        "--unit",
        "不存在区",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr_lines(&unknown)[0].contains("不存在区"));
    assert_eq!(
        plan_json(&url, "2022")["total"]["draft"].as_u64(),
        Some(drafts)
    );

    // One district by name, then the rest.
    let district = after["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .find(|d| d["draft"].as_u64() > Some(0))
        .expect("a district with drafts");
    let name = district["district"].as_str().expect("a name");
    let its = district["draft"].as_u64().expect("a count");
    let one = jianguan(&[
        "plan", "approve", "--db", &url, "--year", "2022", "--unit", name,
    ]);
    assert_eq!(one.status.code(), Some(0), "{:?}", stderr_lines(&one));
    let left = plan_json(&url, "2022")["total"]["draft"]
        .as_u64()
        .expect("a count");
    assert!(
        left <= drafts - its,
        "{left} drafts left of {drafts} after {its}"
    );
    let all = jianguan(&["plan", "approve", "--db", &url, "--year", "2022"]);
    assert_eq!(all.status.code(), Some(0), "{:?}", stderr_lines(&all));
    assert_eq!(plan_json(&url, "2022")["total"]["draft"].as_u64(), Some(0));
}

/// `score --json` as JSON, after checking it succeeded.
fn score_json(args: &[&str]) -> serde_json::Value {
    let out = jianguan(args);
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[tokio::test]
async fn scoring_a_month_twice_gives_identical_json_ranking_every_district() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let run = || jianguan(&["score", "--db", &url, "--month", "2021-10", "--json"]);
    let (a, b) = (run(), run());
    assert_eq!(a.status.code(), Some(0), "{:?}", stderr_lines(&a));
    assert_eq!(
        a.stdout, b.stdout,
        "the same month twice is the same result"
    );
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(json["month"], "2021-10");
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "districts and lead units");
    let districts = &runs[0]["scores"]["subjects"];
    assert_eq!(districts.as_array().unwrap().len(), 9);
    assert_eq!(districts[0]["rank"], 1);
    assert!(districts.as_array().unwrap().iter().all(|s| {
        s["subject"]["name"]
            .as_str()
            .unwrap()
            .ends_with(['区', '县'])
    }));
    assert_eq!(runs[0]["published"], false, "a draft until published");
    let table = jianguan(&[
        "score", "--db", &url, "--month", "2021-10", "--kind", "district",
    ]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("县区月度考评") && text.contains("望舒县"),
        "{text}"
    );
    assert!(!text.contains("牵头单位月度考评"), "{text}");
}

#[tokio::test]
async fn a_scheme_with_a_typo_is_refused_naming_the_line_and_the_scheme_in_force_stays() {
    use jianguan_domain::assessment::DEFAULT_SCHEME_TOML;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    let typo = DEFAULT_SCHEME_TOML.replace("\"mechanised_cleaning\"", "\"mechanized_cleaning\"");
    let path = write("typo.toml", &typo);
    let out = jianguan(&["scheme", "set", "--db", &url, "--year", "2021", &path]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_lines(&out).join(" ");
    let line = line_of(&typo, "mechanized_cleaning");
    assert!(
        err.contains("typo.toml") && err.contains(&format!("第{line}行")),
        "{err}"
    );
    assert!(err.contains("mechanized_cleaning"), "{err}");

    let unbalanced = DEFAULT_SCHEME_TOML
        .replace("version = 1", "version = 2")
        .replace("weight = 0.35", "weight = 0.45");
    let path = write("weights.toml", &unbalanced);
    let out = jianguan(&["scheme", "set", "--db", &url, "--year", "2021", &path]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_lines(&out).join(" ");
    assert!(err.contains("权重之和"), "{err}");

    let shown = jianguan(&["scheme", "show", "--db", &url, "--year", "2021"]);
    assert_eq!(shown.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&shown.stderr).contains("默认办法"));
    assert_eq!(String::from_utf8_lossy(&shown.stdout), DEFAULT_SCHEME_TOML);

    // A good file is saved as the next version; the same version again is refused.
    let good = DEFAULT_SCHEME_TOML
        .replace("version = 1", "version = 2")
        .replace("reward_top = 3", "reward_top = 2");
    let path = write("good.toml", &good);
    let out = jianguan(&["scheme", "set", "--db", &url, "--year", "2021", &path]);
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("第 2 版"));
    let again = jianguan(&["scheme", "set", "--db", &url, "--year", "2021", &path]);
    assert_eq!(again.status.code(), Some(1));
    let shown = jianguan(&["scheme", "show", "--db", &url, "--year", "2021"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("reward_top = 2"));
    let other_year = jianguan(&["scheme", "set", "--db", &url, "--year", "2022", &path]);
    assert_eq!(other_year.status.code(), Some(1));
    let year_line = format!("第{}行", line_of(&good, "year = 2021"));
    assert!(
        stderr_lines(&other_year)[0].contains(&year_line),
        "{:?}",
        stderr_lines(&other_year)
    );
    let json = score_json(&["score", "--db", &url, "--month", "2021-10", "--json"]);
    assert_eq!(json["runs"][0]["scheme_version"], 2);
}

#[tokio::test]
async fn a_published_month_is_rescored_only_with_a_reason_as_a_new_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let score = |extra: &[&str]| {
        let mut args = vec![
            "score", "--db", &url, "--month", "2021-10", "--kind", "district",
        ];
        args.extend_from_slice(extra);
        jianguan(&args)
    };
    let draft = score(&["--json"]);
    assert_eq!(draft.status.code(), Some(0), "{:?}", stderr_lines(&draft));
    let publish = jianguan(&[
        "score",
        "publish",
        "--db",
        &url,
        "--month",
        "2021-10",
        "--kind",
        "district",
        "--on",
        "2021-11-05",
    ]);
    assert_eq!(
        publish.status.code(),
        Some(0),
        "{:?}",
        stderr_lines(&publish)
    );
    // Published: scoring again shows it unchanged.
    let shown = score(&["--json"]);
    assert!(String::from_utf8_lossy(&shown.stderr).contains("结果不变"));
    let json: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let draft: serde_json::Value = serde_json::from_slice(&draft.stdout).unwrap();
    assert_eq!(json["runs"][0]["published_on"], "2021-11-05");
    assert_eq!(
        json["runs"][0]["scores"], draft["runs"][0]["scores"],
        "frozen as drafted"
    );
    // Without a reason a rescore is refused; a reason alone is a usage error.
    let refused = score(&["--rescore"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr_lines(&refused).join(" ");
    assert!(err.contains("更正理由"), "{err}");
    assert_eq!(score(&["--reason", "x"]).status.code(), Some(2));
    let again = score(&["--json"]);
    assert_eq!(
        again.stdout, shown.stdout,
        "a refused rescore changes nothing"
    );
    // With a reason it is a new published version; the first is kept.
    let corrected = score(&["--rescore", "--reason", "映湖区市场化率录入有误", "--json"]);
    assert_eq!(
        corrected.status.code(),
        Some(0),
        "{:?}",
        stderr_lines(&corrected)
    );
    let json: serde_json::Value = serde_json::from_slice(&corrected.stdout).unwrap();
    assert_eq!(json["runs"][0]["version"], 2);
    assert_eq!(json["runs"][0]["published"], true);
    assert_eq!(
        json["runs"][0]["correction_reason"],
        "映湖区市场化率录入有误"
    );
    let db = jianguan_store::open(&url).await.unwrap();
    let month = jianguan_domain::assessment::Month::parse("2021-10").unwrap();
    let versions = db
        .run_versions(month, jianguan_domain::assessment::SubjectKind::District)
        .await
        .unwrap();
    assert_eq!(
        versions.iter().map(|r| r.version).collect::<Vec<_>>(),
        [1, 2]
    );
    db.close().await;
    // Nothing is left to publish.
    let publish_again = jianguan(&[
        "score", "publish", "--db", &url, "--month", "2021-10", "--kind", "district",
    ]);
    assert_eq!(publish_again.status.code(), Some(1));
}

#[tokio::test]
async fn an_entered_rate_above_100_percent_is_refused_and_a_good_one_is_scored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let district_id = jianguan_demo::demo_city()
        .units_of(jianguan_domain::model::UnitKind::District)
        .next()
        .unwrap()
        .id
        .0;
    let district = district_id.to_string();
    let enter = |unit: &str, value: &str| {
        jianguan(&[
            "indicator",
            "enter",
            "--db",
            &url,
            "--indicator",
            "street_cleaning_marketisation",
            "--unit",
            unit,
            "--month",
            "2021-10",
            "--value",
            value,
        ])
    };
    let out = enter(&district, "100.5");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_lines(&out).join(" ");
    assert!(err.contains("超出范围") && err.contains("100.5"), "{err}");
    // Only districts and lead units are scored.
    assert_eq!(enter("1", "93.1").status.code(), Some(1));
    let ok = enter(&district, "93.1");
    assert_eq!(ok.status.code(), Some(0), "{:?}", stderr_lines(&ok));
    let json = score_json(&[
        "score", "--db", &url, "--month", "2021-10", "--kind", "district", "--json",
    ]);
    let card = json["runs"][0]["scores"]["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"]["id"] == district_id)
        .unwrap()
        .clone();
    let line = card["systems"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "street_cleaning_marketisation")
        .unwrap()
        .clone();
    assert_eq!(line["value"], 93.1);
    assert_eq!(line["points"], 100.0, "93.1 against a target of 90");
}

// `jianguan report` dates a document about a past period at the period's end, not the day it
// is drafted, unless `--date` says otherwise; a bad `--date` is a usage error.

/// The text of a .docx body, runs joined (numbers are runs of their own).
fn docx_text(path: &std::path::Path) -> String {
    let file = std::fs::File::open(path).expect("written");
    let mut xml = String::new();
    zip::ZipArchive::new(file)
        .expect("a zip")
        .by_name("word/document.xml")
        .expect("the body")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn a_document_about_a_past_period_is_dated_at_its_end_unless_told_otherwise() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path()).await;
    let out = dir.path().join("q3.docx");
    let out_s = out.to_str().expect("utf-8");
    let run = |extra: &[&str], kind: &str, period: &str| {
        let mut args = vec![
            "report", kind, "--db", &db, "--period", period, "--out", out_s,
        ];
        args.extend_from_slice(extra);
        let o = jianguan(&args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        docx_text(&out)
    };
    // The signature: the signer, then the date.
    let signed = |date: &str| format!("{}{date}", jianguan_documents::reports::DEFAULT_ISSUER);
    // The Q3 analysis, drafted years later, is signed on 30 September.
    let text = run(&[], "quarterly", "2021-Q3");
    assert!(text.contains(&signed("2021年9月30日")), "{text}");
    // --date signs it on the day the office gives.
    let text = run(&["--date", "2021-10-08"], "quarterly", "2021-Q3");
    assert!(text.contains(&signed("2021年10月8日")), "{text}");
    // The half-year summary is dated 30 June; the week's pack its Sunday.
    let text = run(&[], "summary", "2021-H1");
    assert!(text.contains(&signed("2021年6月30日")), "{text}");
    let text = run(&["--date", "2021-07-05"], "summary", "2021-H1");
    assert!(text.contains(&signed("2021年7月5日")), "{text}");
    let text = run(&[], "dispatch", "2021-W40");
    assert!(text.contains(&signed("2021年10月10日")), "{text}");
    // A date that is not one is a usage error.
    let bad = jianguan(&[
        "report",
        "summary",
        "--db",
        &db,
        "--period",
        "2021",
        "--out",
        out_s,
        "--date",
        "2021-13-01",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A city with units and one category (shares adding up to 100) and no projects, as
/// `jianguan init` and `org import` leave it.
async fn empty_city(dir: &std::path::Path) -> String {
    use jianguan_domain::model::*;
    let url = dir.join("city.db").to_str().expect("utf-8").to_string();
    let db = jianguan_store::open(&url).await.expect("open");
    let unit = |id, kind, name: &str, parent: Option<i64>| Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent: parent.map(UnitId),
        active: true,
    };
    let step = |name: &str, weight, share, enters| TemplateStep {
        name: name.into(),
        weight,
        enters,
        share,
    };
    let city = Portfolio {
        units: vec![
            unit(1, UnitKind::CommandHq, "指挥部办公室", None),
            unit(2, UnitKind::SubHq, "老旧小区分指挥部", Some(1)),
            unit(3, UnitKind::LeadUnit, "市住建局", None),
            unit(4, UnitKind::District, "东湖区", None),
            unit(5, UnitKind::ResponsibleUnit, "东湖区住建局", Some(4)),
        ],
        categories: vec![Category {
            id: CategoryId(1),
            code: "old_community".into(),
            name: "老旧小区改造".into(),
            sub_hq: UnitId(2),
            lead_unit: UnitId(3),
            template: vec![
                step("立项", 10, 0, None),
                step("开工", 20, 0, Some(ProjectStatus::UnderConstruction)),
                step("主体完工", 40, 70, None),
                step("竣工验收", 30, 30, Some(ProjectStatus::Accepted)),
            ],
            template_version: 1,
        }],
        ..Portfolio::default()
    };
    db.create_portfolio(
        &city,
        &Actor {
            name: "test".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("the empty city");
    db.close().await;
    url
}

#[tokio::test]
async fn a_code_less_start_and_end_only_csv_imports_into_a_city_without_projects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = empty_city(dir.path()).await;
    let mut csv =
        "项目名称,项目类别,所属县区,牵头单位,责任单位,总投资（万元）,计划开工时间,计划完工时间\n"
            .to_string();
    for i in 1..=24 {
        let unit = if i == 24 {
            "东湖区城投公司"
        } else {
            "东湖区住建局"
        };
        let (start, end) = if i % 2 == 0 {
            ("2026-03-05", "2026/10/17")
        } else {
            ("2026/03/05", "2026-10-17")
        };
        csv.push_str(&format!(
            "东湖区第{i}号老旧小区改造项目,老旧小区改造,东湖区,市住建局,{unit},1234.56,{start},{end}\n"
        ));
    }
    let file = dir.path().join("ledger.csv");
    std::fs::write(&file, csv).expect("write");
    let file = file.to_str().expect("utf-8");

    let dry = jianguan(&[
        "import",
        "ledger",
        "--db",
        &url,
        file,
        "--year",
        "2026",
        "--dry-run",
    ]);
    let out = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{out}\n{:?}",
        stderr_lines(&dry)
    );
    assert!(out.contains("新增 24 个项目"), "{out}");
    assert!(
        out.contains("JG2026-0001") && out.contains("JG2026-0024"),
        "{out}"
    );
    assert!(out.contains("新建责任单位 东湖区城投公司"), "{out}");
    assert!(out.contains("推算"), "{out}");
    let db = jianguan_store::open_existing(&url).await.expect("open");
    assert!(
        db.load_portfolio().await.expect("load").projects.is_empty(),
        "a dry run writes nothing"
    );

    let real = jianguan(&["import", "ledger", "--db", &url, file, "--year", "2026"]);
    assert_eq!(real.status.code(), Some(0), "{:?}", stderr_lines(&real));
    let city = db.load_portfolio().await.expect("load");
    assert_eq!(city.projects.len(), 24);
    let new_unit = city
        .units
        .iter()
        .find(|u| u.name == "东湖区城投公司")
        .expect("the new unit is stored");
    assert_eq!(new_unit.parent, Some(jianguan_domain::model::UnitId(4)));
    let last = city
        .projects
        .iter()
        .find(|p| p.code == "JG2026-0024")
        .expect("the made-up code is stored");
    assert_eq!(last.responsible_unit, new_unit.id);
    assert_eq!(last.year_plans.len(), 1);
    assert_eq!(last.year_plans[0].year, 2026);
    assert_eq!(
        last.year_plans[0].status,
        jianguan_domain::model::PlanStatus::Draft
    );
    assert!(last.milestones.iter().all(|m| m.derived));
    assert_eq!(
        last.milestones.last().map(|m| m.planned.to_string()),
        Some("2026-10-17".to_string())
    );
    // Rows without a code are always new: importing the file again adds 24 more.
    let again = jianguan(&["import", "ledger", "--db", &url, file, "--year", "2026"]);
    assert_eq!(again.status.code(), Some(0), "{:?}", stderr_lines(&again));
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        out.contains("JG2026-0025") && out.contains("JG2026-0048"),
        "{out}"
    );
    db.close().await;
}

/// The login settings from the command line: shown, changed in part (the rest kept), a bad
/// value refused naming the range with nothing saved, each change in the audit trail.
#[tokio::test]
async fn security_settings_are_shown_and_changed_in_part_and_a_bad_value_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = empty_city(dir.path()).await;
    let show = |url: &str| {
        let out = jianguan(&["security", "show", "--db", url]);
        assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let standard = show(&url);
    assert!(standard.contains("口令最长使用期限：90 天"), "{standard}");
    assert!(standard.contains("同时在线会话：3 个"), "{standard}");

    let set = jianguan(&[
        "security",
        "set",
        "--db",
        &url,
        "--max-sessions",
        "1",
        "--by",
        "安全管理员",
    ]);
    assert_eq!(set.status.code(), Some(0), "{:?}", stderr_lines(&set));
    let changed = show(&url);
    assert!(changed.contains("同时在线会话：1 个"), "{changed}");
    assert!(
        changed.contains("口令最长使用期限：90 天"),
        "the rest kept: {changed}"
    );

    let bad = jianguan(&["security", "set", "--db", &url, "--max-sessions", "0"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr_lines(&bad).join(" ").contains("1 到 100"),
        "{:?}",
        stderr_lines(&bad)
    );
    assert_eq!(show(&url), changed, "nothing saved by the refusal");

    let db = jianguan_store::open(&url).await.expect("open");
    let head = db.audit_head().await.expect("reads").expect("a record");
    assert_eq!(head.action, "security.settings.save");
    assert_eq!(head.actor, "安全管理员");
    db.close().await;
}

/// `--coordinates` on import converts a ledger typed from a phone map to WGS-84, a swapped pair
/// refuses the whole file saying so, and export writes the system asked for, saying which.
#[tokio::test]
async fn ledger_coordinates_are_converted_on_import_and_export() {
    use jianguan_domain::coords::CoordinateSystem;
    use jianguan_domain::model::GeoPoint;

    let dir = tempfile::tempdir().expect("temp dir");
    let url = empty_city(dir.path()).await;
    let header = "项目名称,项目类别,所属县区,牵头单位,责任单位,总投资（万元）,计划开工时间,计划完工时间,经度,纬度\n";
    let row = |lon: &str, lat: &str| {
        format!(
            "东湖区老旧小区改造项目,老旧小区改造,东湖区,市住建局,东湖区住建局,1000,2026-03-05,2026-10-17,{lon},{lat}\n"
        )
    };
    let write = |name: &str, text: String| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        file.to_str().expect("utf-8").to_owned()
    };

    let swapped = write(
        "swapped.csv",
        format!(
            "{header}{}{}",
            row("118.0945", "24.477"),
            row("24.477", "118.0945")
        ),
    );
    let refused = jianguan(&[
        "import",
        "ledger",
        "--db",
        &url,
        &swapped,
        "--year",
        "2026",
        "--coordinates",
        "高德",
    ]);
    assert_ne!(refused.status.code(), Some(0));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(said.contains("经纬度可能填反了"), "{said}");
    let db = jianguan_store::open_existing(&url).await.expect("open");
    assert!(
        db.load_portfolio().await.expect("load").projects.is_empty(),
        "nothing is stored"
    );

    let good = write("good.csv", format!("{header}{}", row("118.0945", "24.477")));
    let done = jianguan(&[
        "import",
        "ledger",
        "--db",
        &url,
        &good,
        "--year",
        "2026",
        "--coordinates",
        "gcj02",
    ]);
    assert_eq!(done.status.code(), Some(0), "{:?}", stderr_lines(&done));
    let typed = GeoPoint {
        lon: 118.0945,
        lat: 24.477,
    };
    let city = db.load_portfolio().await.expect("load");
    assert_eq!(
        city.projects[0].location,
        Some(CoordinateSystem::Gcj02.to_wgs84(typed))
    );
    db.close().await;

    let out = dir.path().join("台账.xlsx");
    let exported = jianguan(&[
        "export",
        "ledger",
        "--db",
        &url,
        "--out",
        out.to_str().expect("utf-8"),
        "--coordinates",
        "bd09",
    ]);
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{:?}",
        stderr_lines(&exported)
    );
    let bytes = std::fs::read(&out).expect("the ledger is written");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx");
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .expect("shared strings")
        .read_to_string(&mut strings)
        .expect("utf-8");
    assert!(strings.contains("经度（BD-09）"), "{strings}");
    // The header says BD-09, so the ledger imports back unchanged without being told.
    let again = jianguan(&[
        "import",
        "ledger",
        "--db",
        &url,
        out.to_str().expect("utf-8"),
        "--dry-run",
    ]);
    let said = String::from_utf8_lossy(&again.stdout);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{said}{:?}",
        stderr_lines(&again)
    );
    assert!(said.contains("不变 1 个"), "{said}");
}
