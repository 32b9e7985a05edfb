//! The web crate's integration tests, one test binary (one link) for all of them: the demo city
//! behind the real router on SQLite and PostgreSQL (`common`), scenario by scenario.

#[macro_use]
mod common;

mod as_of;
mod assessment;
mod auth;
mod browser;
mod cadence;
mod catalogue;
mod concurrency;
mod coverage;
mod edge;
mod english;
mod find;
mod homes;
mod http;
mod jobs;
mod ledger;
mod map;
mod map_browser;
mod matrix;
mod messages;
mod network;
mod passwords;
mod phones;
mod plans;
mod record_scope;
mod rule_forms;
mod setup;
mod story;
mod todo;
mod wall;
