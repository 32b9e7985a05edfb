//! Projects made and edited by hand: the office for any project, a district or lead unit
//! within its scope. The form is read by [`jianguan_domain::project_edit::check_project`]
//! (milestones copied from the category's template, dates derived from a planned start and
//! completion or typed one by one, a code `{year}-XM-{NNNN}` when none is given, a new year's
//! plan a draft, an approved baseline kept) and written through the store's ledger write
//! ([`jianguan_domain::store::PortfolioStore::import_projects`]), so the transaction, the
//! data-version check and the audit record per project are the ledger import's.

use jianguan_access::Scope;
use jianguan_domain::model::{Portfolio, Project, ProjectId};
use jianguan_domain::project_edit::{ProjectInput, changed_fields, check_project};
use jianguan_domain::store::{Actor, ProjectImport, Store, StoreError};

/// Where a project saved by hand came from, for the audit trail.
pub const SOURCE: &str = "手工录入";

/// Why a project was not saved.
#[derive(Debug, thiserror::Error)]
pub enum ProjectSaveError {
    /// The form breaks a rule: every problem, each naming its field or milestone.
    #[error("{}", .0.join("；"))]
    Invalid(Vec<String>),
    /// The store refused or failed (a stale version, a taken code, a project gone).
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn outside(scope: &Scope, project: &Project) -> Option<ProjectSaveError> {
    (!scope.covers(project)).then(|| {
        ProjectSaveError::Invalid(vec![
            "所属县区 / 牵头单位：项目须在您单位的管辖范围内".to_string(),
        ])
    })
}

/// Makes a project typed as `input` by `by`, whose `scope` must cover it, checked against
/// `portfolio` read at data version `version`. Returns its id.
pub async fn create_project(
    store: &dyn Store,
    portfolio: &Portfolio,
    version: i64,
    scope: &Scope,
    input: &ProjectInput,
    by: &str,
) -> Result<ProjectId, ProjectSaveError> {
    let project = check_project(input, None, portfolio).map_err(ProjectSaveError::Invalid)?;
    if let Some(e) = outside(scope, &project) {
        return Err(e);
    }
    let import = ProjectImport {
        new: vec![project],
        updated: Vec::new(),
        source: SOURCE.to_string(),
        expected_version: version,
        new_units: Vec::new(),
    };
    let ids = store
        .import_projects(
            &import,
            &Actor {
                name: by.to_string(),
                client: crate::client::current(),
            },
            &|_, _| {},
        )
        .await?;
    ids.first()
        .copied()
        .ok_or_else(|| StoreError::Backend("the import returned no id".into()).into())
}

/// Changes `stored` (read within `scope`) as typed in `input` by `by`; the edited project
/// must stay in `scope`. An approved baseline (milestones' planned dates, the approved plan's
/// kind and investment) is kept. Returns the names of the fields that changed (none: nothing
/// written).
pub async fn update_project(
    store: &dyn Store,
    portfolio: &Portfolio,
    version: i64,
    scope: &Scope,
    stored: &Project,
    input: &ProjectInput,
    by: &str,
) -> Result<Vec<String>, ProjectSaveError> {
    if !scope.covers(stored) {
        return Err(StoreError::NotFound(format!("项目 {}", stored.id)).into());
    }
    let project =
        check_project(input, Some(stored), portfolio).map_err(ProjectSaveError::Invalid)?;
    if let Some(e) = outside(scope, &project) {
        return Err(e);
    }
    let fields = changed_fields(stored, &project);
    if fields.is_empty() {
        return Ok(fields);
    }
    let import = ProjectImport {
        new: Vec::new(),
        updated: vec![(project, fields.clone())],
        source: SOURCE.to_string(),
        expected_version: version,
        new_units: Vec::new(),
    };
    store
        .import_projects(
            &import,
            &Actor {
                name: by.to_string(),
                client: crate::client::current(),
            },
            &|_, _| {},
        )
        .await?;
    Ok(fields)
}
