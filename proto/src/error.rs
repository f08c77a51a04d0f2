//! The error type of `shuquan-proto`.

/// Everything that can go wrong while decoding, parsing or checking Shuquan encodings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a valid protobuf encoding of the expected message.
    #[error("malformed {what}: {source}")]
    Decode {
        /// Which message was being decoded.
        what: &'static str,
        /// The decoder's complaint.
        source: prost::DecodeError,
    },
    /// The bytes decode, but are not the one canonical encoding of their message.
    #[error("non-canonical {what}: re-encoding gives different bytes (unknown field, explicit default, duplicate or over-long varint)")]
    NonCanonical {
        /// Which message was being decoded.
        what: &'static str,
    },
    /// A hash or key had the wrong length or was not valid hex.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being parsed (e.g. "hash", "public key").
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A key file could not be read or written.
    #[error("key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The genesis file is unreadable or inconsistent.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A block signature or certificate does not hold (the message says exactly why).
    #[error("{0}")]
    Certificate(String),
    /// An audit bundle or a state proof does not hold (the message says exactly why).
    #[error("{0}")]
    Audit(String),
}

impl Error {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            what,
            reason: reason.into(),
        }
    }
}
