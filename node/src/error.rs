//! The error type of `shuquan-node`.

/// What can stop the node (as opposed to a rejected transaction, which is a value).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The sled database failed.
    #[error("storage: {0}")]
    Storage(#[from] sled::Error),
    /// A stored value does not decode: the data directory is damaged.
    #[error("corrupt ledger: {0}")]
    Corrupt(String),
    /// The data directory belongs to another chain or genesis.
    #[error("genesis mismatch: {0}")]
    GenesisMismatch(String),
    /// An encoding problem in our own types.
    #[error(transparent)]
    Proto(#[from] shuquan_proto::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The node is shutting down or a task it needs has stopped.
    #[error("node stopped: {0}")]
    Stopped(&'static str),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
