//! The indexes a block writes beside the chain and the state: each transaction's record
//! and receipt, the transactions of a signer, and the history of every asset a transaction
//! names (failed ones too).

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::DecodedTx;
use shuquan_proto::Hash32;

use super::overlay::State;
use crate::error::Result;
use crate::keys;
use crate::rules::id;
use crate::view::{StateView, Writes};

/// Records a transaction and its receipt, and indexes it by block, signer and asset.
#[allow(clippy::too_many_arguments)]
pub(super) fn index_tx(
    view: &dyn StateView,
    writes: &mut Writes,
    chain_id: &str,
    raw: &[u8],
    tx: Option<&DecodedTx>,
    receipt: &pb::Receipt,
    height: u64,
    index: u32,
) -> Result<()> {
    let id = Hash32::from_slice(&receipt.tx_id)?;
    let mut st = State::new(view, writes);
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
        for asset in named_assets(&st, chain_id, tx) {
            if st.exists(&keys::asset(&asset))? {
                st.put_raw(keys::history(&asset, height, index), id.to_vec());
            }
        }
    }
    st.commit();
    Ok(())
}

/// The assets a transaction names, for the history index of failed transactions too
/// (best effort: unknown references name nothing). Sorted, without duplicates.
fn named_assets(st: &State<'_>, chain_id: &str, tx: &DecodedTx) -> Vec<Hash32> {
    let grant_asset = |g: &[u8]| {
        st.grant(&id(g))
            .ok()
            .flatten()
            .map(|g| id(&g.terms.unwrap_or_default().asset))
    };
    let request_assets = |r: &pb::FileCrossBorder| -> Vec<Hash32> {
        r.transfer
            .iter()
            .map(|t| id(&t.asset))
            .chain(r.grants.iter().filter_map(|g| grant_asset(g)))
            .collect()
    };
    let filing_assets = |f: &[u8]| -> Vec<Hash32> {
        st.filing(&id(f))
            .ok()
            .flatten()
            .map(|f| request_assets(&f.request.unwrap_or_default()))
            .unwrap_or_default()
    };
    let subject = |s: &[u8]| -> Vec<Hash32> {
        let sid = id(s);
        if st.asset(&sid).ok().flatten().is_some() {
            vec![sid]
        } else if let Some(a) = grant_asset(s) {
            vec![a]
        } else {
            filing_assets(s)
        }
    };
    let mut out = match tx.payload() {
        Some(Payload::RegisterAsset(p)) => {
            std::iter::once(shuquan_proto::hash::asset_id(chain_id, &tx.id))
                .chain(p.derived_from.iter().map(|a| id(a)))
                .collect()
        }
        Some(Payload::TransferRight(p)) => vec![id(&p.asset)],
        Some(Payload::IssueGrant(p)) => vec![id(&p.asset)],
        Some(Payload::RevokeGrant(p)) => grant_asset(&p.grant).into_iter().collect(),
        Some(Payload::RecordUsage(p)) => grant_asset(&p.grant).into_iter().collect(),
        Some(Payload::FileCrossBorder(p)) => request_assets(p),
        Some(Payload::DecideCrossBorder(p)) => filing_assets(&p.filing),
        Some(Payload::Attest(p)) => subject(&p.subject),
        Some(Payload::Freeze(p)) => subject(&p.subject),
        Some(Payload::Unfreeze(p)) => subject(&p.subject),
        None => vec![],
    };
    out.sort();
    out.dedup();
    out
}
