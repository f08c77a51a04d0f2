//! The error type of `shuquan-keystore`: each variant names the file and says what to do.

/// What can go wrong reading, writing or converting a key file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing the file failed.
    #[error("key file {path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The passphrase does not open the file.
    #[error("wrong passphrase for key file {path}")]
    WrongPassphrase {
        /// The file.
        path: String,
    },
    /// The file is neither a valid plain key file nor an intact encrypted one.
    #[error("key file {path} is damaged or not a Shuquan key file: {reason}")]
    Damaged {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file is an age file encrypted to something other than a passphrase.
    #[error("key file {path} is age-encrypted, but not to a passphrase (only passphrase-encrypted key files are supported)")]
    NotPassphrase {
        /// The file.
        path: String,
    },
    /// The file asks for more scrypt work than this machine accepts (made on a far
    /// faster machine, or hostile).
    #[error("key file {path} asks for scrypt work factor 2^{required}; this machine accepts up to about 2^{accepted}: re-encrypt it here")]
    ExcessiveWork {
        /// The file.
        path: String,
        /// log2 of the work the file asks for.
        required: u8,
        /// log2 of the work this machine targets.
        accepted: u8,
    },
    /// A passphrase is needed to open the file and none was given (no prompt: stdin is
    /// not a terminal).
    #[error("key file {path} is encrypted: give its passphrase in SHUQUAN_KEY_PASSPHRASE or a file with --passphrase-file (stdin is not a terminal, so there is no prompt)")]
    NoPassphrase {
        /// The file.
        path: String,
    },
    /// A passphrase is needed to encrypt the file and none was given (no prompt: stdin is
    /// not a terminal).
    #[error("encrypting key file {path} needs a new passphrase: give it in SHUQUAN_KEY_PASSPHRASE or a file with --passphrase-file (stdin is not a terminal, so there is no prompt)")]
    NoNewPassphrase {
        /// The file.
        path: String,
    },
    /// The passphrase file cannot be used.
    #[error("passphrase file {path}: {reason}")]
    PassphraseFile {
        /// The passphrase file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The passphrase could not be read from the terminal.
    #[error("reading the passphrase for key file {path} from the terminal: {cause}")]
    Prompt {
        /// The key file.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The two passphrases typed at the prompt differ.
    #[error("the passphrases for key file {path} do not match; nothing was written")]
    Mismatch {
        /// The key file.
        path: String,
    },
    /// An empty passphrase was given for a new encryption.
    #[error("refusing an empty passphrase for key file {path}")]
    EmptyPassphrase {
        /// The key file.
        path: String,
    },
    /// `encrypt` on a file that is encrypted already.
    #[error("key file {path} is already encrypted; nothing was changed")]
    AlreadyEncrypted {
        /// The file.
        path: String,
    },
    /// `decrypt` on a file that is not encrypted.
    #[error("key file {path} is not encrypted; nothing was changed")]
    NotEncrypted {
        /// The file.
        path: String,
    },
    /// The age library refused to encrypt.
    #[error("encrypting key file {path}: {reason}")]
    Encrypt {
        /// The file.
        path: String,
        /// The cause.
        reason: String,
    },
    /// A key could not be made (no randomness from the operating system).
    #[error(transparent)]
    Key(#[from] shuquan_proto::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The `Io` error of `path`.
pub(crate) fn io(path: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io {
        path: path.to_string(),
        cause,
    }
}
