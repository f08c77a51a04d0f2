//! Member and node keys of either signature scheme, ed25519 or SM2 ([`Scheme`]):
//! [`PublicKey`] (validated, hex-displayed), [`Keypair`] and the key file format.
//!
//! A public key's bytes say its scheme: 32 bytes are an ed25519 key (RFC 8032), 33 bytes
//! an SM2 key (SEC1 compressed, see [`sm2`]). That is the form every transaction, genesis
//! and record carries; it adds nothing to an ed25519 chain's bytes. A signature is 64 bytes
//! in both schemes.
//!
//! A key file is a small JSON document readable by the operator:
//! `{"kind": "shuquan-ed25519-v1", "public_key": "<64 hex>", "secret_key": "<64 hex>"}`,
//! or kind `shuquan-sm2-v1` with a 66-hex public key. It is written with mode 0600 on
//! Unix. Reading checks that the two halves belong together.

use std::cmp::Ordering;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::Error;

mod memo;
mod points;
pub mod sm2;

/// A signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// ed25519 (RFC 8032), the default.
    #[default]
    Ed25519,
    /// SM2 with SM3 (GM/T 0003-2012).
    Sm2,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 2] = [Scheme::Ed25519, Scheme::Sm2];

    /// Its name on the command line and in key files: `ed25519` or `sm2`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::Sm2 => "sm2",
        }
    }

    /// The scheme a name means.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    fn key_file_kind(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "shuquan-ed25519-v1",
            Scheme::Sm2 => "shuquan-sm2-v1",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A public key that decodes to a valid point: for ed25519 one of large order, for SM2 one
/// on the curve, in its one canonical (compressed) encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicKey {
    /// An ed25519 key.
    Ed25519([u8; 32]),
    /// An SM2 key, SEC1 compressed.
    Sm2([u8; sm2::PUBLIC_LEN]),
}

impl PublicKey {
    /// Checks that `bytes` is a valid key of either scheme (its length says which): for
    /// ed25519 a point not of small order (a weak key would let one signature verify for
    /// many messages), for SM2 a compressed point on the curve.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        if let Ok(arr) = <[u8; sm2::PUBLIC_LEN]>::try_from(bytes) {
            if sm2::verifying_key(&arr).is_none() {
                return Err(Error::invalid(
                    "public key",
                    "not a compressed SM2 point (02 or 03, then x on the curve)",
                ));
            }
            return Ok(PublicKey::Sm2(arr));
        }
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::invalid(
                "public key",
                format!("{} bytes, expected 32 (ed25519) or 33 (SM2)", bytes.len()),
            )
        })?;
        if points::decompress(&arr).is_none() {
            // Say which of the two it is; this path is rare, so decompress again.
            let why = match VerifyingKey::from_bytes(&arr) {
                Err(_) => "not a valid ed25519 point",
                Ok(_) => "a weak (small-order) ed25519 key",
            };
            return Err(Error::invalid("public key", why));
        }
        Ok(PublicKey::Ed25519(arr))
    }

    /// Its scheme.
    pub fn scheme(&self) -> Scheme {
        match self {
            PublicKey::Ed25519(_) => Scheme::Ed25519,
            PublicKey::Sm2(_) => Scheme::Sm2,
        }
    }

    /// The bytes: 32 for ed25519, 33 for SM2.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            PublicKey::Ed25519(b) => b,
            PublicKey::Sm2(b) => b,
        }
    }

    /// The bytes as a vector, for protobuf fields.
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    /// Lowercase hex: 64 digits for ed25519, 66 for SM2.
    pub fn to_hex(&self) -> String {
        hex::encode(self.as_bytes())
    }

    /// Whether `sig` is this key's signature of `msg`: ed25519's `verify_strict`, or SM2
    /// with the chain's distinguishing identifier.
    pub fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> bool {
        match self {
            PublicKey::Ed25519(b) => points::decompress(b)
                .map(|vk| {
                    vk.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig))
                        .is_ok()
                })
                .unwrap_or(false),
            PublicKey::Sm2(b) => sm2::verify(b, msg, sig),
        }
    }

    /// The dalek verifying key of an ed25519 key (for batch verification).
    pub(crate) fn ed25519_key(&self) -> Option<VerifyingKey> {
        match self {
            PublicKey::Ed25519(b) => points::decompress(b),
            PublicKey::Sm2(_) => None,
        }
    }
}

/// Keys order by their bytes, as sets of them are sorted on the chain.
impl Ord for PublicKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({}:{})", self.scheme(), self.to_hex())
    }
}

