//! The ledger reader (`jianguan import ledger`, the upload page): bytes read as .xlsx, .xls,
//! SpreadsheetXML or CSV (by content; the name says .csv) within the default limits, then
//! checked row by row against the demo city (its units, categories and stored projects), as
//! `ledger_pages::plan` does.
#![no_main]

use std::sync::OnceLock;

use jianguan_documents::ledger::{ImportOptions, import_ledger};
use jianguan_domain::model::Portfolio;
use libfuzzer_sys::fuzz_target;

fn city() -> &'static Portfolio {
    static CITY: OnceLock<Portfolio> = OnceLock::new();
    CITY.get_or_init(jianguan_demo::demo_city)
}

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions::default();
    let _ = import_ledger(data, "台账.csv", city(), &options, &|_, _| {});
});
