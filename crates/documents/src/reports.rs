//! The office's documents drafted from data: each function takes what the domain computed
//! (the overview, the dispatch pack, a month's scores, the tracked items) and lays it out as an
//! [`OfficialDocument`](crate::docx::OfficialDocument) in the structure the office writes it,
//! leaving what only people can write as highlighted placeholders. No figure is computed here:
//! every number in a sentence is a field of a domain value, written by [`jianguan_domain::fmt`].

mod bulletin;
mod dispatch;
mod quarterly;
mod summary;

pub use bulletin::{BulletinInput, bulletin};
pub use dispatch::dispatch;
pub use quarterly::{finished_chart, quarterly, trend_chart};
pub use summary::{SummaryInput, SummaryPeriod, summary};

/// The issuing office printed at the head and foot of the city's documents.
pub const DEFAULT_ISSUER: &str = "示例市城市建管提升行动指挥部办公室";
