//! The catalogue's integration tests, one module per concern, in one test binary.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;
mod dcat;
mod errors;
mod filters;
mod pagination;
mod text;
mod updates;
