//! The error type of `shuquan-node`.

/// What can stop the node (as opposed to a rejected transaction, which is a value).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The ledger failed (storage, a damaged data directory, another chain's directory).
    #[error(transparent)]
    Ledger(#[from] shuquan_ledger::Error),
    /// An encoding problem in our own types.
    #[error(transparent)]
    Proto(#[from] shuquan_proto::Error),
    /// A key file could not be read (missing, damaged, wrong or missing passphrase).
    #[error(transparent)]
    Key(#[from] shuquan_keystore::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The peer-to-peer network failed (listen, dial, a request to a peer).
    #[error("p2p: {0}")]
    P2p(String),
    /// Raft failed or refused (not the leader, shut down, storage).
    #[error("consensus: {0}")]
    Consensus(#[from] shuquan_consensus::Error),
    /// A setting is invalid: `key` names it, `message` says what to do.
    #[error("config {key}: {message}")]
    Config {
        /// The setting, as written in the TOML file (e.g. `p2p.listen`).
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The catalogue index failed (it is rebuilt from the ledger when it cannot be used).
    #[error("catalogue: {0}")]
    Catalogue(String),
    /// The node is shutting down or a task it needs has stopped.
    #[error("node stopped: {0}")]
    Stopped(&'static str),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
