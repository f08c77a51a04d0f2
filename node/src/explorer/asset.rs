//! `/explorer/assets/{id}`: one data asset — what it is and its status, who holds each of
//! the three rights (by member name), its registration certificate and attestations, the
//! application under way, its history in chain order with times in the chain's time
//! zone, its grants with their status, its lineage as a graph, its cross-border filings,
//! its market (listings, requests, vouchers), and the audit bundle with the exact CLI
//! commands that fetch and verify it offline.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use shuquan_ledger::{GrantsOf, Page};
use shuquan_proto::views as v;
use shuquan_proto::Hash32;

use super::error::{path_id, Fail};
use super::frame::{Ctx, Frame};
use super::lineage::Graph;
use super::market::{self, Market};
use super::text::{slug, Directory, Party, Word};
use crate::api::Api;

/// Most history rows and grants a page shows (the JSON API pages through the rest).
const MOST_ROWS: usize = 500;

/// A right and its holder.
#[derive(Debug)]
pub(super) struct HolderRow {
    pub(super) right: &'static str,
    pub(super) holder: Party,
}

/// The registration certificate.
#[derive(Debug)]
pub(super) struct CertRow {
    pub(super) number: String,
    pub(super) status: Word,
    pub(super) kind: String,
    pub(super) sequence: u32,
    pub(super) holder: Party,
    pub(super) rights: String,
    pub(super) effective: String,
    pub(super) first_effective: String,
    pub(super) valid_until: String,
    pub(super) registrar: Party,
    pub(super) height: u64,
    pub(super) tx_id: String,
}

/// An attestation of the asset.
#[derive(Debug)]
pub(super) struct AttestationRow {
    pub(super) kind: String,
    pub(super) result: Word,
    pub(super) issuer: Party,
    pub(super) status: Word,
    pub(super) valid_until: String,
    pub(super) height: u64,
}

/// The application under way.
#[derive(Debug)]
pub(super) struct ApplicationRow {
    pub(super) kind: String,
    pub(super) stage: Word,
    pub(super) applicant: Party,
    pub(super) filed: String,
    pub(super) notice_ends: String,
    pub(super) tx_id: String,
}

/// One transaction of the asset's history.
#[derive(Debug)]
pub(super) struct HistoryRow {
    pub(super) seq: u64,
    pub(super) time: String,
    pub(super) kind: String,
    pub(super) signer: Party,
    pub(super) height: u64,
    pub(super) tx_id: String,
    pub(super) result: Word,
    pub(super) reason: String,
}

/// One grant.
#[derive(Debug)]
pub(super) struct GrantRow {
    pub(super) id: String,
    pub(super) grantee: Party,
    pub(super) grantor: Party,
    pub(super) actions: String,
    pub(super) purposes: String,
    pub(super) places: String,
    pub(super) expires: String,
    pub(super) uses: String,
    pub(super) status: Word,
    pub(super) frozen: bool,
    pub(super) tx_id: String,
}

/// One cross-border filing.
#[derive(Debug)]
pub(super) struct FilingRow {
    pub(super) id: String,
    pub(super) destination: String,
    pub(super) path: String,
    pub(super) exporter: Party,
    pub(super) status: Word,
    pub(super) valid_until: String,
    pub(super) decided_by: Party,
    pub(super) tx_id: String,
}

#[derive(Template)]
#[template(path = "explorer/asset.html")]
struct AssetPage {
    f: Frame,
    a: v::AssetView,
    status: Word,
    grade: String,
    origin: String,
    sharing: String,
    delivery: String,
    registrant: Party,
    applied: String,
    valid_until: String,
    holders: Vec<HolderRow>,
    cert: Option<CertRow>,
    attestations: Vec<AttestationRow>,
    application: Option<ApplicationRow>,
    history: Vec<HistoryRow>,
    history_more: bool,
    grants: Vec<GrantRow>,
    grants_more: bool,
    lineage: Graph,
    filings: Vec<FilingRow>,
    market: Market,
    bundle_file: String,
    node_url: String,
}

pub(super) async fn page(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let node_url = app.public_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            // A host name or address with its port, nothing a shell would read otherwise.
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("127.0.0.1:7070");
        format!("http://{host}")
    });
    let page = path_id(path).and_then(|id| build(&app, &ctx, &id, node_url));
    ctx.respond(&app, page)
}

/// An id from a path: 64 hex digits.
pub(super) fn parse_id(s: &str, what: &str) -> Result<Hash32, Fail> {
    s.parse()
        .map_err(|e| Fail::BadRequest(format!("{what} {s:?}: {e}")))
}

