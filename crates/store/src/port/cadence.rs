//! The cadence's records.

use super::*;

impl CadenceStore for Db {
    fn load_cadence(&self) -> BoxFuture<'_, Result<CadenceRecords, StoreError>> {
        Box::pin(async move { cadence_call!(self, load_cadence()) })
    }

    fn load_filings(&self, period: PeriodId) -> BoxFuture<'_, Result<Vec<Filed>, StoreError>> {
        Box::pin(async move { cadence_call!(self, load_filings(period)) })
    }

    fn load_filings_of<'a>(
        &'a self,
        period: PeriodId,
        projects: &'a [ProjectId],
        after: u16,
    ) -> BoxFuture<'a, Result<Vec<Filed>, StoreError>> {
        Box::pin(async move { cadence_call!(self, load_filings_of(period, projects, after)) })
    }

    fn record_cadence<'a>(
        &'a self,
        write: &'a CadenceWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<Vec<ItemId>, StoreError>> {
        Box::pin(async move { cadence_call!(self, record_cadence(write, audit)) })
    }

    fn file_report<'a>(
        &'a self,
        report: &'a ProgressReport,
        photos: &'a [PhotoRef],
        audit: &'a AuditDraft,
        tickets: &'a [jianguan_domain::followup::TrackedItem],
        ticket_audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<ReportId, StoreError>> {
        Box::pin(async move {
            cadence_call!(
                self,
                file_report(report, photos, audit, tickets, ticket_audit)
            )
        })
    }

    fn report_photos(&self, report: ReportId) -> BoxFuture<'_, Result<Vec<PhotoRef>, StoreError>> {
        Box::pin(async move { cadence_call!(self, report_photos(report)) })
    }

    fn setting<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SettingVersion>, StoreError>> {
        Box::pin(async move { cadence_call!(self, setting(key)) })
    }

    fn save_setting<'a>(
        &'a self,
        key: &'a str,
        body: &'a str,
        saved_by: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<SettingVersion, StoreError>> {
        Box::pin(async move { cadence_call!(self, save_setting(key, body, saved_by, audit)) })
    }
}
