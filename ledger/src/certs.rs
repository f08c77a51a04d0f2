//! Block signatures and certificates, in their own sled tree (`certs`): the signatures of
//! member nodes over applied blocks (`shuquan_proto::cert`), kept apart from the ledger rows
//! because nodes collect them at their own pace. Only a signature checked against this
//! node's own block at that height is stored, so what is served here always matches the
//! chain here.
//!
//! Keys: `s` ‖ height (8 bytes, big-endian) ‖ node key (32) → signature (64), and
//! `m:certified` → the highest height up to which every block has a certificate.

use std::collections::BTreeSet;

use shuquan_proto::block::block_hash;
use shuquan_proto::cert::majority;
use shuquan_proto::{pb, Hash32, PublicKey};

use crate::error::{Error, Result};
use crate::keys;
use crate::Ledger;

const CERTIFIED: &[u8] = b"m:certified";

fn sig_key(height: u64, node: &PublicKey) -> Vec<u8> {
    let mut k = Vec::with_capacity(41);
    k.push(b's');
    k.extend_from_slice(&height.to_be_bytes());
    k.extend_from_slice(node.as_bytes());
    k
}

fn height_prefix(height: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(b's');
    k.extend_from_slice(&height.to_be_bytes());
    k
}

/// The voter sets of a chain by the height each is in force from (see
/// [`Certs::voter_history`]).
#[derive(Clone, Debug, Default)]
pub struct VoterHistory(Vec<(u64, BTreeSet<PublicKey>)>);

impl VoterHistory {
    /// The voters in force at `height` (empty before the first set).
    pub fn at(&self, height: u64) -> BTreeSet<PublicKey> {
        let i = self.0.partition_point(|(from, _)| *from <= height);
        i.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .map(|(_, set)| set.clone())
            .unwrap_or_default()
    }
}

/// The block signatures this node holds, and its certified height.
#[derive(Clone, Copy, Debug)]
pub struct Certs<'a> {
    ledger: &'a Ledger,
    certs: &'a sled::Tree,
}

impl<'a> Certs<'a> {
    pub(crate) fn new(ledger: &'a Ledger) -> Self {
        Certs {
            ledger,
            certs: &ledger.store.certs,
        }
    }

    /// The hash of the block at `height`, if this node has applied it.
    pub fn block_hash(&self, height: u64) -> Result<Option<Hash32>> {
        let header: Option<pb::BlockHeader> = self.ledger.msg(&keys::header(height))?;
        Ok(header.map(|h| block_hash(self.ledger.hashing(), &h)))
    }

    /// Stores a signature already checked against this node's block at its height.
    pub fn store_signature(&self, height: u64, node: &PublicKey, sig: &[u8]) -> Result<()> {
        self.certs.insert(sig_key(height, node), sig)?;
        Ok(())
    }

    /// How many member nodes (voters or learners) have signed the block at `height` here.
    pub fn signers(&self, height: u64) -> Result<usize> {
        Ok(self.certs.scan_prefix(height_prefix(height)).count())
    }

    /// The voters whose majority certifies the block at `height`.
    pub fn voters_at(&self, height: u64) -> Result<BTreeSet<PublicKey>> {
        crate::nodes::keys_of(&crate::nodes::voters_at(&self.ledger.store, height)?)
    }

    /// Whether the signatures held for the block at `height` are a majority of its voters.
    pub fn is_certified(&self, height: u64) -> Result<bool> {
        self.is_certified_by(height, &self.voters_at(height)?)
    }

    /// Whether the signatures held for the block at `height` are a majority of `voters`
    /// (its voters, e.g. from [`Certs::voter_history`]).
    pub fn is_certified_by(&self, height: u64, voters: &BTreeSet<PublicKey>) -> Result<bool> {
        let mut signed = 0;
        for item in self.certs.scan_prefix(height_prefix(height)) {
            let (k, _) = item?;
            if PublicKey::from_slice(&k[9..]).is_ok_and(|key| voters.contains(&key)) {
                signed += 1;
            }
        }
        Ok(signed >= majority(voters.len()))
    }