fn build(app: &Api, ctx: &Ctx, id: &str, node_url: String) -> Result<String, Fail> {
    let id = parse_id(id, "asset id")?;
    let q = app.ledger.queries();
    let a = q
        .asset(&id)?
        .ok_or_else(|| Fail::NotFound(format!("asset {id}")))?;
    let f = ctx.frame(app, a.name.clone())?;
    let dir = Directory::load(&app.ledger)?;
    let z = f.zone;
    let words = |ws: &[String]| -> String {
        ws.iter()
            .map(|w| ctx.word(w))
            .collect::<Vec<_>>()
            .join(", ")
    };

    let t = ctx.t();
    let holders = [
        (t.right_hold, &a.holders.hold),
        (t.right_use, &a.holders.use_),
        (t.right_operate, &a.holders.operate),
    ]
    .into_iter()
    .map(|(right, holder)| HolderRow {
        right,
        holder: dir.party(&holder.id),
    })
    .collect();

    let cert = q.certificate(&id)?;
    let mut attestations = Vec::new();
    for att in cert.iter().flat_map(|c| &c.attestations) {
        let Ok(att_id) = att.parse::<Hash32>() else {
            continue;
        };
        if let Some(x) = q.attestation(&att_id)? {
            attestations.push(AttestationRow {
                kind: ctx.word(&x.kind),
                result: ctx.badge(&x.result),
                issuer: dir.party(&x.issuer.id),
                status: ctx.badge(&x.status),
                valid_until: z.time(x.valid_until_ms),
                height: x.height,
            });
        }
    }
    let cert = cert.map(|c| CertRow {
        status: ctx.badge(&c.status),
        kind: ctx.word(&c.kind),
        sequence: c.sequence,
        holder: dir.party(&c.holder.id),
        rights: words(&c.rights),
        effective: z.time(c.effective_ms),
        first_effective: z.time(c.first_effective_ms),
        valid_until: c.valid_until_ms.map_or_else(|| "—".into(), |ms| z.time(ms)),
        registrar: dir.opt_member(c.registrar.as_ref()),
        height: c.height,
        tx_id: c.tx_id,
        number: c.number,
    });

    let application = a.application.as_ref().map(|x| ApplicationRow {
        kind: ctx.word(&x.kind),
        stage: ctx.badge(&x.stage),
        applicant: dir.party(&x.applicant.id),
        filed: z.time(x.filed_at_ms),
        notice_ends: x.notice_ends_ms.map_or_else(|| "—".into(), |ms| z.time(ms)),
        tx_id: x.tx_id.clone(),
    });

    let entries = q.history(&id)?;
    let history_more = entries.len() > MOST_ROWS;
    let history = entries
        .into_iter()
        .take(MOST_ROWS)
        .map(|h| HistoryRow {
            seq: h.seq,
            time: z.time(h.timestamp_ms),
            signer: dir.party(&h.signer.key),
            height: h.receipt.height,
            tx_id: h.receipt.tx_id.to_hex(),
            result: ctx.badge(&h.receipt.result),
            reason: reason(&h.receipt),
            kind: h.kind,
        })
        .collect();

    let found = q.grants(GrantsOf::Asset(&id), None, Page::first(MOST_ROWS + 1))?;
    let grants_more = found.len() > MOST_ROWS;
    let grants = found
        .into_iter()
        .take(MOST_ROWS)
        .map(|g| GrantRow {
            id: g.id.to_hex(),
            grantee: dir.party(&g.grantee.id),
            grantor: dir.party(&g.grantor.id),
            actions: words(&g.actions),
            purposes: g.purposes.join(", "),
            places: g.jurisdictions.join(", "),
            expires: z.time(g.not_after_ms),
            uses: if g.max_uses == 0 {
                format!("{} / ∞", g.uses)
            } else {
                format!("{} / {}", g.uses, g.max_uses)
            },
            status: ctx.badge(&g.status),
            frozen: g.frozen,
            tx_id: g.tx_id.to_hex(),
        })
        .collect();

    let filings = q
        .filings_of_asset(&id)?
        .into_iter()
        .map(|x| FilingRow {
            id: x.id.to_hex(),
            destination: x.destination,
            path: ctx.word(&x.path),
            exporter: dir.party(&x.exporter.id),
            status: ctx.badge(&x.status),
            valid_until: z.time(x.valid_until_ms),
            decided_by: dir.opt_member(x.decided_by.as_ref()),
            tx_id: x.tx_id.to_hex(),
        })
        .collect();

    let lineage = Graph::of_asset(&app.ledger, &id, &a.name, (t.via_use, t.via_grant))?;
    let market = market::of_asset(&app.ledger, ctx, &dir, z, &id)?;
    Ok(AssetPage {
        status: ctx.badge(&a.status),
        grade: ctx.word(&a.grade),
        origin: ctx.word(&a.origin),
        sharing: ctx.word(&a.sharing),
        delivery: words(&a.delivery_modes),
        registrant: dir.party(&a.registrant.id),
        applied: z.time(a.registered_at_ms),
        valid_until: a.valid_until_ms.map_or_else(|| "—".into(), |ms| z.time(ms)),
        holders,
        cert,
        attestations,
        application,
        history,
        history_more,
        grants,
        grants_more,
        lineage,
        filings,
        market,
        bundle_file: format!("{}.bundle", slug(&a.name)),
        node_url,
        a,
        f,
    }
    .render()?)
}

/// A failed receipt's code, rule and rendered reason; empty for a committed one.
pub(super) fn reason(r: &v::ReceiptView) -> String {
    if r.committed() {
        String::new()
    } else {
        format!("{} ({}, {}): {}", r.code_name, r.code, r.rule, r.message)
    }
}
