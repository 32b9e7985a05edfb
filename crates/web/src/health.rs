//! Liveness and readiness. `/healthz` answers while the process runs; `/readyz` answers 200 only
//! when the database answers, takes a write (a probe rolled back, so a file opened read-only is
//! caught) and the read model is loaded and not being rebuilt whole (pages are then served from
//! the last snapshot), and 503 with the reason in plain text otherwise.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// How long the probe may take before the server counts as not ready.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

async fn check(state: &AppState) -> Result<(), String> {
    state
        .store()
        .data_version()
        .await
        .map_err(|e| format!("数据库无应答：{e}"))?;
    state
        .store()
        .probe_write()
        .await
        .map_err(|e| format!("数据库不可写（只读文件、磁盘已满或只读副本？）：{e}"))?;
    if let Some(serving) = state.app().rebuilding() {
        return Err(format!(
            "读取模型正在整体重建，暂以数据版本 {serving} 应答（rebuilding the read model)"
        ));
    }
    if !state.app().has_snapshot().await {
        state
            .snapshot()
            .await
            .map_err(|e| format!("读取数据失败：{e}"))?;
    }
    Ok(())
}

/// `GET /readyz`.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match tokio::time::timeout(PROBE_TIMEOUT, check(&state)).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(reason)) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("未就绪：{reason}")).into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("未就绪：数据库 {} 秒内无应答", PROBE_TIMEOUT.as_secs()),
        )
            .into_response(),
    }
}
