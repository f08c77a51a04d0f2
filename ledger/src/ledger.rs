//! The [`Ledger`]: the sled [`Store`] of one chain, driven by the pure executor. It admits
//! transactions (the stateful checks that need no block), applies proposals as blocks —
//! each block's writes and the "last applied" mark in one atomic batch — and hands out the
//! read-side types: [`Queries`], [`Certs`], [`Snapshots`] and [`Bundles`].

use std::path::Path;

use prost::Message;
use shuquan_proto::codes::Rejection;
use shuquan_proto::genesis::genesis_hash;
use shuquan_proto::tx::{decode_tx, ChainRef, DecodedTx};
use shuquan_proto::{pb, verify, Hash32};

use crate::bundle::Bundles;
use crate::certs::Certs;
use crate::error::{Error, Result};
use crate::exec::{self, AppliedBlock, Chain};
use crate::keys;
use crate::query::Queries;
use crate::rules;
use crate::smt;
use crate::snapshot::Snapshots;
use crate::store::{Store, Tuning};
use crate::verdicts::{Remembered, Verdicts};
use crate::view::{Layered, StateView, Writes};
use shuquan_proto::hash::Hashing;

/// Transactions whose verified signatures a node remembers between admission and apply.
const REMEMBER_VERIFIED: usize = 65_536;

/// One chain's ledger on disk.
pub struct Ledger {
    pub(crate) store: Store,
    pub(crate) genesis: pb::Genesis,
    pub(crate) chain: Chain,
    remembered: Remembered,
    /// Held by whatever appends blocks and commits their rows (apply, block sync, snapshot
    /// install), so the block files' end and the rows naming it move together.
    writing: std::sync::Mutex<()>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ledger({})", self.genesis.chain_id)
    }
}

impl Ledger {
    /// Opens (or creates) the ledger in `dir` for `genesis`. A directory created for another
    /// genesis is refused.
    pub fn open(dir: &Path, genesis: pb::Genesis) -> Result<Self> {
        Self::open_tuned(dir, genesis, &Tuning::default())
    }

    /// [`Ledger::open`] with the given memory and write batching.
    pub fn open_tuned(dir: &Path, genesis: pb::Genesis, tuning: &Tuning) -> Result<Self> {
        Self::with_store(Store::open(dir, tuning)?, dir, genesis, true)
    }

    /// Opens the ledger in `dir` only if one is there: a directory without a ledger of
    /// `genesis` is refused and nothing is written to it.
    pub fn open_existing(dir: &Path, genesis: pb::Genesis) -> Result<Self> {
        Self::with_store(Store::open(dir, &Tuning::default())?, dir, genesis, false)
    }

    /// A ledger in a temporary directory that sled removes on drop: for re-executing a
    /// chain (`audit chain`) and for tests.
    pub fn open_temporary(genesis: pb::Genesis) -> Result<Self> {
        let dir = std::env::temp_dir();
        Self::with_store(Store::temporary(&Tuning::default())?, &dir, genesis, true)
    }

    fn with_store(store: Store, dir: &Path, genesis: pb::Genesis, create: bool) -> Result<Self> {
        let h = shuquan_proto::genesis::hash_function(&genesis)?.hashing();
        let hash = genesis_hash(&genesis);
        match store.msg::<pb::Genesis>(keys::GENESIS)? {
            Some(stored) => {
                if genesis_hash(&stored) != hash {
                    return Err(Error::GenesisMismatch(format!(
                        "{} holds chain {:?} (genesis {}), not {:?} (genesis {hash}); use another --data-dir, or if this shuquand reads the same genesis file differently (a new release added parameters: see the README's genesis parameters), start the chain anew (for a local devnet: scripts/devnet stop, then remove its directory)",
                        dir.display(),
                        stored.chain_id,
                        genesis_hash(&stored),
                        genesis.chain_id
                    )));
                }
            }
            None if create => store.commit(exec::genesis_writes(&genesis)?)?,
            None => {
                return Err(Error::Corrupt(format!(
                    "{} holds no ledger (no genesis row)",
                    dir.display()
                )))
            }
        }
        if store.get(keys::INSTALLING)?.is_some() {
            crate::snapshot::reset_after_interrupted_install(store.settled()?, &genesis)?;
        }
        let height = store.applied()?.map_or(0, |a| a.height);
        if smt::root(h, &store, height)?.is_none() {
            return Err(Error::Corrupt(format!(
                "{} has no state tree at height {height}: an older shuquand wrote it; move it \
                 away (a member node then catches up from its peers) or re-create the devnet",
                dir.display()
            )));
        }
        let ledger = Ledger {
            store,
            chain: Chain::of(&genesis),
            genesis,
            remembered: Remembered::new(REMEMBER_VERIFIED),
            writing: std::sync::Mutex::new(()),
        };
        ledger.flush()?;
        Ok(ledger)
    }

