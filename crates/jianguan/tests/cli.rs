//! The binary from the outside: exit codes (0 ok, 1 failure with one line, 2 usage), refusing
//! foreign files untouched, and `stats --json` on the demo city.

use std::process::{Command, Output};

use jianguan_domain::store::{Actor, Store};

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
    assert!(text.contains("历次调度会督办事项"), "{text}");
    drop(blocker);
}

#[tokio::test]
async fn a_rules_file_with_a_typo_is_refused_naming_the_line_and_the_rules_stay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = demo_database(dir.path()).await;
    let bad = dir.path().join("rules.toml");
    let text = jianguan_domain::warnings::DEFAULT_RULES_TOML.replace("\"summoned\"", "\"sumoned\"");
    let line = text.lines().position(|l| l.contains("sumoned")).unwrap() + 1;
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
