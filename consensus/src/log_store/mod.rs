//! The durable Raft log: openraft's `RaftLogStorage` on the raft-log write-ahead log.
//!
//! Contract kept here: a vote is on stable storage before `save_vote` returns, and an
//! append is acknowledged to openraft (its `LogFlushed` callback) only from raft-log's
//! fsync completion. Truncate and purge are single WAL records, fsynced before returning;
//! raft-log deletes purged chunk files only after the purge record is synced.

mod store;
mod wal_types;

pub(crate) use store::LogStore;

#[cfg(test)]
mod tests;
