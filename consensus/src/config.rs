//! Raft timing and log-compaction settings, validated and translated to openraft's config.

use std::time::Duration;

use crate::error::Error;

/// Settings of one Raft node. All members of a cluster should use the same values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Cluster name (appears in logs).
    pub cluster_name: String,
    /// How often the leader sends heartbeats.
    pub heartbeat_interval: Duration,
    /// Lower bound of the randomised election timeout.
    pub election_timeout_min: Duration,
    /// Upper bound of the randomised election timeout.
    pub election_timeout_max: Duration,
    /// Build a snapshot after this many entries applied since the last one.
    pub snapshot_every: u64,
    /// Entries already covered by a snapshot that are still kept in the log, so a
    /// slightly lagging follower catches up from the log instead of a snapshot.
    pub keep_after_snapshot: u64,
    /// Most entries in one AppendEntries request.
    pub max_payload_entries: u64,
    /// Snapshot chunk size on the wire (keep below the transport's message limit).
    pub snapshot_chunk_bytes: u64,
    /// Deadline for one snapshot chunk.
    pub install_snapshot_timeout: Duration,
    /// Wait before retrying a peer that was unreachable.
    pub unreachable_backoff: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cluster_name: "shuquan".into(),
            heartbeat_interval: Duration::from_millis(150),
            election_timeout_min: Duration::from_millis(750),
            election_timeout_max: Duration::from_millis(1500),
            // A snapshot streams every state row to a file: not too often.
            snapshot_every: 20_000,
            keep_after_snapshot: 2_000,
            // Entries are blocks of up to 4 MiB: a few per message.
            max_payload_entries: 8,
            snapshot_chunk_bytes: 512 * 1024,
            install_snapshot_timeout: Duration::from_secs(2),
            unreachable_backoff: Duration::from_millis(200),
        }
    }
}

impl Config {
    /// Short timeouts and frequent snapshots, for in-process tests.
    pub fn for_tests() -> Self {
        Self {
            cluster_name: "test".into(),
            heartbeat_interval: Duration::from_millis(50),
            election_timeout_min: Duration::from_millis(150),
            election_timeout_max: Duration::from_millis(300),
            snapshot_every: 100,
            keep_after_snapshot: 10,
            max_payload_entries: 64,
            snapshot_chunk_bytes: 64 * 1024,
            install_snapshot_timeout: Duration::from_millis(500),
            unreachable_backoff: Duration::from_millis(50),
        }
    }

    /// Check the settings, and build openraft's config from them.
    pub(crate) fn to_openraft(&self) -> Result<openraft::Config, Error> {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        if self.snapshot_every == 0 {
            return Err(Error::Config("snapshot_every must be at least 1".into()));
        }
        let c = openraft::Config {
            cluster_name: self.cluster_name.clone(),
            heartbeat_interval: ms(self.heartbeat_interval),
            election_timeout_min: ms(self.election_timeout_min),
            election_timeout_max: ms(self.election_timeout_max),
            install_snapshot_timeout: ms(self.install_snapshot_timeout),
            max_payload_entries: self.max_payload_entries,
            snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(self.snapshot_every),
            snapshot_max_chunk_size: self.snapshot_chunk_bytes,
            max_in_snapshot_log_to_keep: self.keep_after_snapshot,
            ..Default::default()
        };
        c.validate().map_err(|e| Error::Config(e.to_string()))
    }

    /// Check the settings.
    pub fn validate(&self) -> Result<(), Error> {
        self.to_openraft().map(|_| ())
    }
}
