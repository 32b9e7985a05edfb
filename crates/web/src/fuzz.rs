//! The entry point of the form fuzz target (`fuzz/fuzz_targets/forms.rs`): arbitrary bytes read
//! through the very extractors the handlers use — [`CheckedForm`], [`TypedForm`] and [`Typed`]
//! over every struct implementing [`FromParams`] — as a form body and as a query string. Each
//! extraction either succeeds or is refused with its 400; nothing here may panic, whatever the
//! bytes. It reads only: no state, no store, no handler runs.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{Method, Uri, header};

use crate::params::{AsOfQuery, CheckedForm, FromParams, Typed, TypedForm};

/// Reads `bytes` as a form body and (when it makes a valid URI) as a query string into every
/// form and query type of the web crate; returns how many extractions succeeded (the value only
/// keeps the work from being optimised away).
pub async fn read_every_form(bytes: &[u8]) -> usize {
    let mut accepted = 0;
    let form = || {
        Request::builder()
            .method(Method::POST)
            .uri("/")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(bytes.to_vec()))
            .expect("a POST with a form body is a valid request")
    };
    let query = std::str::from_utf8(bytes)
        .ok()
        .and_then(|q| format!("/?{q}").parse::<Uri>().ok());
    accepted += usize::from(CheckedForm::from_request(form(), &()).await.is_ok());
    macro_rules! every {
        ($($t:ty),* $(,)?) => {$(
            accepted += usize::from(TypedForm::<$t>::from_request(form(), &()).await.is_ok());
            if let Some(uri) = &query {
                accepted += usize::from(read_query::<$t>(uri).await);
            }
        )*};
    }
    every!(
        AsOfQuery,
        (AsOfQuery, jianguan_domain::overview::ProjectQuery),
        crate::pages::OverviewQuery,
        crate::coverage_pages::Selection,
        crate::project_edit_pages::ProjectForm,
        crate::plan_pages::PlanForm,
        crate::plan_pages::ChangeQuery,
        crate::plan_pages::ChangeForm,
        crate::plan_pages::DecideForm,
        crate::cadence_pages::warnings::Filters,
        crate::cadence_pages::quarterly::QuarterQuery,
        crate::cadence_pages::filing::ComplianceQuery,
        crate::cadence_pages::dispatch::WeekQuery,
        crate::cadence_pages::items::Filters,
        crate::org_pages::UnitForm,
        (
            crate::assessment_pages::MonthKind,
            crate::assessment_pages::ScoreForm
        ),
        crate::assessment_pages::ObjectionForm,
        crate::assessment_pages::DecisionForm,
        crate::assessment_pages::SchemeForm,
        crate::assessment_pages::EntryFields,
        crate::setup_pages::SetupForm,
        crate::catalogue_pages::CategoryForm,
        crate::admin_pages::NewAccountForm,
        crate::admin_pages::StatusForm,
        crate::admin_pages::RolesForm,
        crate::admin_pages::ResetForm,
        crate::admin_pages::SecurityForm,
        crate::account_pages::TotpForm,
        crate::account_pages::PasswordForm,
    );
    accepted
}

/// `T` read from `uri`'s query string by [`Typed`].
async fn read_query<T: FromParams>(uri: &Uri) -> bool {
    let (mut parts, ()) = Request::builder()
        .uri(uri.clone())
        .body(())
        .expect("a copied URI is valid")
        .into_parts();
    Typed::<T>::from_request_parts(&mut parts, &())
        .await
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::read_every_form;

    #[tokio::test]
    async fn a_valid_year_is_read_where_a_malformed_one_is_refused() {
        let valid = read_every_form(b"year=2021&as_of=2021-10-31").await;
        let malformed = read_every_form(b"year=20x1&as_of=2021-13-31").await;
        assert!(
            valid > malformed,
            "valid {valid} extractions, malformed {malformed}"
        );
    }

    #[tokio::test]
    async fn a_field_over_its_length_is_refused_by_every_extractor() {
        let long = format!("name={}", "x".repeat(101));
        assert_eq!(read_every_form(long.as_bytes()).await, 0);
        assert!(read_every_form(b"name=x").await > 0);
    }
}
