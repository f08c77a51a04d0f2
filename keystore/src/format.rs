//! The two key file formats in memory, without file I/O: telling them apart, encrypting a
//! key to a passphrase and decrypting it again.

use std::io::{Read, Write};

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::secrecy::SecretString;
use age::DecryptError;
use shuquan_proto::{Keypair, PublicKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The first line of an encrypted key file.
const TITLE: &str =
    "# Shuquan key file, encrypted with a passphrase (age, scrypt): `shuquan keys decrypt FILE`";
/// The header line naming the public key.
const PUBLIC_KEY: &str = "public_key:";
/// How an ASCII-armored age file starts.
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// How a binary age file starts.
const BINARY_BEGIN: &[u8] = b"age-encryption.org/";
/// The longest decrypted key file accepted (a key file is about 200 bytes).
const MAX_PLAINTEXT: usize = 4096;

/// Whether a key file is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Plain JSON: anyone who reads the file has the key.
    Plain,
    /// Encrypted with a passphrase (age, scrypt).
    Encrypted,
}

/// A key file's bytes, told apart.
#[derive(Debug)]
pub(crate) enum Parsed<'a> {
    /// A plain key file's text.
    Plain(&'a str),
    /// An age file, with the public key its clear header names, if any.
    Encrypted {
        /// From the `# public_key:` line (not authenticated until decrypted).
        public: Option<PublicKey>,
        /// The age file (armored or binary), comment lines removed.
        age: &'a [u8],
    },
}

impl Parsed<'_> {
    /// Plain or encrypted.
    pub(crate) fn protection(&self) -> Protection {
        match self {
            Parsed::Plain(_) => Protection::Plain,
            Parsed::Encrypted { .. } => Protection::Encrypted,
        }
    }
}

/// Tells a plain key file from an encrypted one; `path` names the file in errors.
pub(crate) fn parse<'a>(path: &str, bytes: &'a [u8]) -> Result<Parsed<'a>> {
    let damaged = |reason: String| Error::Damaged {
        path: path.to_string(),
        reason,
    };
    let mut rest = bytes;
    let mut public = None;
    loop {
        rest = rest.trim_ascii_start();
        let Some(comment) = rest.strip_prefix(b"#") else {
            break;
        };
        let end = comment
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(comment.len());
        let line = std::str::from_utf8(&comment[..end])
            .map_err(|_| damaged("a comment line is not UTF-8".into()))?
            .trim();
        if let Some(hex) = line.strip_prefix(PUBLIC_KEY) {
            let key = hex
                .trim()
                .parse()
                .map_err(|e| damaged(format!("the header's public key: {e}")))?;
            public = Some(key);
        }
        rest = &comment[end..];
    }
    if rest.starts_with(ARMOR_BEGIN) || rest.starts_with(BINARY_BEGIN) {
        return Ok(Parsed::Encrypted { public, age: rest });
    }
    if rest.starts_with(b"{") && public.is_none() {
        let text = std::str::from_utf8(rest).map_err(|_| damaged("not UTF-8 text".into()))?;
        return Ok(Parsed::Plain(text));
    }
    Err(damaged(
        "neither a plain key file (JSON) nor an age-encrypted one".into(),
    ))
}

/// The key in a plain key file's text.
pub(crate) fn plain_key(path: &str, text: &str) -> Result<Keypair> {
    Keypair::from_key_file(text).map_err(|e| Error::Damaged {
        path: path.to_string(),
        reason: key_reason(e),
    })
}

/// The reason of a `shuquan-proto` key file error, without its empty path.
fn key_reason(e: shuquan_proto::Error) -> String {
    match e {
        shuquan_proto::Error::KeyFile { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// The encrypted key file text of `key`: the clear header, then the key file encrypted to
/// `passphrase` and armored. `log_n` overrides age's work factor (tests only; age picks
/// about one second of scrypt on this machine).
pub(crate) fn encrypt(
    path: &str,
    key: &Keypair,
    passphrase: SecretString,
    log_n: Option<u8>,
) -> Result<String> {
    let fail = |reason: String| Error::Encrypt {
        path: path.to_string(),
        reason,
    };
    let plain = Zeroizing::new(key.to_key_file());
    let mut recipient = age::scrypt::Recipient::new(passphrase);
    if let Some(log_n) = log_n.filter(|n| (1..64).contains(n)) {
        recipient.set_work_factor(log_n);
    }
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| fail(e.to_string()))?;
    let mut armored = Vec::with_capacity(1024);
    let io = |e: std::io::Error| fail(e.to_string());
    let armor = ArmoredWriter::wrap_output(&mut armored, Format::AsciiArmor).map_err(io)?;
    let mut writer = encryptor.wrap_output(armor).map_err(io)?;
    writer.write_all(plain.as_bytes()).map_err(io)?;
    writer.finish().and_then(|a| a.finish()).map_err(io)?;
    let armored = String::from_utf8(armored).map_err(|e| fail(e.to_string()))?;
    let end = if armored.ends_with('\n') { "" } else { "\n" };
    Ok(format!(
        "{TITLE}\n# {PUBLIC_KEY} {}\n{armored}{end}",
        key.public()
    ))
}

/// Decrypts an age file `age` with `passphrase`; checks that the key is the one `public`
/// (the clear header's) names.
pub(crate) fn decrypt(
    path: &str,
    age_file: &[u8],
    public: Option<PublicKey>,
    passphrase: SecretString,
) -> Result<Keypair> {
    let damaged = |reason: String| Error::Damaged {
        path: path.to_string(),
        reason,
    };
    let decryptor = age::Decryptor::new_buffered(ArmoredReader::new(age_file))
        .map_err(|e| damaged(format!("not a readable age file ({e})")))?;
    if !decryptor.is_scrypt() {
        return Err(Error::NotPassphrase {
            path: path.to_string(),
        });
    }
    let identity = age::scrypt::Identity::new(passphrase);
    let reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            DecryptError::DecryptionFailed | DecryptError::NoMatchingKeys => {
                Error::WrongPassphrase {
                    path: path.to_string(),
                }
            }
            DecryptError::ExcessiveWork { required, target } => Error::ExcessiveWork {
                path: path.to_string(),
                required,
                accepted: target,
            },
            other => damaged(format!("its age header does not check ({other})")),
        })?;
    // Sized up front so the secret is never copied by a growing buffer.
    let mut plain = Zeroizing::new(Vec::with_capacity(MAX_PLAINTEXT + 1));
    reader
        .take(MAX_PLAINTEXT as u64 + 1)
        .read_to_end(&mut plain)
        .map_err(|e| damaged(format!("its encrypted part is cut short or altered ({e})")))?;
    if plain.len() > MAX_PLAINTEXT {
        return Err(damaged(format!(
            "its decrypted content exceeds {MAX_PLAINTEXT} bytes"
        )));
    }
    let text = std::str::from_utf8(&plain)
        .map_err(|_| damaged("its decrypted content is not text".into()))?;
    let key = Keypair::from_key_file(text)
        .map_err(|e| damaged(format!("its decrypted content: {}", key_reason(e))))?;
    if public.is_some_and(|p| p != key.public()) {
        return Err(damaged(
            "the public key in its clear header is not the encrypted key's: the header was altered"
                .into(),
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests;
