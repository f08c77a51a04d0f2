//! `/explorer`: the chain at a glance — this node's view of the chain (height, certified
//! height, role, peers, mempool), the latest blocks, which a small script keeps adding to
//! as `/v1/events` announces them, and the search box.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::error::Fail;
use super::frame::{Ctx, Frame};
use super::text::{Directory, Party};
use crate::api::Api;

/// Blocks the page lists.
const LATEST: u64 = 12;

/// One block in the list.
#[derive(Debug)]
pub(super) struct BlockRow {
    pub(super) height: u64,
    pub(super) time: String,
    pub(super) txs: usize,
    pub(super) failed: usize,
    pub(super) proposer: Party,
}

#[derive(Template)]
#[template(path = "explorer/home.html")]
struct HomePage {
    f: Frame,
    height: u64,
    certified_height: u64,
    last_block_time: String,
    role: String,
    term: u64,
    peers: usize,
    mempool: usize,
    members: usize,
    blocks: Vec<BlockRow>,
    /// Node key → member short id, for the rows the script adds.
    node_names: String,
}

pub(super) async fn page(State(app): State<Arc<Api>>, ctx: Ctx) -> Response {
    let (role, term) = app.raft.role();
    let page = build(&app, &ctx, role.as_str(), term);
    ctx.respond(&app, page)
}

fn build(app: &Api, ctx: &Ctx, role: &str, term: u64) -> Result<String, Fail> {
    let f = ctx.frame(app, ctx.t().home)?;
    let applied = app.ledger.applied()?;
    let q = app.ledger.queries();
    let dir = Directory::load(&app.ledger)?;
    let mut blocks = Vec::new();
    for h in (applied.height.saturating_sub(LATEST - 1).max(1)..=applied.height).rev() {
        if let Some(b) = q.block(h)? {
            blocks.push(BlockRow {
                height: b.height,
                time: f.zone.time(b.timestamp_ms),
                txs: b.txs.len(),
                failed: b.txs.iter().filter(|r| !r.committed()).count(),
                proposer: dir.party(&b.proposer.key),
            });
        }
    }
    let members = q.members()?;
    let node_names: BTreeMap<String, String> = members
        .iter()
        .filter_map(|m| Some((m.node_key.clone()?, m.id.clone())))
        .chain(
            q.nodes()?
                .into_iter()
                .map(|n| (n.node_key, n.operator.member.unwrap_or(n.operator.id))),
        )
        .collect();
    Ok(HomePage {
        height: applied.height,
        certified_height: app.ledger.certs().certified_height()?,
        last_block_time: f.zone.time(applied.timestamp_ms),
        role: ctx.word(role),
        term,
        peers: app.p2p.peers().len(),
        mempool: app.pipeline.mempool().len(),
        members: members.len(),
        blocks,
        node_names: serde_json::to_string(&node_names).unwrap_or_default(),
        f,
    }
    .render()?)
}
