//! What a write changed, as far as the read models a node caches are concerned.
//!
//! Every write that bumps the data version records one [`Change`] for that version in the
//! database's change log, in the same transaction. A node whose snapshot is at version N reads
//! the changes since N, merged, and re-reads only what they name (a filing: one project and one
//! period's filings) instead of the whole read model; a gap in the log (pruned, or written by an
//! older version) means a full rebuild.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::{PeriodId, Portfolio, Project, ProjectId};
use crate::rates::InvestmentLedger;
use crate::store::ReadModelPart;

/// The projects a change touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Touched {
    /// None of them.
    #[default]
    None,
    /// These (their records, milestones, plans or reports).
    Some(BTreeSet<ProjectId>),
    /// Possibly any of them (a bulk write).
    All,
}

impl Touched {
    /// Whether no project was touched.
    pub fn is_none(&self) -> bool {
        matches!(self, Touched::None)
    }

    /// The most projects a change lists: beyond, re-reading them one list at a time costs more
    /// than a full read, and the log entry would be long.
    pub const MAX_LISTED: usize = 2_000;

    /// Touched `ids` ([`Touched::All`] beyond [`Touched::MAX_LISTED`]).
    pub fn projects(ids: impl IntoIterator<Item = ProjectId>) -> Touched {
        let set: BTreeSet<ProjectId> = ids.into_iter().collect();
        match set.len() {
            0 => Touched::None,
            n if n > Touched::MAX_LISTED => Touched::All,
            _ => Touched::Some(set),
        }
    }

    fn merge(&mut self, other: &Touched) {
        match (&mut *self, other) {
            (_, Touched::None) | (Touched::All, _) => {}
            (_, Touched::All) => *self = Touched::All,
            (Touched::None, Touched::Some(b)) => *self = Touched::Some(b.clone()),
            (Touched::Some(a), Touched::Some(b)) => {
                a.extend(b.iter().copied());
                if a.len() > Touched::MAX_LISTED {
                    *self = Touched::All;
                }
            }
        }
    }
}

/// What one write (or several, merged) changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Organisation units were added or changed.
    pub units: bool,
    /// Categories or their milestone templates changed.
    pub categories: bool,
    /// Reporting periods changed (every investment point's date may move with them).
    pub periods: bool,
    /// Projects whose records changed.
    pub projects: Touched,
    /// The cadence's records: warnings, tracked items, dismissals, settings, plan changes.
    pub cadence: bool,
    /// Periods whose filings (report versions and when they were filed) changed.
    pub filings: BTreeSet<PeriodId>,
}

impl Change {
    /// A change that may have touched anything: a node re-reads everything.
    pub fn everything() -> Change {
        Change {
            units: true,
            categories: true,
            periods: true,
            projects: Touched::All,
            cadence: true,
            filings: BTreeSet::new(),
        }
    }

    /// A change of the cadence's records only.
    pub fn cadence() -> Change {
        Change {
            cadence: true,
            ..Change::default()
        }
    }

    /// A new report version of `project` for `period` (and, with `items`, the tracked items it
    /// opened).
    pub fn filing(project: ProjectId, period: PeriodId, items: bool) -> Change {
        Change {
            projects: Touched::projects([project]),
            filings: BTreeSet::from([period]),
            cadence: items,
            ..Change::default()
        }
    }

    /// Whether the portfolio's read model must be re-read whole (periods moved or any project
    /// may have changed).
    pub fn needs_full_read(&self) -> bool {
        self.periods || self.projects == Touched::All
    }

    /// Whether the portfolio's read model is untouched.
    pub fn leaves_portfolio(&self) -> bool {
        !self.units && !self.categories && !self.periods && self.projects.is_none()
    }

    /// Adds what `other` changed.
    pub fn merge(&mut self, other: &Change) {
        self.units |= other.units;
        self.categories |= other.categories;
        self.periods |= other.periods;
        self.projects.merge(&other.projects);
        self.cadence |= other.cadence;
        self.filings.extend(other.filings.iter().copied());
    }

    /// The change as stored in the log: letters for the flags (`u` units, `c` categories, `p`
    /// periods, `k` cadence, `P*` every project), then `P=` and `F=` with comma-separated ids,
    /// parts separated by `;`. Empty when nothing the read models hold changed.
    pub fn encode(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (on, letter) in [
            (self.units, "u"),
            (self.categories, "c"),
            (self.periods, "p"),
            (self.cadence, "k"),
        ] {
            if on {
                parts.push(letter.to_string());
            }
        }
        match &self.projects {
            Touched::None => {}
            Touched::All => parts.push("P*".into()),
            Touched::Some(ids) => parts.push(format!("P={}", join(ids.iter().map(|p| p.0)))),
        }
        if !self.filings.is_empty() {
            parts.push(format!("F={}", join(self.filings.iter().map(|p| p.0))));
        }
        parts.join(";")
    }

