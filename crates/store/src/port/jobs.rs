//! Scheduled jobs' claims.

use super::*;

impl JobStore for Db {
    fn claim_job<'a>(&'a self, claim: &'a JobClaim) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            // An upsert that only takes over an expired, unfinished claim; RETURNING yields a row
            // only when this node's claim was written. Both engines run it as one atomic statement.
            let row: Option<String> = dispatch!(self, pool => sqlx::query_scalar(
                "INSERT INTO job_runs (job, slot, node, claimed_at_ms, lease_until_ms) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (job, slot) DO UPDATE SET node = excluded.node, \
                 claimed_at_ms = excluded.claimed_at_ms, lease_until_ms = excluded.lease_until_ms \
                 WHERE job_runs.finished_at_ms IS NULL \
                 AND job_runs.lease_until_ms < excluded.claimed_at_ms \
                 RETURNING node",
            )
            .bind(&claim.job)
            .bind(&claim.slot)
            .bind(&claim.node)
            .bind(claim.now_ms)
            .bind(claim.now_ms + claim.lease_ms)
            .fetch_optional(pool)
            .await
            .map_err(backend_error)?);
            Ok(row.is_some())
        })
    }

    fn finish_job<'a>(
        &'a self,
        claim: &'a JobClaim,
        finished_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let done = dispatch!(self, pool => sqlx::query(
                "UPDATE job_runs SET finished_at_ms = $1 WHERE job = $2 AND slot = $3 AND node = $4",
            )
            .bind(finished_ms)
            .bind(&claim.job)
            .bind(&claim.slot)
            .bind(&claim.node)
            .execute(pool)
            .await
            .map_err(backend_error)?
            .rows_affected());
            if done == 1 {
                Ok(())
            } else {
                Err(StoreError::Conflict(format!(
                    "job {} for {} is not held by node {}",
                    claim.job, claim.slot, claim.node
                )))
            }
        })
    }
}
