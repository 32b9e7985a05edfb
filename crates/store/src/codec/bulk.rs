//! The SQLite bulk read: the records and the read model read by `rusqlite` on a blocking thread,
//! in one read transaction, instead of row by row through sqlx.
//!
//! sqlx's SQLite driver steps every statement on a worker thread of its own and hands each row
//! to the async task over a channel. For the millions of report versions of a national-scale
//! campaign that hand-off (two threads waking each other, row after row) took most of a cold
//! start, against about half a second for SQLite's own scan. Here one thread of tokio's blocking
//! pool opens the same file read-only and steps the statements itself, so rows are decoded where
//! SQLite produces them. The statements are the plain path's, the rows are read into the codec's
//! row structs and converted by the same functions (this module is the codec's child to reach
//! their fields), so the result is the plain path's: `tests` compares the two on the demo city.
//! PostgreSQL keeps the plain path (its driver streams rows on the runtime itself).

use std::path::{Path, PathBuf};
use std::time::Duration;

use jianguan_domain::store::ReadModel;
use rusqlite::{Connection, OpenFlags, Row, Transaction};
use sqlx::SqlitePool;

use super::*;

/// How long a read waits on a lock (only a WAL checkpoint or recovery ever holds readers back),
/// as long as the pool's connections wait.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The read model of the database behind `pool`, read in one transaction on a blocking thread
/// (the plain path for a database that is not a file).
pub(crate) async fn load_read_model(pool: &SqlitePool) -> Result<ReadModel, StoreError> {
    match file_of(pool) {
        Some(path) => on_blocking_thread(path, read_model).await,
        None => sqlite_codec::load_read_model(pool).await,
    }
}

/// The records of the database behind `pool` (no reports), read in one transaction on a
/// blocking thread (the plain path for a database that is not a file).
pub(crate) async fn load_records(pool: &SqlitePool) -> Result<Portfolio, StoreError> {
    match file_of(pool) {
        Some(path) => on_blocking_thread(path, records).await,
        None => sqlite_codec::load_records(pool).await,
    }
}

/// The file the pool's connections open, if it is one on disk (an in-memory database has none
/// another connection could open).
fn file_of(pool: &SqlitePool) -> Option<PathBuf> {
    let path = pool.connect_options().get_filename().to_path_buf();
    path.is_file().then_some(path)
}

/// Runs `read` on tokio's blocking pool inside one read transaction on a read-only connection to
/// `path`: every table is read at the same snapshot of the database.
async fn on_blocking_thread<T: Send + 'static>(
    path: PathBuf,
    read: fn(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(move || {
        let mut conn = open(&path)?;
        // Deferred: the snapshot is taken by the first read and held until the end.
        let tx = conn.transaction().map_err(sqlite_error)?;
        let value = read(&tx)?;
        tx.commit().map_err(sqlite_error)?;
        Ok(value)
    })
    .await
    .map_err(|e| StoreError::Backend(format!("the bulk read stopped: {e}")))?
}

fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
    Ok(conn)
}

/// A failed read: a backend failure (reads violate no constraint).
fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Every row `sql` returns, read by `row`.
fn rows<T>(
    tx: &Transaction<'_>,
    sql: &str,
    row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = tx.prepare(sql).map_err(sqlite_error)?;
    statement
        .query_map([], row)
        .map_err(sqlite_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sqlite_error)
}

/// The records and investment to date (the plain path's `load_read_model`).
fn read_model(tx: &Transaction<'_>) -> Result<ReadModel, StoreError> {
    let portfolio = records(tx)?;
    let investment = investment(tx, &portfolio.periods)?;
    Ok(ReadModel {
        portfolio,
        investment,
    })
}

/// A report version as the scan keeps it: project, period end, version, investment to date.
type ScannedReport = (i64, Date, u16, i64);

/// A point of the read model's investment: project, period end, investment to date.
type Point = (ProjectId, Date, Money);

// The points are collected in the scanned rows' allocation only while the two are the same size.
const _: () = assert!(size_of::<ScannedReport>() == size_of::<Point>());