    /// The genesis.
    pub fn genesis(&self) -> &pb::Genesis {
        &self.genesis
    }

    /// The nodes of the chain as governance decided them.
    pub fn node_set(&self) -> Result<pb::NodeSet> {
        crate::nodes::node_set(&self.store)
    }

    /// The genesis's parameters (`max_tx_bytes` is always the genesis's).
    pub fn genesis_params(&self) -> &pb::Params {
        &self.chain.params
    }

    /// The chain parameters in force (the genesis's, as governance has changed them).
    pub fn params(&self) -> Result<pb::Params> {
        exec::params_of(&self.store)
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash32 {
        self.chain.chain.genesis_hash
    }

    /// The chain id and genesis hash transactions are signed for.
    pub fn chain(&self) -> &ChainRef {
        &self.chain.chain
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.genesis.chain_id
    }

    /// The chain's hash function (its genesis's choice).
    pub fn hashing(&self) -> Hashing {
        self.chain.chain.hash
    }

    /// The "last applied" mark (height 0 before the first block).
    pub fn applied(&self) -> Result<pb::Applied> {
        Ok(self
            .store
            .applied()?
            .unwrap_or_else(|| self.empty_applied()))
    }

    /// The mark of a ledger with no block.
    pub(crate) fn empty_applied(&self) -> pb::Applied {
        pb::Applied {
            height: 0,
            block_hash: Hash32::ZERO.to_vec(),
            timestamp_ms: self.genesis.genesis_time_ms,
            mark: Vec::new(),
        }
    }

    /// Makes every applied block durable: pending blocks go to sled, then an fsync.
    pub fn flush(&self) -> Result<()> {
        self.store.flush()
    }

    /// Bytes on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        self.store.size_on_disk()
    }