impl FromStr for PublicKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bytes = hex::decode(s.trim()).map_err(|e| {
            Error::invalid(
                "public key",
                format!(
                    "{e}: expected 64 (ed25519) or 66 (SM2) hex digits, got {:?}",
                    s.trim()
                ),
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

/// A signing key of either scheme and its public key.
#[derive(Clone)]
pub struct Keypair {
    secret: Secret,
    public: PublicKey,
}

#[derive(Clone)]
enum Secret {
    Ed25519(SigningKey),
    Sm2(::sm2::dsa::SigningKey),
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({}:{})", self.public.scheme(), self.public)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFile {
    kind: String,
    public_key: String,
    secret_key: String,
}

impl Keypair {
    /// A fresh ed25519 key from the operating system's random source.
    pub fn generate() -> Result<Self, Error> {
        Keypair::generate_with(Scheme::Ed25519)
    }

    /// A fresh key of `scheme` from the operating system's random source.
    pub fn generate_with(scheme: Scheme) -> Result<Self, Error> {
        // An SM2 draw is out of range with probability about 2^-32: a few tries suffice.
        let mut last = None;
        for _ in 0..8 {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret)
                .map_err(|e| Error::invalid("key", format!("no randomness from the OS: {e}")))?;
            match Keypair::from_secret(scheme, secret) {
                Ok(k) => return Ok(k),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::invalid("key", "no key drawn")))
    }

    /// The ed25519 key pair whose secret seed is `seed` (deterministic: for tests and
    /// golden vectors).
    pub fn from_seed(seed: [u8; 32]) -> Result<Self, Error> {
        Keypair::from_secret(Scheme::Ed25519, seed)
    }

    /// The key pair of `scheme` whose secret is `secret`: an ed25519 seed, or SM2's `d`
    /// (big-endian, in `[1, n − 2]`).
    pub fn from_secret(scheme: Scheme, secret: [u8; 32]) -> Result<Self, Error> {
        match scheme {
            Scheme::Ed25519 => {
                let signing = SigningKey::from_bytes(&secret);
                let public = PublicKey::from_slice(signing.verifying_key().as_bytes())?;
                Ok(Keypair {
                    secret: Secret::Ed25519(signing),
                    public,
                })
            }
            Scheme::Sm2 => {
                let signing = sm2::signing_key(&secret)?;
                let public = PublicKey::Sm2(sm2::compressed(signing.verifying_key())?);
                Ok(Keypair {
                    secret: Secret::Sm2(signing),
                    public,
                })
            }
        }
    }

    /// The public key.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// Its scheme.
    pub fn scheme(&self) -> Scheme {
        self.public.scheme()
    }

    /// The 32 secret bytes ([`Keypair::from_secret`] takes them back).
    pub fn secret_bytes(&self) -> [u8; 32] {
        match &self.secret {
            Secret::Ed25519(k) => k.to_bytes(),
            Secret::Sm2(k) => k.to_bytes().into(),
        }
    }

    /// The 32-byte ed25519 secret seed (for libp2p identities built from the same key), or
    /// an error for an SM2 key.
    pub fn secret_seed(&self) -> Result<[u8; 32], Error> {
        match &self.secret {
            Secret::Ed25519(k) => Ok(k.to_bytes()),
            Secret::Sm2(_) => Err(Error::invalid(
                "key",
                "an SM2 key cannot be a node's p2p identity (Noise takes ed25519)",
            )),
        }
    }

    /// The secret key as RFC 8410's PKCS#8 (v1) DER, as JWT and TLS libraries take it
    /// (ed25519 only: JOSE has no SM2 algorithm).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        const PREFIX: [u8; 16] = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        Ok([&PREFIX[..], &self.secret_seed()?].concat())
    }

    /// Signs `msg`: 64 bytes in either scheme. SM2 signing fails only in cases of
    /// probability about 2^-256 (`r = 0` or `r + k = n`).
    pub fn sign(&self, msg: &[u8]) -> Result<[u8; 64], Error> {
        match &self.secret {
            Secret::Ed25519(k) => Ok(k.sign(msg).to_bytes()),
            Secret::Sm2(k) => sm2::sign(k, msg),
        }
    }

    /// The key file text.
    pub fn to_key_file(&self) -> String {
        let file = KeyFile {
            kind: self.scheme().key_file_kind().into(),
            public_key: self.public.to_hex(),
            secret_key: hex::encode(self.secret_bytes()),
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
        let scheme = Scheme::ALL
            .into_iter()
            .find(|s| s.key_file_kind() == file.kind)
            .ok_or_else(|| {
                bad(format!(
                    "kind {:?}, expected {:?} or {:?}",
                    file.kind,
                    Scheme::Ed25519.key_file_kind(),
                    Scheme::Sm2.key_file_kind()
                ))
            })?;
        let secret: [u8; 32] = hex::decode(file.secret_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("secret_key must be 64 hex digits".into()))?;
        let pair = Keypair::from_secret(scheme, secret).map_err(|e| bad(e.to_string()))?;
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
