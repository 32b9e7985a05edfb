//! The interface's languages: Chinese (the default, and the key of every string) and English.
//!
//! A UI string is written once, in Chinese, where it is shown; [`Lang::t`] looks its English up
//! in one catalogue (`i18n/en.rs`), so a Chinese reader sees exactly what the template says and
//! nothing can drift between two copies. Strings with a number carry a `{n}` placeholder
//! ([`Lang::tn`]). Data — project, unit, district and category names — is never translated: it
//! is shown as stored. A string without an English entry shows in Chinese; the web crate's tests
//! scan every translated template and every string passed to the translator for such gaps.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use crate::Date;

mod en;

/// The language a person reads the interface in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// The English of every UI string, keyed by its Chinese.
static ENGLISH: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| en::ENTRIES.iter().copied().collect());

impl Lang {
    /// Every language, in the order a chooser offers them.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The code stored with a user's preference and sent in forms: `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The language of a stored or submitted code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's own name, as a chooser shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// The value of `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language an `Accept-Language` header asks for: English when the first language it
    /// names (by weight, then order) is English, Chinese otherwise (and when there is none).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else if tag == "zh" || tag.starts_with("zh-") {
                Lang::Zh
            } else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Lang::Zh, |(_, lang)| lang)
    }

    /// `key` (a Chinese UI string) in this language; the key itself in Chinese, or where the
    /// catalogue has no entry.
    pub fn t(self, key: &str) -> &str {
        match self {
            Lang::Zh => key,
            Lang::En => ENGLISH.get(key).copied().unwrap_or(key),
        }
    }

    /// `key` in this language with its `{n}` placeholder replaced by `n`.
    pub fn tn(self, key: &str, n: impl Display) -> String {
        self.t(key).replace("{n}", &n.to_string())
    }

    /// `key` in this language with `{n}` replaced by `n` and `{m}` by `m`.
    pub fn tn2(self, key: &str, n: impl Display, m: impl Display) -> String {
        self.t(key)
            .replace("{n}", &n.to_string())
            .replace("{m}", &m.to_string())
    }

    /// A date in prose: 2021年5月31日, or 31 May 2021.
    pub fn date(self, date: Date) -> String {
        match self {
            Lang::Zh => crate::fmt::date_cn(date),
            Lang::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                let month = MONTHS[(date.month() - 1) as usize];
                format!("{} {month} {}", date.day(), date.year())
            }
        }
    }
}

/// Whether the catalogue holds an English entry for `key`.
pub fn has_entry(key: &str) -> bool {
    ENGLISH.contains_key(key)
}

/// Whether `c` is a CJK character (ideographs and CJK punctuation and full-width forms): what a
/// page in English must not show outside data.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_english_only_when_it_comes_first() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=0.9, en-GB;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("zh;q=0.5, en;q=0.7"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Zh);
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("fr"), None);
    }

    #[test]
    fn chinese_is_the_key_and_english_is_looked_up_with_placeholders() {
        assert_eq!(Lang::Zh.t("项目"), "项目");
        assert_eq!(Lang::En.t("项目"), "Projects");
        assert_eq!(
            Lang::En.tn("共 {n} 条在办警示", "1,362"),
            "1,362 open warnings"
        );
        assert_eq!(Lang::Zh.tn("共 {n} 条在办警示", 3), "共 3 条在办警示");
        assert_eq!(Lang::En.tn2("第 {n} / {m} 页", 2, 9), "Page 2 of 9");
        assert_eq!(Lang::En.date(Date::constant(2021, 10, 31)), "31 Oct 2021");
    }

    #[test]
    fn every_label_the_domain_shows_has_an_english_entry() {
        use crate::followup::{EscalationLevel, ItemKind, ItemStatus};
        use crate::model::{BuildType, PlanKind, PlanStatus, ProjectStatus, UnitKind};
        use crate::warnings::{Change, Light, WarningLevel};
        let mut labels: Vec<&str> = Vec::new();
        labels.extend(UnitKind::ALL.iter().map(|k| k.label()));
        labels.extend(ProjectStatus::ALL.iter().map(|k| k.label()));
        labels.extend(PlanStatus::ALL.iter().map(|k| k.label()));
        labels.extend(ItemKind::ALL.iter().map(|k| k.label()));
        labels.extend(EscalationLevel::ALL.iter().map(|k| k.label()));
        labels.extend(WarningLevel::ALL.iter().map(|k| k.label()));
        labels.extend(
            [
                BuildType::New,
                BuildType::Renovation,
                BuildType::Remediation,
            ]
            .map(BuildType::label),
        );
        labels.extend([PlanKind::Construction, PlanKind::Preliminary].map(PlanKind::label));
        labels.extend([Light::Blue, Light::Yellow, Light::Red].map(Light::label));
        labels.extend(
            [
                ItemStatus::Open,
                ItemStatus::AwaitingCheck,
                ItemStatus::Closed,
            ]
            .map(ItemStatus::label),
        );
        labels.extend(
            [
                Change::Raised,
                Change::Escalated,
                Change::DeEscalated,
                Change::Lifted,
            ]
            .map(Change::label),
        );
        labels.extend(crate::quarterly::TREND_RATES.iter().map(|(name, _)| *name));
        let missing: Vec<&str> = labels.into_iter().filter(|l| !has_entry(l)).collect();
        assert!(missing.is_empty(), "no English for {missing:?}");
    }

    #[test]
    fn the_catalogue_has_each_key_once_and_english_without_cjk() {
        let mut seen = std::collections::HashSet::new();
        for (zh, en) in en::ENTRIES {
            assert!(seen.insert(zh), "{zh} is in the catalogue twice");
            assert!(
                !en.chars().any(is_cjk),
                "the English of {zh} holds CJK: {en}"
            );
            assert_eq!(
                zh.contains("{n}"),
                en.contains("{n}"),
                "{zh} and {en} disagree on the placeholder"
            );
        }
    }
}
