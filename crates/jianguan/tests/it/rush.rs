//! `jianguan bench rush` against a demo server started on a free loopback port: a short rush
//! with four clients is acknowledged, and every acknowledged report is found again as sent (on
//! SQLite, and on PostgreSQL when `JIANGUAN_TEST_POSTGRES_URL` was set at build time). The
//! figures it prints are shown, never asserted.

use std::io::BufRead;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

/// A key for the demo's sealed second-factor seeds where there is no file beside the database.
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// `jianguan demo` serving on a free port until dropped.
struct Demo {
    child: Child,
    /// Kept open so the server's later lines have somewhere to go.
    _stdout: std::io::BufReader<ChildStdout>,
    url: String,
}

impl Demo {
    fn start(db: &str) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jianguan"))
            .args(["demo", "--db", db, "--listen", "127.0.0.1:0"])
            .env_remove("JIANGUAN_DATABASE_URL")
            .env("JIANGUAN_SECRET_KEY", KEY)
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let url = loop {
            line.clear();
            let n = stdout.read_line(&mut line).expect("read the demo's output");
            assert!(n > 0, "the demo ended before serving");
            if let Some((_, url)) = line.split_once("已启动：") {
                break url.trim().trim_end_matches('/').to_string();
            }
        };
        Demo {
            child,
            _stdout: stdout,
            url,
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn rush(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(["bench", "rush"])
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

/// The number after `label` in the output (`已确认 12 份` → 12).
fn count_after(text: &str, label: &str) -> u64 {
    let (_, after) = text
        .split_once(label)
        .unwrap_or_else(|| panic!("no 「{label}」 in:\n{text}"));
    after
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after 「{label}」 in:\n{text}"))
}

/// A short rush with four clients: exit 0, reports acknowledged, none lost or changed.
fn four_clients_for_three_seconds(db: &str) {
    let demo = Demo::start(db);
    let out = rush(&[
        "--url",
        &demo.url,
        "--clients",
        "4",
        "--seconds",
        "3",
        "--read-share",
        "0.3",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(out.status.success(), "{stdout}{stderr}");
    let checked = stdout
        .lines()
        .find(|l| l.starts_with("核对："))
        .unwrap_or_else(|| panic!("no check line:\n{stdout}"));
    let acknowledged = count_after(checked, "已确认");
    assert!(acknowledged > 0, "{stdout}");
    assert_eq!(count_after(checked, "一致"), acknowledged, "{checked}");
    assert_eq!(count_after(checked, "丢失"), 0, "{checked}");
    assert_eq!(count_after(checked, "不一致"), 0, "{checked}");
    assert_eq!(count_after(checked, "重复"), 0, "{checked}");
    assert!(stdout.contains("错误：0"), "{stdout}");
}

#[test]
fn a_short_rush_on_sqlite_loses_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    four_clients_for_three_seconds(db.to_str().expect("utf-8"));
}

#[test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL tests"
)]
fn a_short_rush_on_postgres_loses_nothing_it_acknowledged() {
    let schema = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(jianguan_store::testing::fresh_postgres_schema());
    four_clients_for_three_seconds(&schema.url);
}

#[test]
fn a_host_that_is_not_this_machine_is_refused_before_any_request() {
    for url in [
        "http://10.1.2.3:8080",
        "http://example.com",
        "https://127.0.0.1:1",
    ] {
        let out = rush(&["--url", url, "--seconds", "1"]);
        assert_eq!(out.status.code(), Some(1), "{url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--url"), "{url}: {stderr}");
    }
    let out = rush(&["--url", "http://127.0.0.1:1", "--seconds", "601"]);
    assert_eq!(out.status.code(), Some(2), "at most 600 seconds");
    let out = rush(&["--url", "http://127.0.0.1:1", "--clients", "1025"]);
    assert_eq!(out.status.code(), Some(2), "at most 1024 clients");
}
