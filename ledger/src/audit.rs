//! `audit chain`: re-checks a whole chain, block by block, trusting only the genesis. For
//! each block it checks the hash link to the block before, the transaction root, the
//! certificate (when there is one), and re-executes the block on a fresh ledger —
//! re-verifying every signature — comparing the re-executed header (results root, state
//! root, hash) with the stored one. The first block that does not hold is named.
//!
//! Blocks come from a node's API (`GET /v1/chain`, in the CLI) or a stopped node's data
//! directory ([`open_data_dir`]); for a data directory, [`ChainAudit::compare_rows`] also
//! compares every stored row with the re-executed ledger, so a corrupted state or index
//! row is found too.

use std::path::Path;

use shuquan_proto::block::{block_hash, tx_root};
use shuquan_proto::cert::{majority, verify_certificate_by};
use shuquan_proto::tx::{decode_canonical, decode_tx};
use shuquan_proto::{pb, Hash32};

use crate::error::{Error, Result};
use crate::verdicts::Strict;
use crate::Ledger;

/// The re-checker. Feed it every block from height 1 in order.
pub struct ChainAudit {
    genesis: pb::Genesis,
    replay: Ledger,
    prev: Hash32,
    prev_time_ms: u64,
    height: u64,
    txs: u64,
    last_certified: u64,
}

/// What a clean run proved.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Blocks checked.
    pub blocks: u64,
    /// Transactions re-executed.
    pub txs: u64,
    /// Hash of the last block.
    pub tip: Hash32,
    /// State root after the last block.
    pub state_root: Hash32,
    /// The highest block with a majority certificate: it and, through the hash links,
    /// every block below it are proven. Blocks above it are not (yet).
    pub last_certified: u64,
}

impl ChainAudit {
    /// A re-checker for `genesis`, re-executing on a temporary ledger.
    pub fn new(genesis: pb::Genesis) -> Result<Self> {
        Ok(ChainAudit {
            replay: Ledger::open_temporary(genesis.clone())?,
            prev_time_ms: genesis.genesis_time_ms,
            genesis,
            prev: Hash32::ZERO,
            height: 0,
            txs: 0,
            last_certified: 0,
        })
    }

    /// Height of the last block checked.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// Transactions re-executed so far.
    pub fn txs(&self) -> u64 {
        self.txs
    }

    /// Checks the next block; an [`Error::Audit`] names what does not hold.
    pub fn check(&mut self, block: &pb::RawBlock) -> Result<()> {
        let h = self.height + 1;
        let bad = |reason: String| Error::Audit { height: h, reason };
        let header: pb::BlockHeader =
            decode_canonical(&block.header, "block header").map_err(|e| bad(e.to_string()))?;
        if header.height != h {
            return Err(bad(format!(
                "the source gave block {} in its place",
                header.height
            )));
        }
        if header.chain_id != self.genesis.chain_id {
            return Err(bad(format!("the block is of chain {:?}", header.chain_id)));
        }
        if header.prev_hash != self.prev.as_bytes() {
            return Err(bad(format!(
                "hash link broken: previous hash {}, but block {} hashes to {}",
                hex::encode(&header.prev_hash),
                h - 1,
                self.prev
            )));
        }
        if header.timestamp_ms < self.prev_time_ms {
            return Err(bad(format!(
                "timestamp {} goes back before the previous block's {}",
                header.timestamp_ms, self.prev_time_ms
            )));
        }
        let hash = block_hash(self.replay.hashing(), &header);
        self.check_txs(&header, &block.txs).map_err(bad)?;
        self.check_certificate(h, &hash, block.certificate.as_ref())
            .map_err(bad)?;
        let proposal = pb::Proposal {
            timestamp_ms: header.timestamp_ms,
            proposer: header.proposer.clone(),
            txs: block.txs.clone(),
        };
        let again = self
            .replay
            .apply_blocks_with(std::slice::from_ref(&proposal), &[], &Strict)
            .map_err(|e| bad(format!("re-execution failed: {e}")))?
            .pop()
            .ok_or_else(|| bad("re-execution gave no block".into()))?;
        if again.hash != hash {
            return Err(bad(differs(&header, &again.header)));
        }
        self.prev = hash;
        self.prev_time_ms = header.timestamp_ms;
        self.height = h;
        self.txs += block.txs.len() as u64;
        Ok(())
    }

