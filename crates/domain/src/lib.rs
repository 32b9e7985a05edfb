//! The domain of jianguan (建管): the campaign's records and the rules read off them.
//!
//! This crate is pure: no I/O, no async runtime, no database or HTTP dependency (a test in
//! `tests/it/purity.rs` keeps it so). Rates are defined once, in [`rates`], and every page, API
//! response and document uses them through [`overview`].

pub mod acts;
pub mod assessment;
pub mod boundary;
pub mod calendar;
pub mod catalogue;
pub mod change;
pub mod coords;
pub mod dispatch;
pub mod filing;
pub mod fmt;
pub mod followup;
pub mod highlights;
pub mod i18n;
pub mod map;
pub mod model;
pub mod org;
pub mod overview;
pub mod plan;
pub mod project_edit;
pub mod quarterly;
pub mod rates;
pub mod search;
pub mod shards;
pub mod store;
pub mod toml_zh;
pub mod warnings;

#[cfg(test)]
mod fixture;

pub use jiff::civil::Date;
