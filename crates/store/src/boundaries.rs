//! District boundaries: stored as the GeoJSON text of a MultiPolygon geometry (one text both
//! backends and any GIS tool read), replaced as a whole set in one transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use jianguan_domain::boundary::Boundary;
use jianguan_domain::model::UnitId;
use jianguan_domain::store::{StoreError, StoredBoundary};
use serde_json::{Value, json};

use crate::codec::unreadable;

/// The GeoJSON MultiPolygon geometry of `boundary`, as stored.
pub(crate) fn encode(boundary: &Boundary) -> String {
    json!({ "type": "MultiPolygon", "coordinates": boundary.coordinates() }).to_string()
}

/// The boundary a stored geometry text holds.
pub(crate) fn decode(unit: i64, text: &str) -> Result<Boundary, StoreError> {
    let bad = |why: &str| unreadable(format!("district boundary of unit {unit}: {why}"));
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    if value.get("type").and_then(Value::as_str) != Some("MultiPolygon") {
        return Err(bad("not a MultiPolygon"));
    }
    let coordinates = value
        .get("coordinates")
        .cloned()
        .ok_or_else(|| bad("no coordinates"))?;
    let polygons: Vec<Vec<Vec<[f64; 2]>>> =
        serde_json::from_value(coordinates).map_err(|e| bad(&e.to_string()))?;
    Ok(Boundary::from_coordinates(polygons))
}

/// The portfolio's map of boundaries from the stored rows.
pub(crate) fn by_unit(stored: Vec<StoredBoundary>) -> BTreeMap<UnitId, Arc<Boundary>> {
    stored
        .into_iter()
        .map(|s| (s.unit, Arc::new(s.boundary)))
        .collect()
}

/// A stored row as read: (unit id, geometry, imported at, imported by).
pub(crate) type Row = (i64, String, i64, String);

/// The statement every read uses.
pub(crate) const SELECT: &str = "SELECT unit_id, geometry, imported_at_ms, imported_by \
     FROM district_boundaries ORDER BY unit_id";

/// A stored row as the port returns it.
pub(crate) fn from_row((unit, geometry, at_ms, by): Row) -> Result<StoredBoundary, StoreError> {
    Ok(StoredBoundary {
        unit: UnitId(unit),
        boundary: decode(unit, &geometry)?,
        imported_at_ms: at_ms,
        imported_by: by,
    })
}

macro_rules! backend_boundaries {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use std::collections::BTreeSet;

            use jianguan_audit::AuditDraft;
            use jianguan_domain::change::Change;
            use jianguan_domain::model::UnitKind;
            use jianguan_domain::store::{BoundaryWrite, StoreError};
            use sqlx::Pool;

            use crate::backend_error;
            use crate::codec::$codec::{append_audit_tx, begin_write, bump_data_version};

            type Db = $db;

            pub(crate) async fn replace(
                pool: &Pool<Db>,
                write: &BoundaryWrite,
                audit: &[AuditDraft],
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let found: i64 =
                    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                if found != write.expected_version {
                    return Err(StoreError::Stale {
                        expected: write.expected_version,
                        found,
                    });
                }
                let mut seen = BTreeSet::new();
                for (unit, _) in &write.boundaries {
                    if !seen.insert(*unit) {
                        return Err(StoreError::Invalid(format!(
                            "单位（编号 {unit}）的边界出现了两次"
                        )));
                    }
                    let kind: Option<(String, String)> =
                        sqlx::query_as("SELECT kind, name FROM units WHERE id = $1")
                            .bind(unit.0)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    match kind {
                        None => return Err(StoreError::NotFound(format!("单位（编号 {unit}）"))),
                        Some((kind, name)) if kind != UnitKind::District.code() => {
                            return Err(StoreError::Invalid(format!(
                                "「{name}」（编号 {unit}）不是县区，不能有区划边界"
                            )));
                        }
                        Some(_) => {}
                    }
                }
                sqlx::query("DELETE FROM district_boundaries")
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                let at_ms = crate::now_ms();
                for (unit, boundary) in &write.boundaries {
                    sqlx::query(
                        "INSERT INTO district_boundaries \
                         (unit_id, geometry, imported_at_ms, imported_by) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(unit.0)
                    .bind(super::encode(boundary))
                    .bind(at_ms)
                    .bind(write.imported_by.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                append_audit_tx(&mut tx, audit.to_vec()).await?;
                // Boundaries are read with the units: a unit change makes every node re-read
                // both. The version was checked above under the writer lock
                // (`begin_write`), so no write came between the check and this bump.
                let change = Change {
                    units: true,
                    ..Change::default()
                };
                bump_data_version(&mut tx, &change).await?;
                tx.commit().await.map_err(backend_error)
            }
        }
    };
}

backend_boundaries!(sqlite_boundaries, sqlite_codec, sqlx::Sqlite);
backend_boundaries!(postgres_boundaries, postgres_codec, sqlx::Postgres);

#[cfg(test)]
mod tests {
    use jianguan_domain::boundary::BoundaryPolygon;
    use jianguan_domain::model::GeoPoint;

    use super::*;

    #[test]
    fn a_boundary_reads_back_as_written() {
        let ring = |pts: &[(f64, f64)]| -> Vec<GeoPoint> {
            pts.iter()
                .map(|&(lon, lat)| GeoPoint { lon, lat })
                .collect()
        };
        let b = Boundary {
            polygons: vec![BoundaryPolygon {
                exterior: ring(&[(114.0, 29.0), (114.1, 29.0), (114.1, 29.1), (114.0, 29.0)]),
                holes: vec![ring(&[
                    (114.05, 29.01),
                    (114.06, 29.01),
                    (114.06, 29.02),
                    (114.05, 29.01),
                ])],
            }],
        };
        let text = encode(&b);
        assert!(text.contains(r#""type":"MultiPolygon""#), "{text}");
        assert_eq!(decode(1, &text).unwrap(), b);
        assert!(matches!(decode(1, "{}"), Err(StoreError::Backend(_))));
    }
}
