//! `jianguan basemap`: prepares the offline basemap (底图) from the city's OpenStreetMap extract
//! (or the demo city's generated streets) and stores it, over `jianguan_app::basemap`.

use std::time::Instant;

use anyhow::{Context, Result};
use jianguan_app::Clock;
use jianguan_app::basemap::{BasemapError, Prepared};
use jianguan_domain::i18n::Lang;

/// `jianguan basemap …`.
#[derive(Debug, clap::Args)]
pub struct BasemapArgs {
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// The city's OpenStreetMap extract (.osm.pbf): the same file `coverage --pbf` reads.
    #[arg(long, conflicts_with = "demo", required_unless_present = "demo")]
    osm: Option<std::path::PathBuf>,
    /// The demo city's generated streets instead of an extract.
    #[arg(long)]
    demo: bool,
    /// Prepare and print what would be stored; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Who prepares it (recorded in the audit trail).
    #[arg(long, default_value = "cli")]
    by: String,
}

/// Runs `basemap`, its lines and refusals in `lang`.
pub async fn run(args: BasemapArgs, lang: Lang) -> Result<()> {
    let started = Instant::now();
    let store = if args.dry_run {
        jianguan_store::open_read_only(&args.db)
            .await
            .map_err(anyhow::Error::from)
    } else {
        crate::backup::open_for_writing(&args.db, lang).await
    }
    .context("opening the database")?;
    let prepared = match &args.osm {
        Some(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let path = path.clone();
            let import =
                tokio::task::spawn_blocking(move || jianguan_geo::osm::read_basemap(&path))
                    .await
                    .context("reading the extract")??;
            let mut notes = Vec::new();
            if import.assembled_relations > 0 {
                notes.push(lang.tn(
                    "{n} 个多边形关系（大型公园、水面）已拼合",
                    import.assembled_relations,
                ));
            }
            if import.open_relations > 0 {
                notes.push(lang.tn(
                    "{n} 个多边形关系的成员缺失、未能闭合，只用了已闭合的环",
                    import.open_relations,
                ));
            }
            if import.missing_node_refs > 0 {
                notes.push(lang.tn(
                    "{n} 处路段引用的节点不在文件中，在该处截断",
                    import.missing_node_refs,
                ));
            }
            let source = format!(
                "{name}（{} 字节）",
                std::fs::metadata(args.osm.as_deref().unwrap_or(std::path::Path::new("")))
                    .map(|m| m.len())
                    .unwrap_or(0)
            );
            let attribution = Some(jianguan_app::basemap::OSM_ATTRIBUTION);
            tokio::task::spawn_blocking(move || {
                Prepared::new(&source, &import.features, notes, attribution)
            })
            .await
            .context("preparing the basemap")?
            .map_err(|e| refusal(e, lang))?
        }
        None => {
            let app = jianguan_app::portfolio::App::new(
                std::sync::Arc::new(store.clone()),
                Clock::system(),
            );
            let snapshot = app.snapshot().await.context("reading the city")?;
            let portfolio = &snapshot.portfolio;
            let Some(prepared) =
                jianguan_app::basemap::prepare_demo(portfolio).map_err(|e| refusal(e, lang))?
            else {
                anyhow::bail!("{}", lang.t("没有项目有坐标，无法生成示例市底图"));
            };
            prepared
        }
    };
    let prepared_in = started.elapsed();
    if args.dry_run {
        jianguan_app::basemap::check_within_city(&store, &prepared)
            .await
            .map_err(|e| refusal(e, lang))?;
    } else {
        jianguan_app::basemap::store_prepared(&store, Clock::system(), &args.by, &prepared)
            .await
            .map_err(|e| refusal(e, lang))?;
    }
    store.close().await;
    if args.json {
        let mut summary = prepared.summary();
        summary["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
        summary["written"] = serde_json::json!(!args.dry_run);
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    let counts: Vec<String> = prepared
        .counts
        .iter()
        .map(|(layer, n)| format!("{} {n}", lang.t(layer_label(layer.name()))))
        .collect();
    println!("{}", lang.tn("底图要素：{n}", counts.join("，")));
    for (zoom, features, bytes) in prepared.level_sizes() {
        println!(
            "  {}",
            lang.tn2(
                "第 {n} 级起：{m}",
                zoom,
                lang.tn2(
                    "{n} 个要素，{m} KB",
                    features,
                    format!("{:.1}", bytes as f64 / 1024.0)
                )
            )
        );
    }
    for note in &prepared.notes {
        println!("  {note}");
    }
    let total: usize = prepared.level_sizes().iter().map(|l| l.2).sum();
    let line = if args.dry_run {
        lang.tn2(
            "试运行：底图共 {n} KB，准备用时 {m} 秒，未写入",
            format!("{:.1}", total as f64 / 1024.0),
            format!("{:.2}", prepared_in.as_secs_f64()),
        )
    } else {
        lang.tn2(
            "已存入底图：共 {n} KB，用时 {m} 秒",
            format!("{:.1}", total as f64 / 1024.0),
            format!("{:.2}", started.elapsed().as_secs_f64()),
        )
    };
    println!("{line}");
    Ok(())
}

fn refusal(e: BasemapError, lang: Lang) -> anyhow::Error {
    match e {
        BasemapError::Store(e) => anyhow::Error::from(e).context("storing the basemap"),
        e => anyhow::anyhow!("{}", lang.message(&e.to_string())),
    }
}

/// A layer's Chinese name.
fn layer_label(name: &str) -> &'static str {
    match name {
        "water" => "水面",
        "green" => "绿地",
        "river" => "河流",
        "rail" => "铁路",
        "path" => "步行道",
        "service" => "内部道路",
        "minor" => "支路",
        "secondary" => "次干道",
        "major" => "主干道",
        _ => "地名",
    }
}
