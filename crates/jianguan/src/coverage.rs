//! `jianguan coverage`: service coverage on the walking network (issue 8) — the share of
//! residents within a walking distance or time of each facility type, per district and
//! citywide, written as JSON, GeoJSON or Excel by the extension of `--out`.
//!
//! A thin shell: every step is `jianguan_geo::run` and `jianguan_geo::output::write_report`,
//! tested in that crate. With `--enter CODE --db URL --month M`, the districts' shares for one
//! type and threshold are also entered as the month's values of an assessment indicator (e.g.
//! `life_circle_coverage_15min`), so a scoring scheme can weigh coverage like any indicator.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use jianguan_geo::coverage::{CoverageSpec, DEFAULT_WALKING_SPEED_M_PER_MIN};
use jianguan_geo::{NetworkSource, Options, parse_threshold};

/// `jianguan coverage`: who can walk to a park, a toilet, a neighbourhood centre … in time.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The walking network from an OpenStreetMap PBF extract (facilities are read from its tags).
    #[arg(long, conflicts_with_all = ["nodes", "edges"])]
    osm: Option<PathBuf>,
    /// The walking network's nodes (`id,lon,lat`), with `--edges`.
    #[arg(long, requires = "edges")]
    nodes: Option<PathBuf>,
    /// The walking network's edges (`from,to,length_m`), with `--nodes`.
    #[arg(long, requires = "nodes")]
    edges: Option<PathBuf>,
    /// Residents: CSV `lon,lat,population[,id]` or GeoJSON points/polygons with `population`.
    #[arg(long)]
    population: PathBuf,
    /// District boundaries: GeoJSON polygons named by their `name` property.
    #[arg(long)]
    districts: Option<PathBuf>,
    /// Facilities: CSV `lon,lat,type[,id,name,since]` (added to those read from OSM).
    #[arg(long)]
    facilities: Option<PathBuf>,
    /// A TOML tag → facility type table replacing the built-in one.
    #[arg(long)]
    tag_table: Option<PathBuf>,
    /// Thresholds: metres (`400`, `400m`) or minutes (`15min`), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = ["200".to_string(), "300".into(), "400".into(), "500".into(), "800".into(), "1000".into(), "1200".into()])]
    thresholds: Vec<String>,
    /// Walking speed in metres per minute, for thresholds in minutes.
    #[arg(long, default_value_t = DEFAULT_WALKING_SPEED_M_PER_MIN)]
    speed: f64,
    /// Facility types to report (default: every type found).
    #[arg(long, value_delimiter = ',')]
    types: Vec<String>,
    /// Residents or facilities farther than this from the network (metres) are not snapped,
    /// and counted in the report's warnings.
    #[arg(long)]
    snap_limit: Option<f64>,
    /// Coverage as of this date (facilities with a later `since` are not open yet).
    #[arg(long)]
    as_of: Option<jiff::civil::Date>,
    /// Baseline date: report before/after and each new facility's marginal gain.
    #[arg(long)]
    baseline: Option<jiff::civil::Date>,
    /// Also count, per resident, the facilities of each type within this distance or time
    /// (e.g. `1000`, `15min`).
    #[arg(long)]
    count_within: Option<String>,
    /// Output: .json, .geojson or .xlsx.
    #[arg(long)]
    out: PathBuf,
    /// Add the database's finished projects (parks, toilets, neighbourhood centres, car parks
    /// with a location) as facilities, each open from the day its annual plan was completed
    /// (needs --db); with --baseline the report credits each with the residents it newly covers.
    #[arg(long, requires = "db")]
    projects: bool,
    /// Also enter the districts' shares as the month's values of this assessment indicator
    /// (e.g. `life_circle_coverage_15min`; needs --db, --month, --enter-type, --enter-threshold).
    #[arg(long, requires_all = ["db", "month", "enter_type", "enter_threshold"])]
    enter: Option<String>,
    /// The facility type whose coverage is entered (e.g. neighbourhood_centre).
    #[arg(long)]
    enter_type: Option<String>,
    /// The threshold whose coverage is entered (one of --thresholds, e.g. 15min).
    #[arg(long)]
    enter_threshold: Option<String>,
    /// The database the indicator values are entered into.
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: Option<String>,
    /// The month the values are entered for, e.g. 2021-12.
    #[arg(long)]
    month: Option<jianguan_domain::assessment::Month>,
    /// Who enters them (recorded in the audit trail).
    #[arg(long, default_value = "cli")]
    by: String,
}

