//! The use cases of jianguan, written once: the web server's handlers, the CLI's subcommands and
//! the scheduled jobs all call these, and nothing here knows about HTTP or SQL.
//!
//! One module per family of use cases: [`portfolio`] (the read model each node caches, and the
//! headline figures), [`cadence`] (warning job, warning rules with their version gate, the
//! dispatch pack's records), [`assessment`] (score, publish, correct, schemes), [`ledger`] (an
//! import plan turned into writes), [`accounts`], [`audit`] (verify the chain, anchors),
//! [`coverage`] (walking coverage of the campaign's facilities) and [`jobs`] (run once across
//! nodes). Time comes from a [`Clock`] passed in; audit records are named by
//! [`jianguan_audit::AuditAction`].

pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod backup;
pub mod basemap;
pub mod cadence;
pub mod catalogue;
pub mod client;
pub mod clock;
pub mod coverage;
pub mod districts;
mod figure_books;
pub mod jobs;
pub mod ledger;
pub mod maps;
pub mod org;
pub mod plans;
pub mod portfolio;
pub mod projects;
pub mod refusal;
pub mod setup;
pub mod shared;
pub mod todo;
pub mod wall_links;

pub use clock::Clock;
pub use portfolio::{App, Snapshot};
pub use refusal::refusal;
