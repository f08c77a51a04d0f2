//! The history a block adds beside the state: where each transaction is (by id), the
//! transactions of each signer, every transaction that named an asset (failed ones too),
//! who received each right and when, the block's header and its time. These rows are a
//! function of the block (header, transactions, receipts) and of records the state never
//! forgets (what asset a grant or filing is about, and when each was created), so a node
//! that joined by snapshot writes the same rows when it fetches old blocks later, in any
//! order ([`index_block`] is the only writer of them).

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::DecodedTx;
use shuquan_proto::Hash32;

use super::overlay::State;
use crate::error::Result;
use crate::fixed::Fields;
use crate::keys;
use crate::rules::id;
use crate::view::{StateView, Writes};

/// Where a transaction id's record is: the copy that committed, else the earliest copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TxLoc {
    pub(crate) height: u64,
    pub(crate) index: u32,
    pub(crate) committed: bool,
}

impl TxLoc {
    /// 13 bytes: height, index (big-endian), 1 if committed.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(13);
        out.extend_from_slice(&self.height.to_be_bytes());
        out.extend_from_slice(&self.index.to_be_bytes());
        out.push(u8::from(self.committed));
        out
    }

    pub(crate) fn decode(b: &[u8]) -> Result<Self> {
        let mut f = Fields::exact(b, 13, "transaction location")?;
        Ok(TxLoc {
            height: f.u64()?,
            index: f.u32()?,
            committed: f.array::<1>()? == [1],
        })
    }

    /// Whether `self` should replace `old` as the record of the id: a committed copy
    /// wins, else the earliest. The same in any order of indexing.
    fn replaces(&self, old: &TxLoc) -> bool {
        match (self.committed, old.committed) {
            (true, false) => true,
            (false, false) => (self.height, self.index) < (old.height, old.index),
            _ => false,
        }
    }
}

/// One transaction of the block being indexed.
pub(crate) struct Indexed<'a> {
    pub(crate) id: Hash32,
    pub(crate) tx: Option<&'a DecodedTx>,
    pub(crate) receipt: &'a pb::Receipt,
}

/// Writes the history rows of the block `header` (see the module docs).
pub(crate) fn index_block(
    view: &dyn StateView,
    writes: &mut Writes,
    chain: &shuquan_proto::tx::ChainRef,
    header: &pb::BlockHeader,
    txs: &[Indexed<'_>],
) -> Result<()> {
    let height = header.height;
    let mut st = State::new(view, writes);
    let creators: Vec<Option<Hash32>> = txs
        .iter()
        .map(|t| (t.receipt.code == 0).then_some(t.id))
        .collect();
    for (i, t) in txs.iter().enumerate() {
        let index = i as u32;
        let here = TxLoc {
            height,
            index,
            committed: t.receipt.code == 0,
        };
        let key = keys::tx(&t.id);
        let keep = match st.get(&key)? {
            Some(old) => here.replaces(&TxLoc::decode(&old)?),
            None => true,
        };
        if keep {
            st.put_raw(key, here.encode());
        }
        let Some(tx) = t.tx else {
            continue;
        };
        for signer in tx.all_signers() {
            st.put_raw(
                keys::by_signer(signer.as_bytes(), height, index),
                t.id.to_vec(),
            );
        }
        let at = At {
            height,
            index,
            creators: &creators,
        };
        for asset in named_assets(&st, chain, tx, &at)? {
            st.put_raw(keys::history(&asset, height, index), t.id.to_vec());
        }
        if let (0, Some(Payload::TransferRight(p))) = (t.receipt.code, tx.payload()) {
            st.put_raw(
                keys::rights(&id(&p.asset), p.right, height, index),
                p.to.clone(),
            );
        }
        if let (0, Some(Payload::AcceptOrder(p))) = (t.receipt.code, tx.payload()) {
            if let Some((asset, right, buyer)) = sold_right(&st, &p.order)? {
                st.put_raw(keys::rights(&asset, right, height, index), buyer);
            }
        }
    }
    st.put(keys::header(height), header);
    st.put_raw(keys::block_time(header.timestamp_ms, height), Vec::new());
    st.commit();
    Ok(())
}

/// A position in the chain, and which transactions of its block created something.
struct At<'a> {
    height: u64,
    index: u32,
    creators: &'a [Option<Hash32>],
}

