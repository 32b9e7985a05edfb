//! `jianguan report` dates a document about a past period at the period's end, not the day it
//! is drafted, unless `--date` says otherwise; a bad `--date` is a usage error.

use std::io::Read;
use std::process::{Command, Output};

use jianguan_documents::reports::DEFAULT_ISSUER;
use jianguan_domain::store::{Actor, Store};

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
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
    let signed = |date: &str| format!("{DEFAULT_ISSUER}{date}");
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
