//! The TOML reader's refusals in Chinese: the office edits warning rules, scoring schemes and
//! calendars as TOML in a text box, and is told what is wrong in its own language, never in the
//! parser's English. Names it quotes (a key, a value) stay as typed.

/// The Chinese reason for a TOML error (the line is named by the caller).
pub fn message(e: &toml::de::Error) -> String {
    translate(e.message().trim())
}

/// `message`'s translation of the parser's or serde's text.
fn translate(text: &str) -> String {
    if !text.is_ascii() && !text.contains("expected") {
        // A reason our own types wrote, already in Chinese.
        return text.to_string();
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        return format!("缺少必填项 {}", unquote(rest));
    }
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let (name, expected) = split_expected(rest);
        return match expected {
            Some(list) => format!("不认识的项 {name}（可填：{}）", names(list)),
            None => format!("不认识的项 {name}"),
        };
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let (name, expected) = split_expected(rest);
        return match expected {
            Some(list) => format!("取值 {name} 无效，应为 {} 之一", names(list)),
            None => format!("取值 {name} 无效"),
        };
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        let (found, expected) = split_expected(rest);
        return format!(
            "类型不对：此处是{}，应为{}",
            kind(&found),
            expected.map_or("其他类型".to_string(), kind)
        );
    }
    if let Some(rest) = text.strip_prefix("invalid value: ") {
        let (found, expected) = split_expected(rest);
        return format!(
            "取值{}无效，应为{}",
            kind(&found),
            expected.map_or("其他取值".to_string(), kind)
        );
    }
    if text.starts_with("invalid length") {
        return "数组的元素个数不对".to_string();
    }
    if let Some(rest) = text.strip_prefix("duplicate field ") {
        return format!("重复的项 {}", unquote(rest));
    }
    syntax(text)
}

/// A syntax error: `description, expected a, b` (or only the description).
fn syntax(text: &str) -> String {
    let (description, expected) = match text.split_once(", expected ") {
        Some((d, e)) => (d, Some(e)),
        None => (text, None),
    };
    let reason = SYNTAX
        .iter()
        .find(|(en, _)| *en == description)
        .map_or("不符合 TOML 写法", |(_, zh)| *zh);
    let wanted: Vec<String> = expected
        .map(|list| list.split(", ").filter_map(expectation).collect())
        .unwrap_or_default();
    if wanted.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}，此处应为{}", wanted.join("、"))
    }
}

/// The parser's descriptions, in Chinese.
const SYNTAX: [(&str, &str); 30] = [
    (
        "string values must be quoted",
        "文字须加英文双引号，如 \"提醒\"",
    ),
    ("duplicate key", "同一项写了两次"),
    ("invalid value", "取值写法不对"),
    ("missing value", "缺少取值"),
    ("missing value for key", "等号后缺少取值"),
    ("key with no value", "该项没有取值"),
    ("invalid key-value pair", "应写成 项 = 值"),
    (
        "missing assignment between key-value pairs",
        "项与值之间缺少等号",
    ),
    ("extra assignment between key-value pairs", "多了一个等号"),
    ("extra `=`", "多了一个等号"),
    (
        "missing comma between array elements",
        "数组元素之间缺少英文逗号",
    ),
    (
        "missing comma between key-value pairs",
        "各项之间缺少英文逗号",
    ),
    ("extra comma in array", "数组中多了一个逗号"),
    ("extra comma in inline table", "花括号中多了一个逗号"),
    ("unclosed array", "数组缺少右方括号 ]"),
    ("unclosed table", "表头缺少右方括号 ]"),
    ("unclosed array table", "表头缺少 ]]"),
    ("unclosed inline table", "缺少右花括号 }"),
    ("missing array opening", "缺少左方括号 ["),
    ("missing table open", "缺少左方括号 ["),
    ("missing inline table opening", "缺少左花括号 {"),
    ("missing opening quote", "缺少左引号"),
    (
        "invalid unquoted key",
        "项名只能用字母、数字、下划线和连字符",
    ),
    ("unquoted keys cannot be empty", "项名不能为空"),
    ("unexpected content", "此处有多余的内容"),
    ("unexpected key or value", "此处有多余的内容"),
    (
        "unexpected content between comment and newline",
        "注释后有多余的内容",
    ),
    ("unexpected leading zero", "数字不能以 0 开头"),
    ("`_` may only go between digits", "下划线只能写在数字之间"),
    ("invalid comment character", "注释中有不允许的字符"),
];

