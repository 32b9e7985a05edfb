//! The documents crate's integration tests.
//! One test binary for the crate (one link instead of one per file); each module was a file
//! of its own under `tests/`.

mod bulletin_dispatch;
mod docx;
mod docx_svg;
mod ledger;
mod ledger_libreoffice;
mod ledger_offices;
mod libreoffice;
mod quarterly;
mod summary;
mod xlsx;
