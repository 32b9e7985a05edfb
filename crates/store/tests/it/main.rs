//! The store crate's integration tests.
//! One test binary for the crate (one link instead of one per file); each module was a file
//! of its own under `tests/`.

mod backup;
mod basemap;
mod boundaries;
mod catalogue;
mod import;
mod org;
mod store;
mod wall_links;
