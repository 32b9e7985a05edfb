//! The storage port: what the rest of jianguan asks of a database. The domain owns this trait;
//! `jianguan-store` implements it on SQLite and PostgreSQL, and nothing outside that crate knows
//! which one is in use.
//!
//! Methods return boxed futures so the trait stays object-safe (`Arc<dyn Store>`) without this
//! crate depending on an async runtime.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jianguan_audit::{AuditDraft, AuditRecord, ChainSuite, CryptoSuite};
use jiff::civil::Date;

use crate::acts::Dismissal;
use crate::assessment::{
    Decision, EnteredValue, MediaReport, Month, Objection, ScoreRun, SubjectKind,
};
use crate::boundary::Boundary;
use crate::filing::Filed;
use crate::followup::{ItemEvent, ItemId, TrackedItem};
use crate::model::{
    Category, CategoryId, Money, PeriodId, PlanStatus, Portfolio, ProgressReport, Project,
    ProjectId, ReportId, ReportingPeriod, Unit, UnitId, YearPlan,
};
use crate::plan::PlanChange;
use crate::warnings::WarningEvent;

/// A boxed, sendable future, as the [`Store`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What can go wrong in storage, in terms callers can act on. The texts carried by
/// [`StoreError::Invalid`], [`StoreError::Conflict`] and [`StoreError::NotFound`] are written for
/// people (Chinese where a page shows them); [`StoreError::Backend`] is for logs only and may hold
/// a database's own words.
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
    /// A record breaks a rule of the domain; the reason is fit to show.
    #[error("invalid record: {0}")]
    Invalid(String),
    /// The write conflicts with what is stored now (a published month is frozen, a version
    /// was taken by a writer racing this one); the reason is fit to show.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The data changed since the write was planned (a ledger import checked against an older
    /// data version): nothing was written, plan again.
    #[error("the data changed since the plan was made (version {expected}, now {found})")]
    Stale {
        /// The data version the plan was made against.
        expected: i64,
        /// The data version found when writing.
        found: i64,
    },
    /// A value that must be unique is taken.
    #[error("duplicate {field}{}", value.as_ref().map(|v| format!(" `{v}`")).unwrap_or_default())]
    Duplicate {
        /// What is duplicated.
        field: Field,
        /// The value, when the store knows it.
        value: Option<String>,
    },
    /// The record the write is about does not exist; names it, fit to show.
    #[error("not found: {0}")]
    NotFound(String),
    /// A record refers to one that does not exist (a foreign key).
    #[error("reference to a missing {}", field.as_ref().map_or("record".to_string(), |f| f.to_string()))]
    MissingReference {
        /// Which reference, when the backend says (PostgreSQL does, SQLite does not).
        field: Option<Field>,
    },
    /// The database could not be reached or failed, or holds data it cannot read. The text is
    /// for logs, never for users.
    #[error("database error: {0}")]
    Backend(String),
}

/// A field of the stored records that a [`StoreError`] names: a unique value, or a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// An account's (normalised) user name.
    Username,
    /// A project's code.
    ProjectCode,
    /// A category's code.
    CategoryCode,
    /// A scoring scheme's version within its year.
    SchemeVersion,
    /// A score run's version of its month and kind.
    RunVersion,
    /// A progress report's version for its project and period.
    ReportVersion,
    /// A tracked item's event (its sequence number).
    ItemEvent,
    /// A setting's version.
    SettingVersion,
    /// The decision on an objection (made once).
    ObjectionDecision,
    /// An organisation unit.
    Unit,
    /// A project.
    Project,
    /// A category.
    Category,
    /// A milestone.
    Milestone,
    /// A reporting period.
    Period,
    /// A progress report.
    Report,
    /// An account.
    Account,
    /// A tracked item.
    Item,
    /// Anything else, as `table.column` (for logs; shown to users only generically).
    Other(String),
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Field::Username => "user name",
            Field::ProjectCode => "project code",
            Field::CategoryCode => "category code",
            Field::SchemeVersion => "scheme version",
            Field::RunVersion => "score run version",
            Field::ReportVersion => "report version",
            Field::ItemEvent => "item event",
            Field::SettingVersion => "setting version",
            Field::ObjectionDecision => "objection decision",
            Field::Unit => "unit",
            Field::Project => "project",
            Field::Category => "category",
            Field::Milestone => "milestone",
            Field::Period => "reporting period",
            Field::Report => "report",
            Field::Account => "account",
            Field::Item => "tracked item",
            Field::Other(what) => what,
        };
        f.write_str(name)
    }
}

/// Who made a write: every write is attributable, and its audit record names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account or process that writes, e.g. `demo` or a user name.
    pub name: String,
    /// Where the write came from (the client address of a request, the CLI's user and host),
    /// for the audit records the store makes for it.
    pub client: Option<String>,
}

/// A project with everything its page shows: the project, its reporting periods and the
/// versions of its reports that [`ReportVersions`] asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRecord {
    /// The project with milestones and plans.
    pub project: Project,
    /// The report versions read, oldest first.
    pub reports: Vec<ProgressReport>,
    /// The periods those reports are for.
    pub periods: Vec<ReportingPeriod>,
}

/// The inputs of every figure: the portfolio without report versions, and investment to date per
/// project as (project, period end, amount), latest version of each period's report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadModel {
    /// Units, categories, projects with milestones and plans, periods; no reports.
    pub portfolio: Portfolio,
    /// Investment to date per project and period end.
    pub investment: Vec<(ProjectId, Date, Money)>,
}