/// The entries of indicator `code` for `month`: each district row of `rows` (type `kind`,
/// threshold `threshold_m`) as its share in percent, the district found by name among the
/// portfolio's districts. A district name the portfolio does not know, or a missing row, is an
/// error naming it (nothing is entered then).
pub fn coverage_entries(
    rows: &[jianguan_geo::report::CoverageRow],
    kind: &str,
    threshold_m: f64,
    code: &str,
    month: jianguan_domain::assessment::Month,
    portfolio: &jianguan_domain::model::Portfolio,
    note: &str,
) -> Result<Vec<jianguan_domain::assessment::EnteredValue>> {
    use jianguan_domain::model::UnitKind;
    let dictionary = jianguan_domain::assessment::default_dictionary();
    let Some(indicator) = dictionary.get(code) else {
        bail!("--enter {code}: no such indicator");
    };
    if indicator.unit != "%"
        || !matches!(
            indicator.source,
            jianguan_domain::assessment::Source::Entered
        )
    {
        bail!(
            "--enter {code}: 「{}」 is not an entered rate",
            indicator.name
        );
    }
    let mut entries = Vec::new();
    let mut unknown = Vec::new();
    for row in rows.iter().filter(|r| {
        r.kind == kind && (r.threshold_m - threshold_m).abs() < 0.5 && r.district.is_some()
    }) {
        let name = row.district.as_deref().unwrap_or_default();
        match portfolio
            .units_of(UnitKind::District)
            .find(|u| u.name == name)
        {
            Some(unit) => {
                let entry = jianguan_domain::assessment::EnteredValue {
                    id: 0,
                    indicator: code.to_string(),
                    subject: unit.id,
                    month,
                    value: (row.share * 10_000.0).round() / 100.0,
                    note: note.to_string(),
                };
                dictionary.check_entry(&entry)?;
                entries.push(entry);
            }
            None => unknown.push(name.to_string()),
        }
    }
    if !unknown.is_empty() {
        bail!(
            "these districts of the coverage report are not districts of the database: {}",
            unknown.join("、")
        );
    }
    if entries.is_empty() {
        bail!("the report has no district rows for type {kind} at {threshold_m} m");
    }
    Ok(entries)
}

