//! What auditors fetch: an asset's audit bundle ([`Bundles::audit_bundle`]: its events with
//! inclusion proofs, the certified headers, and state proofs of its record, grants and
//! lineage parents at one height), and raw blocks for re-checking a whole chain
//! ([`Bundles::raw_block`]). `shuquan_proto::audit` verifies what this builds.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use shuquan_proto::block::receipt_hash;
use shuquan_proto::merkle::{leaf_hash, proof};
use shuquan_proto::{pb, state, Hash32};

use crate::error::{Error, Result};
use crate::store::decode;
use crate::view::StateView;
use crate::{keys, smt, Ledger};

/// The Merkle leaves of one block's transaction ids and receipts.
struct BlockLeaves {
    txs: Vec<Hash32>,
    receipts: Vec<Hash32>,
}

/// The order a transaction accepts, if it is an `AcceptOrder` (the events passed here
/// committed, so it was accepted).
fn accepted_order(raw: &[u8]) -> Option<Hash32> {
    let raw = pb::TxRaw::decode(raw).ok()?;
    match pb::TxBody::decode(&raw.body[..]).ok()?.payload? {
        pb::tx_body::Payload::AcceptOrder(a) => Hash32::from_slice(&a.order).ok(),
        _ => None,
    }
}

/// Builds what auditors fetch.
#[derive(Clone, Copy, Debug)]
pub struct Bundles<'a> {
    ledger: &'a Ledger,
}

impl<'a> Bundles<'a> {
    pub(crate) fn new(ledger: &'a Ledger) -> Self {
        Bundles { ledger }
    }