/// The parts of the read model a [`crate::change::Change`] names, re-read after a write
/// ([`PortfolioStore::load_read_model_part`]); applied by [`crate::change::apply`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadModelPart {
    /// Every unit, when units changed.
    pub units: Option<Vec<Unit>>,
    /// Every district boundary, when units changed (boundaries are written as a unit change).
    pub district_boundaries: Option<BTreeMap<UnitId, Arc<Boundary>>>,
    /// Every category, when categories changed.
    pub categories: Option<Vec<Category>>,
    /// The touched projects that still exist, with milestones and plans.
    pub projects: Vec<Project>,
    /// Investment to date of the touched projects per period end (latest version).
    pub investment: Vec<(ProjectId, Date, Money)>,
}

/// An account as stored: identity, unit, roles (by code), credentials and login state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Identity.
    pub id: i64,
    /// The user name as typed when the account was made.
    pub username: String,
    /// The normalised user name that makes accounts unique (NFKC, case-folded).
    pub username_key: String,
    /// The person's name.
    pub display_name: String,
    /// The organisation unit the account belongs to (none for some administrators).
    pub unit: Option<UnitId>,
    /// Role codes.
    pub roles: Vec<String>,
    /// Password hash in PHC string form.
    pub password_hash: String,
    /// Base32 TOTP secret, when a second factor is set up.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted (a code is good once).
    pub totp_last_step: Option<i64>,
    /// When the account was made, ms since the epoch.
    pub created_at_ms: i64,
    /// The last successful login, ms since the epoch.
    pub last_login_ms: Option<i64>,
    /// The last day the account may be used, if it expires.
    pub expires_on: Option<Date>,
    /// When the account was disabled, if it is.
    pub disabled_at_ms: Option<i64>,
    /// Failed logins since the last success or lock.
    pub failed_logins: i64,
    /// Locked until this instant after too many failures.
    pub locked_until_ms: Option<i64>,
    /// When the password was last set (`None`: when the account was made).
    pub password_changed_at_ms: Option<i64>,
    /// The password must be changed before anything else (after a reset, or once expired).
    pub must_change_password: bool,
}

/// Failed logins from one source address against one (normalised) user name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginThrottleRecord {
    /// Consecutive failures.
    pub failures: i64,
    /// The last failure, ms since the epoch.
    pub last_failure_ms: i64,
    /// Locked out until this instant.
    pub locked_until_ms: Option<i64>,
}

/// A login session, known by the hash of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie token, hex.
    pub token_hash: String,
    /// Whose session it is.
    pub account_id: i64,
    /// When it was created (login), ms since the epoch.
    pub created_at_ms: i64,
    /// The last request seen, ms since the epoch.
    pub last_seen_ms: i64,
}

/// A wall link (大屏链接): opens the wall display alone, without a login, as a reader of its
/// scope sees it, until it is revoked or its expiry day has passed. Known by the hash of its
/// token; the token itself is shown once, when the link is made, and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallLinkRecord {
    /// Its id (0 in a link to create: the store assigns it).
    pub id: i64,
    /// SHA-256 of the link's token, hex (as for session tokens).
    pub token_hash: String,
    /// What the office calls it, e.g. 指挥中心大屏.
    pub label: String,
    /// Whose projects it shows: [`RecordScope::All`], or one district, line or lead unit.
    pub scope: RecordScope,
    /// Who made it.
    pub created_by: String,
    /// When, ms since the epoch.
    pub created_at_ms: i64,
    /// The last day it opens (China Standard Time), if it expires.
    pub expires_on: Option<Date>,
    /// When it was revoked, ms since the epoch.
    pub revoked_at_ms: Option<i64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// When it was last used, ms since the epoch (noted at most once an hour).
    pub last_used_ms: Option<i64>,
}

/// Which audit records to list: every field optional, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only actions starting with this (e.g. `login.`).
    pub action_prefix: Option<String>,
    /// Only this result code (`success`, `failure`, `denied`).
    pub result: Option<String>,
    /// From this instant on (ms since the epoch).
    pub from_ms: Option<i64>,
    /// Before this instant (ms since the epoch).
    pub until_ms: Option<i64>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return at most.
    pub limit: i64,
}

/// Which projects a read may return: the reader's scope, applied in the query itself so that a
/// record outside it is never read (not read and then hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordScope {
    /// Every project.
    All,
    /// Projects of one district.
    District(UnitId),
    /// Projects of one campaign line (sub-headquarters).
    Line(UnitId),
    /// Projects led by one lead unit.
    LeadUnit(UnitId),
    /// Projects built by one responsible unit.
    ResponsibleUnit(UnitId),
    /// No project.
    Nothing,
}

/// Which versions of a project's reports [`PortfolioStore::load_project`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportVersions {
    /// Every version (the project's page shows the history).
    All,
    /// The current version of each period's report (what every figure reads).
    Current,
    /// What filing a new version is judged against: the current version of each period's
    /// report, and every earlier version that names an outside body to coordinate with. The
    /// gates read current versions only (`filing::current_versions`), and a coordination
    /// ticket opens for a problem no version raised before (`followup::coordination_tickets`,
    /// which only problems naming a body can open). So filing costs the same after a hundred
    /// corrections as after one.
    Filing,
}

/// A ledger import to write (built by the ledger reader's plan): all of it or none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectImport {
    /// Responsible units the ledger names that are not stored yet, created in the same
    /// transaction. Each carries a placeholder id below zero (`-1`, `-2`, …): a project's unit
    /// fields that hold a placeholder are written with the id the store assigns to that unit.
    pub new_units: Vec<Unit>,
    /// Projects to create; ids and milestone ids 0 (the store assigns them).
    pub new: Vec<Project>,
    /// Projects to change, with the stored ids; a milestone with id 0 is new. With each, the
    /// names of the fields that changed (for the audit trail).
    pub updated: Vec<(Project, Vec<String>)>,
    /// Where the import came from, e.g. `台账.xlsx（12,345 字节）`.
    pub source: String,
    /// The data version the plan was made against: the write is refused if the data changed
    /// since (the plan would be stale).
    pub expected_version: i64,
}

