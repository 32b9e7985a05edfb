//! The monthly assessment's records.

use super::*;

impl AssessmentStore for Db {
    fn scheme(
        &self,
        year: i16,
        version: Option<u32>,
    ) -> BoxFuture<'_, Result<Option<SchemeVersion>, StoreError>> {
        Box::pin(async move { assessment_call!(self, scheme(year, version)) })
    }

    fn scheme_versions(&self, year: i16) -> BoxFuture<'_, Result<Vec<SchemeVersion>, StoreError>> {
        Box::pin(async move { assessment_call!(self, scheme_versions(year)) })
    }

    fn save_scheme<'a>(
        &'a self,
        year: i16,
        version: u32,
        body: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<SchemeVersion, StoreError>> {
        Box::pin(async move { assessment_call!(self, save_scheme(year, version, body, audit)) })
    }

    fn enter_values<'a>(
        &'a self,
        values: &'a [EnteredValue],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Vec<i64>, StoreError>> {
        Box::pin(async move { assessment_call!(self, enter_values(values, audit)) })
    }

    fn entered_values(&self) -> BoxFuture<'_, Result<Vec<EnteredValue>, StoreError>> {
        Box::pin(async move { assessment_call!(self, entered_values()) })
    }

    fn add_media_reports<'a>(
        &'a self,
        reports: &'a [MediaReport],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Vec<i64>, StoreError>> {
        Box::pin(async move { assessment_call!(self, add_media_reports(reports, audit)) })
    }

    fn media_reports(&self) -> BoxFuture<'_, Result<Vec<MediaReport>, StoreError>> {
        Box::pin(async move { assessment_call!(self, media_reports()) })
    }

    fn save_draft_run<'a>(
        &'a self,
        run: &'a ScoreRun,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { assessment_call!(self, save_draft_run(run, audit)) })
    }

    fn publish_run<'a>(
        &'a self,
        month: Month,
        kind: SubjectKind,
        on: Date,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<ScoreRun, StoreError>> {
        Box::pin(async move { assessment_call!(self, publish_run(month, kind, on, audit)) })
    }

    fn save_correction<'a>(
        &'a self,
        run: &'a ScoreRun,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { assessment_call!(self, save_correction(run, audit)) })
    }

    fn latest_run(
        &self,
        month: Month,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Option<ScoreRun>, StoreError>> {
        Box::pin(async move { assessment_call!(self, latest_run(month, kind)) })
    }

    fn run_versions(
        &self,
        month: Month,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Vec<ScoreRun>, StoreError>> {
        Box::pin(async move { assessment_call!(self, run_versions(month, kind)) })
    }

    fn latest_runs(
        &self,
        year: i16,
        kind: SubjectKind,
    ) -> BoxFuture<'_, Result<Vec<ScoreRun>, StoreError>> {
        Box::pin(async move { assessment_call!(self, latest_runs(year, kind)) })
    }

    fn file_objection<'a>(
        &'a self,
        objection: &'a Objection,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move { assessment_call!(self, file_objection(objection, audit)) })
    }

    fn decide_objection<'a>(
        &'a self,
        id: i64,
        decision: &'a Decision,
        audit: &'a AuditDraft,
        correction: Option<(&'a ScoreRun, &'a AuditDraft)>,
    ) -> BoxFuture<'a, Result<Objection, StoreError>> {
        Box::pin(async move {
            assessment_call!(self, decide_objection(id, decision, audit, correction))
        })
    }

    fn objections(&self, month: Month) -> BoxFuture<'_, Result<Vec<Objection>, StoreError>> {
        Box::pin(async move { assessment_call!(self, objections(month)) })
    }
}
