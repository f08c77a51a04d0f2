//! Blocks and transactions: headers, records, receipts, inclusion proofs, block times.

use std::ops::Bound;

use crate::view::StateView;
use shuquan_proto::pb;
use shuquan_proto::tx::decode_canonical;
use shuquan_proto::views::{self as v, ReceiptView};
use shuquan_proto::{block::block_hash, Hash32};

use super::{id32, Queries};
use crate::error::{Error, Result};
use crate::keys;

impl Queries<'_> {
    /// A block header.
    pub fn header(&self, height: u64) -> Result<Option<pb::BlockHeader>> {
        let key = keys::header(height);
        self.ledger.store.msg(&key)
    }

    /// A transaction's record: where the copy that committed (else the earliest copy) is,
    /// its bytes and its receipt. `None` also while the node has not fetched its block
    /// (after joining by snapshot).
    pub fn tx_record(&self, id: &Hash32) -> Result<Option<pb::TxRecord>> {
        let Some(loc) = crate::exec::index::tx_loc(&self.ledger.store, id)? else {
            return Ok(None);
        };
        let Some(mut frame) = self.ledger.frame(loc.height)? else {
            return Ok(None);
        };
        let i = loc.index as usize;
        if i >= frame.txs.len() || i >= frame.receipts.len() {
            return Err(crate::Error::Corrupt(format!(
                "transaction {id} is at {}:{}, which block {} does not hold",
                loc.height, loc.index, loc.height
            )));
        }
        Ok(Some(pb::TxRecord {
            height: loc.height,
            index: loc.index,
            raw: frame.txs.swap_remove(i),
            receipt: Some(frame.receipts.swap_remove(i)),
        }))
    }

    /// The receipt of a committed (or failed) transaction.
    pub fn receipt(&self, id: &Hash32) -> Result<Option<ReceiptView>> {
        Ok(self
            .tx_record(id)?
            .map(|r| ReceiptView::new(&r.receipt.unwrap_or_default(), r.height, r.index)))
    }

    /// A transaction with payload and receipt (query 8's input).
    pub fn tx(&self, id: &Hash32) -> Result<Option<v::TxView>> {
        self.tx_named(id, &self.directory()?)
    }

    /// [`Queries::tx`], naming its signers with `d`.
    pub(super) fn tx_named(&self, id: &Hash32, d: &v::Directory) -> Result<Option<v::TxView>> {
        let Some(rec) = self.tx_record(id)? else {
            return Ok(None);
        };
        let receipt = ReceiptView::new(
            &rec.receipt.clone().unwrap_or_default(),
            rec.height,
            rec.index,
        );
        let decoded = decode_canonical::<pb::TxRaw>(&rec.raw, "TxRaw")
            .and_then(|raw| decode_canonical::<pb::TxBody>(&raw.body, "TxBody"));
        let (kind, signer, cosigners, ts, payload) = match decoded {
            Ok(body) => (
                body.payload
                    .as_ref()
                    .map_or("unknown", shuquan_proto::tx::payload_kind)
                    .to_string(),
                d.key(&body.signer),
                d.keys(&body.cosigners),
                body.timestamp_ms,
                body.payload
                    .as_ref()
                    .map(v::payload_json)
                    .unwrap_or_default(),
            ),
            Err(_) => (
                "undecodable".into(),
                v::KeyRef::default(),
                vec![],
                0,
                serde_json::Value::Null,
            ),
        };
        Ok(Some(v::TxView {
            tx_id: *id,
            kind,
            signer,
            cosigners,
            timestamp_ms: ts,
            timestamp: d.time(ts),
            payload,
            receipt,
            raw: hex::encode(&rec.raw),
        }))
    }

    /// The receipts of block `height`, in order.
    pub(crate) fn block_receipts(&self, height: u64) -> Result<Vec<pb::Receipt>> {
        Ok(self
            .ledger
            .frame(height)?
            .map(|f| f.receipts)
            .unwrap_or_default())
    }

    /// A block with its receipts.
    pub fn block(&self, height: u64) -> Result<Option<v::BlockView>> {
        let Some(h) = self.header(height)? else {
            return Ok(None);
        };
        let txs = self
            .block_receipts(height)?
            .iter()
            .zip(0u32..)
            .map(|(r, index)| ReceiptView::new(r, height, index))
            .collect();
        let d = self.directory()?;
        Ok(Some(v::BlockView {
            height,
            hash: block_hash(self.ledger.hashing(), &h),
            prev_hash: id32(&h.prev_hash),
            timestamp_ms: h.timestamp_ms,
            timestamp: d.time(h.timestamp_ms),
            proposer: d.key(&h.proposer),
            tx_root: id32(&h.tx_root),
            results_root: id32(&h.results_root),
            txs,
        }))
    }

    /// Query 8: the inclusion proof of a transaction into its block's transaction root.
    pub fn inclusion_proof(&self, id: &Hash32) -> Result<Option<v::InclusionProofView>> {
        let Some(rec) = self.tx_record(id)? else {
            return Ok(None);
        };
        let Some(header) = self.header(rec.height)? else {
            return Ok(None);
        };
        let leaves: Vec<Hash32> = self
            .block_receipts(rec.height)?
            .iter()
            .map(|r| shuquan_proto::merkle::leaf_hash(self.ledger.hashing(), &id32(&r.tx_id).0))
            .collect();
        let Some(path) =
            shuquan_proto::merkle::proof(self.ledger.hashing(), &leaves, rec.index as usize)
        else {
            return Ok(None);
        };
        use prost::Message;
        Ok(Some(v::InclusionProofView {
            tx_id: *id,
            height: rec.height,
            index: rec.index,
            tx_count: header.tx_count,
            path,
            tx_root: id32(&header.tx_root),
            block_hash: block_hash(self.ledger.hashing(), &header),
            header: hex::encode(header.encode_to_vec()),
        }))
    }

    /// The height of the last block at or before time `ts` (0 if none).
    pub fn height_at_time(&self, ts: u64) -> Result<u64> {
        let start = keys::prefix("time", &[]);
        let end = keys::block_time(ts, u64::MAX);
        Ok(
            match self
                .ledger
                .store
                .last_in_range(&start, Bound::Included(&end))?
            {
                Some((k, _)) => k
                    .last_chunk::<8>()
                    .copied()
                    .map(u64::from_be_bytes)
                    .ok_or_else(|| {
                        Error::Corrupt(format!("block time row {} is too short", hex::encode(&k)))
                    })?,
                None => 0,
            },
        )
    }
}