/// Investment to date per project and period end, from the latest report version of each.
fn investment(tx: &Transaction<'_>, periods: &[ReportingPeriod]) -> Result<Vec<Point>, StoreError> {
    let period_end: HashMap<i64, Date> = periods.iter().map(|p| (p.id.0, p.end)).collect();
    // Sized once: the scan is the largest read of all (millions of rows at national scale).
    // A row is kept as 24 bytes (the version as the domain's `u16`), the size of the point it
    // becomes, so the points are collected in place, into the same allocation.
    let count: i64 = tx
        .query_row("SELECT COUNT(*) FROM progress_reports", [], |r| r.get(0))
        .map_err(sqlite_error)?;
    let mut all: Vec<ScannedReport> = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut statement = tx
        .prepare("SELECT project_id, period_id, version, investment_to_date FROM progress_reports")
        .map_err(sqlite_error)?;
    let mut scan = statement.query([]).map_err(sqlite_error)?;
    while let Some(r) = scan.next().map_err(sqlite_error)? {
        let period: i64 = r.get(1).map_err(sqlite_error)?;
        let end = *period_end
            .get(&period)
            .ok_or_else(|| unreadable(format!("report for unknown period {period}")))?;
        let version: i64 = r.get(2).map_err(sqlite_error)?;
        let version = u16::try_from(version)
            .map_err(|_| unreadable(format!("report version {version} out of range")))?;
        all.push((
            r.get(0).map_err(sqlite_error)?,
            end,
            version,
            r.get(3).map_err(sqlite_error)?,
        ));
    }
    // Latest version first within each (project, period end), which is then the one kept; the
    // result is in (project, period end) order, as the plain path's.
    all.sort_unstable_by_key(|&(project, end, version, _)| {
        (project, end, std::cmp::Reverse(version))
    });
    all.dedup_by_key(|&mut (project, end, _, _)| (project, end));
    Ok(all
        .into_iter()
        .map(|(project, end, _, money)| (ProjectId(project), end, Money(money)))
        .collect())
}

