//! The catalogue's one error type: bad requests (filters, cursors, entries) and index failures.

/// Everything the catalogue can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A filter value, the page limit or an asset id in a request is not acceptable.
    #[error("bad filter `{field}`: {reason}")]
    BadFilter {
        /// The request field at fault (`grade`, `text`, `limit`, ...).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A page cursor that this catalogue did not hand out (or one made for another sort).
    #[error("bad cursor: {0}")]
    BadCursor(&'static str),
    /// An entry given to `apply` or `rebuild` cannot be indexed (the batch was not applied).
    #[error("bad entry `{asset}`: {reason}")]
    BadEntry {
        /// The entry's asset id as given.
        asset: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stored document could not be turned back into an [`Entry`](crate::Entry).
    #[error("catalogue index holds an unreadable entry: {0}")]
    Corrupt(String),
    /// The index directory could not be opened or created.
    #[error("catalogue directory {path}: {reason}")]
    Directory {
        /// The directory.
        path: std::path::PathBuf,
        /// Why it could not be used.
        reason: String,
    },
    /// tantivy failed (I/O, a lock held by another process, a damaged segment...).
    #[error("catalogue index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

impl Error {
    pub(crate) fn bad_filter(field: &'static str, reason: impl Into<String>) -> Error {
        Error::BadFilter {
            field,
            reason: reason.into(),
        }
    }
}
