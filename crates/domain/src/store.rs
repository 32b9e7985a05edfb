//! The storage port: what the rest of jianguan asks of a database. The domain owns this trait;
//! `jianguan-store` implements it on SQLite and PostgreSQL, and nothing outside that crate knows
//! which one is in use.
//!
//! Methods return boxed futures so the trait stays object-safe (`Arc<dyn Store>`) without this
//! crate depending on an async runtime.

use std::future::Future;
use std::pin::Pin;

use crate::model::{Portfolio, ProgressReport, Project, ProjectId, ReportingPeriod};

/// A boxed, sendable future, as the [`Store`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What can go wrong in storage, in terms callers can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database holds data that is not a jianguan database.
    #[error("not a jianguan database: {0}")]
    NotJianguan(String),
    /// The database was written by a newer jianguan than this binary.
    #[error(
        "the database schema is newer than this program (database version {found}, this program knows up to {known}); upgrade jianguan"
    )]
    NewerSchema {
        /// The newest migration in the database.
        found: i64,
        /// The newest migration this binary has.
        known: i64,
    },
    /// The write would overwrite existing campaign data.
    #[error("the database already holds campaign data")]
    NotEmpty,
    /// A record breaks a rule of the domain (a reference to nothing, a duplicate code, …).
    #[error("invalid record: {0}")]
    Invalid(String),
    /// The database could not be reached or failed.
    #[error("database error: {0}")]
    Backend(String),
}

/// Who made a write and why: every write is attributable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account or process that writes, e.g. `demo` or a user name.
    pub name: String,
}

/// A project with everything its page shows: the project, its reporting periods and every
/// version of its reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRecord {
    /// The project with milestones and plans.
    pub project: Project,
    /// Every report version, oldest first.
    pub reports: Vec<ProgressReport>,
    /// The periods those reports are for.
    pub periods: Vec<ReportingPeriod>,
}

/// Progress of a long write, as (done, total) units.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// The storage port.
pub trait Store: Send + Sync {
    /// The backend's name, e.g. `sqlite`.
    fn backend(&self) -> &'static str;

    /// A number that changes whenever campaign data changes, so readers can cache what they
    /// derive from it.
    fn data_version(&self) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// Whether the database holds no campaign data at all.
    fn is_empty(&self) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Everything the campaign holds.
    fn load_portfolio(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>>;

    /// One project with its reports, or `None` if there is no such project.
    fn load_project(
        &self,
        id: ProjectId,
    ) -> BoxFuture<'_, Result<Option<ProjectRecord>, StoreError>>;

    /// Writes a whole portfolio into an empty database, in one transaction: all of it or
    /// nothing. Fails with [`StoreError::NotEmpty`] if the database holds campaign data.
    fn create_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}
