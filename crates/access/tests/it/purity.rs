//! The access crate must stay pure: no database, HTTP or async runtime anywhere among its normal
//! dependencies, direct or transitive. Its rules are called from storage and web alike, and are
//! tested without either.

use std::process::Command;

const FORBIDDEN: [&str; 7] = ["sqlx", "axum", "tokio", "hyper", "tower", "reqwest", "mio"];

#[test]
fn access_crate_depends_on_no_database_http_or_runtime_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-q", "-p", "jianguan-access", "-e", "normal"])
        .args(["--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).expect("cargo tree prints UTF-8");
    assert!(
        tree.contains("argon2"),
        "cargo tree output looks wrong:\n{tree}"
    );
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        assert!(
            !FORBIDDEN.contains(&name),
            "the access crate must not depend on `{name}`: keep I/O in the store and web crates"
        );
    }
}
