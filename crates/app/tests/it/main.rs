//! The application crate's integration tests: one test binary (one link instead of one per file).
//!
//! The PostgreSQL halves run when `JIANGUAN_TEST_POSTGRES_URL` was set at build time (see
//! `build.rs`); without it they are listed as ignored, with the reason.

mod architecture;
mod basemap;
mod districts;
mod read_model;