    /// Every voter set of the chain, read once, for lookups by height in memory (the
    /// certifier checks hundreds of signatures a round).
    pub fn voter_history(&self) -> Result<VoterHistory> {
        let mut sets = Vec::new();
        for (from, set) in crate::nodes::voter_sets(&self.ledger.store)? {
            sets.push((from, crate::nodes::keys_of(&set)?));
        }
        Ok(VoterHistory(sets))
    }

    /// Every node of the chain now (voters and learners), who signs blocks: its
    /// certificate key, and its node key (whom to ask over the network).
    pub fn nodes(&self) -> Result<std::collections::BTreeMap<PublicKey, PublicKey>> {
        let set = crate::nodes::node_set(&self.ledger.store)?;
        Ok(set
            .nodes
            .iter()
            .filter_map(|n| {
                let cert = shuquan_proto::cert::cert_key_of(&n.node_key, &n.cert_key);
                Some((
                    PublicKey::from_slice(cert).ok()?,
                    PublicKey::from_slice(&n.node_key).ok()?,
                ))
            })
            .collect())
    }

    /// Whether `node` has a signature of the block at `height` here.
    pub fn has_signature(&self, height: u64, node: &PublicKey) -> Result<bool> {
        Ok(self.certs.contains_key(sig_key(height, node))?)
    }

    /// The signatures of the block's voters held for the block at `height` (`None` if the
    /// block is not applied here). Whether they are a certificate is for
    /// `shuquan_proto::cert` to say.
    pub fn certificate(&self, height: u64) -> Result<Option<pb::Certificate>> {
        let Some(hash) = self.block_hash(height)? else {
            return Ok(None);
        };
        let voters = self.voters_at(height)?;
        let mut signatures = Vec::new();
        for item in self.certs.scan_prefix(height_prefix(height)) {
            let (k, v) = item?;
            if !PublicKey::from_slice(&k[9..]).is_ok_and(|key| voters.contains(&key)) {
                continue;
            }
            signatures.push(pb::BlockSignature {
                height,
                block_hash: hash.to_vec(),
                node_key: k[9..].to_vec(),
                signature: v.to_vec(),
            });
        }
        Ok(Some(pb::Certificate {
            height,
            block_hash: hash.to_vec(),
            signatures,
        }))
    }

    /// `node`'s signatures of blocks `after + 1 ..` held here, at most `max`, stopping at
    /// the first height it has not signed.
    pub fn signatures_by(
        &self,
        node: &PublicKey,
        after: u64,
        max: u32,
    ) -> Result<Vec<pb::BlockSignature>> {
        let mut out = Vec::new();
        // `after` comes from a peer: no height follows u64::MAX.
        let Some(first) = after.checked_add(1) else {
            return Ok(out);
        };
        for height in first..=after.saturating_add(u64::from(max)) {
            let Some(sig) = self.certs.get(sig_key(height, node))? else {
                break;
            };
            let Some(hash) = self.block_hash(height)? else {
                break;
            };
            out.push(pb::BlockSignature {
                height,
                block_hash: hash.to_vec(),
                node_key: node.to_vec(),
                signature: sig.to_vec(),
            });
        }
        Ok(out)
    }

    /// The height up to which every block has a certificate here.
    pub fn certified_height(&self) -> Result<u64> {
        match self.certs.get(CERTIFIED)? {
            None => Ok(0),
            Some(v) => {
                let b: [u8; 8] = v
                    .as_ref()
                    .try_into()
                    .map_err(|_| Error::Corrupt("certified height is not 8 bytes".into()))?;
                Ok(u64::from_be_bytes(b))
            }
        }
    }

    /// Moves the certified height.
    pub fn set_certified_height(&self, height: u64) -> Result<()> {
        self.certs.insert(CERTIFIED, &height.to_be_bytes())?;
        Ok(())
    }
}
