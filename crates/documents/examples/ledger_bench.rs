//! Times the ledger at national scale: builds the national ledger of `jianguan gen` in memory
//! (scale 1 ≈ 100,000 projects), exports it as .xlsx, then reads that file back with calamine
//! alone and with the full import (limits, zip check, header detection, normalisation and
//! validation, plan against an empty store and against the store holding the same projects).
//!
//! Run: `cargo run --release -p jianguan-documents --example ledger_bench [-- SCALE]`.

use std::io::Cursor;
use std::time::Instant;

use calamine::Reader;
use jianguan_demo::{NATIONAL_SEED, NationalSpec, national_base, national_city};
use jianguan_documents::ledger::{
    ImportOptions, LatestProgress, import_ledger, latest_progress, ledger_workbook, read_workbook,
};
use jianguan_domain::model::{Portfolio, ProjectId};
use jiff::civil::Date;

fn main() {
    let scale: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let spec = NationalSpec {
        scale,
        seed: NATIONAL_SEED,
    };
    let t = Instant::now();
    let base = national_base(&spec);
    let mut full = base.clone();
    let mut latest: std::collections::HashMap<ProjectId, LatestProgress> = Default::default();
    for city in 0..spec.cities() {
        let mut chunk = national_city(&spec, &base, city);
        chunk.periods = base.periods.clone();
        latest.extend(latest_progress(&chunk));
        full.projects.append(&mut chunk.projects);
    }
    eprintln!(
        "generated {} projects in {:.1} s",
        full.projects.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let bytes = ledger_workbook(
        &full,
        &latest,
        Date::constant(2022, 12, 31),
        jianguan_domain::coords::CoordinateSystem::Wgs84,
    )
    .expect("export");
    let export_s = t.elapsed().as_secs_f64();
    let path = std::env::temp_dir().join("jianguan_ledger_bench.xlsx");
    std::fs::write(&path, &bytes).expect("write the workbook");
    println!(
        "export: {} projects → {:.1} MB .xlsx in {export_s:.2} s ({})",
        full.projects.len(),
        bytes.len() as f64 / 1e6,
        path.display()
    );

    let t = Instant::now();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.as_slice())).expect("calamine opens");
    let mut cells = 0usize;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("calamine reads");
        cells += range.get_size().0 * range.get_size().1;
    }
    let calamine_s = t.elapsed().as_secs_f64();
    println!("calamine alone: {cells} cells in {calamine_s:.2} s");

    let options = ImportOptions::default();
    let t = Instant::now();
    let workbook = read_workbook(&bytes, "ledger.xlsx", &options.limits).expect("read");
    let read_s = t.elapsed().as_secs_f64();
    drop(workbook);
    println!("read with limits (zip check + calamine): {read_s:.2} s");

    let empty = Portfolio {
        projects: Vec::new(),
        ..base.clone()
    };
    let t = Instant::now();
    let plan = import_ledger(&bytes, "ledger.xlsx", &empty, &options, &|_, _| {}).expect("import");
    let import_s = t.elapsed().as_secs_f64();
    assert_eq!(plan.new.len(), full.projects.len());
    println!(
        "full import into an empty store (read + check + plan): {} new in {import_s:.2} s",
        plan.new.len()
    );

    let t = Instant::now();
    let plan = import_ledger(&bytes, "ledger.xlsx", &full, &options, &|_, _| {}).expect("import");
    let again_s = t.elapsed().as_secs_f64();
    assert!(plan.is_noop());
    println!(
        "re-import against the same projects: {} unchanged in {again_s:.2} s",
        plan.unchanged
    );
}
