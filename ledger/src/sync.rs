//! Block sync, the ledger's side: which blocks this node lacks (a [`Gap`], left by joining
//! through a state snapshot), and [`Ledger::fill_gap`], which checks blocks a peer served
//! against what the node already trusts and stores them with their history rows.
//!
//! Blocks are fetched from the top of the gap down: the top block's hash is known (the
//! snapshot's block, or the block after the gap), so each block served is checked by its
//! hash, and the block below it by the hash link, without trusting the peer. Each block's
//! transactions and receipts are checked against its header's roots, so nothing but the
//! exact chain is accepted.

use prost::Message;
use shuquan_proto::block::{block_hash, results_root, tx_root};
use shuquan_proto::tx::{decode_canonical, decode_tx, DecodedTx};
use shuquan_proto::{pb, Hash32};

use crate::error::Result;
use crate::exec::index::{index_block, Indexed};
use crate::fixed::Fields;
use crate::keys;
use crate::view::{StateView, Writes};
use crate::Ledger;

/// Blocks `lo..=hi` are missing here; the block at `hi` hashes to `anchor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Lowest missing height.
    pub lo: u64,
    /// Highest missing height.
    pub hi: u64,
    /// Hash of the block at `hi`.
    pub anchor: Hash32,
}

impl Gap {
    pub(crate) fn encode(&self) -> Vec<u8> {
        [
            &self.lo.to_be_bytes()[..],
            &self.hi.to_be_bytes(),
            self.anchor.as_bytes(),
        ]
        .concat()
    }

    pub(crate) fn decode(b: &[u8]) -> Result<Self> {
        let mut f = Fields::exact(b, 48, "gap row")?;
        Ok(Gap {
            lo: f.u64()?,
            hi: f.u64()?,
            anchor: Hash32(f.array()?),
        })
    }
}

/// Most blocks one request asks for.
pub const SYNC_BATCH: u64 = 256;

/// A block's header checked against the height and hash it must have.
fn check_link(
    chain: &crate::exec::Chain,
    want_height: u64,
    want_hash: &Hash32,
    b: &pb::RawBlock,
) -> std::result::Result<pb::BlockHeader, String> {
    let header: pb::BlockHeader =
        decode_canonical(&b.header, "block header").map_err(|e| e.to_string())?;
    if header.height != want_height {
        return Err(format!(
            "block {} served for height {want_height}",
            header.height
        ));
    }
    if header.chain_id != chain.chain.id {
        return Err(format!("a block of chain {:?}", header.chain_id));
    }
    let hash = block_hash(chain.chain.hash, &header);
    if hash != *want_hash {
        return Err(format!(
            "block {want_height} hashes to {hash}, but the chain here says {want_hash}"
        ));
    }
    Ok(header)
}

/// The bodies of `blocks` checked against their headers (see [`check_body`]), on up to
/// every core: the costly part of block sync (every signature).
fn check_bodies(
    chain: &crate::exec::Chain,
    blocks: &[(&pb::RawBlock, &pb::BlockHeader)],
) -> Vec<std::result::Result<Vec<Option<DecodedTx>>, String>> {
    let one = |(b, h): &(&pb::RawBlock, &pb::BlockHeader)| check_body(chain, h, b);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || blocks.len() < 2 {
        return blocks.iter().map(one).collect();
    }
    let per = blocks.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = blocks
            .chunks(per)
            .map(|part| (part.len(), s.spawn(move || part.iter().map(one).collect())))
            .collect();
        parts
            .into_iter()
            .flat_map(|(len, p)| {
                p.join()
                    .unwrap_or_else(|_| vec![Err("checking it failed".to_string()); len])
            })
            .collect()
    })
}

