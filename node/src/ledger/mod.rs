//! The ledger: the data-rights state machine on sled. It applies an ordered proposal of
//! transactions as one block — computing height, previous hash, receipts and roots — and
//! writes the block, its state changes, its indexes and the "last applied" mark in one
//! atomic sled batch. Everything here is synchronous and deterministic.

mod certs;
mod keys;
mod query;
pub use query::GrantsOf;
mod bundle;
pub(crate) mod rules;
mod smt;
mod snapshot;
mod state;
mod verified;

use std::path::Path;

use prost::Message;
use shuquan_proto::block::{block_hash, results_root, tx_root};
use shuquan_proto::codes::{FailureCode, Rejection};
use shuquan_proto::genesis::genesis_hash;
use shuquan_proto::hash::{domain, tagged};
use shuquan_proto::tx::{decode_tx, ChainRef, DecodedTx};
use shuquan_proto::{pb, verify, Hash32};

use crate::error::{Error, Result};
use rules::{Ctx, Fail};
use state::{decode, State, Writes};

/// A block as applied: its header, hash and receipts.
#[derive(Clone, Debug)]
pub struct AppliedBlock {
    /// The header.
    pub header: pb::BlockHeader,
    /// `H("block", header)`.
    pub hash: Hash32,
    /// One receipt per transaction, in order.
    pub receipts: Vec<pb::Receipt>,
}

/// The ledger over one sled tree.
pub struct Ledger {
    db: sled::Db,
    tree: sled::Tree,
    /// Block signatures (see `certs`): kept apart from the ledger rows, so snapshots and
    /// digests cover only what every node agrees on.
    certs: sled::Tree,
    genesis: pb::Genesis,
    params: pb::Params,
    /// The chain id and genesis hash every transaction's signatures bind.
    chain: ChainRef,
    db_file: std::path::PathBuf,
    verified: verified::Verified,
}

/// Transactions whose verified signatures a node remembers between admission and apply.
const REMEMBER_VERIFIED: usize = 65_536;

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ledger({})", self.genesis.chain_id)
    }
}

impl Ledger {
    /// Opens (or creates) the ledger in `dir` for `genesis`. A directory created for another
    /// genesis is refused.
    pub fn open(dir: &Path, genesis: pb::Genesis) -> Result<Self> {
        Self::with_db(open_db(dir)?, dir.join("db"), dir, genesis, true)
    }

    /// Opens the ledger in `dir` only if one is there: a directory without a ledger of
    /// `genesis` is refused and nothing is written to it.
    pub fn open_existing(dir: &Path, genesis: pb::Genesis) -> Result<Self> {
        Self::with_db(open_db(dir)?, dir.join("db"), dir, genesis, false)
    }