    /// The audit bundle of `asset` as of `height` (which must be applied and should be
    /// certified), with its lineage parents' records when `parents`. `None` if the asset
    /// did not exist at that height.
    pub fn audit_bundle(
        &self,
        asset: &Hash32,
        height: u64,
        parents: bool,
    ) -> Result<Option<Vec<u8>>> {
        let latest = self.ledger.applied()?.height;
        if height.saturating_add(smt::RETAIN_VERSIONS) < latest {
            return Err(Error::Unavailable(format!(
                "the state of height {height} is no longer provable: only the last {} heights \
                 are (the latest is {latest}); build the bundle at a later certified height",
                smt::RETAIN_VERSIONS
            )));
        }
        let Some(record_proof) = self.prove(&state::asset_row(asset), height)? else {
            return Ok(None);
        };
        let record: pb::AssetRecord = decode(&record_proof.value, &record_proof.key)?;
        let mut heights = BTreeSet::from([height]);
        let mut accepted = Vec::new();
        let mut leaves: BTreeMap<u64, BlockLeaves> = BTreeMap::new();
        let mut events = Vec::with_capacity(record.event_count as usize);
        // The history chain is the committed part of the asset's history (the transactions
        // that named it and committed are exactly those that extended its chain).
        for (key, id) in self
            .ledger
            .store
            .scan(&keys::prefix("hist", &[asset.as_bytes()]), usize::MAX)?
        {
            let at = key
                .get(key.len() - 12..key.len() - 4)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(u64::MAX);
            if at > height {
                break;
            }
            let Some(tx) = self.ledger.queries().tx_record(&Hash32::from_slice(&id)?)? else {
                return Err(Error::Unavailable(format!(
                    "this node does not hold block {at} of asset {asset}'s history yet (it \
                     joined by snapshot and is still fetching old blocks); try again later or \
                     ask another node"
                )));
            };
            let committed = tx.receipt.as_ref().is_some_and(|r| r.code == 0);
            if !committed || tx.height != at {
                continue;
            }
            let block = match leaves.entry(tx.height) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(self.block_leaves(tx.height)?)
                }
            };
            let i = tx.index as usize;
            let h = self.ledger.hashing();
            let path = |l: &[Hash32]| -> Vec<Vec<u8>> {
                proof(h, l, i)
                    .unwrap_or_default()
                    .iter()
                    .map(Hash32::to_vec)
                    .collect()
            };
            heights.insert(tx.height);
            accepted.extend(accepted_order(&tx.raw));
            events.push(pb::ProvenTx {
                height: tx.height,
                index: tx.index,
                tx: tx.raw,
                tx_path: path(&block.txs),
                receipt: tx.receipt,
                receipt_path: path(&block.receipts),
            });
        }
        if events.len() as u64 != record.event_count {
            return Err(Error::Corrupt(format!(
                "asset {asset} has {} events at height {height}, but its history holds {}",
                record.event_count,
                events.len()
            )));
        }
        let mut vouchers = Vec::new();
        for order in accepted {
            let number = StateView::get(&self.ledger.store, &keys::order(&order))?
                .map(|b| decode::<pb::OrderRecord>(&b, &keys::order(&order)))
                .transpose()?
                .map(|o| o.voucher);
            if let Some(p) = match number {
                Some(n) => self.prove(&state::voucher_row(&n), height)?,
                None => None,
            } {
                vouchers.push(p);
            }
        }
        let mut grants = Vec::new();
        for (k, _) in self
            .ledger
            .store
            .scan(&keys::grants_of_asset(asset), usize::MAX)?
        {
            let id = Hash32::from_slice(&k[k.len() - 32..])?;
            if let Some(p) = self.prove(&state::grant_row(&id), height)? {
                grants.push(p);
            }
        }
        let mut parent_proofs = Vec::new();
        if parents {
            for edge in &record.parents {
                let id = Hash32::from_slice(&edge.parent)?;
                if let Some(p) = self.prove(&state::asset_row(&id), height)? {
                    parent_proofs.push(p);
                }
            }
        }
        let mut headers = Vec::with_capacity(heights.len());
        for h in heights {
            headers.push(pb::CertifiedHeader {
                header: self.header_bytes(h)?,
                certificate: self.ledger.certs().certificate(h)?,
            });
        }
        let voter_changes = self.voter_changes(height)?;
        let certificate = self.prove(&state::certificate_row(asset), height)?;
        let bundle = pb::AuditBundle {
            certificate,
            voter_changes,
            chain_id: self.ledger.chain_id().to_string(),
            genesis_hash: self.ledger.genesis_hash().to_vec(),
            asset: asset.to_vec(),
            height,
            events,
            headers,
            record: Some(record_proof),
            grants,
            parents: parent_proofs,
            vouchers,
        };
        Ok(Some(bundle.encode_to_vec()))
    }

    /// Every change of the voter set that is in force at or below `height`: the block that
    /// made it, with its certificate, and the new voters (see `shuquan_proto::audit::VoterSets`).
    pub(crate) fn voter_changes(&self, height: u64) -> Result<Vec<pb::VoterChange>> {
        let mut out = Vec::new();
        for (from, set) in crate::nodes::voter_changes(&self.ledger.store, height)? {
            let h = from - 1;
            out.push(pb::VoterChange {
                header: Some(pb::CertifiedHeader {
                    header: self.header_bytes(h)?,
                    certificate: self.ledger.certs().certificate(h)?,
                }),
                voters: set.keys,
            });
        }
        Ok(out)
    }

    /// The block at `height` as stored: header bytes, transactions and certificate.
    pub fn raw_block(&self, height: u64) -> Result<Option<pb::RawBlock>> {
        let Some(mut block) = self.ledger.frame(height)? else {
            return Ok(None);
        };
        block.certificate = self.ledger.certs().certificate(height)?;
        Ok(Some(block))
    }

    fn header_bytes(&self, height: u64) -> Result<Vec<u8>> {
        self.ledger
            .store
            .get(&keys::header(height))?
            .ok_or_else(|| Error::Corrupt(format!("no header at height {height}")))
    }

    fn block_leaves(&self, height: u64) -> Result<BlockLeaves> {
        let receipts = self.ledger.queries().block_receipts(height)?;
        let h = self.ledger.hashing();
        Ok(BlockLeaves {
            txs: receipts.iter().map(|r| leaf_hash(h, &r.tx_id)).collect(),
            receipts: receipts
                .iter()
                .map(|r| leaf_hash(h, receipt_hash(h, r).as_bytes()))
                .collect(),
        })
    }

    /// The state root of the block at `height` as the tree holds it (for checks).
    pub fn state_root(&self, height: u64) -> Result<Option<Hash32>> {
        smt::root(self.ledger.hashing(), &self.ledger.store, height)
    }

    /// State row `row` as of `height` with its proof (`None`: it did not exist then).
    fn prove(&self, row: &[u8], height: u64) -> Result<Option<pb::StateProof>> {
        smt::prove(self.ledger.hashing(), &self.ledger.store, row, height)
    }
}