/// A block's transactions, receipts and signatures checked against its header.
fn check_body(
    chain: &crate::exec::Chain,
    header: &pb::BlockHeader,
    b: &pb::RawBlock,
) -> std::result::Result<Vec<Option<DecodedTx>>, String> {
    if header.tx_count as usize != b.txs.len() || b.txs.len() != b.receipts.len() {
        return Err(format!(
            "the header counts {} transactions; the block holds {} and {} receipts",
            header.tx_count,
            b.txs.len(),
            b.receipts.len()
        ));
    }
    let max = chain.params.max_tx_bytes as usize;
    let decoded: Vec<_> = b
        .txs
        .iter()
        .map(|raw| decode_tx(raw, &chain.chain, max).ok())
        .collect();
    let ids: Vec<Hash32> = b
        .txs
        .iter()
        .zip(&decoded)
        .map(|(raw, d)| {
            d.as_ref()
                .map_or_else(|| chain.chain.hash.tx_id(&chain.chain.id, raw), |t| t.id)
        })
        .collect();
    if tx_root(chain.chain.hash, &ids).as_bytes() != header.tx_root.as_slice() {
        return Err("its transactions do not match the header's transaction root".into());
    }
    if results_root(chain.chain.hash, &b.receipts).as_bytes() != header.results_root.as_slice() {
        return Err("its receipts do not match the header's results root".into());
    }
    if ids
        .iter()
        .zip(&b.receipts)
        .any(|(id, r)| r.tx_id != id.as_bytes())
    {
        return Err("a receipt names another transaction".into());
    }
    // The roots bind a transaction's body, not its signatures: a signature must hold
    // exactly when execution found it held (every decodable transaction had its signatures
    // checked, but a second copy in the same block).
    for (i, (d, r)) in decoded.iter().zip(&b.receipts).enumerate() {
        let Some(tx) = d else { continue };
        let twice = shuquan_proto::codes::reason::twice_in_block().receipt(&tx.id);
        if (r.code, r.detail) == (twice.code, twice.detail) {
            continue;
        }
        let bad_signature = r.code == shuquan_proto::codes::FailureCode::BadSignature.number();
        if shuquan_proto::verify::verify_tx(tx).is_ok() == bad_signature {
            return Err(format!(
                "the signatures of transaction {i} are not the ones executed"
            ));
        }
    }
    Ok(decoded)
}

impl Ledger {
    /// The blocks this node lacks, if any.
    pub fn gap(&self) -> Result<Option<Gap>> {
        self.store
            .get(keys::GAP)?
            .map(|b| Gap::decode(&b))
            .transpose()
    }

