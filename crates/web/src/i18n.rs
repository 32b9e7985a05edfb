//! The reader's display preferences for one request: the interface language
//! ([`jianguan_domain::i18n::Lang`]) and the larger type (适老化).
//!
//! The authentication layer decides them once per request — the signed-in user's stored
//! language, else the `Accept-Language` header; the large-type cookie — and runs the rest of
//! the request inside [`scope`], so the layout, the error pages and the API's error messages read
//! them with [`current`] instead of every handler passing them along.

use axum::http::{HeaderMap, header};
pub use jianguan_domain::i18n::Lang;

/// The cookie that asks for the larger type on this device (`1`).
pub const LARGE_TYPE_COOKIE: &str = "jg_large";

/// How this request's pages are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Display {
    /// The interface language.
    pub lang: Lang,
    /// The larger type (the root font size scaled up, `body.large`).
    pub large: bool,
}

impl Display {
    /// What a request's headers ask for, before any user preference: `Accept-Language` and the
    /// large-type cookie.
    pub fn from_headers(headers: &HeaderMap) -> Display {
        let lang = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::Zh, Lang::from_accept_language);
        let large = crate::auth::cookie_value(headers, LARGE_TYPE_COOKIE).as_deref() == Some("1");
        Display { lang, large }
    }
}

tokio::task_local! {
    static DISPLAY: Display;
}

/// Runs `f` with `display` as the request's display preferences.
pub async fn scope<F: Future>(display: Display, f: F) -> F::Output {
    DISPLAY.scope(display, f).await
}

/// The display preferences of the request being served; the defaults (Chinese, normal type)
/// outside a request.
pub fn current() -> Display {
    DISPLAY.try_with(|d| *d).unwrap_or_default()
}

/// The request's language.
pub fn lang() -> Lang {
    current().lang
}

/// The templates whose every Chinese text goes through the translator; the others are still
/// Chinese only (listed in [`NOT_YET_TRANSLATED`]).
#[cfg(test)]
const TRANSLATED: &[&str] = &[
    "base.html",
    "display_toggle.html",
    "login.html",
    "error.html",
    "account.html",
    "account_password.html",
    "macros.html",
    "cadence_macros.html",
    "overview.html",
    "map.html",
    "wall.html",
    "wall_body.html",
    "wall_links.html",
    "todo.html",
    "wall_refused.html",
    "projects.html",
    "project.html",
    "filing.html",
    "warnings.html",
    "items.html",
    "item.html",
    "help.html",
    "search.html",
    "dispatch.html",
    "compliance.html",
    "quarterly.html",
    "assessment.html",
    "assessment_card.html",
    "breakdown.html",
    "indicators.html",
    "indicator.html",
    "plans.html",
    "plan_change.html",
    "acts.html",
    "audit.html",
    "admin_users.html",
    "admin_nav.html",
    "categories.html",
    "org.html",
    "coverage.html",
    "settings_warnings.html",
    "assessment_scheme.html",
    "category_edit.html",
    "category_history.html",
    "ledger_import.html",
    "project_edit.html",
    "rule_form.html",
    "setup.html",
    "setup_done.html",
];

