//! `/explorer/txs/{id}`: one transaction — its kind, signer and cosigners by member name,
//! the block it is in with the block's time, its receipt (a failure's code, rule and
//! rendered reason), what it created, the asset it names, its payload, and whether its
//! Merkle inclusion proof leads to the block's transaction root.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use shuquan_proto::Hash32;

use super::asset::{parse_id, reason};
use super::error::{path_id, Fail};
use super::frame::{Ctx, Frame};
use super::text::{Directory, Party, Word};
use crate::api::Api;

/// An asset a transaction names or created.
#[derive(Debug)]
pub(super) struct AssetLink {
    pub(super) id: String,
    pub(super) name: String,
}

#[derive(Template)]
#[template(path = "explorer/tx.html")]
struct TxPage {
    f: Frame,
    tx_id: String,
    kind: String,
    signer: Party,
    cosigners: Vec<Party>,
    signed_at: String,
    height: u64,
    index: u32,
    block_time: String,
    result: Word,
    reason: String,
    created: String,
    asset: Option<AssetLink>,
    payload: String,
    proof: Word,
    raw_bytes: usize,
}

pub(super) async fn page(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let page = path_id(path).and_then(|id| build(&app, &ctx, &id));
    ctx.respond(&app, page)
}

fn build(app: &Api, ctx: &Ctx, id: &str) -> Result<String, Fail> {
    let id = parse_id(id, "transaction id")?;
    let q = app.ledger.queries();
    let tx = q.tx(&id)?.ok_or_else(|| {
        Fail::NotFound(format!(
            "transaction {id} (it may still be waiting in a mempool)"
        ))
    })?;
    let f = ctx.frame(app, format!("{} {}", ctx.t().transaction, id.to_hex()))?;
    let dir = Directory::load(&app.ledger)?;
    let block_time = q.header(tx.receipt.height)?.map_or(0, |h| h.timestamp_ms);
    // The asset it names, directly or through the grant it names (or, for a registration,
    // the one it created).
    let field = |name: &str| tx.payload.get(name).and_then(|a| a.as_str());
    let via_grant = match field("grant").map(str::parse::<Hash32>) {
        Some(Ok(g)) => q.grant(&g, None)?.map(|g| g.asset),
        _ => None,
    };
    let named = field("asset")
        .map(str::to_string)
        .or(via_grant)
        .or_else(|| {
            (tx.kind == "register_asset")
                .then(|| tx.receipt.created.clone())
                .flatten()
        });
    let asset = match named.as_deref().map(str::parse::<Hash32>) {
        Some(Ok(a)) => q.asset(&a)?.map(|view| AssetLink {
            id: a.to_hex(),
            name: view.name,
        }),
        _ => None,
    };
    let proof = match q.inclusion_proof(&id)? {
        Some(p) if p.verify(app.ledger.hashing()).is_ok() => "pass",
        Some(_) => "fail",
        None => "none",
    };
    Ok(TxPage {
        tx_id: id.to_hex(),
        signer: dir.party(&tx.signer.key),
        cosigners: dir.parties(&tx.cosigners),
        signed_at: f.zone.time(tx.timestamp_ms),
        height: tx.receipt.height,
        index: tx.receipt.index,
        block_time: f.zone.time(block_time),
        result: ctx.badge(&tx.receipt.result),
        reason: reason(&tx.receipt),
        created: tx.receipt.created.clone().unwrap_or_default(),
        asset,
        payload: serde_json::to_string_pretty(&tx.payload).unwrap_or_default(),
        proof: ctx.badge(proof),
        raw_bytes: tx.raw.len() / 2,
        kind: tx.kind,
        f,
    }
    .render()?)
}
