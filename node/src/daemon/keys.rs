//! Which key a node certifies blocks with, checked at start against the genesis and the
//! chain's algorithms, so a misconfigured node stops with a reason instead of signing
//! certificates nobody counts.

use shuquan_proto::hash::HashFunction;
use shuquan_proto::keys::Scheme;
use shuquan_proto::{pb, Keypair};

use crate::error::{Error, Result};

/// The key this node certifies blocks with: the one the genesis names for it (checked
/// against `given`), else `given` (a node governance adds names its own), else the node key.
pub(super) fn certificate_key(
    genesis: &pb::Genesis,
    node_key: &Keypair,
    given: Option<Keypair>,
) -> Result<Keypair> {
    let bad = |message: String| Error::Config {
        key: "cert_key".into(),
        message,
    };
    let sm3 = shuquan_proto::genesis::hashing(genesis).function() == HashFunction::Sm3;
    match (&given, sm3) {
        (Some(k), false) => {
            return Err(bad(format!(
                "{} was given, but a blake3 chain's nodes certify with their node key: leave cert_key out",
                k.public()
            )))
        }
        (Some(k), true) if k.scheme() != Scheme::Sm2 => {
            return Err(bad(format!(
                "{} is {}: an sm3 chain's nodes certify with SM2 keys",
                k.public(),
                k.scheme()
            )))
        }
        _ => {}
    }
    let me = node_key.public().to_vec();
    let named = genesis
        .members
        .iter()
        .find(|m| m.node_key == me)
        .map(|m| m.cert_key.clone());
    match (named, given) {
        (Some(named), Some(k)) if named.is_empty() => Err(bad(format!(
            "the genesis names no certificate key for this node, but {} was given: leave cert_key out",
            k.public()
        ))),
        (Some(named), Some(k)) if named != k.public().to_vec() => Err(bad(format!(
            "the genesis names certificate key {} for this node, not {}",
            hex::encode(&named),
            k.public()
        ))),
        (Some(named), None) if !named.is_empty() => Err(bad(format!(
            "the genesis names certificate key {} for this node: give its key file (cert_key, or --cert-key)",
            hex::encode(&named)
        ))),
        (None, None) if sm3 => {
            Err(bad(
                "on an sm3 chain a node certifies blocks with an SM2 key: give its key file (cert_key, or --cert-key)".into(),
            ))
        }
        (_, Some(k)) => Ok(k),
        (_, None) => Ok(node_key.clone()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use shuquan_proto::genesis::{dev_member, GenesisFile, ParamsFile};

    fn genesis(hash: HashFunction, node: &Keypair, cert: Option<&Keypair>) -> pb::Genesis {
        let mut m = dev_member(0, Keypair::from_seed([1; 32]).unwrap().public());
        m.node_key = Some(node.public());
        m.cert_key = cert.map(|c| c.public());
        GenesisFile {
            council: Default::default(),
            chain_id: "keys".into(),
            genesis_time_ms: 1_767_225_600_000,
            hash,
            params: ParamsFile::default(),
            members: vec![m],
        }
        .to_pb()
        .unwrap()
    }

    fn why(r: Result<Keypair>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn the_certificate_key_is_the_one_the_chain_names() {
        let node = Keypair::from_seed([2; 32]).unwrap();
        let sm2 = |n: u8| Keypair::from_secret(Scheme::Sm2, [n; 32]).unwrap();
        // BLAKE3: the node key signs; a certificate key is refused.
        let g = genesis(HashFunction::Blake3, &node, None);
        let k = certificate_key(&g, &node, None).unwrap();
        assert_eq!(k.public(), node.public());
        assert!(why(certificate_key(&g, &node, Some(sm2(3)))).contains("leave cert_key out"));
        // SM3: the named SM2 key, given and matching.
        let g = genesis(HashFunction::Sm3, &node, Some(&sm2(3)));
        let k = certificate_key(&g, &node, Some(sm2(3))).unwrap();
        assert_eq!(k.public(), sm2(3).public());
        assert!(why(certificate_key(&g, &node, None)).contains("give its key file"));
        assert!(why(certificate_key(&g, &node, Some(sm2(4)))).contains("not"));
        assert!(why(certificate_key(&g, &node, Some(node.clone()))).contains("SM2 keys"));
        // A node the genesis does not name (governance adds it): an SM2 key is required.
        let other = Keypair::from_seed([5; 32]).unwrap();
        assert!(why(certificate_key(&g, &other, None)).contains("SM2 key"));
        assert_eq!(
            certificate_key(&g, &other, Some(sm2(6))).unwrap().public(),
            sm2(6).public()
        );
    }
}
