//! The dev chain: one command, no setup. On first start it writes four member keys, a node
//! key and a genesis into the data directory; later starts reuse them, so the chain and
//! its keys survive restarts. The keys are written plain (a dev chain is for trying things,
//! and draws no plain-key warning); any of them may be encrypted later with `shuquan keys
//! encrypt`: the node key is then decrypted with the node's passphrase, and the member keys
//! are read for their public keys only.

use std::path::{Path, PathBuf};

use shuquan_keystore::Passphrases;
use shuquan_proto::genesis::{dev_member, GenesisFile, ParamsFile, DEV_MEMBERS};
use shuquan_proto::{Keypair, PublicKey};

use crate::error::{Error, Result};

/// What a dev data directory holds.
#[derive(Debug)]
pub struct DevSetup {
    /// The genesis (read back from `genesis.toml`).
    pub genesis: GenesisFile,
    /// The node's key.
    pub node_key: Keypair,
    /// Where each member's key file is.
    pub key_files: Vec<(String, PathBuf)>,
    /// Whether this start created them.
    pub created: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The key in `path` (decrypted with `passphrases` if it is encrypted), or a new plain one
/// written there; and whether it is new.
fn load_or_create_key(path: &Path, passphrases: &Passphrases) -> Result<(Keypair, bool)> {
    if path.exists() {
        return Ok((shuquan_keystore::read(path, passphrases)?.0, false));
    }
    let key = Keypair::generate()?;
    shuquan_keystore::write_new(path, &key, None)?;
    Ok((key, true))
}

/// The public key in `path` (from an encrypted file's clear header), or a new plain key
/// file's; and whether it is new.
fn public_or_create_key(path: &Path, passphrases: &Passphrases) -> Result<(PublicKey, bool)> {
    if path.exists() {
        return Ok((shuquan_keystore::public_key(path, passphrases)?, false));
    }
    let key = Keypair::generate()?;
    shuquan_keystore::write_new(path, &key, None)?;
    Ok((key.public(), true))
}

/// Prepares (or reopens) the dev chain in `dir`; a new one reviews registrations when
/// `review` (the genesis decides for good: a reopened chain keeps its own). An encrypted
/// node key is opened with `passphrases`.
pub fn prepare(dir: &Path, review: bool, passphrases: &Passphrases) -> Result<DevSetup> {
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir).map_err(io(&keys_dir))?;
    let (node_key, _) = load_or_create_key(&keys_dir.join("node.key"), passphrases)?;
    let mut key_files = Vec::new();
    let mut members = Vec::new();
    let mut created = false;
    for (i, (id, ..)) in DEV_MEMBERS.iter().enumerate() {
        let path = keys_dir.join(format!("{id}.key"));
        let (key, new) = public_or_create_key(&path, passphrases)?;
        created |= new;
        key_files.push((id.to_string(), path));
        let mut member = dev_member(i, key);
        if i == 0 {
            member.node_key = Some(node_key.public());
        }
        members.push(member);
    }
    let genesis_path = dir.join("genesis.toml");
    let genesis = if genesis_path.exists() {
        let text = std::fs::read_to_string(&genesis_path).map_err(io(&genesis_path))?;
        GenesisFile::parse(&text)?
    } else {
        let genesis = GenesisFile {
            council: Default::default(),
            chain_id: "shuquan-dev".into(),
            genesis_time_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            hash: Default::default(),
            params: ParamsFile {
                registration_review: review,
                ..ParamsFile::dev()
            },
            members,
        };
        std::fs::write(&genesis_path, genesis.to_toml()?).map_err(io(&genesis_path))?;
        created = true;
        genesis
    };
    Ok(DevSetup {
        genesis,
        node_key,
        key_files,
        created,
    })
}
