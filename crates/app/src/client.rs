//! The client address of the request a use case serves, for its audit records. The web edge
//! runs each request inside [`scope`]; the use cases' records take the address from there
//! ([`draft`]), so no use case needs a parameter for it. The CLI runs each command inside
//! [`scope`] too, naming its login and host. A scheduled job has none, and its records say so.

use jianguan_audit::{AuditAction, AuditDraft};

tokio::task_local! {
    static CLIENT: Option<String>;
}

/// Runs `work` as serving a request from `client`.
pub async fn scope<F: std::future::Future>(client: Option<String>, work: F) -> F::Output {
    CLIENT.scope(client, work).await
}

/// The client address of the request being served, if any.
pub fn current() -> Option<String> {
    CLIENT.try_with(Clone::clone).ok().flatten()
}

/// [`AuditDraft::new`] with the client address of the request being served.
pub fn draft(
    at_ms: i64,
    actor: impl Into<String>,
    action: AuditAction,
    object: impl Into<String>,
) -> AuditDraft {
    AuditDraft {
        client: current(),
        ..AuditDraft::new(at_ms, actor, action, object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_made_while_serving_a_request_carry_its_client() {
        assert_eq!(draft(1, "a", AuditAction::Logout, "x").client, None);
        let inside = scope(Some("192.0.2.1".into()), async {
            draft(1, "a", AuditAction::Logout, "x").client
        })
        .await;
        assert_eq!(inside.as_deref(), Some("192.0.2.1"));
    }
}
