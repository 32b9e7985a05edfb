//! Finding records by what a person types into the header's search box: projects (by code, name
//! or street, through the project list's own selection, [`crate::overview::project_rows`]), units
//! by name and tracked items by title, topic or the bodies involved. Matching folds case and
//! full-width forms ([`crate::overview::fold`]); who may see what is the caller's (the same
//! scope tests the lists use), passed in as predicates.

use crate::followup::TrackedItem;
use crate::model::{Portfolio, Unit};
use crate::overview::fold;

/// The fewest characters a search needs: one character matches most of a city's records.
pub const MIN_CHARS: usize = 2;

/// What a person searched for, folded for comparing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    typed: String,
    folded: String,
}

/// Why a search was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing (or only spaces) was typed.
    Empty,
    /// Fewer than [`MIN_CHARS`] characters were typed.
    TooShort,
}

impl Needle {
    /// The search for `text` (trimmed), refused when empty or shorter than [`MIN_CHARS`].
    pub fn parse(text: &str) -> Result<Needle, Refusal> {
        let typed = text.trim();
        match typed.chars().count() {
            0 => Err(Refusal::Empty),
            n if n < MIN_CHARS => Err(Refusal::TooShort),
            _ => Ok(Needle {
                typed: typed.to_string(),
                folded: fold(typed),
            }),
        }
    }

    /// The text as typed (trimmed): what the project list's `q` filter takes.
    pub fn text(&self) -> &str {
        &self.typed
    }

    /// Whether `haystack` contains the needle, case and width folded.
    pub fn matches(&self, haystack: &str) -> bool {
        fold(haystack).contains(&self.folded)
    }
}

/// The units whose name contains the needle and that `visible` keeps, in the portfolio's order.
pub fn units<'a>(
    portfolio: &'a Portfolio,
    needle: &Needle,
    visible: impl Fn(&Unit) -> bool,
) -> Vec<&'a Unit> {
    portfolio
        .units
        .iter()
        .filter(|u| needle.matches(&u.name) && visible(u))
        .collect()
}

/// The tracked items whose title, topic or bodies involved contain the needle and that `sees`
/// keeps, newest first.
pub fn items<'a>(
    items: &'a [TrackedItem],
    needle: &Needle,
    sees: impl Fn(&TrackedItem) -> bool,
) -> Vec<&'a TrackedItem> {
    let mut found: Vec<&TrackedItem> = items
        .iter()
        .filter(|i| {
            needle.matches(&i.title)
                || needle.matches(&i.topic)
                || i.bodies.iter().any(|b| needle.matches(b))
        })
        .filter(|i| sees(i))
        .collect();
    found.sort_by(|a, b| b.opened_on.cmp(&a.opened_on).then(b.id.0.cmp(&a.id.0)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_one_character_searches_are_refused() {
        assert_eq!(Needle::parse("  "), Err(Refusal::Empty));
        assert_eq!(Needle::parse(" 湖 "), Err(Refusal::TooShort));
        assert_eq!(
            Needle::parse("映湖").map(|n| n.text().to_string()),
            Ok("映湖".into())
        );
    }

    #[test]
    fn codes_match_in_either_case_and_full_width() {
        let n = Needle::parse("ｘｍ-00").expect("a search");
        assert!(n.matches("2021-XM-0012"));
        assert!(!n.matches("2021-XM-1012"));
    }
}
