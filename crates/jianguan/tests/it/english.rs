//! `--lang en` beyond `init` and `stats`: on a small generated ledger, the weekly dispatch pack,
//! the warning job, the plan tally and the calendar print their own words in English; only data
//! (names of projects, units, districts, categories, milestones) stays as stored.

use std::process::{Command, Output};

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env_remove("JIANGUAN_LANG")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(jianguan_domain::i18n::is_cjk)
}

/// Runs `args` and returns its standard output and error, asserting it succeeded.
fn ok(args: &[&str]) -> (String, String) {
    let out = jianguan(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn with_lang_en_dispatch_warnings_plan_and_calendar_print_english_around_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("n.db").display().to_string();
    let (_, gen_err) = ok(&["--lang", "en", "gen", "--scale", "0.01", "--db", &db]);
    assert!(gen_err.contains("Generated 1,000 projects"), "{gen_err}");
    assert!(!has_chinese(&gen_err), "{gen_err}");

    // The warning job: one line, no data in it.
    let (run, _) = ok(&[
        "--lang",
        "en",
        "warnings",
        "run",
        "--db",
        &db,
        "--date",
        "2022-06-01",
    ]);
    assert!(
        run.starts_with("Ran the warning job 2022-06-01 to 2022-06-01: "),
        "{run}"
    );
    assert!(!has_chinese(&run), "{run}");

    // The dispatch pack: every heading and the league tables' header in English.
    let (pack, _) = ok(&[
        "--lang", "en", "dispatch", "--db", &db, "--week", "2022-W22",
    ]);
    let starts = |prefix: &str| {
        pack.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{pack}"))
            .to_string()
    };
    for prefix in [
        "Dispatch meeting pack 2022-W22 (2022-05-30 to 2022-06-05)",
        "1. Overall progress",
        "  Milestone completion ",
        "2. Overdue milestones (",
        "3. Milestones at risk (",
        "4. Warnings this week: 159 new, 0 escalated; open: ",
        "5. Items past their deadline (",
        "6. Stuck items (",
        "7. Filing period ",
        "8. Districts ranked",
        "9. Categories ranked",
        "10. Supervision and summons (",
        "  Rank\tName\tProjects\t",
    ] {
        assert!(!has_chinese(&starts(prefix)), "{prefix}");
    }
    // A milestone line: the project's code, name, district and unit are data; the rest English.
    let overdue = pack
        .lines()
        .find(|l| l.contains(" days overdue ["))
        .expect("an overdue milestone line");
    assert!(overdue.contains(" planned 2022-"), "{overdue}");

    // The plan tally: the heading and header English, the district names data.
    let (plans, _) = ok(&[
        "--lang", "en", "plan", "show", "--db", &db, "--year", "2022",
    ]);
    let mut lines = plans.lines();
    assert_eq!(lines.next(), Some("Plans of 2022: 1000 in all"), "{plans}");
    let header = lines.next().expect("the header");
    assert!(header.starts_with("District "), "{header}");
    assert!(header.contains(" Draft Submitted Approved "), "{header}");

    // The calendar: wholly English (dates only), its note on standard error too.
    let (calendar, note) = ok(&[
        "--lang", "en", "calendar", "show", "--db", &db, "--year", "2022",
    ]);
    assert!(
        calendar.starts_with("Periods of 2022 (opened):"),
        "{calendar}"
    );
    assert!(
        calendar.contains("  Period  1 2022-01-01 to 2022-01-14, due by 2022-01-16 17:00:00"),
        "{calendar}"
    );
    assert!(!has_chinese(&calendar), "{calendar}");
    assert!(!has_chinese(&note), "{note}");

    // The default language is unchanged.
    let (zh, _) = ok(&["calendar", "show", "--db", &db, "--year", "2022"]);
    assert!(
        zh.contains("  第 1期 2022-01-01 至 2022-01-14，2022-01-16 17:00:00 前报送"),
        "{zh}"
    );
}
