//! openraft's storage conformance suite (`Suite::test_all`) on our log store and
//! state-machine adapter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use openraft::testing::{StoreBuilder, Suite};
use tempfile::TempDir;

use crate::log_store::LogStore;
use crate::raft_types::{log_io_error, StorageError, TypeConfig};
use crate::state_machine::{MemStateMachine, SmStore};

struct Builder;

impl StoreBuilder<TypeConfig, LogStore, SmStore, TempDir> for Builder {
    async fn build(&self) -> Result<(TempDir, LogStore, SmStore), StorageError> {
        let dir = tempfile::tempdir().map_err(|e| log_io_error(openraft::ErrorVerb::Write, e))?;
        let log = LogStore::open(&dir.path().join("log"))
            .map_err(|e| log_io_error(openraft::ErrorVerb::Write, e))?;
        let sm = SmStore::open(
            &dir.path().join("snapshot"),
            Box::new(MemStateMachine::new()),
        )
        .map_err(|e| log_io_error(openraft::ErrorVerb::Write, e))?;
        Ok((dir, log, sm))
    }
}

#[test]
fn openraft_suite_test_all() {
    Suite::test_all(Builder).unwrap();
}
