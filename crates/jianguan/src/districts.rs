//! `jianguan districts import|export`: the districts' boundaries (区划边界) from and to GeoJSON,
//! over `jianguan_app::districts`.

use anyhow::{Context, Result};
use clap::Subcommand;
use jianguan_app::Clock;
use jianguan_app::districts::{DistrictsError, ImportOptions, Requester};
use jianguan_domain::i18n::Lang;

/// `jianguan districts …`.
#[derive(Debug, Subcommand)]
pub enum DistrictsCommand {
    /// Import the districts' boundaries from a GeoJSON FeatureCollection (WGS-84 lon/lat; one
    /// Polygon or MultiPolygon feature per district, named by a property or `unit_id`): all or
    /// nothing, replacing every stored boundary.
    Import {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The GeoJSON file.
        #[arg(long)]
        file: std::path::PathBuf,
        /// The feature property holding the district's name (a `unit_id` property is read too).
        #[arg(long, default_value = "name")]
        property: String,
        /// Check the file and print what would be imported; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who imports (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
    },
    /// Write the stored boundaries as a GeoJSON FeatureCollection (properties `name`, `unit_id`)
    /// that `districts import` reads back unchanged.
    Export {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The file to write (default: standard output).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

/// Runs a `districts` command, its lines and refusals in `lang`.
pub async fn run(command: DistrictsCommand, lang: Lang) -> Result<()> {
    match command {
        DistrictsCommand::Import {
            db,
            file,
            property,
            dry_run,
            by,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let store = if dry_run {
                jianguan_store::open_read_only(&db)
                    .await
                    .map_err(anyhow::Error::from)
            } else {
                crate::backup::open_for_writing(&db, lang).await
            }
            .context("opening the database")?;
            let options = ImportOptions { property, dry_run };
            let result = jianguan_app::districts::import_boundaries(
                &store,
                Clock::system(),
                Requester::Operator(&by),
                &text,
                &format!("{name}（{} 字节）", text.len()),
                &options,
            )
            .await;
            store.close().await;
            let done = match result {
                Ok(done) => done,
                Err(DistrictsError::Features(list)) => {
                    eprintln!(
                        "{}",
                        lang.tn2(
                            "边界文件 {n} 有 {m} 处错误，未导入任何边界：",
                            &name,
                            list.len()
                        )
                    );
                    for line in &list {
                        eprintln!("  {}", lang.message(line));
                    }
                    anyhow::bail!("{}", lang.t("边界文件未导入"));
                }
                Err(DistrictsError::Store(e)) => return Err(e).context("writing the boundaries"),
                Err(e) => anyhow::bail!("{}", lang.message(&e.to_string())),
            };
            for d in &done.districts {
                let shape = lang.tn2("{n} 块多边形，{m} 个点", d.notes.polygons, d.notes.points);
                let notes: Vec<String> = d
                    .notes
                    .lines()
                    .iter()
                    .map(|n| lang.message(n).into_owned())
                    .collect();
                let notes = if notes.is_empty() {
                    String::new()
                } else {
                    format!("；{}", notes.join("；"))
                };
                println!("  {}（{shape}{notes}）", d.name);
            }
            if !done.without.is_empty() {
                println!(
                    "{}",
                    lang.tn("  没有边界的县区：{n}", done.without.join("、"))
                );
            }
            let line = if done.written {
                lang.tn2("已导入 {n}：{m} 个县区的边界", &name, done.districts.len())
            } else {
                lang.tn2(
                    "试导入 {n}：{m} 个县区的边界可以导入（未写入）",
                    &name,
                    done.districts.len(),
                )
            };
            println!("{line}");
            Ok(())
        }
        DistrictsCommand::Export { db, out } => {
            let store = jianguan_store::open_read_only(&db)
                .await
                .context("opening the database")?;
            let text = jianguan_app::districts::export_boundaries(&store).await;
            store.close().await;
            let text = text.context("reading the boundaries")?;
            match out {
                Some(path) => {
                    std::fs::write(&path, &text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("{}", lang.tn("已写出 {n}", path.display()));
                }
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}
