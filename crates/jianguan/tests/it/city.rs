//! A real city sets itself up from an empty database: `init` (once only), `org import` (all or
//! nothing, again unchanged), `user add --unit NAME`, and the figures and server on a city
//! without projects.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn jianguan(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env_remove("JIANGUAN_LANG")
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("the binary ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const ORG_CSV: &str = "单位名称,类型,上级单位
城建分指挥部,分指挥部,
市住建局,牵头单位,
市城管局,牵头单位,
东湖区,县区,
西山区,县区,
东湖区住建局,责任单位,东湖区
西山区城管局,责任单位,西山区
";

struct City {
    dir: tempfile::TempDir,
}

impl City {
    fn new() -> City {
        City {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn db(&self) -> String {
        self.path("city.db")
    }

    fn run(&self, args: &[&str]) -> Output {
        jianguan(args, None)
    }
}

/// Whether `text` holds Chinese (ideographs or full-width punctuation).
fn has_chinese(text: &str) -> bool {
    text.chars().any(jianguan_domain::i18n::is_cjk)
}

#[test]
fn with_lang_en_init_prints_english_and_refuses_a_second_init_and_a_taken_name_in_english() {
    let city = City::new();
    let db = city.db();
    let init = city.run(&[
        "--lang",
        "en",
        "init",
        "--db",
        &db,
        "--city",
        "测试市",
        "--year",
        "2026",
    ]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let out = text(&init.stdout);
    assert!(out.contains("Set up 测试市 (2026):"), "{out}");
    assert!(out.contains("11 project categories"), "{out}");
    assert!(out.contains("Next:"), "{out}");

    // The refusal of a second init, in English (the option goes after the subcommand too).
    let again = city.run(&[
        "init",
        "--db",
        &db,
        "--city",
        "测试市",
        "--year",
        "2026",
        "--lang",
        "en",
    ]);
    assert_eq!(again.status.code(), Some(1));
    let err = text(&again.stderr);
    assert!(err.contains("cannot be set up again"), "{err}");
    assert!(!has_chinese(&err), "{err}");

    // JIANGUAN_LANG chooses English as well; a taken user name is refused in English.
    let add = |username: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jianguan"))
            .args([
                "user",
                "add",
                "--db",
                &db,
                "--username",
                username,
                "--name",
                "Auditor",
                "--role",
                "hq_office",
                "--unit",
                "测试市城市建管提升行动指挥部办公室",
            ])
            .env_remove("JIANGUAN_DATABASE_URL")
            .env("JIANGUAN_LANG", "en")
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(b"Kestrel#Bay-2027-ok\n")
            .expect("write stdin");
        drop(input);
        child.wait_with_output().expect("the binary ends")
    };
    let made = add("partner");
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(
        text(&made.stdout).contains("Created account partner"),
        "{}",
        text(&made.stdout)
    );
    let dup = add("PARTNER");
    assert_eq!(dup.status.code(), Some(1));
    let err = text(&dup.stderr);
    assert!(err.contains("That user name is already taken"), "{err}");
    assert!(!has_chinese(&err), "{err}");

    // An unknown language is a usage error.
    let bad = city.run(&["--lang", "fr", "stats", "--db", &db]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_city_is_set_up_once_its_organisation_imported_and_a_reporter_added_by_unit_name() {
    let city = City::new();
    let db = city.db();
    let init = city.run(&["init", "--db", &db, "--city", "测试市", "--year", "2026"]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let out = text(&init.stdout);
    assert!(out.contains("测试市城市建管提升行动指挥部办公室"), "{out}");
    assert!(out.contains("项目类别 11 个"), "{out}");
    assert!(out.contains("jianguan org import"), "{out}");

    // The same again fails, naming why, and writes nothing.
    let again = city.run(&["init", "--db", &db, "--city", "测试市", "--year", "2026"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("不能再次初始化"),
        "{}",
        text(&again.stderr)
    );

    let csv = city.path("org.csv");
    std::fs::write(&csv, ORG_CSV).expect("write org.csv");
    let import = city.run(&["org", "import", "--db", &db, &csv]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(
        text(&import.stdout).contains("新建 7 个单位"),
        "{}",
        text(&import.stdout)
    );
    // Importing the same file again changes nothing.
    let import = city.run(&["org", "import", "--db", &db, &csv]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(text(&import.stdout).contains("新建 0 个单位，7 个已有单位未变"));

    let add = |username: &str| {
        jianguan(
            &[
                "user",
                "add",
                "--db",
                &db,
                "--username",
                username,
                "--name",
                "填报员",
                "--role",
                "unit_reporter",
                "--unit",
                "东湖区住建局",
            ],
            Some("Reporter#East-2027-ok\n"),
        )
    };
    let user = add("rep1");
    assert!(user.status.success(), "{}", text(&user.stderr));
    assert!(
        text(&user.stdout).contains("单位 东湖区住建局"),
        "{}",
        text(&user.stdout)
    );
    // A taken user name is refused in Chinese.
    let dup = add("REP1");
    assert_eq!(dup.status.code(), Some(1));
    assert!(
        text(&dup.stderr).contains("用户名已存在"),
        "{}",
        text(&dup.stderr)
    );

    let show = city.run(&["org", "show", "--db", &db]);
    let tree = text(&show.stdout);
    assert!(
        tree.contains("\n  东湖区住建局（责任单位，编号 7）"),
        "{tree}"
    );

    let stats = city.run(&["stats", "--db", &db, "--json"]);
    assert!(stats.status.success(), "{}", text(&stats.stderr));
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("json");
    assert_eq!(json["projects"], 0);

    // The new reporter's to-do list: nothing yet (no projects), and an unknown name refused.
    let todo = city.run(&[
        "todo",
        "--db",
        &db,
        "--user",
        "rep1",
        "--today",
        "2026-03-10",
        "--json",
    ]);
    assert!(todo.status.success(), "{}", text(&todo.stderr));
    let json: serde_json::Value = serde_json::from_slice(&todo.stdout).expect("json");
    assert_eq!(json["today"], "2026-03-10");
    let accounts = json["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["username"], "rep1");
    assert_eq!(accounts[0]["roles"][0], "unit_reporter");
    assert_eq!(accounts[0]["total"], 0);
    let lines = city.run(&["todo", "--db", &db, "--user", "rep1"]);
    assert!(
        text(&lines.stdout).contains("目前没有需要您处理的事项"),
        "{}",
        text(&lines.stdout)
    );
    let nobody = city.run(&["todo", "--db", &db, "--user", "nobody"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(text(&nobody.stderr).contains("没有名为 nobody 的有效账户"));
}

#[test]
fn a_bad_organisation_file_is_refused_whole_naming_every_bad_row() {
    let city = City::new();
    let db = city.db();
    assert!(
        city.run(&["init", "--db", &db, "--city", "测试市", "--year", "2026"])
            .status
            .success()
    );
    let csv = city.path("bad.csv");
    std::fs::write(
        &csv,
        "单位名称,类型,上级单位\n东湖区,县区,\n东湖区住建局,责任单位,南湖区\n市住建局,局,\n",
    )
    .expect("write");
    let out = city.run(&["org", "import", "--db", &db, &csv]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("第 3 行「上级单位」：「南湖区」"), "{err}");
    assert!(err.contains("第 4 行「类型」"), "{err}");
    let tree = text(&city.run(&["org", "show", "--db", &db]).stdout);
    assert!(!tree.contains("东湖区"), "nothing imported: {tree}");
}

#[test]
fn a_unit_name_that_is_not_there_is_refused_by_user_add() {
    let city = City::new();
    let db = city.db();
    assert!(
        city.run(&["init", "--db", &db, "--city", "测试市", "--year", "2026"])
            .status
            .success()
    );
    let out = jianguan(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "rep1",
            "--name",
            "x",
            "--role",
            "unit_reporter",
            "--unit",
            "南湖区",
        ],
        Some("Reporter#East-2027-ok\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("没有名为「南湖区」的在用单位"),
        "{}",
        text(&out.stderr)
    );
}

/// `init --crypto sm` (商用密码, GB/T 39786): the choice is printed, recorded for good and used —
/// an administrator's second-factor seed is stored SM4-sealed under the key file `init` made,
/// `audit verify` checks the SM3 chain and says so, `security show` names the suite. A suite
/// that is neither is a usage error naming both.
#[test]
fn a_city_set_up_with_the_sm_suite_seals_with_sm4_and_verifies_an_sm3_chain() {
    use std::os::unix::fs::PermissionsExt;
    let city = City::new();
    let db = city.db();
    let init_with = |suite: &str| {
        city.run(&[
            "init",
            "--db",
            &db,
            "--city",
            "测试市",
            "--year",
            "2026",
            "--crypto",
            suite,
        ])
    };
    let bad = init_with("md5");
    assert_eq!(bad.status.code(), Some(2));
    let why = text(&bad.stderr);
    assert!(why.contains("sm") && why.contains("intl"), "{why}");
    assert!(!std::path::Path::new(&db).exists(), "nothing was made");

    let init = init_with("sm");
    assert!(init.status.success(), "{}", text(&init.stderr));
    assert!(
        text(&init.stdout).contains("密码算法：商用密码（SM3 / HMAC-SM3 / SM4-GCM）"),
        "{}",
        text(&init.stdout)
    );
    let key = city.path("city.db.key");
    let mode = std::fs::metadata(&key)
        .expect("the key file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    let admin = jianguan(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "sysadm",
            "--name",
            "系统管理员",
            "--role",
            "system_admin",
        ],
        Some("Admin#System-2026-ok\n"),
    );
    assert!(admin.status.success(), "{}", text(&admin.stderr));
    let out = text(&admin.stdout);
    let seed = out
        .split_once("动态口令密钥（请录入手机验证器，仅显示一次）：")
        .map(|(_, s)| s.trim().to_string())
        .expect("the seed is shown once");
    let mut stored = String::new();
    for file in ["city.db", "city.db-wal"] {
        if let Ok(bytes) = std::fs::read(city.path(file)) {
            stored.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    assert!(
        !stored.contains(&seed),
        "the seed is not stored in plain text"
    );
    assert!(stored.contains("sm4gcm1:"), "sealed with SM4");
    assert!(!stored.contains("aes256gcm1:"), "not with AES");

    let verify = city.run(&["audit", "verify", "--db", &db]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    let verdict = text(&verify.stdout);
    assert!(verdict.contains("审计链完整"), "{verdict}");
    assert!(verdict.contains("商用密码（SM3"), "{verdict}");

    let show = city.run(&["security", "show", "--db", &db]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    assert!(
        text(&show.stdout).contains("密码算法：商用密码"),
        "{}",
        text(&show.stdout)
    );

    // Another key file (a copy restored elsewhere with a new key): a write that would seal under
    // it is refused rather than mixing two keys in one database, and nothing is written.
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).expect("another key");
    let other = jianguan(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "secadm",
            "--name",
            "安全管理员",
            "--role",
            "security_admin",
        ],
        Some("Admin#Security-2026-ok\n"),
    );
    assert_eq!(other.status.code(), Some(1), "{}", text(&other.stdout));
    assert!(
        text(&other.stderr).contains("密钥与数据库不符"),
        "{}",
        text(&other.stderr)
    );
    let verify = city.run(&["audit", "verify", "--db", &db]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}
