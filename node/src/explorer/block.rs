//! `/explorer/blocks/{height}`: one block — its header fields, its certificate (whether the
//! signatures certify it, and the signing nodes by member name), and its transactions
//! with their receipts, a failure's code, rule and rendered reason. 100 transactions a
//! page (`?from=INDEX`).

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use shuquan_proto::views as v;
use shuquan_proto::Hash32;

use super::asset::reason;
use super::error::{path_id, Fail};
use super::frame::{Ctx, Frame};
use super::text::{Directory, Party, Word};
use crate::api::Api;

/// Transactions a page lists.
const PER_PAGE: usize = 100;

/// One transaction of the block.
#[derive(Debug)]
pub(super) struct TxRow {
    pub(super) index: u32,
    pub(super) tx_id: String,
    pub(super) kind: String,
    pub(super) signer: Party,
    pub(super) result: Word,
    pub(super) reason: String,
}

/// The block's certificate.
#[derive(Debug)]
pub(super) struct CertInfo {
    pub(super) status: Word,
    pub(super) label: &'static str,
    pub(super) required: usize,
    pub(super) nodes: usize,
    pub(super) signers: Vec<Party>,
    pub(super) reason: String,
}

#[derive(Template)]
#[template(path = "explorer/block.html")]
struct BlockPage {
    f: Frame,
    b: v::BlockView,
    time: String,
    proposer: Party,
    latest: u64,
    cert: Option<CertInfo>,
    txs: Vec<TxRow>,
    /// Where the previous and the next page of transactions start, if there are any.
    earlier: Option<usize>,
    later: Option<usize>,
}

/// `?from=INDEX`.
#[derive(Debug, Deserialize)]
pub(super) struct TxPage {
    from: Option<usize>,
}

pub(super) async fn page(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    page: Result<Query<TxPage>, QueryRejection>,
) -> Response {
    let page = match (path_id(path), page) {
        (Ok(height), Ok(Query(p))) => build(&app, &ctx, &height, p.from.unwrap_or(0)),
        (Err(fail), _) => Err(fail),
        (_, Err(e)) => Err(Fail::BadRequest(e.body_text())),
    };
    ctx.respond(&app, page)
}

fn build(app: &Api, ctx: &Ctx, height: &str, from: usize) -> Result<String, Fail> {
    let t = ctx.t();
    let h: u64 = height
        .parse()
        .map_err(|_| Fail::BadRequest(format!("block height {height:?} is not a number")))?;
    let q = app.ledger.queries();
    let b = q
        .block(h)?
        .ok_or_else(|| Fail::NotFound(format!("block {h}")))?;
    let f = ctx.frame(app, format!("{} {h}", t.block))?;
    let dir = Directory::load(&app.ledger)?;

    let cert = match app.ledger.certs().certificate(h)? {
        Some(c) => {
            let voters = app.ledger.certs().voters_at(h)?;
            let hash = Hash32::from_slice(&c.block_hash).unwrap_or_default();
            let view = v::CertificateView::new(
                &q.directory()?,
                app.ledger.hashing(),
                app.ledger.chain_id(),
                &voters,
                hash,
                &c,
            );
            Some(CertInfo {
                status: ctx.badge(if view.certified {
                    "certified"
                } else {
                    "not-certified"
                }),
                label: if view.certified {
                    t.certified
                } else {
                    t.not_certified
                },
                required: view.required,
                nodes: view.nodes,
                signers: dir.parties(&view.signers),
                reason: view.reason.unwrap_or_default(),
            })
        }
        None => None,
    };

    let from = from.min(b.txs.len());
    let mut txs = Vec::new();
    for r in b.txs.iter().skip(from).take(PER_PAGE) {
        let (kind, signer) = match q.tx(&r.tx_id)? {
            Some(tx) => (tx.kind, dir.party(&tx.signer.key)),
            None => (String::new(), Party::default()),
        };
        txs.push(TxRow {
            index: r.index,
            tx_id: r.tx_id.to_hex(),
            kind,
            signer,
            result: ctx.badge(&r.result),
            reason: reason(r),
        });
    }
    let earlier = (from > 0).then(|| from.saturating_sub(PER_PAGE));
    let later = (from + PER_PAGE < b.txs.len()).then_some(from + PER_PAGE);
    Ok(BlockPage {
        time: f.zone.time(b.timestamp_ms),
        proposer: dir.party(&b.proposer.key),
        latest: app.ledger.applied()?.height,
        cert,
        txs,
        earlier,
        later,
        b,
        f,
    }
    .render()?)
}