/// One thing the parser expected, in Chinese (`None` for details not worth naming).
fn expectation(item: &str) -> Option<String> {
    Some(match item {
        "literal string" | "basic string" => "带引号的文字".to_string(),
        "key" => "项名".to_string(),
        "value" => "取值".to_string(),
        "digits" | "numbers" => "数字".to_string(),
        "nothing" => "空".to_string(),
        "newline" | "`\\n`" => "换行".to_string(),
        quoted if quoted.starts_with('`') => format!("“{}”", quoted.trim_matches('`')),
        _ => return None,
    })
}

/// `` `x`, expected … `` → (`x`, the expected part).
fn split_expected(rest: &str) -> (String, Option<&str>) {
    let (head, tail) = match rest.split_once(", expected ") {
        Some((h, t)) => (h, Some(t)),
        None => (
            rest.split_once(", there are no").map_or(rest, |(h, _)| h),
            None,
        ),
    };
    (unquote(head), tail)
}

/// A list such as `` one of `a`, `b` `` or `` `a` or `b` `` as `a、b`.
fn names(list: &str) -> String {
    let list = list.strip_prefix("one of ").unwrap_or(list);
    list.split(", ")
        .flat_map(|s| s.split(" or "))
        .map(unquote)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("、")
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('`').to_string()
}

/// A serde type description (`integer \`3\``, `a string`, `u32`) in Chinese.
fn kind(text: &str) -> String {
    let text = text.trim();
    let (word, value) = match text.split_once(' ') {
        Some((w, v)) => (w, Some(v.trim_matches(|c| c == '`' || c == '"'))),
        None => (text, None),
    };
    let word = match word {
        "a" | "an" => text.split(' ').nth(1).unwrap_or(""),
        w => w,
    };
    let zh = match word {
        "string" | "str" | "char" => "文字",
        "integer" | "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" => "整数",
        "float" | "f32" | "f64" | "number" => "数字",
        "boolean" | "bool" => "true 或 false",
        "sequence" | "array" => "数组 [ … ]",
        "map" | "struct" | "table" => "表",
        "datetime" | "date" => "日期",
        "unit" | "option" => "空值",
        _ => "其他取值",
    };
    match value {
        Some(v) if !matches!(word, "a" | "an") && !v.is_empty() && word != text => {
            format!("{zh} {v}")
        }
        _ => zh.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the reader says about `text`.
    fn refusal(text: &str) -> String {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only read to be refused")]
        struct Rules {
            days: u32,
            level: Level,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Level {
            Reminder,
            Warning,
        }
        message(&toml::from_str::<Rules>(text).unwrap_err())
    }

    fn no_english(s: &str) {
        for word in [
            "expected", "string", "missing", "unknown", "invalid", "field",
        ] {
            assert!(!s.contains(word), "{s}");
        }
    }

    #[test]
    fn every_kind_of_mistake_reads_in_chinese_naming_what_was_expected() {
        let unquoted = refusal("days = 3\nlevel = 提醒\n");
        assert!(unquoted.contains("文字须加英文双引号"), "{unquoted}");
        no_english(&unquoted);
        let missing = refusal("level = \"warning\"\n");
        assert_eq!(missing, "缺少必填项 days");
        let unknown = refusal("days = 3\nlevel = \"warning\"\nday = 4\n");
        assert!(
            unknown.starts_with("不认识的项 day（可填：days、level）"),
            "{unknown}"
        );
        let variant = refusal("days = 3\nlevel = \"red\"\n");
        assert_eq!(variant, "取值 red 无效，应为 reminder、warning 之一");
        let typed = refusal("days = \"3\"\nlevel = \"warning\"\n");
        assert!(typed.starts_with("类型不对：此处是文字"), "{typed}");
        assert!(typed.ends_with("应为整数"), "{typed}");
        let negative = refusal("days = -3\nlevel = \"warning\"\n");
        no_english(&negative);
        let twice = refusal("days = 3\ndays = 4\nlevel = \"warning\"\n");
        assert!(twice.contains("同一项写了两次"), "{twice}");
        let broken = refusal("days = 3\nlevel \"warning\"\n");
        no_english(&broken);
        for text in ["[x", "days = [1, 2", "days = 3 4", "= 3"] {
            no_english(&refusal(text));
        }
    }
}
