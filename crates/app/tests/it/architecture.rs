//! The layering ARCHITECTURE.md states, checked: the application crate knows no HTTP or SQL, the
//! binary reaches into the web crate only to serve, SQL lives only in the store, and audit
//! actions are named by `AuditAction`, never by a hand-written string.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The names of every normal dependency of `package`, direct or transitive.
fn dependency_tree(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-q", "-p", package, "-e", "normal"])
        .args(["--prefix", "none", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).expect("cargo tree prints UTF-8");
    let names: Vec<String> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(
        names.iter().any(|n| n == "jianguan-domain"),
        "cargo tree output looks wrong:\n{tree}"
    );
    names
}

/// Every `.rs` file under `dir`, except tests (`tests/`, `tests.rs`, `*/tests/*`) and benches.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a readable source directory") {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if name != "tests" && name != "benches" && name != "target" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The crates of the workspace: (directory name, its `src`).
fn crates() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(workspace().join("crates"))
        .expect("the crates directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.join("Cargo.toml").exists())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                p.join("src"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_application_crate_depends_on_no_http_or_database_crate() {
    const FORBIDDEN: [&str; 8] = [
        "axum",
        "hyper",
        "tower",
        "tower-http",
        "askama",
        "sqlx",
        "jianguan-web",
        "jianguan-store",
    ];
    for name in dependency_tree("jianguan-app") {
        assert!(
            !FORBIDDEN.contains(&name.as_str()),
            "jianguan-app must not depend on `{name}`: use cases know no HTTP and no SQL"
        );
    }
}

#[test]
fn the_web_crate_depends_on_no_database_crate_and_not_on_the_binary() {
    for name in dependency_tree("jianguan-web") {
        assert!(
            !["sqlx", "jianguan-store", "jianguan"].contains(&name.as_str()),
            "jianguan-web must not depend on `{name}`: it reaches the database only through the \
             application and the storage port"
        );
    }
}

#[test]
fn the_binary_reaches_into_the_web_crate_only_to_serve() {
    // What `serve`, `demo` and `bench` need of the web crate: its state, router and network
    // settings, and the signed-in user a benchmark request carries. Use cases come from
    // `jianguan_app`.
    const ALLOWED: [&str; 5] = [
        "jianguan_web::AppState",
        "jianguan_web::serve",
        "jianguan_web::router",
        "jianguan_web::network::",
        "jianguan_web::auth::CurrentUser",
    ];
    let mut offending = Vec::new();
    for file in sources(&workspace().join("crates/jianguan/src")) {
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("jianguan_web::") {
                let used = &rest[at..];
                if !ALLOWED.iter().any(|a| used.starts_with(a)) {
                    offending.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
                rest = &used["jianguan_web::".len()..];
            }
        }
    }
    assert!(
        offending.is_empty(),
        "the binary calls into the web crate for something that is not serving; call \
         jianguan_app instead:\n{}",
        offending.join("\n")
    );
}

#[test]
fn sql_is_written_only_in_the_store() {
    const SQL: [&str; 6] = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
        " WHERE ",
    ];
    let mut offending = Vec::new();
    for (name, src) in crates() {
        if name == "store" {
            continue;
        }
        for file in sources(&src) {
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains('"') && SQL.iter().any(|k| code.contains(k)) {
                    offending.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offending.is_empty(),
        "SQL outside crates/store:\n{}",
        offending.join("\n")
    );
}

#[test]
fn audit_actions_are_named_by_the_enum() {
    let mut offending = Vec::new();
    for (name, src) in crates() {
        for file in sources(&src) {
            if name == "audit" {
                // The enum's own codes and the record type's field live there.
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("action: \"") || code.starts_with("action: format!") {
                    offending.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offending.is_empty(),
        "an audit record names its action by hand; use jianguan_audit::AuditAction:\n{}",
        offending.join("\n")
    );
}

#[test]
fn no_writer_spells_an_audit_action_code_by_hand() {
    // The codes, read off the enum's own table (`AuditAction::X => "code"`).
    let table = std::fs::read_to_string(workspace().join("crates/audit/src/action.rs"))
        .expect("the audit action table");
    let codes: Vec<String> = table
        .lines()
        .filter_map(|l| l.split_once("=> \""))
        .filter_map(|(_, rest)| rest.split_once('"'))
        .map(|(code, _)| format!("\"{code}\""))
        .filter(|c| c.contains('.'))
        .collect();
    assert!(codes.len() > 30, "the table was not read: {codes:?}");
    let mut offending = Vec::new();
    for (name, src) in crates() {
        if name == "audit" {
            continue;
        }
        for file in sources(&src) {
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            // Unit tests at the end of a file may name stored codes to check them.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                if line.contains("the job's name") {
                    continue;
                }
                if let Some(c) = codes.iter().find(|c| line.contains(c.as_str())) {
                    offending.push(format!("{}:{}: {c}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offending.is_empty(),
        "an audit action code spelled by hand; use jianguan_audit::AuditAction:\n{}",
        offending.join("\n")
    );
}
