//! The office's catalogue: a category and its milestone template saved as a new version (checked
//! by [`jianguan_domain::catalogue::check_category`], stored with a row of its history and an
//! audit record naming what changed), and the history read back. A saved template changes no
//! project: each project's milestones were copied from the template when it was made.

use jianguan_audit::{AuditAction, FieldChange};
use jianguan_domain::catalogue::{CategoryInput, category_changes, check_category};
use jianguan_domain::model::{Category, CategoryId, Portfolio};
use jianguan_domain::store::{CategoryVersion, Store, StoreError};

use crate::Clock;

/// Why a category was not saved.
#[derive(Debug, thiserror::Error)]
pub enum CategorySaveError {
    /// The form breaks a rule: every problem, each naming its field or step.
    #[error("{}", .0.join("；"))]
    Invalid(Vec<String>),
    /// The store refused or failed (a raced save is a conflict).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Saves a category typed as `input` by `by` (of `unit`): `id` the stored category to change
/// (`None` makes one) and `version` the version the form was opened at, checked against
/// `portfolio` (the records the form was checked against) and stored as the next version.
/// Returns the category as saved.
#[allow(clippy::too_many_arguments)]
pub async fn save_category(
    store: &dyn Store,
    clock: Clock,
    portfolio: &Portfolio,
    id: Option<CategoryId>,
    version: Option<u32>,
    input: &CategoryInput,
    by: &str,
    unit: Option<String>,
) -> Result<Category, CategorySaveError> {
    let existing = match id {
        Some(id) => Some(
            portfolio
                .category(id)
                .ok_or_else(|| StoreError::NotFound(format!("类别 {id}")))?,
        ),
        None => None,
    };
    let mut category =
        check_category(input, existing, portfolio).map_err(CategorySaveError::Invalid)?;
    if let Some(v) = version.filter(|_| existing.is_some()) {
        category.template_version = v;
    }
    let action = if existing.is_some() {
        AuditAction::CategorySave
    } else {
        AuditAction::CategoryCreate
    };
    let mut record = crate::client::draft(
        clock.now_ms(),
        by,
        action,
        existing.map_or_else(
            || "category:new".to_string(),
            |c| format!("category:{}", c.id),
        ),
    );
    record.unit = unit;
    record.changes = category_changes(existing, &category)
        .into_iter()
        .map(|(field, before, after)| FieldChange {
            field,
            before,
            after: Some(after),
        })
        .collect();
    record.changes.push(FieldChange {
        field: "template_version".to_string(),
        before: existing.map(|c| c.template_version.to_string()),
        after: Some(
            existing
                .map_or(1, |_| category.template_version + 1)
                .to_string(),
        ),
    });
    Ok(store.save_category(&category, by, &record).await?)
}

/// Every saved version of category `id`, newest first.
pub async fn category_history(
    store: &dyn Store,
    id: CategoryId,
) -> Result<Vec<CategoryVersion>, StoreError> {
    store.category_versions(id).await
}