/// Runs `jianguan coverage`.
pub async fn run(args: CoverageArgs) -> Result<()> {
    let network = match (args.osm, args.nodes, args.edges) {
        (Some(pbf), None, None) => NetworkSource::Osm(pbf),
        (None, Some(nodes), Some(edges)) => NetworkSource::EdgeList { nodes, edges },
        _ => bail!(
            "give the walking network as --osm FILE.pbf or as --nodes nodes.csv --edges edges.csv"
        ),
    };
    // Checked before the (possibly long) computation.
    jianguan_geo::output::format_of(&args.out)?;
    let thresholds_m = args
        .thresholds
        .iter()
        .map(|t| parse_threshold(t, args.speed))
        .collect::<Result<Vec<f64>, _>>()?;
    let options = Options {
        network,
        population: args.population,
        districts: args.districts,
        facilities: args.facilities,
        tag_table: args.tag_table,
        spec: CoverageSpec {
            thresholds_m,
            types: (!args.types.is_empty()).then_some(args.types),
            snap_limit_m: args.snap_limit,
            as_of: args.as_of,
            baseline: args.baseline,
            cutoff_m: None,
            point_distances: true,
            count_within_m: args
                .count_within
                .as_deref()
                .map(|t| parse_threshold(t, args.speed))
                .transpose()?,
        },
        progress: true,
    };
    let projects = match (&args.db, args.projects) {
        (Some(db), true) => {
            use jianguan_domain::store::prelude::*;
            let store = jianguan_store::open_read_only(db)
                .await
                .context("opening the database")?;
            let portfolio = store.load_records().await?;
            store.close().await;
            let facilities = jianguan_app::coverage::project_facilities(&portfolio);
            eprintln!(
                "coverage: {} finished projects with a location added as facilities",
                facilities.len()
            );
            facilities
        }
        _ => Vec::new(),
    };
    let output = jianguan_geo::run(&options, projects).context("computing coverage")?;
    jianguan_geo::output::write_report(&args.out, &output.report, &output.population)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let w = &output.report.warnings;
    eprintln!(
        "coverage: {} nodes, {} residents' points ({} out of bounds, {} beyond the snap limit, {} outside every district), {} facilities unsnapped → {}",
        output.report.summary.nodes,
        output.report.summary.population_points,
        w.population_out_of_bounds,
        w.population_beyond_snap_limit,
        w.population_outside_districts,
        w.facilities_unsnapped.len(),
        args.out.display()
    );
    for note in &w.notes {
        eprintln!("coverage: note: {note}");
    }
    if let (Some(code), Some(kind), Some(threshold), Some(db), Some(month)) = (
        &args.enter,
        &args.enter_type,
        &args.enter_threshold,
        &args.db,
        args.month,
    ) {
        use jianguan_domain::store::prelude::*;
        let threshold_m = parse_threshold(threshold, args.speed)?;
        let store = jianguan_store::open_read_only(db)
            .await
            .context("opening the database")?;
        let portfolio = store.load_records().await?;
        let note = format!(
            "jianguan coverage：{kind} 步行 {threshold_m:.0} 米内（{}）",
            args.out.display()
        );
        let entries = coverage_entries(
            &output.report.coverage,
            kind,
            threshold_m,
            code,
            month,
            &portfolio,
            &note,
        )?;
        let mut record = jianguan_app::assessment::audit(
            jianguan_app::Clock::system(),
            &args.by,
            None,
            jianguan_audit::AuditAction::IndicatorEnter,
            format!("indicator:{code}:{month}"),
        );
        record.changes = vec![jianguan_app::assessment::change(
            "districts",
            None,
            entries.len(),
        )];
        store.enter_values(&entries, &record).await?;
        eprintln!(
            "coverage: entered {code} for {month} in {} districts",
            entries.len()
        );
        store.close().await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jianguan_geo::report::CoverageRow;

    use super::coverage_entries;

    fn row(district: Option<&str>, kind: &str, threshold_m: f64, share: f64) -> CoverageRow {
        CoverageRow {
            kind: kind.into(),
            threshold_m,
            district: district.map(str::to_string),
            population_covered: share * 1000.0,
            population_total: 1000.0,
            share,
        }
    }

    #[test]
    fn district_shares_become_the_months_indicator_values() {
        let city = jianguan_demo::demo_city();
        let month = jianguan_domain::assessment::Month::new(2021, 12).expect("a month");
        let rows = vec![
            row(Some("映湖区"), "neighbourhood_centre", 1200.0, 0.8765),
            row(Some("望舒县"), "neighbourhood_centre", 1200.0, 0.31),
            row(None, "neighbourhood_centre", 1200.0, 0.6),
            row(Some("映湖区"), "park", 1200.0, 0.5),
            row(Some("映湖区"), "neighbourhood_centre", 400.0, 0.2),
        ];
        let code = "life_circle_coverage_15min";
        let entries = coverage_entries(
            &rows,
            "neighbourhood_centre",
            1200.0,
            code,
            month,
            &city,
            "n",
        )
        .expect("entries");
        assert_eq!(
            entries.len(),
            2,
            "the two district rows of that type and threshold"
        );
        assert_eq!(entries[0].value, 87.65);
        assert_eq!(entries[1].value, 31.0);
        let yinghu = city
            .units_of(jianguan_domain::model::UnitKind::District)
            .find(|u| u.name == "映湖区")
            .expect("映湖区");
        assert_eq!(entries[0].subject, yinghu.id);
        // An unknown district, a count indicator, a type with no rows: refused.
        let stray = vec![row(Some("不存在区"), "park", 400.0, 0.5)];
        let e = coverage_entries(
            &stray,
            "park",
            400.0,
            "green_coverage_400m",
            month,
            &city,
            "",
        )
        .expect_err("unknown district");
        assert!(e.to_string().contains("不存在区"), "{e}");
        assert!(
            coverage_entries(
                &rows,
                "neighbourhood_centre",
                1200.0,
                "info_adopted",
                month,
                &city,
                ""
            )
            .is_err()
        );
        assert!(
            coverage_entries(
                &rows,
                "toilet",
                800.0,
                "toilet_coverage_10min",
                month,
                &city,
                ""
            )
            .is_err()
        );
    }
}
