//! The block executor: a pure function from a proposal, the previous block's mark and a
//! [`StateView`] to the block (header, hash, receipts) and the [`Writes`] that commit it.
//! It reads state only through the view, asks a [`Verdicts`] provider about signatures, and
//! knows nothing of storage, threads or networks: the same inputs give the same block on
//! every node, over sled or over rows in memory.

pub(crate) mod index;
pub(crate) mod overlay;
#[cfg(test)]
mod tests;
mod time;

use prost::Message;
use shuquan_proto::block::{block_hash, results_root, tx_root};
use shuquan_proto::codes::reason as r;
use shuquan_proto::codes::Rejection;
use shuquan_proto::tx::{decode_tx, ChainRef, DecodedTx};
use shuquan_proto::{pb, Hash32};

use crate::error::Result;
use crate::keys;
use crate::rules::{self, Ctx, Fail};
use crate::smt;
use crate::verdicts::Verdicts;
use crate::view::{StateView, Writes};
use overlay::State;

pub use time::block_time;

/// A block as executed: its header, hash and receipts.
#[derive(Clone, Debug)]
pub struct AppliedBlock {
    /// The header.
    pub header: pb::BlockHeader,
    /// `H("block", header)`.
    pub hash: Hash32,
    /// One receipt per transaction, in order.
    pub receipts: Vec<pb::Receipt>,
}

/// A block and the writes that commit it.
#[derive(Debug)]
pub struct Executed {
    /// The block.
    pub block: AppliedBlock,
    /// Every row it writes: state rows, the state tree, the chain and the indexes.
    pub writes: Writes,
}

/// What execution needs to know of the chain.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Chain id and genesis hash (what signatures bind).
    pub chain: ChainRef,
    /// The genesis parameters.
    pub params: pb::Params,
    /// How many versions of the state tree before the latest stay provable (`None`: all;
    /// for tests that compare).
    pub retain_versions: Option<u64>,
}

impl Chain {
    /// The chain a genesis begins.
    pub fn of(genesis: &pb::Genesis) -> Self {
        Chain {
            chain: ChainRef::of(genesis),
            params: genesis.params.clone().unwrap_or_default(),
            retain_versions: Some(smt::RETAIN_VERSIONS),
        }
    }
}

/// The rows of a new ledger: the genesis members and their account keys, and version 0 of
/// the state tree over them.
pub fn genesis_writes(genesis: &pb::Genesis) -> Result<Writes> {
    let h = shuquan_proto::genesis::hash_function(genesis)?.hashing();
    let mut writes = Writes::new();
    let mut rows = Vec::new();
    for m in &genesis.members {
        let id = h.member_id(&genesis.chain_id, &m.id);
        rows.push((keys::member(&id), m.encode_to_vec()));
        for k in &m.account_keys {
            let account = pb::AccountRecord {
                member: id.to_vec(),
                added_height: 0,
                revoked_height: 0,
            };
            rows.push((keys::account(k), account.encode_to_vec()));
        }
    }
    let params = genesis.params.clone().unwrap_or_default();
    rows.push((keys::PARAMS.to_vec(), params.encode_to_vec()));
    let council = genesis.council.clone().unwrap_or_default();
    rows.push((keys::COUNCIL.to_vec(), council.encode_to_vec()));
    let nodes = crate::nodes::genesis_nodes(h, genesis);
    rows.push((
        keys::voter_set(1),
        crate::nodes::voters(&nodes).encode_to_vec(),
    ));
    rows.push((keys::NODES.to_vec(), nodes.encode_to_vec()));
    for (k, v) in &rows {
        writes.insert(k.clone(), Some(v.clone()));
    }
    let empty = crate::view::MemView::new();
    smt::update(
        h,
        &empty,
        &mut writes,
        0,
        rows.into_iter().map(|(k, v)| (k, Some(v))),
    )?;
    writes.insert(keys::GENESIS.to_vec(), Some(genesis.encode_to_vec()));
    Ok(writes)
}