/// A change to the organisation (units created, renamed, moved, deactivated or reactivated),
/// written in one transaction with its audit records. Units are never deleted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitWrite {
    /// Units to create, with the ids the caller chose (above every stored id), parents before
    /// children.
    pub new: Vec<Unit>,
    /// Stored units with their new name, parent and active flag.
    pub changed: Vec<Unit>,
    /// The data version the change was checked against: refused with [`StoreError::Stale`] if
    /// the data changed since (the checks would be stale).
    pub expected_version: i64,
}

/// The districts' boundaries to store, replacing every stored one (a district not listed has
/// none afterwards), in one transaction with its audit records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoundaryWrite {
    /// Each district unit's boundary (already passed [`crate::boundary::check_boundary`], rings
    /// closed), at most one per unit.
    pub boundaries: Vec<(UnitId, Boundary)>,
    /// Who imported them (stored beside each boundary).
    pub imported_by: String,
    /// The data version the import was checked against (the units it matched names to):
    /// refused with [`StoreError::Stale`] if the data changed since.
    pub expected_version: i64,
}

/// A district's boundary as stored: with who imported it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBoundary {
    /// The district unit.
    pub unit: UnitId,
    /// Its boundary.
    pub boundary: Boundary,
    /// When it was imported, ms since the epoch.
    pub imported_at_ms: i64,
    /// Who imported it.
    pub imported_by: String,
}

/// One stored level of a basemap: its lowest zoom and its encoded features.
pub type StoredLevel = (u8, Vec<u8>);

/// A basemap to store in place of the one stored (the levels as `jianguan_geo::basemap`
/// encodes them: the store keeps bytes it does not read).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BasemapWrite {
    /// Where it was prepared from (a file name, or the demo).
    pub source: String,
    /// What it holds, as the preparing command described it (JSON).
    pub summary: String,
    /// Each level: its lowest zoom and its encoded features.
    pub levels: Vec<StoredLevel>,
    /// The city's walking inputs read with it (`jianguan_geo::walk_city`'s encoding), when
    /// residents were given; `None` leaves none stored.
    pub walk_city: Option<Vec<u8>>,
    /// Who prepared it.
    pub prepared_by: String,
}

/// The stored basemap's description.
#[derive(Debug, Clone, PartialEq)]
pub struct BasemapInfo {
    /// Grows by one with each replacement: a node's cached basemap is current while its
    /// revision is.
    pub revision: i64,
    /// Where it was prepared from.
    pub source: String,
    /// What it holds (JSON).
    pub summary: String,
    /// When it was stored, ms since the epoch.
    pub prepared_at_ms: i64,
    /// Who stored it.
    pub prepared_by: String,
}

/// A city's first records, written by [`PortfolioStore::init_city`]: its units, categories and
/// reporting periods (a [`Portfolio`] without projects) and its settings as (key, text).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CityInit {
    /// Units, categories and periods, ids as given.
    pub records: Portfolio,
    /// Settings to save as their first version, as (key, body).
    pub settings: Vec<(String, String)>,
    /// The cryptographic suite chosen for the database (from the setup's own audit records on;
    /// refused if another was chosen before).
    pub crypto: CryptoSuite,
}

/// Progress of a long write, as (done, total) units.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// A node's claim on one run of a scheduled job: the job's name and the slot it runs for (a day,
/// a week, a month), so that of several web nodes on one database exactly one does each run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobClaim {
    /// The job, e.g. `daily-warnings`.
    pub job: String,
    /// The slot the run is for, e.g. `2021-10-31`.
    pub slot: String,
    /// The claiming node's name.
    pub node: String,
    /// The time of the claim, milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// How long the claim holds without the run finishing before another node may take it over.
    pub lease_ms: i64,
}

/// The cadence's records: the warnings' history and every tracked item with its events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CadenceRecords {
    /// Every warning event, by day then id.
    pub warnings: Vec<WarningEvent>,
    /// Every tracked item with its history, by id.
    pub items: Vec<TrackedItem>,
    /// Proposals of acts the office dismissed, by id.
    pub dismissals: Vec<Dismissal>,
}

/// A batch of cadence writes, stored in one transaction with its audit records: warning
/// events (ids assigned by the store when 0), new items (ids assigned when 0; their `events`
/// stored too) and events appended to existing items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CadenceWrite {
    /// Warning events to append.
    pub warnings: Vec<WarningEvent>,
    /// Items to create.
    pub new_items: Vec<TrackedItem>,
    /// Events to append to existing items, in order.
    pub item_events: Vec<(ItemId, ItemEvent)>,
    /// Proposals the office dismissed (ids assigned by the store when 0).
    pub dismissals: Vec<Dismissal>,
}

/// A photo attached to a report: stored outside the database under its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRef {
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// `image/jpeg` or `image/png`.
    pub mime: String,
    /// Size in bytes.
    pub bytes: i64,
}

/// One version of a setting kept as text (the warning rules' TOML, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingVersion {
    /// The setting's key, e.g. `warning_rules`.
    pub key: String,
    /// Its version, from 1.
    pub version: i64,
    /// The text.
    pub body: String,
    /// When saved.
    pub saved_at_ms: i64,
    /// Who saved it.
    pub saved_by: String,
}

/// One saved version of a category (name, code, line, lead unit and template), as the history
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryVersion {
    /// The category's version, from 1.
    pub version: u32,
    /// The category as saved (its `template_version` is `version`).
    pub category: Category,
    /// When saved, ms since the epoch.
    pub saved_at_ms: i64,
    /// Who saved it.
    pub saved_by: String,
}

