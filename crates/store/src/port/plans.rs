//! Annual plans: submission, approval, plan changes, a new year's drafts.

use jianguan_domain::model::{PlanStatus, YearPlan};
use jianguan_domain::plan::PlanChange;
use jianguan_domain::store::{PlanDecision, PlanStore};

use super::*;

impl PlanStore for Db {
    fn set_plan_status<'a>(
        &'a self,
        year: i16,
        projects: &'a [ProjectId],
        to: PlanStatus,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<usize, StoreError>> {
        Box::pin(async move { plans_call!(self, set_plan_status(year, projects, to, audit)) })
    }

    fn plan_changes(
        &self,
        year: Option<i16>,
    ) -> BoxFuture<'_, Result<Vec<PlanChange>, StoreError>> {
        Box::pin(async move { plans_call!(self, plan_changes(year)) })
    }

    fn request_plan_change<'a>(
        &'a self,
        change: &'a PlanChange,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move { plans_call!(self, request_plan_change(change, audit)) })
    }

    fn decide_plan_change<'a>(
        &'a self,
        decision: &'a PlanDecision,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { plans_call!(self, decide_plan_change(decision, audit)) })
    }

    fn add_year_plans<'a>(
        &'a self,
        plans: &'a [(ProjectId, YearPlan)],
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<usize, StoreError>> {
        Box::pin(async move { plans_call!(self, add_year_plans(plans, audit)) })
    }
}
