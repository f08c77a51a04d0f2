//! Shuquan key files at rest: plain, or encrypted with a passphrase in the age format.
//!
//! A plain key file is the JSON document `shuquan-proto` reads and writes
//! ([`Keypair::to_key_file`](shuquan_proto::Keypair::to_key_file)). An encrypted key file
//! holds that same document encrypted to a passphrase with [age](https://age-encryption.org/v1)
//! (its scrypt recipient, ASCII armor), after two comment lines in the clear:
//!
//! ```text
//! # Shuquan key file, encrypted with a passphrase (age, scrypt): `shuquan keys decrypt FILE`
//! # public_key: 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
//! -----BEGIN AGE ENCRYPTED FILE-----
//! ...
//! -----END AGE ENCRYPTED FILE-----
//! ```
//!
//! The public key (public anyway: it is in the genesis or a governance proposal) lets
//! `shuquan keys show` answer without the passphrase; every decryption checks that it is
//! the encrypted key's. Without the comment lines the rest is a standard age file
//! (`tail -n +3 FILE | age -d`).
//!
//! Passphrases come from [`Passphrases`]: a passphrase file, `SHUQUAN_KEY_PASSPHRASE`, or
//! a prompt on the terminal (never when stdin is not a terminal). Files are written with
//! mode 0600; [`encrypt_file`] and [`decrypt_file`] replace a file atomically (a temporary
//! file in the same directory, fsynced, renamed over it). Decrypted secrets live in
//! zeroizing buffers. [`load`] warns once per file on stderr when a key file is plain.

mod error;
mod format;
mod passphrase;
mod store;
mod warn;

pub use error::{Error, Result};
pub use format::Protection;
pub use passphrase::{Passphrases, PASSPHRASE_ENV};
pub use store::{decrypt_file, encrypt_file, load, protection, public_key, read, write_new};
pub use warn::{plain_warning, warn_plain_once};
