//! Integration tests of shuquan-consensus, one binary, files numbered by theme:
//! t10 election, t20 replication, t30 leader crash, t40 partitions, t50 restart and
//! snapshot catch-up, t60 membership, t70 durability, t80 seeded fault runs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod common;
mod t10_election;
mod t20_replication;
mod t30_leader_crash;
mod t40_partitions;
mod t50_restart_snapshot;
mod t60_membership;
mod t70_durability;
mod t80_fault_sim;