/// One version of a year's scoring scheme (考核办法), as the TOML text the office saved. The
/// version is the scheme's own (`version = N` in the file), so a run scored with version N can
/// always read that text again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeVersion {
    /// The year it applies to.
    pub year: i16,
    /// Its version within the year, from 1.
    pub version: u32,
    /// The TOML text.
    pub body: String,
    /// When saved, ms since the epoch.
    pub saved_at_ms: i64,
    /// Who saved it.
    pub saved_by: String,
}

// The storage port, one trait per aggregate; `Store` is all of them, and `Arc<dyn Store>` the
// handle the rest of jianguan holds. Calling a method on a concrete store (`Db`) needs its trait
// in scope: `use jianguan_domain::store::prelude::*;`.

/// The campaign's records: the portfolio, its read model, one project, bulk writes and the
/// ledger import.
pub trait PortfolioStore: Send + Sync {
    /// The backend's name, e.g. `sqlite`.
    fn backend(&self) -> &'static str;

    /// A number that changes whenever campaign data changes, so readers can cache what they
    /// derive from it.
    fn data_version(&self) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// Whether the database takes writes: a write to the data version row, in a transaction
    /// rolled back, so nothing changes (readiness: a database file opened read-only answers
    /// reads and fails every write).
    fn probe_write(&self) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The connection pool: connections open and idle (for metrics), where there is one.
    fn pool_stats(&self) -> Option<(u32, usize)> {
        None
    }

    /// Writes acknowledged durable and the commits that held them, where writes share commits
    /// (group commit; for metrics).
    fn write_commits(&self) -> Option<(u64, u64)> {
        None
    }

    /// Whether the database holds no campaign data at all.
    fn is_empty(&self) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Everything the campaign holds.
    fn load_portfolio(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>>;

    /// What the figures are computed from: every record except the reports' texts, with
    /// investment to date read off the reports (latest version per project and period). Far
    /// smaller than [`PortfolioStore::load_portfolio`] at scale; `portfolio.reports` is empty.
    fn load_read_model(&self) -> BoxFuture<'_, Result<ReadModel, StoreError>>;

    /// The changes logged after data version `version`, merged, and the version they reach;
    /// `None` when the log no longer reaches back that far (a full re-read is needed).
    fn changes_since(
        &self,
        version: i64,
    ) -> BoxFuture<'_, Result<Option<(i64, crate::change::Change)>, StoreError>>;

    /// Re-reads the parts of the read model `change` names (never a full read: the caller
    /// re-reads everything when [`crate::change::Change::needs_full_read`]).
    fn load_read_model_part<'a>(
        &'a self,
        change: &'a crate::change::Change,
    ) -> BoxFuture<'a, Result<ReadModelPart, StoreError>>;