    /// The read-side queries (the auditor's questions and the node's views).
    pub fn queries(&self) -> Queries<'_> {
        Queries::new(self)
    }

    /// Block signatures and certificates.
    pub fn certs(&self) -> Certs<'_> {
        Certs::new(self)
    }

    /// Whole-ledger snapshots, digests and comparisons.
    pub fn snapshots(&self) -> Snapshots<'_> {
        Snapshots::new(self)
    }

    /// Audit bundles and raw blocks.
    pub fn bundles(&self) -> Bundles<'_> {
        Bundles::new(self)
    }

    /// Stateless check of a transaction against this chain (decode, size, fields, signature
    /// structure), for admission.
    pub fn decode(&self, raw: &[u8]) -> std::result::Result<DecodedTx, Rejection> {
        decode_tx(
            raw,
            &self.chain.chain,
            self.chain.params.max_tx_bytes as usize,
        )
    }

    /// The checks a transaction must pass to enter the mempool: stateless ones, its
    /// timestamp within `params.tx_time_window_ms` of `now_ms` (the node's clock), its
    /// signatures, and the stateful ones that do not depend on other pending transactions
    /// (signers are members with the role; not already committed). The timestamp check
    /// keeps a client's clock from steering block time (see [`exec::block_time`]).
    pub fn admit(
        &self,
        raw: &[u8],
        now_ms: u64,
    ) -> Result<std::result::Result<DecodedTx, Rejection>> {
        let tx = match self.decode(raw) {
            Ok(tx) => tx,
            Err(r) => return Ok(Err(r)),
        };
        let window = self.params()?.tx_time_window_ms;
        if let Err(r) = rules::check_window(&tx, now_ms, window, rules::Clock::Node) {
            return Ok(Err(r));
        }
        if let Err(r) = verify::verify_tx(&tx) {
            return Ok(Err(r));
        }
        self.remembered.insert(raw);
        Ok(exec::admissible(&self.store, &tx)?.map(|()| tx))
    }

    /// Applies a proposal as the next block, atomically with `mark` as the "last applied"
    /// mark. Failed transactions are kept with their failure code and change nothing.
    pub fn apply(&self, proposal: &pb::Proposal, mark: &[u8]) -> Result<AppliedBlock> {
        let mut blocks = self.apply_blocks(std::slice::from_ref(proposal), mark)?;
        blocks
            .pop()
            .ok_or(Error::Corrupt("a block vanished while applying it".into()))
    }

    /// Applies `proposals` as consecutive blocks and stores `mark` with them, all in one
    /// atomic batch: after a crash the ledger holds all of them or none. With no proposals
    /// only the mark moves (Raft committed only its own entries). Signatures the node's
    /// admission verified are not checked again (see [`crate::verdicts`]).
    pub fn apply_blocks(
        &self,
        proposals: &[pb::Proposal],
        mark: &[u8],
    ) -> Result<Vec<AppliedBlock>> {
        self.apply_blocks_with(proposals, mark, &self.remembered)
    }

    /// [`Ledger::apply_blocks`] with the given signature verdicts.
    pub fn apply_blocks_with(
        &self,
        proposals: &[pb::Proposal],
        mark: &[u8],
        verdicts: &dyn Verdicts,
    ) -> Result<Vec<AppliedBlock>> {
        let _writing = self.writing();
        let mut prev = self.applied()?;
        let mut writes = Writes::new();
        let mut blocks = Vec::with_capacity(proposals.len());
        for proposal in proposals {
            let view = Layered {
                base: &self.store,
                top: &writes,
            };
            let mut executed = exec::execute(&self.chain, &view, &prev, proposal, verdicts)?;
            let block = executed.block;
            let frame = pb::RawBlock {
                header: block.header.encode_to_vec(),
                txs: proposal.txs.clone(),
                certificate: None,
                receipts: block.receipts.clone(),
            };
            let loc = self.store.blocks().append(&frame.encode_to_vec())?;
            executed
                .writes
                .insert(keys::block_loc(block.header.height), Some(loc.encode()));
            // The usual case, one block: its writes are the batch (no merge).
            if writes.is_empty() {
                writes = executed.writes;
            } else {
                writes.extend(executed.writes);
            }
            prev = pb::Applied {
                height: block.header.height,
                block_hash: block.hash.to_vec(),
                timestamp_ms: block.header.timestamp_ms,
                mark: Vec::new(),
            };
            blocks.push(block);
        }
        prev.mark = mark.to_vec();
        writes.insert(keys::APPLIED.to_vec(), Some(prev.encode_to_vec()));
        writes.insert(
            keys::BLOCKS_END.to_vec(),
            Some(self.store.blocks().end().encode()),
        );
        self.store.commit(writes)?;
        Ok(blocks)
    }

    /// Block `height` as stored (header bytes, transactions, receipts; no certificate), if
    /// this node holds it.
    pub(crate) fn frame(&self, height: u64) -> Result<Option<pb::RawBlock>> {
        let Some(loc) = self.store.get(&keys::block_loc(height))? else {
            return Ok(None);
        };
        let bytes = self
            .store
            .blocks()
            .read(crate::blocks::Loc::decode(&loc)?)?;
        pb::RawBlock::decode(bytes.as_slice())
            .map(Some)
            .map_err(|e| Error::Corrupt(format!("block {height} does not decode: {e}")))
    }

    /// The lock of [`Ledger::writing`](Ledger).
    pub(crate) fn writing(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The lowest height whose state this node holds: 0, or the height of the state
    /// snapshot it joined by.
    pub fn state_from(&self) -> Result<u64> {
        Ok(self
            .store
            .get(keys::STATE_FROM)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// A stored message, for the read-side types.
    pub(crate) fn msg<M: Message + Default>(&self, key: &[u8]) -> Result<Option<M>> {
        self.store.msg(key)
    }
}