    /// A ledger in a temporary directory that sled removes on drop: for re-executing a
    /// chain (`audit chain`) and for tests.
    pub fn open_temporary(genesis: pb::Genesis) -> Result<Self> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("shuquan-ledger-{}-{n}-{nanos}", std::process::id()));
        let db = sled::Config::new().path(&dir).temporary(true).open()?;
        Self::with_db(db, dir.join("db"), &dir, genesis, true)
    }

    fn with_db(
        db: sled::Db,
        db_file: std::path::PathBuf,
        dir: &Path,
        genesis: pb::Genesis,
        create: bool,
    ) -> Result<Self> {
        let tree = db.open_tree("ledger")?;
        let certs = db.open_tree("certs")?;
        let hash = genesis_hash(&genesis);
        let params = genesis.params.clone().unwrap_or_default();
        match tree.get(keys::GENESIS)? {
            Some(stored) => {
                let stored: pb::Genesis = decode(&stored, keys::GENESIS)?;
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
            None if create => Self::write_genesis(&tree, &genesis)?,
            None => {
                return Err(Error::Corrupt(format!(
                    "{} holds no ledger (no genesis row)",
                    dir.display()
                )))
            }
        }
        let height = match tree.get(keys::APPLIED)? {
            Some(v) => decode::<pb::Applied>(&v, keys::APPLIED)?.height,
            None => 0,
        };
        if smt::root(&tree, height)?.is_none() {
            return Err(Error::Corrupt(format!(
                "{} has no state tree at height {height}: an older shuquand wrote it; move it \
                 away (a member node then catches up from its peers) or re-create the devnet",
                dir.display()
            )));
        }
        let ledger = Ledger {
            db,
            tree,
            certs,
            chain: ChainRef {
                id: genesis.chain_id.clone(),
                genesis_hash: hash,
            },
            genesis,
            params,
            db_file,
            verified: verified::Verified::new(REMEMBER_VERIFIED),
        };
        ledger.flush()?;
        Ok(ledger)
    }

    /// The genesis rows of a new ledger (members and their account keys) and version 0 of
    /// the state tree over them, in one batch.
    fn write_genesis(tree: &sled::Tree, genesis: &pb::Genesis) -> Result<()> {
        let mut writes = Writes::new();
        let mut rows = Vec::new();
        for m in &genesis.members {
            rows.push((keys::member(&m.id), m.encode_to_vec()));
            for k in &m.account_keys {
                rows.push((keys::account(k), m.id.as_bytes().to_vec()));
            }
        }
        for (k, v) in &rows {
            writes.insert(k.clone(), Some(v.clone()));
        }
        smt::update(
            tree,
            &mut writes,
            0,
            rows.into_iter().map(|(k, v)| (k, Some(v))),
        )?;
        writes.insert(keys::GENESIS.to_vec(), Some(genesis.encode_to_vec()));
        apply_writes(tree, writes)
    }

    /// The genesis.
    pub fn genesis(&self) -> &pb::Genesis {
        &self.genesis
    }

    /// The chain's parameters.
    pub fn params(&self) -> &pb::Params {
        &self.params
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash32 {
        self.chain.genesis_hash
    }

    /// The chain id and genesis hash transactions are signed for.
    pub fn chain(&self) -> &ChainRef {
        &self.chain
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.genesis.chain_id
    }

    /// The "last applied" mark (height 0 before the first block).
    pub fn applied(&self) -> Result<pb::Applied> {
        Ok(match self.tree.get(keys::APPLIED)? {
            Some(v) => decode(&v, keys::APPLIED)?,
            None => self.empty_applied(),
        })
    }

    /// The mark of a ledger with no block.
    fn empty_applied(&self) -> pb::Applied {
        pb::Applied {
            height: 0,
            block_hash: Hash32::ZERO.to_vec(),
            timestamp_ms: self.genesis.genesis_time_ms,
            mark: Vec::new(),
        }
    }

    /// Makes every applied block durable. sled's own flush ends in `sync_file_range` on
    /// Linux, which is no fsync (ENGINEERING.md A3.2), so the data file is fsynced after it.
    /// Values stay far below sled's blob threshold (transactions ≤ `max_tx_bytes`), so the
    /// data file holds everything.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        let io = |source| Error::Io {
            path: self.db_file.display().to_string(),
            source,
        };
        std::fs::File::open(&self.db_file)
            .and_then(|f| f.sync_all())
            .map_err(io)
    }

    /// Bytes on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    /// Stateless check of a transaction against this chain (decode, size, fields, signature
    /// structure), for admission.
    pub fn decode(&self, raw: &[u8]) -> std::result::Result<DecodedTx, Rejection> {
        decode_tx(raw, &self.chain, self.params.max_tx_bytes as usize)
    }

    /// The checks a transaction must pass to enter the mempool: stateless ones, its
    /// timestamp within `params.tx_time_window_ms` of `now_ms` (the node's clock), its
    /// signatures, and the stateful ones that do not depend on other pending transactions
    /// (signers are members with the role; not already committed). The timestamp check
    /// keeps a client's clock from steering block time (see [`block_time`]).
    pub fn admit(
        &self,
        raw: &[u8],
        now_ms: u64,
    ) -> Result<std::result::Result<DecodedTx, Rejection>> {
        let tx = match self.decode(raw) {
            Ok(tx) => tx,
            Err(r) => return Ok(Err(r)),
        };
        if let Err(r) = rules::check_window(
            &tx,
            now_ms,
            self.params.tx_time_window_ms,
            "this node's clock",
        ) {
            return Ok(Err(r));
        }
        if let Err(r) = verify::verify_tx(&tx) {
            return Ok(Err(r));
        }
        self.verified.insert(raw);
        let mut scratch = Writes::new();
        let st = State::new(&self.tree, &mut scratch);
        let check = rules::check_signers(&st, &tx)
            .and_then(|member| match tx.payload() {
                Some(p) => rules::check_role(&member, p),
                None => rules::reject(FailureCode::UnknownPayload, "no payload"),
            })
            .and_then(|()| rules::check_not_committed(&st, &tx));
        match check {
            Ok(()) => Ok(Ok(tx)),
            Err(Fail::Reject(r)) => Ok(Err(r)),
            Err(Fail::Store(e)) => Err(e),
        }
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
    /// atomic sled batch: after a crash the ledger holds all of them or none. With no
    /// proposals only the mark moves (Raft committed only its own entries).
    pub fn apply_blocks(
        &self,
        proposals: &[pb::Proposal],
        mark: &[u8],
    ) -> Result<Vec<AppliedBlock>> {
        let mut prev = self.applied()?;
        let mut writes = Writes::new();
        let mut blocks = Vec::with_capacity(proposals.len());
        for proposal in proposals {
            let block = self.apply_block(&mut writes, &prev, proposal)?;
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
        apply_writes(&self.tree, writes)?;
        Ok(blocks)
    }

    /// Runs one proposal as the block after `prev`, into `writes`.
    fn apply_block(
        &self,
        writes: &mut Writes,
        prev: &pb::Applied,
        proposal: &pb::Proposal,
    ) -> Result<AppliedBlock> {
        let height = prev.height + 1;
        let chain_id = self.chain_id().to_string();
        let max = self.params.max_tx_bytes as usize;

        let decoded: Vec<std::result::Result<DecodedTx, Rejection>> = proposal
            .txs
            .iter()
            .map(|raw| decode_tx(raw, &self.chain, max))
            .collect();
        let now = block_time(
            proposal.timestamp_ms,
            prev.timestamp_ms,
            decoded
                .iter()
                .filter_map(|d| d.as_ref().ok().map(|tx| tx.body.timestamp_ms)),
            self.params.block_time_skew_ms,
        );
        // `verify_strict` for each transaction, unless admission here already did it for
        // these exact bytes (see `verified`): the same verdict on every node either way.
        let mut verdicts = proposal
            .txs
            .iter()
            .zip(&decoded)
            .filter_map(|(raw, d)| d.as_ref().ok().map(|tx| (raw, tx)))
            .map(|(raw, tx)| {
                if self.verified.take(raw) {
                    Ok(())
                } else {
                    verify::verify_tx(tx)
                }
            })
            .collect::<Vec<_>>()
            .into_iter();

        let mut rows = std::collections::BTreeSet::new();
        let mut receipts = Vec::with_capacity(proposal.txs.len());
        let mut ids = Vec::with_capacity(proposal.txs.len());
        let mut seen = std::collections::HashSet::new();
        for (i, (raw, d)) in proposal.txs.iter().zip(&decoded).enumerate() {
            let index = i as u32;
            let (id, outcome) = match d {
                Err(r) => (
                    tagged(domain::TX_ID, &[chain_id.as_bytes(), raw]),
                    Err(r.clone()),
                ),
                Ok(tx) => {
                    let verdict = verdicts.next().unwrap_or(Ok(()));
                    let outcome = if !seen.insert(tx.id) {
                        Err(Rejection::new(
                            FailureCode::Replay,
                            "the same transaction appears twice in this block",
                        ))
                    } else {
                        match verdict {
                            Err(r) => Err(r),
                            Ok(()) => self.apply_one(writes, &mut rows, tx, now, height, index)?,
                        }
                    };
                    (tx.id, outcome)
                }
            };
            let receipt = match &outcome {
                Ok(created) => pb::Receipt {
                    tx_id: id.to_vec(),
                    code: 0,
                    message: String::new(),
                    created: created.map(|c| c.to_vec()).unwrap_or_default(),
                },
                Err(r) => pb::Receipt {
                    tx_id: id.to_vec(),
                    code: r.code.number(),
                    message: r.message.clone(),
                    created: Vec::new(),
                },
            };
            self.index_tx(writes, raw, d.as_ref().ok(), &receipt, height, index)?;
            ids.push(id);
            receipts.push(receipt);
        }

        let changed: Vec<_> = rows
            .into_iter()
            .map(|k| {
                let v = writes.get(&k).cloned().flatten();
                (k, v)
            })
            .collect();
        let state_root = smt::update(&self.tree, writes, height, changed)?;
        let header = pb::BlockHeader {
            chain_id,
            height,
            prev_hash: prev.block_hash.clone(),
            timestamp_ms: now,
            proposer: proposal.proposer.clone(),
            tx_root: tx_root(&ids).to_vec(),
            results_root: results_root(&receipts).to_vec(),
            tx_count: receipts.len() as u32,
            state_root: state_root.to_vec(),
        };
        let hash = block_hash(&header);
        writes.insert(keys::header(height), Some(header.encode_to_vec()));
        writes.insert(keys::block_time(now, height), Some(Vec::new()));
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
        height: u64,
        index: u32,
    ) -> Result<std::result::Result<Option<Hash32>, Rejection>> {
        let mut st = State::new(&self.tree, writes);
        let result = (|| {
            let member = rules::check_signers(&st, tx)?;
            rules::check_freshness(&st, tx, now, self.params.tx_time_window_ms)?;
            let mut ctx = Ctx {
                st: &mut st,
                chain_id: self.chain_id(),
                params: &self.params,
                now,
                height,
                index,
                tx,
                member,
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

    /// Records a transaction and its receipt, and indexes it by block, signer and asset.
    fn index_tx(
        &self,
        writes: &mut Writes,
        raw: &[u8],
        tx: Option<&DecodedTx>,
        receipt: &pb::Receipt,
        height: u64,
        index: u32,
    ) -> Result<()> {
        let id = Hash32::from_slice(&receipt.tx_id)?;
        let mut st = State::new(&self.tree, writes);
        // The record of an id is the copy that applied, else the first copy; any other copy
        // (a replay, the same body with a bad signature) keeps its own bytes at its block
        // position, so every block can be served as it was.
        let record = pb::TxRecord {
            height,
            index,
            raw: raw.to_vec(),
            receipt: Some(receipt.clone()),
        };
        match st.msg::<pb::TxRecord>(&keys::tx(&id))? {
            None => st.put(keys::tx(&id), &record),
            Some(old) if receipt.code == 0 => {
                st.put_raw(keys::block_raw(old.height, old.index), old.raw);
                st.put(keys::tx(&id), &record);
            }
            Some(_) => st.put_raw(keys::block_raw(height, index), raw.to_vec()),
        }
        // The block's own receipt at this position (a failed replay's differs from the
        // committed record of its id).
        st.put(keys::block_tx(height, index), receipt);
        if let Some(tx) = tx {
            for key in tx.all_signers() {
                st.put_raw(keys::by_signer(key.as_bytes(), height, index), id.to_vec());
            }
            for asset in rules::named_assets(&st, self.chain_id(), tx) {
                if st.exists(&keys::asset(&asset))? {
                    st.put_raw(keys::history(&asset, height, index), id.to_vec());
                }
            }
        }
        st.commit();
        Ok(())
    }
}

/// A block's time: the proposer's clock, held within `skew` of the median timestamp of the
/// block's transactions (signed by their clients, whose clocks a node checked at admission),
/// and never before the previous block. A proposer whose clock runs fast or slow therefore
/// cannot move the chain's time further than `skew` from its clients', nor make their
/// transactions fail their time window.
pub fn block_time(proposed: u64, prev: u64, tx_times: impl Iterator<Item = u64>, skew: u64) -> u64 {
    let mut times: Vec<u64> = tx_times.collect();
    let bounded = if times.is_empty() {
        proposed
    } else {
        let mid = (times.len() - 1) / 2;
        let (_, median, _) = times.select_nth_unstable(mid);
        let median = *median;
        proposed.clamp(median.saturating_sub(skew), median.saturating_add(skew))
    };
    bounded.max(prev)
}

/// Opens the sled database in `dir`.
fn open_db(dir: &Path) -> Result<sled::Db> {
    sled::Config::new().path(dir).open().map_err(|e| match e {
        sled::Error::Io(source) => Error::Io {
            path: dir.display().to_string(),
            source,
        },
        other => Error::Storage(other),
    })
}

/// Writes `writes` to `tree` in one atomic batch.
fn apply_writes(tree: &sled::Tree, writes: Writes) -> Result<()> {
    let mut batch = sled::Batch::default();
    for (k, v) in writes {
        match v {
            Some(v) => batch.insert(k, v),
            None => batch.remove(k),
        }
    }
    tree.apply_batch(batch)?;
    Ok(())
}
