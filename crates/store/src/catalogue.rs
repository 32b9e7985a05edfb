//! The catalogue: a category saved with its template and a row of its history, in one
//! transaction with its audit record. Written once in a macro expanded per backend, like
//! [`crate::cadence`], sharing [`crate::codec`]'s write transaction and audit chain. A saved
//! template changes no milestone: projects copied theirs when they were made.

use jianguan_domain::model::{Category, CategoryId};
use jianguan_domain::store::{CategoryVersion, StoreError};

fn body_of(category: &Category) -> String {
    serde_json::to_string(category).expect("a category serialises")
}

fn category_of(body: &str) -> Result<Category, StoreError> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Backend(format!("category_versions.body: {e}")))
}

macro_rules! backend_catalogue {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::backend_error;
            use crate::codec::$codec::{append_audit_tx, begin_write, bump_data_version, next_id};
            use jianguan_audit::AuditDraft;
            use jianguan_domain::change::Change;
            use sqlx::{Pool, Row};

            type Db = $db;

            pub(crate) async fn save_category(
                pool: &Pool<Db>,
                category: &Category,
                saved_by: &str,
                audit: &AuditDraft,
            ) -> Result<Category, StoreError> {
                let mut tx = begin_write(pool).await?;
                let mut saved = category.clone();
                if category.id.0 == 0 {
                    saved.id = CategoryId(next_id(&mut tx, "categories").await?);
                    saved.template_version = 1;
                    sqlx::query(
                        "INSERT INTO categories (id, code, name, sub_hq_id, lead_unit_id, \
                         template_version) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(saved.id.0)
                    .bind(saved.code.clone())
                    .bind(saved.name.clone())
                    .bind(saved.sub_hq.0)
                    .bind(saved.lead_unit.0)
                    .bind(1_i64)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                } else {
                    let stored: Option<i64> =
                        sqlx::query_scalar("SELECT template_version FROM categories WHERE id = $1")
                            .bind(category.id.0)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    let Some(stored) = stored else {
                        return Err(StoreError::NotFound(format!("类别 {}", category.id)));
                    };
                    if stored != i64::from(category.template_version) {
                        return Err(StoreError::Conflict(format!(
                            "类别「{}」已被他人保存为第 {stored} 版，请刷新后重新修改",
                            category.name
                        )));
                    }
                    saved.template_version = category.template_version + 1;
                    sqlx::query(
                        "UPDATE categories SET name = $1, sub_hq_id = $2, lead_unit_id = $3, \
                         template_version = $4 WHERE id = $5",
                    )
                    .bind(saved.name.clone())
                    .bind(saved.sub_hq.0)
                    .bind(saved.lead_unit.0)
                    .bind(i64::from(saved.template_version))
                    .bind(saved.id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query("DELETE FROM category_template_steps WHERE category_id = $1")
                        .bind(saved.id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                for (i, step) in saved.template.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO category_template_steps (category_id, seq, name, weight, \
                         enters, share) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(saved.id.0)
                    .bind(i as i64 + 1)
                    .bind(step.name.clone())
                    .bind(i64::from(step.weight))
                    .bind(step.enters.map(|e| e.code().to_string()))
                    .bind(i64::from(step.share))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                sqlx::query(
                    "INSERT INTO category_versions (category_id, version, body, saved_at_ms, \
                     saved_by) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(saved.id.0)
                .bind(i64::from(saved.template_version))
                .bind(body_of(&saved))
                .bind(crate::now_ms())
                .bind(saved_by.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                let mut audit = audit.clone();
                audit.object = format!("category:{}", saved.id);
                append_audit_tx(&mut tx, vec![audit]).await?;
                let change = Change {
                    categories: true,
                    ..Change::default()
                };
                bump_data_version(&mut tx, &change).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(saved)
            }

            pub(crate) async fn category_versions(
                pool: &Pool<Db>,
                id: CategoryId,
            ) -> Result<Vec<CategoryVersion>, StoreError> {
                sqlx::query(
                    "SELECT version, body, saved_at_ms, saved_by FROM category_versions \
                     WHERE category_id = $1 ORDER BY version DESC",
                )
                .bind(id.0)
                .fetch_all(pool)
                .await
                .map_err(backend_error)?
                .iter()
                .map(|r| {
                    let body: String = r.try_get("body").map_err(backend_error)?;
                    Ok(CategoryVersion {
                        version: r.try_get::<i64, _>("version").map_err(backend_error)? as u32,
                        category: category_of(&body)?,
                        saved_at_ms: r.try_get("saved_at_ms").map_err(backend_error)?,
                        saved_by: r.try_get("saved_by").map_err(backend_error)?,
                    })
                })
                .collect()
            }
        }
    };
}

backend_catalogue!(sqlite_catalogue, sqlite_codec, sqlx::Sqlite);
backend_catalogue!(postgres_catalogue, postgres_codec, sqlx::Postgres);
