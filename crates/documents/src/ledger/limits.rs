//! The limits that protect the reader from hostile or runaway files.

use std::time::{Duration, Instant};

use super::ImportError;

/// How much a ledger may be. The defaults fit a national-scale ledger of 200,000 projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The file's size in bytes (default 50 MiB).
    pub max_file_bytes: u64,
    /// The sum of an .xlsx's uncompressed entries (default 1 GiB).
    pub max_uncompressed_bytes: u64,
    /// Uncompressed ÷ compressed size of any entry above 1 MiB (default 200; a workbook's XML
    /// compresses 10–50 times, a zip bomb thousands).
    pub max_compression_ratio: u64,
    /// Entries in an .xlsx (default 10,000).
    pub max_zip_entries: usize,
    /// Sheets (default 500).
    pub max_sheets: usize,
    /// Rows over all sheets (default 200,000).
    pub max_rows: usize,
    /// Columns of a sheet (default 500).
    pub max_columns: usize,
    /// Cells in a sheet's used area, rows × columns (default 30,000,000, about 1 GB in memory):
    /// checked for .xlsx before the grid is allocated.
    pub max_cells: u64,
    /// Characters in a cell (default 32,767, Excel's own limit).
    pub max_cell_chars: usize,
    /// Time for reading and checking the whole file (default 120 s), checked between sheets and
    /// rows.
    pub time_limit: Duration,
    /// Errors collected before giving up (default 1,000).
    pub max_errors: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 50 << 20,
            max_uncompressed_bytes: 1 << 30,
            max_compression_ratio: 200,
            max_zip_entries: 10_000,
            max_sheets: 500,
            max_rows: 200_000,
            max_columns: 500,
            max_cells: 30_000_000,
            max_cell_chars: 32_767,
            time_limit: Duration::from_secs(120),
            max_errors: 1_000,
        }
    }
}

/// A point in time after which reading stops.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    end: Instant,
    limit: Duration,
}

impl Deadline {
    pub(crate) fn after(limit: Duration) -> Deadline {
        Deadline {
            end: Instant::now() + limit,
            limit,
        }
    }

    pub(crate) fn check(&self) -> Result<(), ImportError> {
        if Instant::now() > self.end {
            Err(ImportError::TimedOut(self.limit.as_secs()))
        } else {
            Ok(())
        }
    }
}
