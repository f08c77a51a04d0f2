//! SM2 (GM/T 0003-2012, GB/T 32918-2016) signing keys on the recommended curve
//! `sm2p256v1`, through RustCrypto's `sm2` crate.
//!
//! - A public key is one canonical encoding: the 33-byte SEC1 compressed point (`02`/`03`
//!   and x). The crate would also take the uncompressed and "compact" forms of the same
//!   point; we refuse them, so one key has one byte string (ids and sets compare bytes).
//! - Every key uses the standard's default distinguishing identifier
//!   [`DISTID`] (GM/T 0009-2012), which hardware keys and other SM2 software also use: it
//!   enters `Z_A`, and the message digest is `e = SM3(Z_A ‖ M)`.
//! - A secret key is `d` in `[1, n−2]` as 32 big-endian bytes. The crate takes `n−1`, for
//!   which no signature exists (`1 + d` has no inverse), so we refuse it on loading.
//! - A signature is `r ‖ s`, 32 big-endian bytes each, both in `[1, n−1]`. Signing is
//!   deterministic (RFC 6979 over SM3, as the crate does it).

use std::sync::OnceLock;

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::sec1::ToSec1Point;

use super::memo::Memo;
use crate::Error;

/// The distinguishing identifier every SM2 key of a chain signs with (GM/T 0009-2012's
/// default user id).
pub const DISTID: &str = "1234567812345678";

/// Bytes of a public key: SEC1 compressed.
pub const PUBLIC_LEN: usize = 33;

/// `n − 1`, the one scalar below the order that cannot sign.
const N_MINUS_1: [u8; 32] = [
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b, 0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x22,
];

fn memo() -> &'static Memo<[u8; PUBLIC_LEN], Option<VerifyingKey>> {
    static MEMO: OnceLock<Memo<[u8; PUBLIC_LEN], Option<VerifyingKey>>> = OnceLock::new();
    MEMO.get_or_init(Memo::new)
}

/// The verifying key of `bytes`, if they are a compressed point on the curve (and not the
/// identity). Remembered.
pub(crate) fn verifying_key(bytes: &[u8; PUBLIC_LEN]) -> Option<VerifyingKey> {
    memo().get(bytes, |b| {
        if b[0] != 0x02 && b[0] != 0x03 {
            return None;
        }
        VerifyingKey::from_sec1_bytes(DISTID, b).ok()
    })
}

/// The compressed encoding of a verifying key.
pub(crate) fn compressed(vk: &VerifyingKey) -> Result<[u8; PUBLIC_LEN], Error> {
    vk.to_sec1_point(true)
        .as_bytes()
        .try_into()
        .map_err(|_| Error::invalid("public key", "an SM2 point that does not compress"))
}

/// The signing key of secret `d` (32 big-endian bytes), refusing 0, `n − 1` and above.
pub(crate) fn signing_key(d: &[u8; 32]) -> Result<SigningKey, Error> {
    if *d == N_MINUS_1 {
        return Err(Error::invalid(
            "secret key",
            "n − 1 is no SM2 signing key (GM/T 0003 takes d in [1, n − 2])",
        ));
    }
    SigningKey::from_slice(DISTID, d)
        .map_err(|_| Error::invalid("secret key", "not an SM2 scalar in [1, n − 2]"))
}

/// `key`'s signature of `msg`: `r ‖ s`.
pub(crate) fn sign(key: &SigningKey, msg: &[u8]) -> Result<[u8; 64], Error> {
    let sig: Signature = key
        .try_sign(msg)
        .map_err(|_| Error::invalid("signature", "SM2 signing failed"))?;
    Ok(sig.to_bytes().into())
}

/// Whether `sig` (`r ‖ s`) is `key`'s signature of `msg`.
pub(crate) fn verify(key: &[u8; PUBLIC_LEN], msg: &[u8], sig: &[u8; 64]) -> bool {
    let Some(vk) = verifying_key(key) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(sig) else {
        return false;
    };
    vk.verify(msg, &sig).is_ok()
}