    /// The transaction count and root.
    fn check_txs(
        &self,
        header: &pb::BlockHeader,
        txs: &[Vec<u8>],
    ) -> std::result::Result<(), String> {
        if header.tx_count as usize != txs.len() {
            return Err(format!(
                "the header counts {} transactions, the block holds {}",
                header.tx_count,
                txs.len()
            ));
        }
        let max = self.replay.genesis_params().max_tx_bytes as usize;
        let chain = self.replay.chain();
        let ids: Vec<Hash32> = txs
            .iter()
            .map(|raw| {
                decode_tx(raw, chain, max)
                    .map_or_else(|_| chain.hash.tx_id(&chain.id, raw), |t| t.id)
            })
            .collect();
        let root = tx_root(chain.hash, &ids);
        if header.tx_root != root.as_bytes() {
            return Err(format!(
                "transaction root mismatch: the header says {}, the transactions give {root}",
                hex::encode(&header.tx_root)
            ));
        }
        Ok(())
    }

    /// A certificate with a majority's worth of signatures must verify; fewer means not
    /// certified (yet): such a block is proven only by a certified block above it.
    fn check_certificate(
        &mut self,
        h: u64,
        hash: &Hash32,
        cert: Option<&pb::Certificate>,
    ) -> std::result::Result<(), String> {
        let voters = self
            .replay
            .certs()
            .voters_at(h)
            .map_err(|e| e.to_string())?;
        let need = majority(voters.len());
        match cert {
            Some(c) if c.signatures.len() >= need => {
                verify_certificate_by(
                    self.replay.hashing(),
                    &self.genesis.chain_id,
                    &voters,
                    h,
                    hash,
                    c,
                )
                .map_err(|e| e.to_string())?;
                self.last_certified = h;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Compares every row of `stored` (the ledger the blocks came from) with the
    /// re-executed ledger; the first difference is an [`Error::Audit`].
    pub fn compare_rows(&self, stored: &Ledger) -> Result<()> {
        match stored.snapshots().first_difference(&self.replay)? {
            None => Ok(()),
            Some((height, reason)) => Err(Error::Audit { height, reason }),
        }
    }

    /// The verdict after the last block.
    pub fn finish(&self) -> Result<Verdict> {
        Ok(Verdict {
            blocks: self.height,
            txs: self.txs,
            tip: self.prev,
            state_root: self
                .replay
                .bundles()
                .state_root(self.height)?
                .unwrap_or_default(),
            last_certified: self.last_certified,
        })
    }
}

/// Which header field re-execution disagrees on.
fn differs(stored: &pb::BlockHeader, again: &pb::BlockHeader) -> String {
    let hexs = |b: &[u8]| hex::encode(b);
    if stored.results_root != again.results_root {
        format!(
            "results root mismatch: the header says {}, re-execution gives {} (a receipt differs)",
            hexs(&stored.results_root),
            hexs(&again.results_root)
        )
    } else if stored.state_root != again.state_root {
        format!(
            "state root mismatch: the header says {}, re-execution gives {}",
            hexs(&stored.state_root),
            hexs(&again.state_root)
        )
    } else {
        "the header differs from re-execution".into()
    }
}

/// Opens a stopped node's ledger for reading: `dir` is the node's data directory (with a
/// `ledger` directory inside) or the ledger directory itself. Rows are only read.
pub fn open_data_dir(dir: &Path, genesis: pb::Genesis) -> Result<Ledger> {
    let ledger_dir = if dir.join("ledger").is_dir() {
        dir.join("ledger")
    } else {
        dir.to_path_buf()
    };
    if !ledger_dir.join("db").is_file() {
        return Err(Error::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no ledger here (expected a node's data directory or its ledger directory)",
            ),
        });
    }
    Ledger::open_existing(&ledger_dir, genesis)
}