    /// Reads a change written by [`Change::encode`].
    pub fn decode(text: &str) -> Result<Change, ChangeError> {
        let mut change = Change::default();
        for part in text.split(';').filter(|p| !p.is_empty()) {
            match part {
                "u" => change.units = true,
                "c" => change.categories = true,
                "p" => change.periods = true,
                "k" => change.cadence = true,
                "P*" => change.projects = Touched::All,
                _ => {
                    if let Some(ids) = part.strip_prefix("P=") {
                        let ids = ids_of(ids, text)?;
                        change
                            .projects
                            .merge(&Touched::projects(ids.into_iter().map(ProjectId)));
                    } else if let Some(ids) = part.strip_prefix("F=") {
                        change
                            .filings
                            .extend(ids_of(ids, text)?.into_iter().map(PeriodId));
                    } else {
                        return Err(ChangeError(text.to_string()));
                    }
                }
            }
        }
        Ok(change)
    }
}

/// The portfolio and investment ledger after a change: `part` (re-read for `change`) replaces
/// what it names; every project the change did not touch is shared with the old portfolio, not
/// copied. A touched project missing from `part` no longer exists. Projects stay in id order,
/// as a full read gives them.
///
/// # Panics
///
/// When `change` needs a full read ([`Change::needs_full_read`]): the caller re-reads instead.
pub fn apply(
    portfolio: &Portfolio,
    ledger: &InvestmentLedger,
    change: &Change,
    part: ReadModelPart,
) -> (Portfolio, InvestmentLedger) {
    assert!(!change.needs_full_read(), "a full read, not a part");
    let touched: Vec<ProjectId> = match &change.projects {
        Touched::Some(ids) => ids.iter().copied().collect(),
        Touched::None | Touched::All => Vec::new(),
    };
    // One merge of the kept projects with the re-read ones, both in id order: a catch-up of
    // many projects costs one pass, not a shift of the whole list per project.
    let sorted;
    let mut kept: &[Arc<Project>] = &portfolio.projects;
    if !kept.is_sorted_by_key(|p| p.id) {
        let mut list = kept.to_vec();
        list.sort_by_key(|p| p.id);
        sorted = list;
        kept = &sorted;
    }
    let mut fresh: Vec<Project> = part.projects;
    fresh.sort_by_key(|p| p.id);
    let mut fresh = fresh.into_iter().map(Arc::new).peekable();
    let mut projects = Vec::with_capacity(kept.len() + fresh.len());
    for p in kept {
        while let Some(f) = fresh.next_if(|f| f.id < p.id) {
            projects.push(f);
        }
        if touched.binary_search(&p.id).is_err() {
            projects.push(p.clone());
        }
    }
    projects.extend(fresh);
    let next = Portfolio {
        units: part.units.unwrap_or_else(|| portfolio.units.clone()),
        categories: part
            .categories
            .unwrap_or_else(|| portfolio.categories.clone()),
        projects,
        periods: portfolio.periods.clone(),
        reports: Vec::new(),
        district_boundaries: part
            .district_boundaries
            .unwrap_or_else(|| portfolio.district_boundaries.clone()),
    };
    (next, ledger.with_projects(touched, part.investment))
}

fn join(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

fn ids_of(list: &str, whole: &str) -> Result<Vec<i64>, ChangeError> {
    list.split(',')
        .map(|i| i.parse::<i64>().map_err(|_| ChangeError(whole.to_string())))
        .collect()
}

/// A change log entry that does not read as a [`Change`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable change log entry {0:?}")]
pub struct ChangeError(pub String);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn change() -> impl Strategy<Value = Change> {
        (
            any::<[bool; 4]>(),
            prop_oneof![
                Just(Touched::None),
                Just(Touched::All),
                prop::collection::btree_set((1i64..1_000_000).prop_map(ProjectId), 1..6)
                    .prop_map(Touched::Some),
            ],
            prop::collection::btree_set((1i64..500).prop_map(PeriodId), 0..4),
        )
            .prop_map(|([u, c, p, k], projects, filings)| Change {
                units: u,
                categories: c,
                periods: p,
                cadence: k,
                projects,
                filings,
            })
    }

    proptest! {
        #[test]
        fn a_change_reads_back_as_written(c in change()) {
            prop_assert_eq!(Change::decode(&c.encode()).unwrap(), c);
        }

        #[test]
        fn merging_is_a_union(a in change(), b in change()) {
            let mut ab = a.clone();
            ab.merge(&b);
            let mut ba = b.clone();
            ba.merge(&a);
            prop_assert_eq!(&ab, &ba);
            prop_assert_eq!(ab.units, a.units || b.units);
            prop_assert_eq!(ab.cadence, a.cadence || b.cadence);
            prop_assert!(a.filings.is_subset(&ab.filings) && b.filings.is_subset(&ab.filings));
            if a.projects == Touched::All || b.projects == Touched::All {
                prop_assert_eq!(ab.projects, Touched::All);
            }
        }
    }

    #[test]
    fn a_filing_touches_one_project_and_one_period() {
        let c = Change::filing(ProjectId(7), PeriodId(3), false);
        assert_eq!(c.encode(), "P=7;F=3");
        assert!(!c.needs_full_read() && !c.leaves_portfolio() && !c.cadence);
        assert_eq!(Change::decode("").unwrap(), Change::default());
        assert!(Change::default().leaves_portfolio());
        assert!(Change::everything().needs_full_read());
    }

    #[test]
    fn an_unknown_part_is_refused_naming_the_entry() {
        for bad in ["x", "P=", "P=1,a", "F=;u", "u;Q=1"] {
            let e = Change::decode(bad).unwrap_err();
            assert_eq!(e.0, bad);
        }
    }
}
