//! `shuquan keys`: make key files, show their public key, encrypt and decrypt them in place
//! (age with a passphrase, see `shuquan-keystore`); and how every command loads a key file
//! (`--key`, `--cosign-key`, `--new-key`): encrypted files with the passphrase from
//! `--passphrase-file`, `SHUQUAN_KEY_PASSPHRASE` or a prompt, plain files with a warning.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::json;
use shuquan_keystore::{Passphrases, Protection};
use shuquan_proto::{Keypair, PublicKey};

use crate::{output, Ctx};

/// `shuquan keys ...`
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCmd {
    /// Write a new key file (mode 0600) and print its public key.
    ///
    /// With --encrypt the passphrase comes from --passphrase-file, SHUQUAN_KEY_PASSPHRASE or
    /// a prompt (typed twice).
    New {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Encrypt the key with a passphrase (age, scrypt).
        #[arg(long)]
        encrypt: bool,
        /// The signature scheme: ed25519, or sm2 (GM/T 0003, for members of chains that must
        /// use the national algorithms; also a node's certificate key on an sm3 chain). A
        /// node key is always ed25519 (its p2p identity).
        #[arg(long, default_value = "ed25519", value_parser = ["ed25519", "sm2"])]
        scheme: String,
    },
    /// Print the public key of a key file (an encrypted one's from its clear header, no
    /// passphrase needed).
    Show { file: PathBuf },
    /// Encrypt a plain key file in place with a new passphrase (age, scrypt; the file is
    /// replaced atomically and stays mode 0600).
    Encrypt { file: PathBuf },
    /// Decrypt an encrypted key file in place: it becomes a plain key file again.
    Decrypt { file: PathBuf },
}

/// Runs a `keys` command.
pub(crate) fn run(ctx: &Ctx, cmd: &KeysCmd) -> anyhow::Result<()> {
    let passphrases = passphrases(ctx);
    let (public, file, protection) = match cmd {
        KeysCmd::New {
            out,
            encrypt,
            scheme,
        } => {
            if out.exists() {
                bail!(
                    "{} exists already: `keys new` never overwrites a key file",
                    out.display()
                );
            }
            let scheme = shuquan_proto::keys::Scheme::from_name(scheme)
                .with_context(|| format!("--scheme {scheme:?}: ed25519 or sm2"))?;
            let key = Keypair::generate_with(scheme)?;
            shuquan_keystore::write_new(out, &key, encrypt.then_some(&passphrases))?;
            let protection = if *encrypt {
                Protection::Encrypted
            } else {
                Protection::Plain
            };
            (key.public(), out, protection)
        }
        KeysCmd::Show { file } => (
            shuquan_keystore::public_key(file, &passphrases)?,
            file,
            shuquan_keystore::protection(file)?,
        ),
        KeysCmd::Encrypt { file } => (
            shuquan_keystore::encrypt_file(file, &passphrases)?,
            file,
            Protection::Encrypted,
        ),
        KeysCmd::Decrypt { file } => (
            shuquan_keystore::decrypt_file(file, &passphrases)?,
            file,
            Protection::Plain,
        ),
    };
    let encrypted = protection == Protection::Encrypted;
    output::print(
        ctx,
        &json!({"public_key": public, "scheme": public.scheme().name(), "file": file, "encrypted": encrypted}),
    )
}

/// Where this command's passphrases come from.
fn passphrases(ctx: &Ctx) -> Passphrases {
    Passphrases::from_env(ctx.passphrase_file.clone())
}

/// Loads a key file to sign with (decrypting it, or warning once that it is plain).
pub(crate) fn load(ctx: &Ctx, path: &Path) -> anyhow::Result<Keypair> {
    Ok(shuquan_keystore::load(path, &passphrases(ctx))?)
}

/// The public key of a key file: no passphrase needed for plain files and for encrypted
/// ones with a clear header (those the CLI writes); others ask as [`load`] does, without
/// `--passphrase-file` (not at hand where this is called).
pub(crate) fn public_key(path: &Path) -> anyhow::Result<PublicKey> {
    Ok(shuquan_keystore::public_key(
        path,
        &Passphrases::from_env(None),
    )?)
}