    /// The records alone: units, categories, projects with milestones and plans, periods; no
    /// reports and no investment read off them. What a command that plans changes to the
    /// records (a ledger import, the organisation, coverage, entered values) needs, without
    /// scanning every report version (millions at national scale).
    fn load_records(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>>;

    /// One project with the report versions `versions` asks for, or `None` if there is no
    /// such project within `scope`.
    fn load_project(
        &self,
        id: ProjectId,
        scope: RecordScope,
        versions: ReportVersions,
    ) -> BoxFuture<'_, Result<Option<ProjectRecord>, StoreError>>;

    /// Writes a whole portfolio into an empty database, in one transaction: all of it or
    /// nothing. Fails with [`StoreError::NotEmpty`] if the database holds campaign data.
    fn create_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Adds the records of `portfolio` (whichever it holds) to the database in one transaction:
    /// all of them or none. For bulk loads written in chunks; references must point at records
    /// already stored or in the same chunk.
    fn append_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Writes a ledger import in one transaction: creates `new_units` first (ids assigned, the
    /// projects' placeholder ids mapped to them, one `unit.import.create` audit record each),
    /// inserts `new` (ids assigned), replaces the
    /// fields, year plans and milestones of `updated` (milestones matched by id; a milestone
    /// that reports reference cannot be dropped), bumps the data version, and appends one audit
    /// record per project (`project.import.create` / `project.import.update`, the changed
    /// fields, the source). Refused with [`StoreError::Stale`] if the data version is not
    /// `expected_version`, [`StoreError::Duplicate`] if a new project's code exists,
    /// [`StoreError::NotFound`] if an updated project is gone, and [`StoreError::Invalid`]
    /// when the import breaks a rule. Returns the ids of the new projects, in order.
    fn import_projects<'a>(
        &'a self,
        import: &'a ProjectImport,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<Vec<ProjectId>, StoreError>>;

    /// Saves a category (already passed [`crate::catalogue::check_category`]) in one
    /// transaction: a new one (id 0) gets the next id and version 1; a stored one its fields,
    /// its template steps replaced and its version raised by one — refused with
    /// [`StoreError::Conflict`] when its stored version is not `category.template_version` (a
    /// save raced this one) and [`StoreError::NotFound`] when it is gone. The saved category is
    /// kept as a row of its history, `audit` (its object set to `category:ID`) appended and the
    /// data version bumped. No project's milestones change: they were copied from the template
    /// when each project was made. Returns the category as saved.
    fn save_category<'a>(
        &'a self,
        category: &'a Category,
        saved_by: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Category, StoreError>>;

    /// Every saved version of a category, newest first (versions written before the history
    /// was kept — the demo's version 1 — are not in it).
    fn category_versions(
        &self,
        id: CategoryId,
    ) -> BoxFuture<'_, Result<Vec<CategoryVersion>, StoreError>>;

    /// Every organisation unit, by id (without reading the rest of the portfolio).
    fn load_units(&self) -> BoxFuture<'_, Result<Vec<Unit>, StoreError>>;

    /// Sets a city up in an empty database, in one transaction: its records, its settings
    /// (each as version 1, saved by `saved_by`) and `audit`. Fails with
    /// [`StoreError::NotEmpty`] if the database holds campaign data.
    fn init_city<'a>(
        &'a self,
        city: &'a CityInit,
        saved_by: &'a str,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Writes a change to the organisation with `audit`, in one transaction. Refused with
    /// [`StoreError::Stale`] if the data version is not `write.expected_version`, and
    /// [`StoreError::NotFound`] if a changed unit is gone.
    fn save_units<'a>(
        &'a self,
        write: &'a UnitWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Every stored district boundary, by unit id, with who imported it and when.
    fn district_boundaries(&self) -> BoxFuture<'_, Result<Vec<StoredBoundary>, StoreError>>;

    /// Replaces the whole set of district boundaries with `write.boundaries`, in one
    /// transaction with `audit`: all of them or none. The change is logged as a unit change
    /// (every node re-reads units and boundaries). Refused with [`StoreError::Stale`] if the data
    /// version is not `write.expected_version`, [`StoreError::NotFound`] if a unit is missing,
    /// [`StoreError::Invalid`] if a unit is not a district or is named twice; nothing changes.
    fn replace_district_boundaries<'a>(
        &'a self,
        write: &'a BoundaryWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The stored basemap's description, if a basemap is stored.
    fn basemap_info(&self) -> BoxFuture<'_, Result<Option<BasemapInfo>, StoreError>>;

    /// The stored basemap's levels, (lowest zoom, encoded features), lowest zoom first; empty
    /// when none is stored.
    fn basemap_levels(&self) -> BoxFuture<'_, Result<Vec<StoredLevel>, StoreError>>;

    /// The city's walking inputs stored with the basemap (encoded), if any.
    fn basemap_walk_city(&self) -> BoxFuture<'_, Result<Option<Vec<u8>>, StoreError>>;

    /// Stores `write` in place of the stored basemap, in one transaction with `audit`, with the
    /// next revision; bumps the data version (with nothing for the read model to re-read) so
    /// every node looks at the basemap's revision again.
    fn replace_basemap<'a>(
        &'a self,
        write: &'a BasemapWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The cadence: warnings, tracked items, filings with their photos, and versioned settings.
pub trait CadenceStore: Send + Sync {
    /// The cadence's records: warnings and tracked items. (Filing days are read one period at
    /// a time with [`CadenceStore::load_filings`]: all of them are millions of rows at scale.)
    fn load_cadence(&self) -> BoxFuture<'_, Result<CadenceRecords, StoreError>>;

    /// When each version of each report for `period` was filed (compliance reads one period).
    fn load_filings(&self, period: PeriodId) -> BoxFuture<'_, Result<Vec<Filed>, StoreError>>;

    /// When each version after `after` of `projects`' reports for `period` was filed (a node
    /// catching up reads what was filed since the versions it holds).
    fn load_filings_of<'a>(
        &'a self,
        period: PeriodId,
        projects: &'a [ProjectId],
        after: u16,
    ) -> BoxFuture<'a, Result<Vec<Filed>, StoreError>>;

    /// Stores a batch of cadence writes and `audit` in one transaction; returns the ids given
    /// to the new items, in order.
    fn record_cadence<'a>(
        &'a self,
        write: &'a CadenceWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<Vec<ItemId>, StoreError>>;

    /// Stores a new report version (already passed [`crate::filing::check_filing`]) with its
    /// photos' references, sets the reached milestones' actual dates, opens the coordination
    /// `tickets` its problems raise ([`crate::followup::coordination_tickets`]), and writes
    /// `audit` (its object set to the report) and `ticket_audit` (one per ticket, in order, its
    /// object set to the item), in one transaction: a report is never stored without the
    /// tickets it opens. Returns the report's id. A version that already exists is refused.
    fn file_report<'a>(
        &'a self,
        report: &'a ProgressReport,
        photos: &'a [PhotoRef],
        audit: &'a AuditDraft,
        tickets: &'a [crate::followup::TrackedItem],
        ticket_audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<ReportId, StoreError>>;

    /// The photos of a report.
    fn report_photos(&self, report: ReportId) -> BoxFuture<'_, Result<Vec<PhotoRef>, StoreError>>;

    /// The latest version of the setting `key`, if it was ever saved.
    fn setting<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SettingVersion>, StoreError>>;

    /// Saves a new version of the setting `key` (version = latest + 1) with `audit`.
    fn save_setting<'a>(
        &'a self,
        key: &'a str,
        body: &'a str,
        saved_by: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<SettingVersion, StoreError>>;
}

/// The monthly assessment: scoring schemes, entered values, the media register, score runs and objections.
pub trait AssessmentStore: Send + Sync {
    /// Version `version` of `year`'s scoring scheme, or the latest when `version` is `None`.
    fn scheme(
        &self,
        year: i16,
        version: Option<u32>,
    ) -> BoxFuture<'_, Result<Option<SchemeVersion>, StoreError>>;

    /// Every saved version of `year`'s scoring scheme, oldest first.
    fn scheme_versions(&self, year: i16) -> BoxFuture<'_, Result<Vec<SchemeVersion>, StoreError>>;

    /// Saves `body` (already read and checked by
    /// [`crate::assessment::Scheme::from_toml`]) as `version` of `year`'s scheme, with
    /// `audit`. Fails with [`StoreError::Conflict`] when `version` is not above every saved
    /// version of the year: a version, once saved, is never replaced.
    fn save_scheme<'a>(
        &'a self,
        year: i16,
        version: u32,
        body: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<SchemeVersion, StoreError>>;

    /// Appends entered indicator values (already passed
    /// [`crate::assessment::Dictionary::check_entry`]) with `audit`, in one transaction; ids
    /// are assigned by the store where 0. A correction is a new entry: entries are never
    /// changed. Returns the ids, in order.
    fn enter_values<'a>(
        &'a self,
        values: &'a [EnteredValue],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Vec<i64>, StoreError>>;

    /// Every entered indicator value, oldest first (so a correction follows what it corrects).
    fn entered_values(&self) -> BoxFuture<'_, Result<Vec<EnteredValue>, StoreError>>;

    /// Adds entries to the media-coverage register (already passed
    /// [`MediaReport::check`]) with `audit`, in one transaction; ids assigned where 0.
    fn add_media_reports<'a>(
        &'a self,
        reports: &'a [MediaReport],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Vec<i64>, StoreError>>;

    /// The media-coverage register, by id.
    fn media_reports(&self) -> BoxFuture<'_, Result<Vec<MediaReport>, StoreError>>;

    /// Stores a draft run of its month and kind, replacing the draft there was, with `audit`.
    /// Fails with [`StoreError::Invalid`] when the run is published and
    /// [`StoreError::Conflict`] when the month and kind already have a published run (a published month is frozen: see
    /// [`AssessmentStore::save_correction`]).
    fn save_draft_run<'a>(
        &'a self,
        run: &'a ScoreRun,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Publishes the draft run of `month` and `kind` on `on` ([`ScoreRun::publish`]): the
    /// stored draft itself, unchanged but for the publication, with `audit`. Fails with
    /// [`StoreError::Invalid`] when there is no draft (nothing scored, or already published).
    fn publish_run<'a>(
        &'a self,
        month: Month,
        kind: SubjectKind,
        on: Date,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<ScoreRun, StoreError>>;

    /// Stores a correction of a published month ([`ScoreRun::rescore`]): a published run
    /// whose version follows the latest, with a reason and the same scheme version; the
    /// versions before are kept. Fails with [`StoreError::Invalid`] otherwise, or
    /// [`StoreError::Conflict`] when the version does not follow the latest (two writers racing
    /// to correct the same version cannot both succeed).
    fn save_correction<'a>(
        &'a self,
        run: &'a ScoreRun,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The latest version of the run of `month` and `kind`, if scored.
    fn latest_run(
        &self,
        month: Month,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Option<ScoreRun>, StoreError>>;

    /// Every version of the run of `month` and `kind`, oldest first.
    fn run_versions(
        &self,
        month: Month,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Vec<ScoreRun>, StoreError>>;

    /// The latest version of each scored month of `year` for `kind`, by month (the league
    /// table over months).
    fn latest_runs(
        &self,
        year: i16,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Vec<ScoreRun>, StoreError>>;

    /// Files an objection with `audit` (its object set to `objection:ID`): the store runs
    /// [`Objection::check_new`] against the month's latest run and the objections already
    /// filed inside the write transaction, so two racing objections to one line cannot both
    /// be open. Returns the id. Fails with [`StoreError::Invalid`] naming the reason.
    fn file_objection<'a>(
        &'a self,
        objection: &'a Objection,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;

    /// Records the office's decision on objection `id` ([`Objection::decide`], checked in
    /// the write transaction) with `audit`; a decision is recorded once and never changed.
    /// An accepted objection's `correction` of a published month (its reason the objection's
    /// [`Objection::correction_reason`], checked as [`AssessmentStore::save_correction`]
    /// checks) is stored with its audit record in the same transaction: the decision never
    /// stands without the correction it triggers. Returns the decided objection.
    fn decide_objection<'a>(
        &'a self,
        id: i64,
        decision: &'a Decision,
        audit: &'a AuditDraft,
        correction: Option<(&'a ScoreRun, &'a AuditDraft)>,
    ) -> BoxFuture<'a, Result<Objection, StoreError>>;

    /// Every objection about `month` (any kind), with its decision, by id.
    fn objections(&self, month: Month) -> BoxFuture<'_, Result<Vec<Objection>, StoreError>>;
}

/// Accounts, logins and sessions.
pub trait AccountStore: Send + Sync {
    /// Creates an account with its roles and records it in the audit trail, in one transaction.
    /// Fails with [`StoreError::Duplicate`] ([`Field::Username`]) when the normalised user
    /// name is taken.
    fn create_account<'a>(
        &'a self,
        account: &'a AccountRecord,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;

    /// The account with this normalised user name.
    fn account_by_key<'a>(
        &'a self,
        username_key: &'a str,
    ) -> BoxFuture<'a, Result<Option<AccountRecord>, StoreError>>;

    /// Every account, by id.
    fn list_accounts(&self) -> BoxFuture<'_, Result<Vec<AccountRecord>, StoreError>>;

    /// Saves an account's name, unit, roles, expiry, disabled state and second-factor secret with
    /// its audit record in one transaction; with `end_sessions`, its sessions end too (new roles
    /// or a disabled account take effect at once).
    fn update_account<'a>(
        &'a self,
        account: &'a AccountRecord,
        end_sessions: bool,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The account with this id.
    fn account(&self, id: i64) -> BoxFuture<'_, Result<Option<AccountRecord>, StoreError>>;

    /// The interface language the account's holder chose (`zh` or `en`); `None` when they chose
    /// none (their browser's language applies).
    fn account_lang(&self, account_id: i64) -> BoxFuture<'_, Result<Option<String>, StoreError>>;

    /// Sets (or, with `None`, clears) the account's interface language. A display preference,
    /// not a record: not audited.
    fn set_account_lang<'a>(
        &'a self,
        account_id: i64,
        lang: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Records a login attempt's effect on the account (failure count, lock, last login) and its
    /// audit record in one transaction; on success also creates the session.
    fn record_login<'a>(
        &'a self,
        account: &'a AccountRecord,
        session: Option<&'a SessionRecord>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The failed logins of `source` against `username_key`.
    fn login_throttle<'a>(
        &'a self,
        username_key: &'a str,
        source: &'a str,
    ) -> BoxFuture<'a, Result<Option<LoginThrottleRecord>, StoreError>>;

    /// Records a failed (or refused) login: the (user name, source) pair's new state — rows
    /// untouched since `prune_before_ms` are removed — and the audit record, in one transaction.
    fn record_login_failure<'a>(
        &'a self,
        username_key: &'a str,
        source: &'a str,
        state: LoginThrottleRecord,
        prune_before_ms: i64,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Records a successful login in one transaction: the account's login state (last login,
    /// TOTP step, must-change flag), the new session, the end of the account's oldest sessions
    /// beyond `keep_sessions` (the new one included), the (user name, source) pair's failures
    /// cleared, and the audit record. Returns how many older sessions were ended.
    fn record_login_success<'a>(
        &'a self,
        account: &'a AccountRecord,
        session: &'a SessionRecord,
        keep_sessions: u32,
        source: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<u64, StoreError>>;

    /// Sets an account's password hash, when it was set and whether it must be changed, ends
    /// its sessions except `keep_session` (a token hash), with the audit record, in one
    /// transaction.
    fn set_password<'a>(
        &'a self,
        account_id: i64,
        password_hash: &'a str,
        changed_at_ms: i64,
        must_change: bool,
        keep_session: Option<&'a str>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The session with this token hash.
    fn session<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, StoreError>>;

    /// Notes a request on a session.
    fn touch_session<'a>(
        &'a self,
        token_hash: &'a str,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Ends sessions — one (`Some(token hash)`) or all of an account's — with an audit record.
    fn end_sessions<'a>(
        &'a self,
        account_id: i64,
        token_hash: Option<&'a str>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The audit trail: a hash chain appended to and read back.
pub trait AuditStore: Send + Sync {
    /// Appends one audit record, chained onto the current head in one transaction (concurrent
    /// writers are serialised, so the chain never forks).
    fn append_audit<'a>(
        &'a self,
        draft: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<AuditRecord, StoreError>>;

    /// Audit records matching `query`, newest first, and how many match in all.
    fn audit_search<'a>(
        &'a self,
        query: &'a AuditQuery,
    ) -> BoxFuture<'a, Result<(Vec<AuditRecord>, i64), StoreError>>;

    /// The newest audit record (the chain head), if any.
    fn audit_head(&self) -> BoxFuture<'_, Result<Option<AuditRecord>, StoreError>>;

    /// Audit records with `seq` above `after`, ascending, at most `limit` of them: the chain read
    /// page by page, so verifying a million records holds only a page in memory.
    fn audit_records(
        &self,
        after: i64,
        limit: i64,
    ) -> BoxFuture<'_, Result<Vec<AuditRecord>, StoreError>>;

    /// The database's append-only guards (the triggers refusing to change or delete audit
    /// records and the other histories) that are missing: someone with the database's owner
    /// rights dropped them, and the chain's verification says so. Empty when all are in place.
    fn missing_append_only_guards(&self) -> BoxFuture<'_, Result<Vec<String>, StoreError>>;

    /// The database's cryptographic suite (its audit chain's hash, its secrets' cipher, its
    /// scores' integrity codes) and the first audit record hashed with it;
    /// [`CryptoSuite::Intl`] from record 1 for a database set up before the choice.
    fn crypto_suite(&self) -> BoxFuture<'_, Result<ChainSuite, StoreError>>;

    /// Records the suite chosen at setup, from the next audit record on. Chosen once: the suite
    /// already recorded is no change, another is refused.
    fn choose_crypto_suite<'a>(
        &'a self,
        suite: CryptoSuite,
        by: &'a str,
        at_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Checks every published score run's integrity code against its stored content.
    fn check_score_integrity(&self) -> BoxFuture<'_, Result<ScoreIntegrity, StoreError>>;
}

/// Wall links: made and revoked by the office, each with its audit record; read by token hash
/// on every request of the wall they open.
pub trait WallLinkStore: Send + Sync {
    /// Stores a new link (its `id` is assigned; the audit record's object is set to
    /// `wall_link:{id}`) with its audit record, in one transaction; returns the id.
    /// [`StoreError::MissingReference`] when the scope's unit does not exist.
    fn create_wall_link<'a>(
        &'a self,
        link: &'a WallLinkRecord,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;

    /// Every link, revoked and expired ones too, newest first.
    fn wall_links(&self) -> BoxFuture<'_, Result<Vec<WallLinkRecord>, StoreError>>;

    /// The link with this token hash.
    fn wall_link_by_token<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<WallLinkRecord>, StoreError>>;

    /// Revokes link `id` (who, when) with its audit record, in one transaction.
    /// [`StoreError::NotFound`] if there is no such link, [`StoreError::Conflict`] if it was
    /// revoked already (the first revocation stands).
    fn revoke_wall_link<'a>(
        &'a self,
        id: i64,
        by: &'a str,
        at_ms: i64,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Notes that link `id` was used at `at_ms` (not audited: the wall's refreshes are reads).
    fn touch_wall_link(&self, id: i64, at_ms: i64) -> BoxFuture<'_, Result<(), StoreError>>;
}

/// What checking the published score runs' integrity codes found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreIntegrity {
    /// Runs whose code (an HMAC under the secret key) matches.
    pub keyed: u64,
    /// Runs whose code is a plain digest (published without a secret key) and matches.
    pub unkeyed: u64,
    /// Runs published before integrity codes existed (no code to check).
    pub without_code: u64,
    /// Runs whose code needs the secret key this process does not have (or has another of).
    pub needs_key: u64,
    /// Whether this process's key is another than the one the codes were made with.
    pub wrong_key: bool,
    /// Runs whose content or code changed since publication: `2026-10 district v2`.
    pub broken: Vec<String>,
}

/// Scheduled jobs run once across nodes.
pub trait JobStore: Send + Sync {
    /// Claims a run of a scheduled job. True when this node got it: no node had claimed the
    /// slot, or a claim expired without finishing. False when another node holds or finished it.
    fn claim_job<'a>(&'a self, claim: &'a JobClaim) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Marks a claimed run finished, so it is never run again for its slot.
    fn finish_job<'a>(
        &'a self,
        claim: &'a JobClaim,
        finished_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A decision on a pending plan change.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDecision {
    /// The change decided.
    pub id: i64,
    /// Approved (true) or rejected.
    pub approved: bool,
    /// Who decided.
    pub decided_by: String,
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
    /// The office's note.
    pub note: String,
    /// On approval: the project as the change leaves it (see `plan::apply_change`); its
    /// milestones' adjusted dates, its year plans' adjusted investment and cancellation day and
    /// its suspension day are written. The baseline is never written here.
    pub adjusted: Option<Project>,
}

/// Annual plans: submission and approval, plan changes (计划调整), carrying a year over.
pub trait PlanStore: Send + Sync {
    /// Moves the plans for `year` of `projects` to `to` (submitted or approved) where they are
    /// in an earlier status; approving also records who and when and clears the milestones'
    /// "derived" mark (the dates are the baseline now). One transaction with `audit`; returns
    /// how many plans changed.
    fn set_plan_status<'a>(
        &'a self,
        year: i16,
        projects: &'a [ProjectId],
        to: PlanStatus,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<usize, StoreError>>;

    /// Every plan change, of `year` or of all years, oldest first.
    fn plan_changes(&self, year: Option<i16>)
    -> BoxFuture<'_, Result<Vec<PlanChange>, StoreError>>;

    /// Records a requested plan change (pending) with `audit`; returns its id.
    fn request_plan_change<'a>(
        &'a self,
        change: &'a PlanChange,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;

    /// Decides a pending change and, on approval, writes the adjusted plan, in one transaction
    /// with `audit`. [`StoreError::Conflict`] if the change is no longer pending,
    /// [`StoreError::NotFound`] if there is no such change.
    fn decide_plan_change<'a>(
        &'a self,
        decision: &'a PlanDecision,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Adds draft plans (`plans`, per project) for a new year, in one transaction with `audit`;
    /// a project that has a plan for that year already is left as it is. Returns how many were
    /// added.
    fn add_year_plans<'a>(
        &'a self,
        plans: &'a [(ProjectId, YearPlan)],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<usize, StoreError>>;
}

/// The whole storage port: every aggregate's trait. Implemented for whatever implements them all.
pub trait Store:
    PortfolioStore
    + CadenceStore
    + AssessmentStore
    + AccountStore
    + AuditStore
    + JobStore
    + PlanStore
    + WallLinkStore
{
}

impl<T> Store for T where
    T: PortfolioStore
        + PlanStore
        + CadenceStore
        + AssessmentStore
        + AccountStore
        + AuditStore
        + JobStore
        + WallLinkStore
        + ?Sized
{
}

/// The database side of a backup, as files: copying a database whole while it is in use,
/// restoring a copy into an empty one, scratch places for restore drills. Implemented by the
/// storage (`jianguan_store::backup::Backups`); the backup use cases (`jianguan-app`) are given
/// one.
pub trait Databases: Send + Sync {
    /// Writes a consistent copy of the database at `url` into the directory `dir` while it is
    /// in use.
    fn dump<'a>(
        &'a self,
        url: &'a str,
        dir: &'a std::path::Path,
    ) -> BoxFuture<'a, Result<DatabaseCopy, StoreError>>;
    /// Whether `url` is a missing or empty file or an empty schema.
    fn target_is_empty<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Restores the copy `file` (of the PostgreSQL schema `pg_schema`) into the empty `url`.
    fn restore<'a>(
        &'a self,
        url: &'a str,
        file: &'a std::path::Path,
        pg_schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Opens `url`, bringing its schema up to date.
    fn open<'a>(
        &'a self,
        url: &'a str,
    ) -> BoxFuture<'a, Result<std::sync::Arc<dyn Store>, StoreError>>;
    /// A new, empty place named `name` for a restore drill inside the PostgreSQL database `url`
    /// (a schema of its own), as a URL; `url` itself for SQLite.
    fn create_scratch<'a>(
        &'a self,
        url: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<String, StoreError>>;
    /// Removes what [`Databases::create_scratch`] made.
    fn drop_scratch<'a>(
        &'a self,
        url: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A database copied into a backup directory.
#[derive(Debug, Clone)]
pub struct DatabaseCopy {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The file written.
    pub file: std::path::PathBuf,
    /// The schema's migration version.
    pub schema_version: i64,
    /// The PostgreSQL schema dumped.
    pub pg_schema: Option<String>,
}

/// The port's traits, for calling their methods on a [`Store`]: `use
/// jianguan_domain::store::prelude::*;`.
pub mod prelude {
    pub use super::{
        AccountStore, AssessmentStore, AuditStore, CadenceStore, JobStore, PlanStore,
        PortfolioStore, Store, WallLinkStore,
    };
}
