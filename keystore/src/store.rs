//! Key files on disk: read (plain or encrypted), write new ones, and encrypt or decrypt a
//! file in place atomically.

use std::io::{Read, Write};
use std::path::Path;

use shuquan_proto::{Keypair, PublicKey};
use zeroize::Zeroizing;

use crate::error::{io, Error, Result};
use crate::format::{self, Parsed, Protection};
use crate::passphrase::Passphrases;
use crate::warn::warn_plain_once;

/// The largest key file read (an encrypted one is under 1 KiB).
const MAX_KEY_FILE: u64 = 64 * 1024;

/// The file's bytes, bounded; zeroized when dropped (a plain file holds the secret).
fn read_bytes(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(io(&name))?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(2048));
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io(&name))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(Error::Damaged {
            path: name,
            reason: format!("longer than {MAX_KEY_FILE} bytes"),
        });
    }
    Ok(bytes)
}

/// Whether the key file at `path` is encrypted (reads no secret, asks no passphrase).
pub fn protection(path: &Path) -> Result<Protection> {
    let bytes = read_bytes(path)?;
    Ok(format::parse(&path.display().to_string(), &bytes)?.protection())
}

/// Reads a key file, asking `passphrases` when it is encrypted.
pub fn read(path: &Path, passphrases: &Passphrases) -> Result<(Keypair, Protection)> {
    let name = path.display().to_string();
    let bytes = read_bytes(path)?;
    match format::parse(&name, &bytes)? {
        Parsed::Plain(text) => Ok((format::plain_key(&name, text)?, Protection::Plain)),
        Parsed::Encrypted { public, age } => {
            let pass = passphrases.existing(path)?;
            let key = format::decrypt(&name, age, public, pass)?;
            Ok((key, Protection::Encrypted))
        }
    }
}

/// Reads a key file to use it: as [`read`], and a plain file draws a warning on stderr
/// (once per file per process).
pub fn load(path: &Path, passphrases: &Passphrases) -> Result<Keypair> {
    let (key, protection) = read(path, passphrases)?;
    if protection == Protection::Plain {
        warn_plain_once(path);
    }
    Ok(key)
}

/// The public key of a key file, without its passphrase when the encrypted file's clear
/// header names it (checked only when the key is decrypted); otherwise as [`read`].
pub fn public_key(path: &Path, passphrases: &Passphrases) -> Result<PublicKey> {
    let name = path.display().to_string();
    let bytes = read_bytes(path)?;
    match format::parse(&name, &bytes)? {
        Parsed::Plain(text) => Ok(format::plain_key(&name, text)?.public()),
        Parsed::Encrypted {
            public: Some(public),
            ..
        } => Ok(public),
        Parsed::Encrypted { public: None, age } => {
            let pass = passphrases.existing(path)?;
            Ok(format::decrypt(&name, age, None, pass)?.public())
        }
    }
}

/// Writes `key` to a new file (mode 0600; an existing file is never overwritten):
/// encrypted with a new passphrase from `encrypt`, or plain.
pub fn write_new(path: &Path, key: &Keypair, encrypt: Option<&Passphrases>) -> Result<()> {
    write_new_with(path, key, encrypt, None)
}

pub(crate) fn write_new_with(
    path: &Path,
    key: &Keypair,
    encrypt: Option<&Passphrases>,
    log_n: Option<u8>,
) -> Result<()> {
    let name = path.display().to_string();
    let text = match encrypt {
        Some(p) => Zeroizing::new(format::encrypt(&name, key, p.new_for(path)?, log_n)?),
        None => Zeroizing::new(key.to_key_file()),
    };
    let mut file = create_private(path).map_err(io(&name))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(&name))?;
    sync_dir(path).map_err(io(&name))
}

/// Encrypts a plain key file in place with a new passphrase; refuses an encrypted one.
pub fn encrypt_file(path: &Path, passphrases: &Passphrases) -> Result<PublicKey> {
    encrypt_file_with(path, passphrases, None)
}

pub(crate) fn encrypt_file_with(
    path: &Path,
    passphrases: &Passphrases,
    log_n: Option<u8>,
) -> Result<PublicKey> {
    let name = path.display().to_string();
    let bytes = read_bytes(path)?;
    let key = match format::parse(&name, &bytes)? {
        Parsed::Plain(text) => format::plain_key(&name, text)?,
        Parsed::Encrypted { .. } => return Err(Error::AlreadyEncrypted { path: name }),
    };
    let text = format::encrypt(&name, &key, passphrases.new_for(path)?, log_n)?;
    replace(path, text.as_bytes())?;
    Ok(key.public())
}

/// Decrypts an encrypted key file in place (it becomes a plain key file); refuses a plain
/// one.
pub fn decrypt_file(path: &Path, passphrases: &Passphrases) -> Result<PublicKey> {
    let name = path.display().to_string();
    let bytes = read_bytes(path)?;
    let key = match format::parse(&name, &bytes)? {
        Parsed::Plain(_) => return Err(Error::NotEncrypted { path: name }),
        Parsed::Encrypted { public, age } => {
            format::decrypt(&name, age, public, passphrases.existing(path)?)?
        }
    };
    let text = Zeroizing::new(key.to_key_file());
    replace(path, text.as_bytes())?;
    Ok(key.public())
}

/// Opens a new file readable and writable by its owner only; fails if it exists.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Replaces `path` with `contents` atomically: a temporary file beside it (mode 0600),
/// written and fsynced, renamed over it, and the directory fsynced. A crash leaves the
/// old file or the new one, never a mix (perhaps a stray `.NAME.tmp-PID`).
fn replace(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path.display().to_string();
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Io {
            path: name.clone(),
            cause: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?
        .to_string_lossy();
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = create_private(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Io {
            path: name,
            cause: e,
        });
    }
    sync_dir(path).map_err(io(&name))
}

/// Fsyncs the directory holding `path`, so a new or renamed entry survives a crash.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests;