impl At<'_> {
    /// Whether a record created by `tx_id` at `height` existed once the transaction at this
    /// position ran (its own creation included).
    fn sees(&self, height: u64, tx_id: &[u8]) -> bool {
        if height != self.height {
            return height < self.height;
        }
        self.creators
            .iter()
            .take(self.index as usize + 1)
            .any(|c| c.is_some_and(|c| c.as_bytes() == tx_id))
    }
}

/// The assets a transaction names that existed at its position, sorted, without
/// duplicates (unknown references name nothing).
fn named_assets(
    st: &State<'_>,
    chain: &shuquan_proto::tx::ChainRef,
    tx: &DecodedTx,
    at: &At<'_>,
) -> Result<Vec<Hash32>> {
    let asset = |a: Hash32| -> Result<Option<Hash32>> {
        Ok(st
            .asset(&a)?
            .filter(|r| at.sees(r.registered_height, &r.tx_id))
            .map(|_| a))
    };
    let grant_asset = |g: &[u8]| -> Result<Option<Hash32>> {
        match st.grant(&id(g))? {
            Some(g) if at.sees(g.issued_height, &g.tx_id) => {
                asset(id(&g.terms.unwrap_or_default().asset))
            }
            _ => Ok(None),
        }
    };
    let request_assets = |r: &pb::FileCrossBorder| -> Result<Vec<Hash32>> {
        let mut out = Vec::new();
        if let Some(t) = &r.transfer {
            out.extend(asset(id(&t.asset))?);
        }
        for g in &r.grants {
            out.extend(grant_asset(g)?);
        }
        Ok(out)
    };
    let filing_assets = |f: &[u8]| -> Result<Vec<Hash32>> {
        match st.filing(&id(f))? {
            Some(f) if at.sees(f.filed_height, &f.tx_id) => {
                request_assets(&f.request.unwrap_or_default())
            }
            _ => Ok(Vec::new()),
        }
    };
    let subject = |s: &[u8]| -> Result<Vec<Hash32>> {
        let sid = id(s);
        if st.asset(&sid)?.is_some() {
            return Ok(asset(sid)?.into_iter().collect());
        }
        if st.grant(&sid)?.is_some() {
            return Ok(grant_asset(s)?.into_iter().collect());
        }
        filing_assets(s)
    };
    let request_asset = |r: &[u8]| -> Result<Option<Hash32>> {
        match st.request(&id(r))? {
            Some(q) if at.sees(q.filed_height, &q.tx_id) => {
                asset(id(&q.terms.unwrap_or_default().asset))
            }
            _ => Ok(None),
        }
    };
    let listing_asset = |l: &[u8]| -> Result<Option<Hash32>> {
        match st.listing(&id(l))? {
            Some(l) if at.sees(l.listed_height, &l.tx_id) => {
                asset(id(&l.terms.unwrap_or_default().asset))
            }
            _ => Ok(None),
        }
    };
    let order_asset = |o: &[u8]| -> Result<Option<Hash32>> {
        match st.order(&id(o))? {
            Some(o) if at.sees(o.placed_height, &o.tx_id) => asset(id(&o.asset)),
            _ => Ok(None),
        }
    };
    let mut out = match tx.payload() {
        Some(Payload::RegisterAsset(p)) => {
            let mut v = Vec::new();
            v.extend(asset(chain.hash.asset_id(&chain.id, &tx.id))?);
            for parent in &p.derived_from {
                v.extend(asset(id(parent))?);
            }
            v
        }
        Some(Payload::TransferRight(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::IssueGrant(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::RevokeGrant(p)) => grant_asset(&p.grant)?.into_iter().collect(),
        Some(Payload::RecordUsage(p)) => grant_asset(&p.grant)?.into_iter().collect(),
        Some(Payload::FileCrossBorder(p)) => request_assets(p)?,
        Some(Payload::DecideCrossBorder(p)) => filing_assets(&p.filing)?,
        Some(Payload::Attest(p)) => subject(&p.subject)?,
        Some(Payload::Freeze(p)) => subject(&p.subject)?,
        Some(Payload::Unfreeze(p)) => subject(&p.subject)?,
        Some(Payload::Review(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::SupplyEvidence(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::Withdraw(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::Object(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::Amend(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::DecideObjection(p)) => match st.objection(&id(&p.objection))? {
            Some(o) => asset(id(&o.asset))?.into_iter().collect(),
            None => Vec::new(),
        },
        Some(Payload::RequestAccess(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::AnswerRequest(p)) => request_asset(&p.request)?.into_iter().collect(),
        Some(Payload::CreateListing(p)) => asset(id(&p.asset))?.into_iter().collect(),
        Some(Payload::PlaceOrder(p)) => listing_asset(&p.listing)?.into_iter().collect(),
        Some(Payload::AcceptOrder(p)) => order_asset(&p.order)?.into_iter().collect(),
        Some(Payload::Confirm(p)) => order_asset(&p.order)?.into_iter().collect(),
        Some(Payload::Dispute(p)) => order_asset(&p.order)?.into_iter().collect(),
        Some(Payload::Cancel(p)) => {
            let mut v = Vec::new();
            v.extend(request_asset(&p.subject)?);
            v.extend(listing_asset(&p.subject)?);
            v.extend(order_asset(&p.subject)?);
            v
        }
        Some(Payload::RotateKey(_) | Payload::Propose(_) | Payload::Vote(_)) | None => vec![],
    };
    out.sort();
    out.dedup();
    Ok(out)
}

/// The right an accepted order moved: its asset, the right and the buyer (`None` for a
/// licence). Orders and listings are never deleted, so this reads the same later.
fn sold_right(st: &State<'_>, order: &[u8]) -> Result<Option<(Hash32, i32, Vec<u8>)>> {
    let Some(o) = st.order(&id(order))? else {
        return Ok(None);
    };
    let terms = o.terms.unwrap_or_default();
    let Some(l) = st.listing(&id(&terms.listing))? else {
        return Ok(None);
    };
    let right = l.terms.map_or(0, |t| t.right);
    Ok((right != 0).then(|| (id(&o.asset), right, terms.buyer)))
}

/// The record of a transaction id: where it is, if any block holds it.
pub(crate) fn tx_loc(view: &dyn StateView, id: &Hash32) -> Result<Option<TxLoc>> {
    view.get(&keys::tx(id))?
        .map(|b| TxLoc::decode(&b))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::TxLoc;

    /// The record of an id is the same whatever order its copies are indexed in (a node
    /// that joined by snapshot indexes old blocks after new ones, top down).
    #[test]
    fn the_record_of_an_id_does_not_depend_on_indexing_order() {
        let at = |height, index, committed| TxLoc {
            height,
            index,
            committed,
        };
        let sets = [
            vec![at(3, 1, false), at(5, 0, false), at(9, 2, false)],
            vec![at(3, 1, false), at(5, 0, true), at(9, 2, false)],
            vec![at(2, 4, false), at(2, 1, false)],
        ];
        for copies in sets {
            let fold = |order: &[TxLoc]| {
                order.iter().skip(1).fold(
                    order[0],
                    |rec, c| {
                        if c.replaces(&rec) {
                            *c
                        } else {
                            rec
                        }
                    },
                )
            };
            let forward = fold(&copies);
            let mut backward = copies.clone();
            backward.reverse();
            assert_eq!(fold(&backward), forward);
            let want = copies
                .iter()
                .find(|c| c.committed)
                .copied()
                .unwrap_or_else(|| {
                    *copies
                        .iter()
                        .min_by_key(|c| (c.height, c.index))
                        .unwrap_or(&copies[0])
                });
            assert_eq!(forward, want);
        }
        // The encoding round-trips and refuses other lengths.
        let l = at(7, 3, true);
        assert_eq!(TxLoc::decode(&l.encode()).ok(), Some(l));
        assert!(TxLoc::decode(&l.encode()[1..]).is_err());
    }
}