/// Executes `proposal` as the block after `prev` over `view`. Failed transactions are kept
/// with their failure code and change nothing; an `Err` is a storage failure of the view.
pub fn execute(
    chain: &Chain,
    view: &dyn StateView,
    prev: &pb::Applied,
    proposal: &pb::Proposal,
    verdicts: &dyn Verdicts,
) -> Result<Executed> {
    let mut writes = Writes::new();
    let block = Block {
        chain,
        view,
        height: prev.height + 1,
    }
    .run(&mut writes, prev, proposal, verdicts)?;
    Ok(Executed { block, writes })
}

struct Block<'a> {
    chain: &'a Chain,
    view: &'a dyn StateView,
    height: u64,
}

impl Block<'_> {
    fn run(
        &self,
        writes: &mut Writes,
        prev: &pb::Applied,
        proposal: &pb::Proposal,
        verdicts: &dyn Verdicts,
    ) -> Result<AppliedBlock> {
        let height = self.height;
        let chain_id = self.chain.chain.id.clone();
        let h = self.chain.chain.hash;
        // The parameters in force at the block's start: a change a proposal makes in this
        // block takes effect from the next. (max_tx_bytes is the genesis's for good: it
        // decides how every block's transactions decode, hence their ids.)
        let params = params_of(self.view)?;
        let max = self.chain.params.max_tx_bytes as usize;
        let decoded: Vec<std::result::Result<DecodedTx, Rejection>> = proposal
            .txs
            .iter()
            .map(|raw| decode_tx(raw, &self.chain.chain, max))
            .collect();
        let now = block_time(
            proposal.timestamp_ms,
            prev.timestamp_ms,
            decoded
                .iter()
                .filter_map(|d| d.as_ref().ok().map(|tx| tx.body.timestamp_ms)),
            params.block_time_skew_ms,
        );

        let mut rows = std::collections::BTreeSet::new();
        // Applications whose public notice has ended are certified before the block's
        // transactions (which may then move the rights they certify).
        {
            let mut st = State::new(self.view, writes);
            rules::certify::issue_due(&mut st, &params, now, height)?;
            rows.extend(st.pending_keys().filter(|k| keys::is_state_row(k)).cloned());
            st.commit();
        }
        let mut receipts = Vec::with_capacity(proposal.txs.len());
        let mut ids = Vec::with_capacity(proposal.txs.len());
        let mut seen = std::collections::HashSet::new();
        for (raw, d) in proposal.txs.iter().zip(&decoded) {
            let (id, outcome) = match d {
                Err(r) => (self.chain.chain.hash.tx_id(&chain_id, raw), Err(r.clone())),
                Ok(tx) => {
                    let outcome = if !seen.insert(tx.id) {
                        Err(r::twice_in_block())
                    } else {
                        match verdicts.verdict(raw, tx) {
                            Err(r) => Err(r),
                            Ok(()) => self.apply_one(writes, &mut rows, tx, now, &params)?,
                        }
                    };
                    (tx.id, outcome)
                }
            };
            let receipt = match &outcome {
                Ok(created) => pb::Receipt {
                    tx_id: id.to_vec(),
                    created: created.map(|c| c.to_vec()).unwrap_or_default(),
                    ..Default::default()
                },
                Err(rejection) => rejection.receipt(&id),
            };
            ids.push(id);
            receipts.push(receipt);
        }

        // The voters that certify this block, and those that certify the next: a block
        // whose governance changed them records the new set, in force from the next height.
        let voters = crate::nodes::voters(&crate::nodes::node_set(self.view)?);
        let next_voters = {
            let layered = crate::view::Layered {
                base: self.view,
                top: writes,
            };
            crate::nodes::voters(&crate::nodes::node_set(&layered)?)
        };
        if next_voters != voters {
            let key = keys::voter_set(height + 1);
            writes.insert(key.clone(), Some(next_voters.encode_to_vec()));
            rows.insert(key);
        }
        // For the node's catalogue: the assets this block changed (their record, or their
        // certificate), whatever changed them (a transaction, or a notice's end).
        let mut assets: Vec<u8> = Vec::new();
        for k in &rows {
            let id = k
                .strip_prefix(b"asset:".as_slice())
                .or_else(|| k.strip_prefix(b"cert:".as_slice()));
            if let Some(id) = id.filter(|id| id.len() == 32) {
                if !assets.chunks(32).any(|a| a == id) {
                    assets.extend_from_slice(id);
                }
            }
        }
        if !assets.is_empty() {
            writes.insert(keys::changed_assets(height), Some(assets));
        }
        let changed: Vec<_> = rows
            .into_iter()
            .map(|k| {
                let v = writes.get(&k).cloned().flatten();
                (k, v)
            })
            .collect();
        let state_root = smt::update(h, self.view, writes, height, changed)?;
        if let Some(gone) = self
            .chain
            .retain_versions
            .and_then(|r| height.checked_sub(r))
        {
            smt::prune(self.view, writes, gone)?;
        }
        let header = pb::BlockHeader {
            chain_id,
            height,
            prev_hash: prev.block_hash.clone(),
            timestamp_ms: now,
            proposer: proposal.proposer.clone(),
            tx_root: tx_root(h, &ids).to_vec(),
            results_root: results_root(h, &receipts).to_vec(),
            tx_count: receipts.len() as u32,
            state_root: state_root.to_vec(),
            voters_hash: crate::nodes::hash_of(h, &voters).to_vec(),
            next_voters_hash: crate::nodes::hash_of(h, &next_voters).to_vec(),
        };
        let hash = block_hash(h, &header);
        let indexed: Vec<index::Indexed<'_>> = ids
            .iter()
            .zip(&decoded)
            .zip(&receipts)
            .map(|((id, d), receipt)| index::Indexed {
                id: *id,
                tx: d.as_ref().ok(),
                receipt,
            })
            .collect();
        index::index_block(self.view, writes, &self.chain.chain, &header, &indexed)?;
        Ok(AppliedBlock {
            header,
            hash,
            receipts,
        })
    }

    /// Runs the rules for one transaction; its writes join the block only if it succeeds,
    /// and the state rows it wrote join `rows`.
    fn apply_one(
        &self,
        writes: &mut Writes,
        rows: &mut std::collections::BTreeSet<Vec<u8>>,
        tx: &DecodedTx,
        now: u64,
        params: &pb::Params,
    ) -> Result<std::result::Result<Option<Hash32>, Rejection>> {
        let mut st = State::new(self.view, writes);
        let result = (|| {
            let signers = rules::check_signers(&st, tx)?;
            rules::check_freshness(&st, tx, now, params.tx_time_window_ms)?;
            let mut ctx = Ctx {
                st: &mut st,
                chain_id: &self.chain.chain.id,
                h: self.chain.chain.hash,
                params,
                now,
                height: self.height,
                tx,
                member: signers.member,
                members: signers.ids,
                touched: Vec::new(),
            };
            rules::apply_tx(&mut ctx)
        })();
        match result {
            Ok(created) => {
                rows.extend(st.pending_keys().filter(|k| keys::is_state_row(k)).cloned());
                st.commit();
                Ok(Ok(created))
            }
            Err(Fail::Reject(r)) => {
                st.rollback();
                Ok(Err(r))
            }
            Err(Fail::Store(e)) => Err(e),
        }
    }
}

/// The chain parameters in force in `view` (`gov:params`).
pub fn params_of(view: &dyn StateView) -> Result<pb::Params> {
    let mut scratch = Writes::new();
    State::new(view, &mut scratch).params()
}

/// The checks a transaction must pass to enter a mempool, over the committed state: its
/// signers are active members (G2) with the payload's role (G3), and it is not committed
/// yet (G4). Signatures and the clock are the caller's (they need no state).
pub fn admissible(
    view: &dyn StateView,
    tx: &DecodedTx,
) -> Result<std::result::Result<(), Rejection>> {
    let mut scratch = Writes::new();
    let st = State::new(view, &mut scratch);
    let check = rules::check_signers(&st, tx)
        .and_then(|signers| match tx.payload() {
            Some(p) => rules::check_role(&signers.member, p),
            None => rules::reject(r::no_payload()),
        })
        .and_then(|()| rules::check_not_committed(&st, tx));
    match check {
        Ok(()) => Ok(Ok(())),
        Err(Fail::Reject(r)) => Ok(Err(r)),
        Err(Fail::Store(e)) => Err(e),
    }
}
