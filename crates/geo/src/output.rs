//! Writing a report: JSON (the [`Report`] as is), GeoJSON (population points with their
//! distances per type) and Excel (one sheet 覆盖率 with a frozen header).

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Map, Value, json};

use crate::GeoError;
use crate::inputs::PopulationPoint;
use crate::report::Report;

/// The formats a report can be written in, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// `.json`
    Json,
    /// `.geojson`
    GeoJson,
    /// `.xlsx`
    Xlsx,
}

/// The format for an output path, or an error naming the extensions accepted.
pub fn format_of(path: &Path) -> Result<OutputFormat, GeoError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Ok(OutputFormat::Json),
        Some("geojson") => Ok(OutputFormat::GeoJson),
        Some("xlsx") => Ok(OutputFormat::Xlsx),
        _ => Err(GeoError::Config(format!(
            "{}: expected an output ending in .json, .geojson or .xlsx",
            path.display()
        ))),
    }
}

fn io_error(path: &Path, error: std::io::Error) -> GeoError {
    GeoError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Writes the report to `path` in the format its extension names.
pub fn write_report(
    path: &Path,
    report: &Report,
    population: &[PopulationPoint],
) -> Result<(), GeoError> {
    match format_of(path)? {
        OutputFormat::Json => {
            let file = std::fs::File::create(path).map_err(|e| io_error(path, e))?;
            let mut w = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut w, report)
                .map_err(|e| io_error(path, std::io::Error::other(e)))?;
            w.flush().map_err(|e| io_error(path, e))
        }
        OutputFormat::GeoJson => {
            let text = serde_json::to_string(&geojson(report, population))
                .map_err(|e| io_error(path, std::io::Error::other(e)))?;
            std::fs::write(path, text).map_err(|e| io_error(path, e))
        }
        OutputFormat::Xlsx => {
            let mut book =
                xlsx(report).map_err(|e| GeoError::Config(format!("{}: {e}", path.display())))?;
            book.save(path)
                .map_err(|e| GeoError::Config(format!("{}: {e}", path.display())))
        }
    }
}

/// The population points as a GeoJSON FeatureCollection, each with `id`, `population` and one
/// property `<type>_m` per facility type (metres, null when beyond the cutoff or unsnapped).
pub fn geojson(report: &Report, population: &[PopulationPoint]) -> Value {
    let mut props: Vec<Map<String, Value>> = population
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("id".into(), json!(p.id));
            m.insert("population".into(), json!(p.population));
            m
        })
        .collect();
    for (t, kind) in report.points.types.iter().enumerate() {
        for (i, m) in props.iter_mut().enumerate() {
            m.insert(format!("{kind}_m"), json!(report.points.distance_m(t, i)));
        }
    }
    let features: Vec<Value> = population
        .iter()
        .zip(props)
        .map(|(p, m)| {
            json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": m,
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// District boundaries as a GeoJSON FeatureCollection (`name` property), e.g. to hand the
/// demo city's districts to `jianguan coverage --districts`.
pub fn districts_geojson(districts: &[crate::inputs::District]) -> Value {
    let features: Vec<Value> = districts
        .iter()
        .map(|d| {
            let polygons: Vec<Value> = d
                .area
                .0
                .iter()
                .map(|p| {
                    let ring = |r: &geo::LineString<f64>| -> Value {
                        r.0.iter().map(|c| json!([c.x, c.y])).collect()
                    };
                    let mut rings = vec![ring(p.exterior())];
                    rings.extend(p.interiors().iter().map(ring));
                    Value::Array(rings)
                })
                .collect();
            json!({
                "type": "Feature",
                "properties": {"name": d.name},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// Population points as CSV text (`id,lon,lat,population`).
pub fn population_csv(points: &[PopulationPoint]) -> String {
    let mut out = String::from("id,lon,lat,population\n");
    for p in points {
        out.push_str(&format!(
            "{},{:.7},{:.7},{}\n",
            p.id, p.lon, p.lat, p.population
        ));
    }
    out
}

/// Facilities as CSV text (`id,lon,lat,type,name,since`), one row per facility at its first
/// point.
pub fn facilities_csv(facilities: &[crate::inputs::Facility]) -> String {
    let mut out = String::from("id,lon,lat,type,name,since\n");
    for f in facilities {
        let Some(&(lon, lat)) = f.points.first() else {
            continue;
        };
        let name = f
            .name
            .as_deref()
            .unwrap_or("")
            .replace([',', '"', '\n'], " ");
        let since = f.since.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{lon:.7},{lat:.7},{},{name},{since}\n",
            f.id, f.kind
        ));
    }
    out
}

/// The coverage table as a workbook: sheet 覆盖率 (type, threshold, district, covered, total,
/// share), and when a baseline was given, sheets 前后对比 and 项目贡献.
pub fn xlsx(report: &Report) -> Result<Workbook, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet().set_name("覆盖率")?;
    for (c, h) in ["设施类型", "阈值(米)", "区", "覆盖人口", "总人口", "覆盖率"]
        .iter()
        .enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in report.coverage.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write(r, 0, &row.kind)?;
        sheet.write(r, 1, row.threshold_m)?;
        sheet.write(r, 2, row.district.as_deref().unwrap_or("全市"))?;
        sheet.write(r, 3, row.population_covered)?;
        sheet.write(r, 4, row.population_total)?;
        sheet.write_with_format(r, 5, row.share, &pct)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if report.baseline.is_some() {
        let sheet = book.add_worksheet().set_name("前后对比")?;
        for (c, h) in [
            "设施类型",
            "阈值(米)",
            "区",
            "基期覆盖",
            "现状覆盖",
            "总人口",
            "新增覆盖",
            "新增设施",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in report.before_after.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write(r, 0, &row.kind)?;
            sheet.write(r, 1, row.threshold_m)?;
            sheet.write(r, 2, row.district.as_deref().unwrap_or("全市"))?;
            sheet.write(r, 3, row.covered_before)?;
            sheet.write(r, 4, row.covered_after)?;
            sheet.write(r, 5, row.population_total)?;
            sheet.write(r, 6, row.gain)?;
            sheet.write(r, 7, row.new_facilities as u32)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let sheet = book.add_worksheet().set_name("项目贡献")?;
        for (c, h) in [
            "设施",
            "名称",
            "设施类型",
            "启用日期",
            "阈值(米)",
            "独有覆盖人口",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in report.credit.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write(r, 0, &row.facility)?;
            sheet.write(r, 1, row.name.as_deref().unwrap_or(""))?;
            sheet.write(r, 2, &row.kind)?;
            sheet.write(r, 3, row.since.map(|d| d.to_string()).unwrap_or_default())?;
            sheet.write(r, 4, row.threshold_m)?;
            sheet.write(r, 5, row.newly_covered)?;
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(book)
}
