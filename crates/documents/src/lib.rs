//! The office's documents. jianguan reads the Excel ledgers (台账) the office already keeps and
//! writes its own workbooks and Word documents in the forms the office uses: ledgers and league
//! tables as .xlsx, dispatch packs, bulletins and summaries as .docx in the GB/T 9704-2012
//! layout. Figures come from the domain; this crate only lays them out or reads them in.

pub mod docx;
pub mod ledger;
pub mod org;
pub mod reports;
pub mod xlsx;
