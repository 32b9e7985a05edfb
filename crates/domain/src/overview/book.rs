//! Every project's contribution to the figures at a few dates, kept from one snapshot of the
//! records to the next so that a write costs the figures only the projects it touched.
//!
//! A node's snapshots share every project a write left alone (the same `Arc<Project>`, the same
//! investment points), so a book brought up to a newer snapshot recomputes a row only where
//! the project or its points are a different allocation. The rows hold those allocations, which
//! keeps them alive and their addresses unambiguous. The sums over the rows go through the same
//! [`Sums`] as [`Overview::compute_filtered`], so a figure read from a book is the figure the
//! direct computation gives (a test compares them after random writes).

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;

use super::{Contribution, Figures, Overview, Sums, parts_for};
use crate::model::{Money, Portfolio, Project, ProjectId};
use crate::rates::{IdHasher, InvestmentLedger};

/// The allocations one project's contributions were computed from.
#[derive(Clone)]
struct Source {
    project: Arc<Project>,
    points: Option<Arc<[(Date, Money)]>>,
}

impl Source {
    fn of(project: &Arc<Project>, ledger: &InvestmentLedger) -> Source {
        Source {
            project: project.clone(),
            points: ledger.points_of(project.id).cloned(),
        }
    }

    /// Whether `project` and its points in `ledger` are the very ones this source holds (not
    /// merely equal ones).
    fn is(&self, project: &Arc<Project>, ledger: &InvestmentLedger) -> bool {
        Arc::ptr_eq(&self.project, project)
            && match (&self.points, ledger.points_of(project.id)) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// Projects per chunk: a write copies the chunk holding each project it touched and shares
/// the rest with the book before it. Tests use small chunks, so their twenty projects span
/// several and a project added or removed moves rows across chunk boundaries.
#[cfg(not(test))]
const CHUNK: usize = 1024;
#[cfg(test)]
const CHUNK: usize = 4;

/// A run of consecutive projects' rows.
struct Chunk {
    /// One per project, in portfolio order.
    sources: Vec<Source>,
    /// `sources.len() × dates`: row `i` holds project `i`'s contribution at each date (`None`
    /// for a project with no plan for the year).
    contributions: Vec<Option<Contribution>>,
}

impl Chunk {
    fn row(&self, i: usize, width: usize) -> &[Option<Contribution>] {
        &self.contributions[i * width..][..width]
    }
}

/// Every project's contribution to the figures of one year at each of a few dates (the year's
/// trend, say, whose last date is the overview's "as of").
pub struct FigureBook {
    year: i16,
    dates: Vec<Date>,
    /// The projects in portfolio order, [`CHUNK`] to a chunk.
    chunks: Vec<Arc<Chunk>>,
}

impl FigureBook {
    /// Computes the book of `portfolio` for `year` at `dates`.
    pub fn new(
        portfolio: &Portfolio,
        ledger: &InvestmentLedger,
        year: i16,
        dates: Vec<Date>,
    ) -> FigureBook {
        let days = &dates;
        let chunk = |projects: &[Arc<Project>]| {
            let sources: Vec<Source> = projects.iter().map(|p| Source::of(p, ledger)).collect();
            let contributions = sources
                .iter()
                .flat_map(|s| {
                    days.iter()
                        .map(|d| Contribution::of(&s.project, ledger, year, *d))
                })
                .collect();
            Arc::new(Chunk {
                sources,
                contributions,
            })
        };
        // Chunks are independent: at national scale they are shared out across the cores.
        let parts = parts_for(portfolio.projects.len());
        let chunks = if parts <= 1 {
            portfolio.projects.chunks(CHUNK).map(chunk).collect()
        } else {
            let per_part = portfolio.projects.len().div_ceil(parts).div_ceil(CHUNK) * CHUNK;
            std::thread::scope(|scope| {
                let handles: Vec<_> = portfolio
                    .projects
                    .chunks(per_part)
                    .map(|part| {
                        let chunk = &chunk;
                        scope.spawn(move || part.chunks(CHUNK).map(chunk).collect::<Vec<_>>())
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("a figure book part does not panic"))
                    .collect()
            })
        };
        FigureBook {
            year,
            dates,
            chunks,
        }
    }

    /// The campaign year.
    pub fn year(&self) -> i16 {
        self.year
    }

    /// The dates, in the order they were given.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// This book brought to `portfolio` and `ledger`, and how many projects' rows had to be
    /// computed again: those whose project or investment points differ from the ones a row was
    /// computed from (a write replaces both for every project it touches), and new projects.
    /// A chunk whose projects are all the ones it was computed from is shared, not copied.
    /// `None` when the book is current already (the same projects, points and order).
    pub fn updated(
        &self,
        portfolio: &Portfolio,
        ledger: &InvestmentLedger,
    ) -> Option<(FigureBook, usize)> {
        let width = self.dates.len();
        // Projects keep their place from one snapshot to the next unless one is added or
        // removed; only then is the old book looked up by id.
        let mut by_id: Option<HashMap<ProjectId, (usize, usize), IdHasher>> = None;
        let mut recomputed = 0;
        let mut changed = false;
        let mut chunks = Vec::with_capacity(portfolio.projects.len().div_ceil(CHUNK));
        for (c, projects) in portfolio.projects.chunks(CHUNK).enumerate() {
            if let Some(old) = self.chunks.get(c)
                && old.sources.len() == projects.len()
                && old
                    .sources
                    .iter()
                    .zip(projects)
                    .all(|(s, p)| s.is(p, ledger))
            {
                chunks.push(old.clone());
                continue;
            }
            changed = true;
            let sources: Vec<Source> = projects.iter().map(|p| Source::of(p, ledger)).collect();
            let mut contributions = Vec::with_capacity(sources.len() * width);
            for (i, source) in sources.iter().enumerate() {
                let at = match self.chunks.get(c).and_then(|old| old.sources.get(i)) {
                    Some(s) if s.project.id == source.project.id => Some((c, i)),
                    _ => by_id
                        .get_or_insert_with(|| {
                            let mut map = HashMap::default();
                            for (c, chunk) in self.chunks.iter().enumerate() {
                                for (i, s) in chunk.sources.iter().enumerate() {
                                    map.insert(s.project.id, (c, i));
                                }
                            }
                            map
                        })
                        .get(&source.project.id)
                        .copied(),
                };
                match at.filter(|&(c, i)| self.chunks[c].sources[i].is(&source.project, ledger)) {
                    Some((c, i)) => contributions.extend_from_slice(self.chunks[c].row(i, width)),
                    None => {
                        recomputed += 1;
                        contributions.extend(
                            self.dates
                                .iter()
                                .map(|d| Contribution::of(&source.project, ledger, self.year, *d)),
                        );
                    }
                }
            }
            chunks.push(Arc::new(Chunk {
                sources,
                contributions,
            }));
        }
        if !changed && chunks.len() == self.chunks.len() {
            return None;
        }
        let book = FigureBook {
            year: self.year,
            dates: self.dates.clone(),
            chunks,
        };
        Some((book, recomputed))
    }

    /// Every project `filter` keeps, with its row.
    fn rows<'a>(
        &'a self,
        filter: &'a impl Fn(&Project) -> bool,
    ) -> impl Iterator<Item = (&'a Project, &'a [Option<Contribution>])> + 'a {
        let width = self.dates.len();
        self.chunks.iter().flat_map(move |chunk| {
            chunk
                .sources
                .iter()
                .enumerate()
                .filter(|(_, s)| filter(&s.project))
                .map(move |(i, s)| (&*s.project, chunk.row(i, width)))
        })
    }

    /// The overview at date number `at` (an index into [`FigureBook::dates`]) over the projects
    /// `filter` keeps, equal to [`Overview::compute_filtered`] for that date; `portfolio` names
    /// the categories and units.
    pub fn overview(
        &self,
        portfolio: &Portfolio,
        at: usize,
        filter: impl Fn(&Project) -> bool,
    ) -> Overview {
        let mut sums = Sums::default();
        for (p, row) in self.rows(&filter) {
            if let Some(c) = &row[at] {
                sums.add(p, c);
            }
        }
        Overview::assemble(portfolio, self.year, self.dates[at], sums)
    }

    /// The total figures at every date, over the projects `filter` keeps: with the dates of
    /// [`super::trend_dates`], the year's trend ([`super::year_trend`]).
    pub fn totals(&self, filter: impl Fn(&Project) -> bool) -> Vec<(Date, Figures)> {
        let mut totals = vec![Figures::default(); self.dates.len()];
        for (p, row) in self.rows(&filter) {
            for (total, c) in totals.iter_mut().zip(row) {
                if let Some(c) = c {
                    total.add(p, c);
                }
            }
        }
        self.dates.iter().copied().zip(totals).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use crate::overview::{trend_dates, year_trend};
    use jiff::civil::date;
    use proptest::prelude::*;

    /// A write as a node's snapshot sees one: a project replaced by a changed copy (milestone
    /// reached, suspended, plan amount changed), its investment points replaced, a project
    /// added or one removed.
    #[derive(Debug, Clone)]
    enum Write {
        Reach {
            project: usize,
            milestone: usize,
            day: u8,
        },
        Suspend {
            project: usize,
            day: u8,
        },
        Replan {
            project: usize,
            amount: i64,
        },
        Invest {
            project: usize,
            amount: i64,
        },
        Add {
            like: usize,
        },
        Remove {
            project: usize,
        },
    }

    fn write() -> impl Strategy<Value = Write> {
        prop_oneof![
            (0..40usize, 0..3usize, 1..200u8).prop_map(|(project, milestone, day)| Write::Reach {
                project,
                milestone,
                day
            }),
            (0..40usize, 1..200u8).prop_map(|(project, day)| Write::Suspend { project, day }),
            (0..40usize, 0..5_000i64)
                .prop_map(|(project, amount)| Write::Replan { project, amount }),
            (0..40usize, 0..5_000i64)
                .prop_map(|(project, amount)| Write::Invest { project, amount }),
            (0..40usize).prop_map(|like| Write::Add { like }),
            (0..40usize).prop_map(|project| Write::Remove { project }),
        ]
    }

    fn day(n: u8) -> Date {
        date(2021, 1, 1)
            .checked_add(jiff::Span::new().days(i64::from(n)))
            .expect("in 2021")
    }

    /// Applies a write the way a catch-up does: only what it touched is a new allocation.
    fn apply(
        portfolio: &mut Portfolio,
        points: &mut HashMap<ProjectId, Vec<(Date, Money)>>,
        ledger: &mut InvestmentLedger,
        next_id: &mut i64,
        w: &Write,
    ) {
        let n = portfolio.projects.len();
        if n == 0 {
            return;
        }
        let mut touched = Vec::new();
        match *w {
            Write::Reach {
                project,
                milestone,
                day: d,
            } => {
                let p = Arc::make_mut(&mut portfolio.projects[project % n]);
                if let Some(m) = p.milestones.get_mut(milestone) {
                    m.actual = Some(day(d));
                }
            }
            Write::Suspend { project, day: d } => {
                Arc::make_mut(&mut portfolio.projects[project % n]).suspended_on = Some(day(d));
            }
            Write::Replan { project, amount } => {
                let p = Arc::make_mut(&mut portfolio.projects[project % n]);
                if let Some(plan) = p.year_plans.first_mut() {
                    plan.planned_investment = Money(amount);
                }
            }
            Write::Invest { project, amount } => {
                let id = portfolio.projects[project % n].id;
                let list = points.entry(id).or_default();
                let end = date(2021, 1, 31)
                    .checked_add(jiff::Span::new().months(list.len() as i64 % 12))
                    .expect("in 2021")
                    .last_of_month();
                list.retain(|(e, _)| *e != end);
                list.push((end, Money(amount)));
                touched.push(id);
            }
            Write::Add { like } => {
                let mut p = (*portfolio.projects[like % n]).clone();
                p.id = ProjectId(*next_id);
                *next_id += 1;
                portfolio.projects.push(Arc::new(p));
            }
            Write::Remove { project } => {
                let gone = portfolio.projects.remove(project % n);
                points.remove(&gone.id);
                touched.push(gone.id);
            }
        }
        let fresh: Vec<_> = touched
            .iter()
            .flat_map(|id| {
                points
                    .get(id)
                    .into_iter()
                    .flatten()
                    .map(move |(e, m)| (*id, *e, *m))
            })
            .collect();
        *ledger = ledger.with_projects(touched, fresh);
    }

    /// Twenty projects over two districts and two categories, with milestones due through the
    /// year, some reached, some late, one preliminary plan.
    fn city() -> Portfolio {
        let projects = (0..20i64)
            .map(|i| {
                let due = |m: i8| date(2021, m, 1 + (i % 20) as i8);
                let mut p = crate::fixture::project(
                    i + 1,
                    &[
                        (due(3), (i % 3 != 0).then(|| due(3))),
                        (due(6), (i % 4 == 1).then(|| due(7))),
                        (due(11), None),
                    ],
                );
                p.district = crate::model::UnitId(1 + i % 2);
                p.category = crate::model::CategoryId(1 + i % 3 / 2);
                p.scale.households = Some(i * 10);
                if i == 7 {
                    p.year_plans[0].kind = crate::model::PlanKind::Preliminary;
                }
                p
            })
            .collect();
        crate::fixture::portfolio(projects)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A book kept up to date write by write gives the figures a direct computation gives,
        /// at every date, whole and filtered, and recomputes only the projects written.
        #[test]
        fn a_book_kept_up_to_date_equals_the_figures_computed_afresh(
            writes in proptest::collection::vec(write(), 1..30),
            as_of_day in 0u8..250,
        ) {
            let mut portfolio = city();
            let mut points = HashMap::new();
            let mut ledger = InvestmentLedger::new(&portfolio);
            let mut next_id = 10_000;
            let as_of = day(as_of_day).min(date(2021, 12, 31));
            let dates = trend_dates(2021, as_of);
            let mut book = FigureBook::new(&portfolio, &ledger, 2021, dates.clone());
            for w in &writes {
                apply(&mut portfolio, &mut points, &mut ledger, &mut next_id, w);
                if let Some((next, recomputed)) = book.updated(&portfolio, &ledger) {
                    prop_assert!(recomputed <= 1, "one write recomputed {} projects", recomputed);
                    book = next;
                }
            }
            let in_district = |p: &Project| p.district == portfolio.projects[0].district;
            prop_assert_eq!(book.totals(|_| true), year_trend(&portfolio, &ledger, 2021, as_of, |_| true));
            prop_assert_eq!(book.totals(in_district), year_trend(&portfolio, &ledger, 2021, as_of, in_district));
            let last = dates.len() - 1;
            prop_assert_eq!(
                book.overview(&portfolio, last, |_| true),
                Overview::compute_filtered(&portfolio, &ledger, 2021, as_of, |_| true)
            );
            prop_assert_eq!(
                book.overview(&portfolio, last, in_district),
                Overview::compute_filtered(&portfolio, &ledger, 2021, as_of, in_district)
            );
        }
    }
}
