//! A ledger import turned into writes: the one place an [`ImportPlan`] (made by the documents
//! crate's reader against the records at one data version) becomes a [`ProjectImport`] the store
//! writes in one transaction — or refuses whole if the data changed since the plan was made. The
//! office's upload page and `jianguan import ledger` both call [`write_plan`].

use jianguan_documents::ledger::ImportPlan;
use jianguan_domain::model::{ProjectId, Unit, UnitKind};
use jianguan_domain::store::{Actor, Progress, ProjectImport, Store, StoreError};

/// Where an import came from, for the audit trail: `台账.xlsx（12,345 字节）`.
pub fn source(file_name: &str, size: usize) -> String {
    format!("{file_name}（{size} 字节）")
}

/// The store's write of `plan`, made against data version `expected_version`.
pub fn import_of(plan: &ImportPlan, source: String, expected_version: i64) -> ProjectImport {
    ProjectImport {
        new_units: plan
            .new_units
            .iter()
            .map(|u| Unit {
                id: u.placeholder,
                kind: UnitKind::ResponsibleUnit,
                name: u.name.clone(),
                parent: Some(u.district),
                active: true,
            })
            .collect(),
        new: plan.new.clone(),
        updated: plan
            .updated
            .iter()
            .map(|c| (c.new.clone(), c.fields.clone()))
            .collect(),
        source,
        expected_version,
    }
}

/// Writes `plan` (from `file_name`, `size` bytes, planned at `expected_version`) by `by`: all
/// or nothing — the responsible units it proposes are created in the same transaction —
/// audited per unit and project by the store. Returns the new projects' ids.
pub async fn write_plan(
    store: &dyn Store,
    plan: &ImportPlan,
    file_name: &str,
    size: usize,
    expected_version: i64,
    by: &str,
    progress: Progress<'_>,
) -> Result<Vec<ProjectId>, StoreError> {
    let import = import_of(plan, source(file_name, size), expected_version);
    let actor = Actor {
        name: by.to_string(),
        client: crate::client::current(),
    };
    store.import_projects(&import, &actor, progress).await
}
