//! ed25519 keys: [`PublicKey`] (validated, hex-displayed), [`Keypair`] and the key file format.
//!
//! A key file is a small JSON document readable by the operator:
//! `{"kind": "shuquan-ed25519-v1", "public_key": "<64 hex>", "secret_key": "<64 hex>"}`.
//! It is written with mode 0600 on Unix. Reading checks that the two halves belong together.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::Error;

mod points;

/// Key file `kind` tag.
const KEY_FILE_KIND: &str = "shuquan-ed25519-v1";

/// An ed25519 public key that decodes to a curve point of large order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Checks that `bytes` is a 32-byte encoding of a point that is not of small order
    /// (a weak key would let one signature verify for many messages).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::invalid("public key", format!("{} bytes, expected 32", bytes.len()))
        })?;
        if points::decompress(&arr).is_none() {
            // Say which of the two it is; this path is rare, so decompress again.
            let why = match VerifyingKey::from_bytes(&arr) {
                Err(_) => "not a valid ed25519 point",
                Ok(_) => "a weak (small-order) ed25519 key",
            };
            return Err(Error::invalid("public key", why));
        }
        Ok(PublicKey(arr))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The bytes as a vector, for protobuf fields.
    pub fn to_vec(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The dalek verifying key (infallible: checked at construction).
    pub(crate) fn verifying_key(&self) -> Option<VerifyingKey> {
        points::decompress(&self.0)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl FromStr for PublicKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bytes = hex::decode(s.trim()).map_err(|e| {
            Error::invalid(
                "public key",
                format!("{e}: expected 64 hex digits, got {:?}", s.trim()),
            )
        })?;
        PublicKey::from_slice(&bytes)
    }
}

impl serde::Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An ed25519 signing key and its public key.
#[derive(Clone)]
pub struct Keypair {
    signing: SigningKey,
    public: PublicKey,
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({})", self.public)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFile {
    kind: String,
    public_key: String,
    secret_key: String,
}

impl Keypair {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| Error::invalid("key", format!("no randomness from the OS: {e}")))?;
        Keypair::from_seed(seed)
    }

    /// The key pair whose secret seed is `seed` (deterministic: for tests and golden vectors).
    pub fn from_seed(seed: [u8; 32]) -> Result<Self, Error> {
        let signing = SigningKey::from_bytes(&seed);
        let public = PublicKey::from_slice(signing.verifying_key().as_bytes())?;
        Ok(Keypair { signing, public })
    }

    /// The public key.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// The 32-byte secret seed (for libp2p identities built from the same key).
    pub fn secret_seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The secret key as RFC 8410's PKCS#8 (v1) DER, as JWT and TLS libraries take it.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        const PREFIX: [u8; 16] = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        [&PREFIX[..], &self.signing.to_bytes()].concat()
    }

    /// Signs `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }

    /// The key file text.
    pub fn to_key_file(&self) -> String {
        let file = KeyFile {
            kind: KEY_FILE_KIND.into(),
            public_key: self.public.to_hex(),
            secret_key: hex::encode(self.signing.to_bytes()),
        };
        // Serialising three strings cannot fail.
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// Parses key file text.
    pub fn from_key_file(text: &str) -> Result<Self, Error> {
        let bad = |reason: String| Error::KeyFile {
            path: String::new(),
            reason,
        };
        let file: KeyFile =
            serde_json::from_str(text).map_err(|e| bad(format!("not a Shuquan key file ({e})")))?;
        if file.kind != KEY_FILE_KIND {
            return Err(bad(format!(
                "kind {:?}, expected {KEY_FILE_KIND:?}",
                file.kind
            )));
        }
        let seed: [u8; 32] = hex::decode(file.secret_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("secret_key must be 64 hex digits".into()))?;
        let pair = Keypair::from_seed(seed)?;
        if pair.public.to_hex() != file.public_key.trim() {
            return Err(bad("public_key does not belong to secret_key".into()));
        }
        Ok(pair)
    }

    /// Reads a key file.
    pub fn read_file(path: &Path) -> Result<Self, Error> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::KeyFile {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        Keypair::from_key_file(&text).map_err(|e| match e {
            Error::KeyFile { reason, .. } => Error::KeyFile { path: name, reason },
            other => other,
        })
    }

    /// Writes a key file readable only by its owner; refuses to overwrite an existing file.
    pub fn write_file(&self, path: &Path) -> Result<(), Error> {
        use std::io::Write;
        let name = path.display().to_string();
        let io = |e: std::io::Error| Error::KeyFile {
            path: name.clone(),
            reason: e.to_string(),
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(io)?;
        f.write_all(self.to_key_file().as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)
    }
}
