//! Ledger tests: every G-rule and payload rule of DOMAIN.md, applied to a real sled ledger
//! in a temporary directory, without a runtime. Each test fails if its rule is removed.

#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod audit;
mod certs;
mod envelope;
mod export;
mod grants;
mod harness;
mod oversight;
mod register;
mod restart;
mod rights;
mod snapshot;
