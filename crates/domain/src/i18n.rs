//! The interface's languages: Chinese (the default, and the key of every string) and English.
//!
//! A UI string is written once, in Chinese, where it is shown; [`Lang::t`] looks its English up
//! in one catalogue (`i18n/en.rs`), so a Chinese reader sees exactly what the template says and
//! nothing can drift between two copies. Strings with a number carry a `{n}` placeholder
//! ([`Lang::tn`]). Data — project, unit, district and category names — is never translated: it
//! is shown as stored. A string without an English entry shows in Chinese; the web crate's tests
//! scan every translated template and every string passed to the translator for such gaps.
//!
//! Sentences built at run time — a refusal naming a row, a field and a nested reason — are
//! translated whole by [`Lang::message`]: the catalogue's keys with holes (`{n}`, `{m}`, …) are
//! matched against the sentence, and what fills each hole is translated in turn. The sentences the
//! domain, the application and access control write are in `i18n/en_messages.rs`; a test in the
//! web crate checks that every Chinese literal of their code has an entry.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use crate::Date;

mod en;
mod en_messages;

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
    LazyLock::new(|| entries().collect());

/// Every (Chinese, English) pair of the catalogue.
fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    en::ENTRIES.iter().chain(en_messages::MESSAGES).copied()
}

/// The catalogue's keys with holes, as patterns to match whole sentences against: the ones with
/// the most fixed text first, so the most specific sentence wins.
static SENTENCES: LazyLock<Vec<Sentence>> = LazyLock::new(|| {
    let mut sentences: Vec<Sentence> = entries().filter_map(Sentence::parse).collect();
    sentences.sort_by_key(|s| std::cmp::Reverse(s.fixed_len));
    sentences
});

/// A catalogue key with holes: its fixed pieces around the holes, and the holes' names.
struct Sentence {
    /// The fixed text before, between and after the holes (one more than the holes).
    pieces: Vec<&'static str>,
    /// The holes' names (`n` of `{n}`), in order.
    holes: Vec<&'static str>,
    /// The English, with the same holes.
    english: &'static str,
    /// How much fixed text the key has, in bytes.
    fixed_len: usize,
}

impl Sentence {
    /// The pattern of a key with holes; `None` for a key without one, or one that cannot be
    /// matched unambiguously (two holes side by side, nothing fixed).
    fn parse((key, english): (&'static str, &'static str)) -> Option<Sentence> {
        let mut pieces = Vec::new();
        let mut holes = Vec::new();
        let mut rest = key;
        while let Some(open) = rest.find('{') {
            let Some(len) = rest[open + 1..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + 1 + len];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase()) {
                break;
            }
            pieces.push(&rest[..open]);
            holes.push(name);
            rest = &rest[open + len + 2..];
        }
        pieces.push(rest);
        if holes.is_empty() {
            return None;
        }
        let fixed_len = pieces.iter().map(|p| p.len()).sum();
        let adjacent = pieces[1..pieces.len() - 1].iter().any(|p| p.is_empty());
        (!adjacent && fixed_len > 0).then_some(Sentence {
            pieces,
            holes,
            english,
            fixed_len,
        })
    }

    /// What fills each hole when `text` is this sentence (each hole at least one character,
    /// each the shortest that lets the rest match from the left).
    fn captures<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        let (first, last) = (self.pieces[0], self.pieces[self.pieces.len() - 1]);
        let body = text.strip_prefix(first)?.strip_suffix(last)?;
        let mut captures = Vec::with_capacity(self.holes.len());
        let mut rest = body;
        for piece in &self.pieces[1..self.pieces.len() - 1] {
            let skip = rest.chars().next()?.len_utf8();
            let at = rest[skip..].find(piece)? + skip;
            captures.push(&rest[..at]);
            rest = &rest[at + piece.len()..];
        }
        (!rest.is_empty()).then(|| {
            captures.push(rest);
            captures
        })
    }
}

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

    /// A sentence written in Chinese at run time — a refusal, a reason, a status line — in this
    /// language: the catalogue's entry for the whole text, else the first key with holes it
    /// matches with each hole's text translated the same way, else the parts of a list of
    /// reasons joined by `；` one by one, else the text as written (a name, a number).
    pub fn message(self, text: &str) -> Cow<'_, str> {
        if self == Lang::Zh || !text.chars().any(is_cjk) {
            return Cow::Borrowed(text);
        }
        if let Some(english) = ENGLISH.get(text) {
            return Cow::Borrowed(english);
        }
        // A list of reasons joined by `；` is matched only by keys written as such a list;
        // otherwise it is translated reason by reason (a hole never swallows a `；`).
        let list = text.contains('；');
        for sentence in SENTENCES.iter() {
            if list != sentence.pieces.iter().any(|p| p.contains('；')) {
                continue;
            }
            let Some(captures) = sentence.captures(text) else {
                continue;
            };
            let mut out = sentence.english.to_string();
            for (name, fill) in sentence.holes.iter().zip(captures) {
                out = out.replacen(&format!("{{{name}}}"), &self.message(fill), 1);
            }
            return Cow::Owned(out);
        }
        if list {
            let parts: Vec<Cow<str>> = text.split('；').map(|p| self.message(p)).collect();
            return Cow::Owned(parts.join("; "));
        }
        Cow::Borrowed(text)
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
        for (zh, en) in entries() {
            assert!(seen.insert(zh), "{zh} is in the catalogue twice");
            assert!(
                !en.chars().any(is_cjk),
                "the English of {zh} holds CJK: {en}"
            );
            for hole in ["{n}", "{m}", "{k}", "{j}", "{p}", "{q}"] {
                assert_eq!(
                    zh.contains(hole),
                    en.contains(hole),
                    "{zh} and {en} disagree on the placeholder {hole}"
                );
            }
        }
    }

    #[test]
    fn a_built_sentence_is_matched_whole_and_its_holes_translated_in_turn() {
        assert_eq!(
            Lang::En.message("共 1,362 条在办警示"),
            "1,362 open warnings"
        );
        assert_eq!(Lang::En.message("第 2 / 9 页"), "Page 2 of 9");
        // The most specific key wins, whatever the catalogue's order; a hole is never empty.
        assert_eq!(Lang::En.message("第  / 9 页"), "第  / 9 页");
        // Chinese is untouched; text without Chinese, or with no entry, is returned as written.
        assert_eq!(Lang::Zh.message("共 3 条在办警示"), "共 3 条在办警示");
        assert_eq!(Lang::En.message("ZX-2021-001"), "ZX-2021-001");
        assert_eq!(Lang::En.message("映湖区"), "映湖区");
        // A list of reasons is translated reason by reason.
        assert_eq!(
            Lang::En.message("共 3 条在办警示；第 2 / 9 页"),
            "3 open warnings; Page 2 of 9"
        );
    }

    #[test]
    fn keys_with_holes_side_by_side_or_nothing_fixed_are_not_patterns() {
        assert!(Sentence::parse(("{n}{m}年", "x")).is_none());
        assert!(Sentence::parse(("{n}", "x")).is_none());
        assert!(Sentence::parse(("无洞", "x")).is_none());
        let s = Sentence::parse(("第{n}行：{m}", "Row {n}: {m}")).expect("a pattern");
        assert_eq!(
            s.captures("第3行：名称：不能为空"),
            Some(vec!["3", "名称：不能为空"])
        );
        assert_eq!(s.captures("第行：x"), None);
        assert_eq!(s.captures("第3行："), None);
    }
}