    /// Stores `blocks` (consecutive, ascending, the highest being the top of the gap), each
    /// checked by its hash from the top down; the gap shrinks below them. A block that does
    /// not hold is refused with the reason (`Ok(Err(..))`) and nothing is stored; `Err` is
    /// a storage failure. Returns how many blocks were stored.
    pub fn fill_gap(&self, blocks: &[pb::RawBlock]) -> Result<std::result::Result<u64, String>> {
        let Some(gap) = self.gap()? else {
            return Ok(Ok(0));
        };
        if blocks.is_empty() {
            return Ok(Err("no blocks served".into()));
        }
        let n = blocks.len() as u64;
        if n > gap.hi - gap.lo + 1 {
            return Ok(Err(format!(
                "{n} blocks served for a gap of {}",
                gap.hi - gap.lo + 1
            )));
        }
        let low = gap.hi + 1 - n;
        // The hash links, top down (cheap); then the bodies of the linked blocks, on every
        // core; the first block from the top that fails is the reason. Nothing is locked
        // meanwhile: applying blocks goes on.
        let mut want = gap.anchor;
        let mut linked = Vec::with_capacity(blocks.len());
        let mut broken = None;
        for (i, b) in blocks.iter().enumerate().rev() {
            let height = low + i as u64;
            match check_link(&self.chain, height, &want, b) {
                Ok(h) => {
                    want = Hash32::from_slice(&h.prev_hash)?;
                    linked.push((b, h));
                }
                Err(why) => {
                    broken = Some(format!("block {height}: {why}"));
                    break;
                }
            }
        }
        let pairs: Vec<_> = linked.iter().map(|(b, h)| (*b, h)).collect();
        let bodies = check_bodies(&self.chain, &pairs);
        let mut headers = Vec::with_capacity(linked.len());
        for ((_, header), body) in linked.into_iter().zip(bodies) {
            match body {
                Ok(decoded) => headers.push((header, decoded)),
                Err(why) => return Ok(Err(format!("block {}: {why}", header.height))),
            }
        }
        if let Some(why) = broken {
            return Ok(Err(why));
        }
        headers.reverse();
        let _writing = self.writing();
        if self.gap()? != Some(gap) {
            return Ok(Err(
                "the gap changed while the blocks were checked; ask again".into(),
            ));
        }
        if low == gap.lo {
            // The block below the gap must be the one linked to.
            let below = if low == 1 {
                Some(Hash32::ZERO)
            } else {
                self.certs().block_hash(low - 1)?
            };
            if below.is_some_and(|h| h != want) {
                return Ok(Err(format!(
                    "block {low} links to {want}, but block {} here is {}",
                    low - 1,
                    below.unwrap_or_default()
                )));
            }
        }
        let mut writes = Writes::new();
        for (b, (header, decoded)) in blocks.iter().zip(&headers) {
            let indexed: Vec<Indexed<'_>> = decoded
                .iter()
                .zip(&b.receipts)
                .map(|(d, receipt)| Indexed {
                    id: Hash32::from_slice(&receipt.tx_id).unwrap_or_default(),
                    tx: d.as_ref(),
                    receipt,
                })
                .collect();
            let view = crate::view::Layered {
                base: &self.store,
                top: &writes,
            };
            let mut rows = Writes::new();
            index_block(&view, &mut rows, &self.chain.chain, header, &indexed)?;
            writes.extend(rows);
            let frame = pb::RawBlock {
                certificate: None,
                ..b.clone()
            };
            let loc = self.store.blocks().append(&frame.encode_to_vec())?;
            writes.insert(keys::block_loc(header.height), Some(loc.encode()));
        }
        writes.insert(
            keys::BLOCKS_END.to_vec(),
            Some(self.store.blocks().end().encode()),
        );
        let rest = (low > gap.lo).then(|| Gap {
            lo: gap.lo,
            hi: low - 1,
            anchor: want,
        });
        writes.insert(keys::GAP.to_vec(), rest.map(|g| g.encode()));
        self.store.commit(writes)?;
        // Certificates that hold are kept, so this node serves and counts them too.
        for (b, (header, _)) in blocks.iter().zip(&headers) {
            if let Some(cert) = &b.certificate {
                let hash = block_hash(self.hashing(), header);
                let voters = self.certs().voters_at(header.height)?;
                if shuquan_proto::cert::verify_certificate_by(
                    self.hashing(),
                    &self.genesis.chain_id,
                    &voters,
                    header.height,
                    &hash,
                    cert,
                )
                .is_ok()
                {
                    for s in &cert.signatures {
                        if let Ok(node) = shuquan_proto::PublicKey::from_slice(&s.node_key) {
                            self.certs()
                                .store_signature(header.height, &node, &s.signature)?;
                        }
                    }
                }
            }
        }
        Ok(Ok(n))
    }

    /// Blocks `to + 1 - count ..= to` as this node holds them, with receipts and
    /// certificates, for a peer's sync: from `to` down to the first block not held, at most
    /// [`SYNC_BATCH`] and `max_bytes` of them (at least one), returned ascending. Empty if
    /// this node does not hold `to`.
    pub fn blocks_for_sync(
        &self,
        to: u64,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<pb::RawBlock>> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        if to > self.applied()?.height {
            return Ok(out);
        }
        let from = to.saturating_sub(count.min(SYNC_BATCH)) + 1;
        for h in (from.max(1)..=to).rev() {
            let Some(b) = self.bundles().raw_block(h)? else {
                break;
            };
            bytes += b.encoded_len();
            if bytes > max_bytes && !out.is_empty() {
                break;
            }
            out.push(b);
        }
        out.reverse();
        Ok(out)
    }
}
