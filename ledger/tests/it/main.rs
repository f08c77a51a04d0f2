//! Ledger tests: every G-rule and payload rule of docs/DATA-RIGHTS.md, applied to a real sled ledger
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
mod frozen_policy;
mod gov;
mod grants;
mod harness;
mod hostile_export;
mod hostile_lineage;
mod hostile_time;
mod market;
mod market_harness;
mod market_props;
mod oversight;
mod props;
mod register;
mod registry;
mod registry_props;
mod restart;
mod rights;
mod snapshot;
