//! The storage port implemented for [`Db`](crate::Db): one file and one impl block per
//! aggregate trait of [`jianguan_domain::store`]. Each method picks the backend's expansion of
//! the record SQL (`codec`, `cadence`, `assessment`, `ledger`, `wall_links`).

mod accounts;
mod assessment;
mod audit;
mod cadence;
mod jobs;
mod plans;
mod portfolio;
mod wall_links;

// The imports every aggregate's file takes (`use super::*`).
use jianguan_audit::{AuditDraft, AuditRecord, ChainSuite, CryptoSuite};
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    Decision, EnteredValue, MediaReport, Month, Objection, ScoreRun, SubjectKind,
};
use jianguan_domain::filing::Filed;
use jianguan_domain::followup::ItemId;
use jianguan_domain::model::{PeriodId, Portfolio, ProgressReport, ProjectId, ReportId, Unit};
use jianguan_domain::store::{
    AccountRecord, AccountStore, Actor, AssessmentStore, AuditQuery, AuditStore, BoxFuture,
    CadenceRecords, CadenceStore, CadenceWrite, CityInit, JobClaim, JobStore, LoginThrottleRecord,
    PhotoRef, PortfolioStore, Progress, ProjectImport, ProjectRecord, ReadModel, RecordScope,
    SchemeVersion, ScoreIntegrity, SessionRecord, SettingVersion, StoreError, UnitWrite,
};

use crate::{Db, backend_error, ledger, org};