/// Every record but the reports (the plain path's `load_records`).
fn records(tx: &Transaction<'_>) -> Result<Portfolio, StoreError> {
    let units = rows(
        tx,
        "SELECT id, kind, name, parent_id, active FROM units ORDER BY id",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, bool>(4)?,
            ))
        },
    )?
    .into_iter()
    .map(|(id, kind, name, parent, active)| {
        Ok(Unit {
            id: UnitId(id),
            kind: UnitKind::from_code(&kind).ok_or_else(|| unknown("unit kind", &kind))?,
            name,
            parent: parent.map(UnitId),
            active,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let categories = categories(tx)?;
    let mut projects = rows(
        tx,
        &format!(
            "SELECT {} FROM projects ORDER BY id",
            sqlite_codec::PROJECT_COLUMNS
        ),
        project_row,
    )?
    .into_iter()
    .map(ProjectRow::into_project)
    .collect::<Result<Vec<_>, _>>()?;
    let index: HashMap<i64, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.0, i))
        .collect();
    let plans = rows(
        tx,
        "SELECT project_id, year, kind, planned_investment, status, adjusted_investment, \
         cancelled_on FROM year_plans ORDER BY project_id, year",
        |r| {
            Ok(YearPlanRow {
                project_id: r.get(0)?,
                year: r.get(1)?,
                kind: r.get(2)?,
                planned_investment: r.get(3)?,
                status: r.get(4)?,
                adjusted_investment: r.get(5)?,
                cancelled_on: r.get(6)?,
            })
        },
    )?
    .into_iter()
    .map(YearPlanRow::into_plan)
    .collect::<Result<Vec<_>, _>>()?;
    for (i, list) in attach(&index, plans) {
        projects[i].year_plans = list;
    }
    let milestones = rows(
        tx,
        "SELECT id, project_id, seq, name, weight, enters, planned_on, actual_on, derived, \
         adjusted_on FROM milestones ORDER BY project_id, seq",
        |r| {
            Ok(MilestoneRow {
                id: r.get(0)?,
                project_id: r.get(1)?,
                seq: r.get(2)?,
                name: r.get(3)?,
                weight: r.get(4)?,
                enters: r.get(5)?,
                planned_on: r.get(6)?,
                actual_on: r.get(7)?,
                derived: r.get(8)?,
                adjusted_on: r.get(9)?,
            })
        },
    )?
    .into_iter()
    .map(MilestoneRow::into_milestone)
    .collect::<Result<Vec<_>, _>>()?;
    for (i, list) in attach(&index, milestones) {
        projects[i].milestones = list;
    }
    let periods = rows(
        tx,
        "SELECT id, year, seq, start_on, end_on, deadline_on FROM reporting_periods \
         ORDER BY year, seq",
        |r| {
            Ok(PeriodRow {
                id: r.get(0)?,
                year: r.get(1)?,
                seq: r.get(2)?,
                start_on: r.get(3)?,
                end_on: r.get(4)?,
                deadline_on: r.get(5)?,
            })
        },
    )?
    .into_iter()
    .map(PeriodRow::into_period)
    .collect::<Result<Vec<_>, _>>()?;
    let district_boundaries = rows(tx, crate::boundaries::SELECT, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?
    .into_iter()
    .map(crate::boundaries::from_row)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Portfolio {
        units,
        categories,
        projects: projects.into_iter().map(held).collect(),
        periods,
        reports: Vec::new(),
        district_boundaries: crate::boundaries::by_unit(district_boundaries),
    })
}

/// A project as the portfolio holds it (whatever that is: the project itself, or shared).
fn held<T: From<Project>>(project: Project) -> T {
    T::from(project)
}

/// A `projects` row read by column name ([`sqlite_codec::PROJECT_COLUMNS`]).
fn project_row(r: &Row<'_>) -> rusqlite::Result<ProjectRow> {
    Ok(ProjectRow {
        id: r.get("id")?,
        code: r.get("code")?,
        name: r.get("name")?,
        category_id: r.get("category_id")?,
        sub_category: r.get("sub_category")?,
        district_id: r.get("district_id")?,
        street: r.get("street")?,
        lead_unit_id: r.get("lead_unit_id")?,
        responsible_unit_id: r.get("responsible_unit_id")?,
        sub_hq_id: r.get("sub_hq_id")?,
        build_type: r.get("build_type")?,
        households: r.get("households")?,
        area_m2: r.get("area_m2")?,
        parking_spaces: r.get("parking_spaces")?,
        toilets: r.get("toilets")?,
        length_m: r.get("length_m")?,
        total_investment: r.get("total_investment")?,
        funding_source: r.get("funding_source")?,
        lon: r.get("lon")?,
        lat: r.get("lat")?,
        suspended_on: r.get("suspended_on")?,
    })
}

/// The categories with their template steps.
fn categories(tx: &Transaction<'_>) -> Result<Vec<Category>, StoreError> {
    let mut categories = rows(
        tx,
        "SELECT id, code, name, sub_hq_id, lead_unit_id, template_version FROM categories \
         ORDER BY id",
        |r| {
            Ok(Category {
                id: CategoryId(r.get(0)?),
                code: r.get(1)?,
                name: r.get(2)?,
                sub_hq: UnitId(r.get(3)?),
                lead_unit: UnitId(r.get(4)?),
                template: Vec::new(),
                template_version: r.get::<_, i64>(5)? as u32,
            })
        },
    )?;
    let index: HashMap<i64, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.0, i))
        .collect();
    let steps = rows(
        tx,
        "SELECT category_id, seq, name, weight, enters, share FROM category_template_steps \
         ORDER BY category_id, seq",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
            ))
        },
    )?
    .into_iter()
    .map(|(category, name, weight, enters, share)| {
        Ok((
            category,
            TemplateStep {
                name,
                weight: weight as u32,
                enters: parse_status(enters)?,
                share: share as u32,
            },
        ))
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    for (i, list) in attach(&index, steps) {
        categories[i].template = list;
    }
    Ok(categories)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;
    use jianguan_domain::store::{Actor, PortfolioStore};

    fn no_progress(_done: u64, _total: u64) {}

    /// The demo city in a fresh file.
    async fn demo_city(dir: &tempfile::TempDir) -> SqlitePool {
        let path = dir.path().join("demo.db");
        let db = crate::open(path.to_str().expect("a UTF-8 temporary path"))
            .await
            .expect("a fresh SQLite file opens");
        let city = jianguan_demo::demo_city();
        // Corrections make later versions of a period's report: the latest-version rule is
        // exercised.
        assert!(
            city.reports.iter().any(|r| r.version > 1),
            "the demo city has corrected reports"
        );
        let actor = Actor {
            name: "bulk-test".into(),
            client: None,
        };
        db.create_portfolio(&city, &actor, &no_progress)
            .await
            .expect("the demo city is written");
        let Db::Sqlite(pool) = db else {
            unreachable!("a path opens SQLite")
        };
        pool
    }

    #[tokio::test]
    async fn bulk_read_model_equals_the_plain_sqlx_read_on_the_demo_city() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let pool = demo_city(&dir).await;
        let plain = sqlite_codec::load_read_model(&pool)
            .await
            .expect("the plain path reads");
        let bulk = load_read_model(&pool).await.expect("the bulk path reads");
        assert!(
            !plain.investment.is_empty() && !plain.portfolio.projects.is_empty(),
            "the demo city has projects and reports"
        );
        assert!(
            bulk == plain,
            "the bulk read model differs from the plain one"
        );
        let plain = sqlite_codec::load_records(&pool)
            .await
            .expect("the plain path reads");
        let bulk = load_records(&pool).await.expect("the bulk path reads");
        assert!(bulk == plain, "the bulk records differ from the plain ones");
        pool.close().await;
    }
}