/// The templates not translated yet: their pages show in Chinese whatever the language.
#[cfg(test)]
const NOT_YET_TRANSLATED: &[&str] = &[];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use jianguan_domain::i18n::{has_entry, is_cjk};

    use super::{NOT_YET_TRANSLATED, TRANSLATED};

    /// The string literals passed to a translator call (`.t("…")`, `.tn("…", …)`,
    /// `.tn2("…", …)`) in `text`, and the text with those literals blanked out.
    fn translator_keys(text: &str) -> (Vec<String>, String) {
        let mut keys = Vec::new();
        let mut rest = String::with_capacity(text.len());
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < text.len() {
            let call = [".t(", ".tn(", ".tn2("]
                .iter()
                .find(|c| text[i..].starts_with(**c));
            if let Some(call) = call {
                rest.push_str(call);
                let mut j = i + call.len();
                while j < text.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < text.len() && bytes[j] == b'"' {
                    let start = j + 1;
                    let mut k = start;
                    while k < text.len() && bytes[k] != b'"' {
                        if bytes[k] == b'\\' {
                            k += 1;
                        }
                        k += 1;
                    }
                    keys.push(text[start..k].replace("\\\"", "\""));
                    rest.push_str("\"\"");
                    i = k + 1;
                } else {
                    i += call.len();
                }
                continue;
            }
            let c = text[i..].chars().next().expect("a char");
            rest.push(c);
            i += c.len_utf8();
        }
        (keys, rest)
    }

    /// `text` without askama comments (`{# … #}`), which no reader sees.
    fn without_comments(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("{#") {
            out.push_str(&rest[..at]);
            rest = rest[at..]
                .find("#}")
                .map_or("", |end| &rest[at + end + 2..]);
        }
        out.push_str(rest);
        out
    }

    fn crate_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_template_is_either_translated_or_listed_as_not_yet() {
        let mut names: Vec<String> = std::fs::read_dir(crate_dir().join("templates"))
            .expect("the templates")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        for name in &names {
            assert!(
                TRANSLATED.contains(&name.as_str()) ^ NOT_YET_TRANSLATED.contains(&name.as_str()),
                "{name} must be listed once, as translated or not yet"
            );
        }
    }

    #[test]
    fn translated_templates_have_no_chinese_outside_the_translator_and_every_key_has_english() {
        let mut problems = Vec::new();
        for name in TRANSLATED {
            let text = std::fs::read_to_string(crate_dir().join("templates").join(name))
                .expect("a template");
            let (keys, rest) = translator_keys(&without_comments(&text));
            for (n, line) in rest.lines().enumerate() {
                if line.chars().any(is_cjk) {
                    problems.push(format!("{name}:{}: Chinese outside t(): {line}", n + 1));
                }
            }
            for key in keys {
                if key.chars().any(is_cjk) && !has_entry(&key) {
                    problems.push(format!("{name}: no English for {key:?}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_chinese_string_passed_to_the_translator_in_the_code_has_english() {
        let mut files = Vec::new();
        rust_files(&crate_dir().join("src"), &mut files);
        rust_files(&crate_dir().join("../charts/src"), &mut files);
        let mut missing = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file");
            for key in translator_keys(&text).0 {
                if key.chars().any(is_cjk) && !has_entry(&key) {
                    missing.push(format!("{}: {key:?}", file.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no English for:\n{}",
            missing.join("\n")
        );
    }

    /// The Chinese string literals of `text` (Rust source, its tests cut off), each with its
    /// format holes (`{}`, `{name}`, `{:.1}`) named `{n}`, `{m}`, `{k}`, … in order, as the
    /// catalogue writes them.
    fn chinese_literals(text: &str) -> Vec<String> {
        const HOLES: [&str; 6] = ["n", "m", "k", "j", "p", "q"];
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut found = Vec::new();
        for line in code.lines() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut rest = line;
            while let Some(open) = rest.find('"') {
                let body = &rest[open + 1..];
                let mut end = None;
                let mut escaped = false;
                for (i, c) in body.char_indices() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else { break };
                let literal = body[..end].replace("\\\"", "\"").replace("\\n", "\n");
                let literal = literal.as_str();
                rest = &body[end + 1..];
                if !literal.chars().any(is_cjk) {
                    continue;
                }
                let mut key = String::new();
                let mut holes = 0;
                let mut chars = literal.char_indices().peekable();
                while let Some((i, c)) = chars.next() {
                    let hole = (c == '{')
                        .then(|| literal[i + 1..].find('}'))
                        .flatten()
                        .filter(|len| {
                            literal[i + 1..i + 1 + len]
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_.:+#".contains(c))
                        });
                    match hole {
                        Some(len) => {
                            key.push('{');
                            key.push_str(HOLES.get(holes).copied().unwrap_or("x"));
                            key.push('}');
                            holes += 1;
                            for _ in 0..=len {
                                chars.next();
                            }
                        }
                        None => key.push(c),
                    }
                }
                found.push(key);
            }
        }
        found
    }

    /// What the domain, the application and access control write in Chinese — refusals,
    /// reasons, labels — reaches readers of the English interface through `Lang::message`, so
    /// each of their Chinese literals needs a catalogue entry (the tests, the catalogue itself and
    /// the test fixture are not shown to anyone; a language's own name, 中文, is shown as is).
    #[test]
    fn every_chinese_literal_of_the_domain_app_and_access_code_has_english() {
        let mut files = Vec::new();
        for krate in ["domain", "app", "access"] {
            rust_files(&crate_dir().join("..").join(krate).join("src"), &mut files);
        }
        files.retain(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !f.components().any(|c| c.as_os_str() == "tests")
                && ![
                    "tests.rs",
                    "en.rs",
                    "en_messages.rs",
                    "fixture.rs",
                    "i18n.rs",
                ]
                .contains(&name)
        });
        let mut missing = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file");
            for key in chinese_literals(&text) {
                if !has_entry(&key) {
                    missing.push(format!("{}: {key:?}", file.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{} without English:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn chinese_literals_name_their_holes_as_the_catalogue_does() {
        let text =
            "let a = format!(\"第 {} 行「{name}」：{:.1}\", 1);\n// \"注释\"\nlet b = \"x\";";
        assert_eq!(chinese_literals(text), vec!["第 {n} 行「{m}」：{k}"]);
    }
}
