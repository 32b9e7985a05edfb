//! `jianguan basemap`: prepares the offline basemap (底图) from the city's OpenStreetMap extract
//! (or the demo city's generated streets) and stores it, over `jianguan_app::basemap`. With
//! `--population`, the extract's walking network and facilities are stored with it, with the
//! residents, for the coverage pages.

use std::time::Instant;

use anyhow::{Context, Result};
use jianguan_app::Clock;
use jianguan_app::basemap::{BasemapError, Prepared, Walk};
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
    /// The city's residents (CSV `lon,lat,population[,id]` or GeoJSON points or polygons with
    /// `population`, as `coverage --population` reads them): the extract's walking network and
    /// the facilities its tags name are stored too, and the coverage pages walk them.
    #[arg(long, requires = "osm")]
    population: Option<std::path::PathBuf>,
    /// A TOML tag → facility type table replacing the built-in one (with --population).
    #[arg(long, requires = "population")]
    tag_table: Option<std::path::PathBuf>,
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
            let mut prepared = tokio::task::spawn_blocking(move || {
                Prepared::new(&source, &import.features, notes, attribution)
            })
            .await
            .context("preparing the basemap")?
            .map_err(|e| refusal(e, lang))?;
            if let Some(population) = &args.population {
                prepared.walk = Some(
                    read_walk(path_of(&args.osm), population, &args.tag_table)
                        .await
                        .map_err(|e| {
                            e.downcast::<BasemapError>()
                                .map_or_else(|e| e, |e| refusal(e, lang))
                        })?,
                );
            }
            prepared
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
    if let Some(walk) = &prepared.walk {
        print_walk(walk, lang);
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

fn path_of(path: &Option<std::path::PathBuf>) -> std::path::PathBuf {
    path.clone().unwrap_or_default()
}

/// The extract's walking network and facilities with the residents of `population`.
async fn read_walk(
    osm: std::path::PathBuf,
    population: &std::path::Path,
    tag_table: &Option<std::path::PathBuf>,
) -> Result<Walk> {
    let table = match tag_table {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            jianguan_geo::osm::TagTable::from_toml(&text)?
        }
        None => jianguan_geo::osm::TagTable::default(),
    };
    let population = population.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<Walk> {
        let import = jianguan_geo::osm::read_pbf(&osm, &table, false)?;
        let residents = jianguan_geo::inputs::read_population(&population)?;
        let name = population
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Walk::new(
            import.network,
            import.facilities,
            residents,
            &name,
        )?)
    })
    .await
    .context("reading the walking network")?
}

/// The walking inputs' lines.
fn print_walk(walk: &Walk, lang: Lang) {
    let city = &walk.city;
    println!(
        "{}",
        lang.tn2(
            "步行路网：{n} 个节点，{m} 条路段",
            city.network.node_count(),
            city.network.edge_count()
        )
    );
    let kinds: Vec<String> = jianguan_app::coverage::TYPES
        .iter()
        .map(|t| {
            let n = city.facilities.iter().filter(|f| f.kind == t.kind).count();
            format!("{} {n}", lang.t(t.label))
        })
        .collect();
    println!("{}", lang.tn("原有设施：{n}", kinds.join("，")));
    let people: f64 = city.population.iter().map(|p| p.population).sum();
    println!(
        "{}",
        lang.tn2(
            "居民：{n} 个点，{m} 人",
            city.population.len(),
            format!("{people:.0}")
        )
    );
    println!(
        "  {}",
        lang.tn("居民网格边长约 {n} 米", format!("{:.0}", city.cell_m))
    );
    if walk.people_unplaced > 0.0 {
        println!(
            "  {}",
            lang.tn2(
                "{n} 人距路网超过 {m} 米，不计入覆盖",
                format!("{:.0}", walk.people_unplaced),
                format!("{:.0}", jianguan_app::coverage::SNAP_LIMIT_M)
            )
        );
    }
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
