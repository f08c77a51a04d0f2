//! `/explorer/members/{member}` (a short id such as `org2`, a member id or an account
//! key): one member — institution, roles, status, keys, the nodes it runs, the assets
//! whose Hold right it holds (from the catalogue), the grants it received and issued, and
//! its latest transactions.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use shuquan_catalogue::{Filter, PageRequest, Sort};
use shuquan_ledger::{GrantsOf, Page};
use shuquan_proto::views::{self as v, MemberView};
use shuquan_proto::Hash32;

use super::error::{path_id, Fail};
use super::frame::{Ctx, Frame};
use super::text::{Directory, Party, Word};
use crate::api::Api;

/// Most rows of each list.
const MOST: usize = 50;
/// Transactions read to find the latest.
const TX_SCAN: usize = 2000;

/// A node the member runs.
#[derive(Debug)]
pub(super) struct NodeRow {
    pub(super) id: u64,
    pub(super) key: String,
    pub(super) addr: String,
    pub(super) role: String,
}

/// An asset it holds.
#[derive(Debug)]
pub(super) struct HeldRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) number: String,
    pub(super) status: Word,
}

/// A grant it received or issued.
#[derive(Debug)]
pub(super) struct GrantRow {
    pub(super) asset: String,
    pub(super) asset_name: String,
    pub(super) other: Party,
    pub(super) actions: String,
    pub(super) expires: String,
    pub(super) status: Word,
}

/// One of its transactions.
#[derive(Debug)]
pub(super) struct TxRow {
    pub(super) tx_id: String,
    pub(super) kind: String,
    pub(super) height: u64,
    pub(super) result: Word,
}

#[derive(Template)]
#[template(path = "explorer/member.html")]
struct MemberPage {
    f: Frame,
    m: MemberView,
    roles: String,
    status: Word,
    nodes: Vec<NodeRow>,
    held: Vec<HeldRow>,
    received: Vec<GrantRow>,
    issued: Vec<GrantRow>,
    txs: Vec<TxRow>,
}

pub(super) async fn page(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    // The catalogue's search may wait for the index to commit: off the async threads.
    let name = match path_id(path) {
        Ok(name) => name,
        Err(fail) => return ctx.fail(Some(&app), fail),
    };
    let (a, c) = (app.clone(), ctx.clone());
    let page = tokio::task::spawn_blocking(move || build(&a, &c, &name))
        .await
        .unwrap_or_else(|_| Err(Fail::Internal("the page was cancelled".into())));
    ctx.respond(&app, page)
}

fn build(app: &Api, ctx: &Ctx, name: &str) -> Result<String, Fail> {
    let q = app.ledger.queries();
    let (id, member) = q.find_member(name)?.ok_or_else(|| {
        Fail::NotFound(format!(
            "member {name:?} (a short id such as org1, a member id or an account key)"
        ))
    })?;
    let m = MemberView::new(app.ledger.hashing(), app.ledger.chain_id(), &member);
    let f = ctx.frame(app, format!("{} {}", m.id, m.name))?;
    let dir = Directory::load(&app.ledger)?;
    let z = f.zone;

    let nodes = q
        .nodes()?
        .into_iter()
        .filter(|n| n.operator.member.as_deref() == Some(m.id.as_str()))
        .map(|n| NodeRow {
            id: n.id,
            key: n.node_key,
            addr: n.addr,
            role: ctx.word(&n.role),
        })
        .collect();

    let now = app.ledger.applied()?.timestamp_ms;
    let req = PageRequest {
        filter: Filter {
            holder: Some(id.to_hex()),
            ..Filter::default()
        },
        sort: Sort::Name,
        limit: MOST,
        cursor: None,
    };
    let held = app
        .catalogue
        .search(&req, now)
        .map_err(|e| Fail::from(crate::Error::Catalogue(e.to_string())))?
        .entries
        .into_iter()
        .map(|e| HeldRow {
            status: ctx.badge(e.effective_status(now)),
            number: e.number.unwrap_or_default(),
            id: e.asset,
            name: e.name,
        })
        .collect();

    let grant_rows = |of: GrantsOf<'_>, grantee_side: bool| -> Result<Vec<GrantRow>, Fail> {
        let mut out = Vec::new();
        for g in q.grants(of, None, Page::first(MOST))? {
            out.push(grant_row(ctx, &dir, &app.ledger, z, g, grantee_side)?);
        }
        Ok(out)
    };
    let received = grant_rows(GrantsOf::Grantee(id.as_bytes()), true)?;
    let issued = grant_rows(GrantsOf::Grantor(id.as_bytes()), false)?;

    let mut txs = Vec::new();
    for r in q.txs_by_member(&member, TX_SCAN)?.iter().rev().take(MOST) {
        txs.push(TxRow {
            kind: q.tx(&r.tx_id)?.map(|t| t.kind).unwrap_or_default(),
            tx_id: r.tx_id.to_hex(),
            height: r.height,
            result: ctx.badge(&r.result),
        });
    }
    Ok(MemberPage {
        roles: m
            .roles
            .iter()
            .map(|r| ctx.word(r))
            .collect::<Vec<_>>()
            .join(", "),
        status: ctx.badge(&m.status),
        nodes,
        held,
        received,
        issued,
        txs,
        m,
        f,
    }
    .render()?)
}

fn grant_row(
    ctx: &Ctx,
    dir: &Directory,
    ledger: &shuquan_ledger::Ledger,
    z: super::text::Zone,
    g: v::GrantView,
    grantee_side: bool,
) -> Result<GrantRow, Fail> {
    let asset_name = match g.asset.parse::<Hash32>() {
        Ok(a) => ledger.queries().asset(&a)?.map(|a| a.name),
        Err(_) => None,
    };
    Ok(GrantRow {
        asset_name: asset_name.unwrap_or_default(),
        other: dir.party(if grantee_side {
            &g.grantor.id
        } else {
            &g.grantee.id
        }),
        actions: g
            .actions
            .iter()
            .map(|a| ctx.word(a))
            .collect::<Vec<_>>()
            .join(", "),
        expires: z.time(g.not_after_ms),
        status: ctx.badge(&g.status),
        asset: g.asset,
    })
}
