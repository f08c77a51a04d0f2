//! The error type of `shuquan-ledger`: what stops a block or a read (storage, a damaged
//! data directory), as opposed to a rejected transaction, which is a value in its block.

/// A storage or consistency failure of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The sled database failed.
    #[error("storage: {0}")]
    Storage(#[from] sled::Error),
    /// A stored value does not decode: the data directory is damaged.
    #[error("corrupt ledger: {0}")]
    Corrupt(String),
    /// This node does not hold what was asked, though the chain has it: a state older than
    /// the provable window, or blocks a node that joined by snapshot has not fetched yet.
    /// Another node, or this one later, can answer.
    #[error("not held here: {0}")]
    Unavailable(String),
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
    /// The authenticated state tree (jmt) failed: a missing node means a damaged ledger.
    #[error("state tree: {0}")]
    StateTree(String),
    /// `audit chain` found a block that does not hold (the first one).
    #[error("block {height}: {reason}")]
    Audit {
        /// The first bad height.
        height: u64,
        /// What does not hold there.
        reason: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
