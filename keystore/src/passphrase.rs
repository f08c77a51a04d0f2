//! Where a key file's passphrase comes from, in this order: a passphrase file
//! (`--passphrase-file`, or the node's `key_passphrase_file`), the environment variable
//! `SHUQUAN_KEY_PASSPHRASE`, then a prompt on the terminal — only when stdin is a terminal;
//! otherwise the caller gets [`Error::NoPassphrase`] instead of a hang.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The environment variable holding a key passphrase.
pub const PASSPHRASE_ENV: &str = "SHUQUAN_KEY_PASSPHRASE";

/// The longest passphrase file read.
const MAX_PASSPHRASE_FILE: u64 = 64 * 1024;

/// The sources of passphrases for one process.
pub struct Passphrases {
    file: Option<PathBuf>,
    env: Option<Zeroizing<String>>,
    terminal: bool,
}

impl std::fmt::Debug for Passphrases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passphrases")
            .field("file", &self.file)
            .field("env", &self.env.as_ref().map(|_| "(set)"))
            .field("terminal", &self.terminal)
            .finish()
    }
}

impl Passphrases {
    /// This process's sources: `file` if given, `SHUQUAN_KEY_PASSPHRASE` if set and not
    /// empty, a prompt if stdin is a terminal.
    pub fn from_env(file: Option<PathBuf>) -> Self {
        let env = std::env::var_os(PASSPHRASE_ENV)
            .map(|v| Zeroizing::new(v.to_string_lossy().into_owned()));
        Passphrases::new(file, env, std::io::stdin().is_terminal())
    }

    /// Explicit sources (`env` as if it were the variable's value; `terminal`: whether a
    /// prompt may be shown).
    pub fn new(file: Option<PathBuf>, env: Option<Zeroizing<String>>, terminal: bool) -> Self {
        Passphrases {
            file,
            env: env.filter(|e| !e.is_empty()),
            terminal,
        }
    }

    /// The passphrase that should open `key_file`.
    pub(crate) fn existing(&self, key_file: &Path) -> Result<SecretString> {
        self.get(key_file, false)
    }

    /// A passphrase to encrypt `key_file` with: typed twice at a prompt; never empty.
    pub(crate) fn new_for(&self, key_file: &Path) -> Result<SecretString> {
        self.get(key_file, true)
    }

    fn get(&self, key_file: &Path, confirm: bool) -> Result<SecretString> {
        let name = key_file.display().to_string();
        let pass = if let Some(file) = &self.file {
            read_passphrase_file(file)?
        } else if let Some(env) = &self.env {
            env.clone()
        } else if self.terminal {
            prompt(&name, confirm)?
        } else if confirm {
            return Err(Error::NoNewPassphrase { path: name });
        } else {
            return Err(Error::NoPassphrase { path: name });
        };
        if confirm && pass.is_empty() {
            return Err(Error::EmptyPassphrase { path: name });
        }
        Ok(secret(pass))
    }
}

/// Moves a passphrase into a `SecretString` (which zeroizes on drop).
fn secret(mut pass: Zeroizing<String>) -> SecretString {
    SecretString::from(std::mem::take(&mut *pass))
}

/// The passphrase in `path`: its content without one final line break.
fn read_passphrase_file(path: &Path) -> Result<Zeroizing<String>> {
    let bad = |reason: String| Error::PassphraseFile {
        path: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(256));
    file.take(MAX_PASSPHRASE_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(e.to_string()))?;
    if bytes.len() as u64 > MAX_PASSPHRASE_FILE {
        return Err(bad(format!("longer than {MAX_PASSPHRASE_FILE} bytes")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(text);
    if text.is_empty() {
        return Err(bad("it is empty".into()));
    }
    Ok(Zeroizing::new(text.to_string()))
}

/// Asks on the terminal (twice when `confirm`).
fn prompt(name: &str, confirm: bool) -> Result<Zeroizing<String>> {
    let ask = |question: String| {
        rpassword::prompt_password(question)
            .map(Zeroizing::new)
            .map_err(|cause| Error::Prompt {
                path: name.to_string(),
                cause,
            })
    };
    let pass = ask(format!("Passphrase for key file {name}: "))?;
    if confirm {
        if pass.is_empty() {
            return Err(Error::EmptyPassphrase {
                path: name.to_string(),
            });
        }
        let again = ask("Repeat the passphrase: ".to_string())?;
        if *again != *pass {
            return Err(Error::Mismatch {
                path: name.to_string(),
            });
        }
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use age::secrecy::ExposeSecret;
    use zeroize::Zeroizing;

    use super::*;

    fn env(s: &str) -> Option<Zeroizing<String>> {
        Some(Zeroizing::new(s.to_string()))
    }

    #[test]
    fn a_passphrase_file_wins_over_the_environment_and_loses_one_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pass");
        std::fs::write(&file, "correct horse\r\n").unwrap();
        let p = Passphrases::new(Some(file), env("from env"), false);
        let got = p.existing(Path::new("k.key")).unwrap();
        assert_eq!(got.expose_secret(), "correct horse");
    }

    #[test]
    fn the_environment_is_used_when_no_file_is_given_and_an_empty_one_is_unset() {
        let p = Passphrases::new(None, env("from env"), false);
        assert_eq!(
            p.existing(Path::new("k.key")).unwrap().expose_secret(),
            "from env"
        );
        let p = Passphrases::new(None, env(""), false);
        let err = p.existing(Path::new("k.key")).unwrap_err().to_string();
        assert!(err.contains("k.key is encrypted"), "{err}");
        assert!(err.contains("SHUQUAN_KEY_PASSPHRASE"), "{err}");
        assert!(err.contains("not a terminal"), "{err}");
    }

    #[test]
    fn without_a_terminal_a_new_passphrase_is_asked_for_by_what_it_is_for() {
        let p = Passphrases::new(None, None, false);
        let err = p.new_for(Path::new("k.key")).unwrap_err().to_string();
        assert!(
            err.starts_with("encrypting key file k.key needs a new passphrase"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_or_missing_passphrase_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pass");
        std::fs::write(&file, "\n").unwrap();
        let p = Passphrases::new(Some(file.clone()), None, false);
        let err = p.existing(Path::new("k.key")).unwrap_err().to_string();
        assert!(err.contains("empty") && err.contains("pass"), "{err}");
        let p = Passphrases::new(Some(dir.path().join("nope")), None, false);
        let err = p.existing(Path::new("k.key")).unwrap_err().to_string();
        assert!(err.starts_with("passphrase file"), "{err}");
    }
}
