//! The read endpoints: status, genesis, assets and their history, rights, grants, lineage
//! and filings, members, transactions and blocks.

use std::sync::Arc;

use axum::extract::{Path, State};

use super::error::Query;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use shuquan_proto::views::{self as v, MemberView};
use shuquan_proto::{pb, Hash32};

use super::{Api, ApiError};
use shuquan_ledger::{GrantsOf, Page};

pub(super) type Answer<T> = Result<Json<T>, ApiError>;

pub(super) fn hash(s: &str, what: &str) -> Result<Hash32, ApiError> {
    s.parse()
        .map_err(|e| ApiError::bad_request(format!("{what} {s:?}: {e}")))
}

pub(super) fn found<T>(v: Option<T>, what: impl std::fmt::Display) -> Answer<T> {
    v.map(Json).ok_or_else(|| ApiError::not_found(what))
}

pub(super) async fn status(State(app): State<Arc<Api>>) -> Answer<v::StatusView> {
    let applied = app.ledger.applied()?;
    let zone = app.ledger.params()?.law_utc_offset_minutes;
    let clock_ms = app.clock.now_ms();
    let (role, term) = app.raft.role();
    let st = app.raft.status().await;
    Ok(Json(v::StatusView {
        chain_id: app.ledger.chain_id().to_string(),
        genesis_hash: app.ledger.genesis_hash(),
        node_key: app.node_key.to_hex(),
        node_id: app.node_id,
        role: role.as_str().into(),
        term,
        height: applied.height,
        last_block_hash: Hash32::from_slice(&applied.block_hash).unwrap_or_default(),
        last_block_time_ms: applied.timestamp_ms,
        last_block_time: v::rfc3339(applied.timestamp_ms, zone),
        leader_id: st.leader_id,
        peers: app.p2p.peers().iter().map(|k| k.to_hex()).collect(),
        mempool: app.pipeline.mempool().len(),
        certified_height: app.ledger.certs().certified_height()?,
        blocks: {
            let gap = app.ledger.gap()?;
            v::BlockRangeView {
                from: match gap {
                    Some(g) if g.lo <= 1 => g.hi + 1,
                    _ => u64::from(applied.height > 0),
                },
                to: applied.height,
                missing: gap.map(|g| [g.lo, g.hi]),
                state_from: app.ledger.state_from()?,
            }
        },
        clock_ms,
        clock: v::rfc3339(clock_ms, zone),
        clock_offset_ms: app.clock.offset_ms(),
        raft_voters: st.membership.voters().into_iter().collect(),
        raft_learners: {
            let voters = st.membership.voters();
            st.membership
                .nodes
                .keys()
                .filter(|id| !voters.contains(id))
                .copied()
                .collect()
        },
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

pub(super) async fn genesis(State(app): State<Arc<Api>>) -> Answer<Value> {
    let g = app.ledger.genesis();
    // The parameters in force (governance may have changed the genesis's).
    let p = app.ledger.params()?;
    Ok(Json(json!({
        "chain_id": g.chain_id,
        "genesis_hash": app.ledger.genesis_hash(),
        "genesis_time_ms": g.genesis_time_ms,
        "hash": app.ledger.hashing().function().name(),
        "members": g
            .members
            .iter()
            .map(|m| MemberView::new(app.ledger.hashing(), &g.chain_id, m))
            .collect::<Vec<_>>(),
        "params": {
            "tx_time_window_ms": p.tx_time_window_ms,
            "max_approval_ms": p.max_approval_ms,
            "purposes": p.purposes,
            "pi_security_threshold": p.pi_security_threshold,
            "spi_security_threshold": p.spi_security_threshold,
            "pi_contract_threshold": p.pi_contract_threshold,
            "max_tx_bytes": p.max_tx_bytes,
            "max_block_txs": p.max_block_txs,
            "block_time_skew_ms": p.block_time_skew_ms,
            "max_grant_term_ms": p.max_grant_term_ms,
            "law_utc_offset_minutes": p.law_utc_offset_minutes,
            "registration_review": p.registration_review,
            "notice_period_ms": p.notice_period_ms,
            "certificate_validity_ms": p.certificate_validity_ms,
            "registration_prefix": p.registration_prefix,
        },
    })))
}

pub(super) async fn asset(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::AssetView> {
    let id = hash(&id, "asset id")?;
    found(app.ledger.queries().asset(&id)?, format_args!("asset {id}"))
}

pub(super) async fn history(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<Vec<v::HistoryEntryView>> {
    let id = hash(&id, "asset id")?;
    if app.ledger.queries().asset(&id)?.is_none() {
        return Err(ApiError::not_found(format_args!("asset {id}")));
    }
    Ok(Json(app.ledger.queries().history(&id)?))
}

#[derive(Debug, Deserialize)]
pub(super) struct AtQuery {
    /// A block height.
    height: Option<u64>,
    /// A time, ms since the epoch (the last block at or before it).
    time: Option<u64>,
    /// Evaluate statuses at this time, ms since the epoch.
    at: Option<u64>,
}

pub(super) async fn rights(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Answer<v::RightsView> {
    let id = hash(&id, "asset id")?;
    let height = match (q.height, q.time) {
        (Some(h), _) => h,
        (None, Some(t)) => app.ledger.queries().height_at_time(t)?,
        (None, None) => app.ledger.applied()?.height,
    };
    found(
        app.ledger.queries().rights_at(&id, height)?,
        format_args!("asset {id}"),
    )
}

/// `?at=T&after=GRANT_ID&limit=N`: statuses at `T`; one page of grants in id order (N ≤
/// 1000, default 100), after the last one of the previous page.
#[derive(Debug, Deserialize)]
pub(super) struct GrantPageQuery {
    at: Option<u64>,
    after: Option<String>,
    limit: Option<usize>,
    /// `grantee` (default) or `grantor`, for a member's grants.
    side: Option<String>,
}

impl GrantPageQuery {
    fn page(&self) -> Result<Page, ApiError> {
        let limit = self.limit.unwrap_or(Page::DEFAULT_LIMIT);
        if limit == 0 || limit > Page::MAX_LIMIT {
            return Err(ApiError::bad_request(format!(
                "limit={limit}: give 1 to {}",
                Page::MAX_LIMIT
            )));
        }
        let after = self
            .after
            .as_deref()
            .map(|a| hash(a, "after (a grant id)"))
            .transpose()?;
        Ok(Page { after, limit })
    }
}

pub(super) async fn asset_grants(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
    Query(q): Query<GrantPageQuery>,
) -> Answer<Vec<v::GrantView>> {
    let id = hash(&id, "asset id")?;
    Ok(Json(app.ledger.queries().grants(
        GrantsOf::Asset(&id),
        q.at,
        q.page()?,
    )?))
}

pub(super) async fn lineage(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::LineageView> {
    let id = hash(&id, "asset id")?;
    found(
        app.ledger.queries().lineage(&id)?,
        format_args!("asset {id}"),
    )
}

pub(super) async fn asset_filings(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<Vec<v::FilingView>> {
    let id = hash(&id, "asset id")?;
    Ok(Json(app.ledger.queries().filings_of_asset(&id)?))
}

pub(super) async fn fingerprint(
    State(app): State<Arc<Api>>,
    Path(fp): Path<String>,
) -> Answer<Value> {
    let fp = hash(&fp, "fingerprint")?;
    let assets = app.ledger.queries().assets_by_fingerprint(&fp)?;
    if assets.is_empty() {
        return Err(ApiError::not_found(format_args!(
            "an asset with fingerprint {fp}"
        )));
    }
    Ok(Json(json!({ "fingerprint": fp, "assets": assets })))
}

pub(super) async fn grant(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Answer<v::GrantView> {
    let id = hash(&id, "grant id")?;
    found(
        app.ledger.queries().grant(&id, q.at)?,
        format_args!("grant {id}"),
    )
}

pub(super) async fn filing(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::FilingView> {
    let id = hash(&id, "filing id")?;
    found(
        app.ledger.queries().filing(&id)?,
        format_args!("filing {id}"),
    )
}

pub(super) async fn attestation(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::AttestationView> {
    let id = hash(&id, "attestation id")?;
    found(
        app.ledger.queries().attestation(&id)?,
        format_args!("attestation {id}"),
    )
}

pub(super) async fn members(State(app): State<Arc<Api>>) -> Answer<Vec<MemberView>> {
    Ok(Json(app.ledger.queries().members()?))
}

/// The member a path names: a short id (`org1`), a member id or an account key (hex).
pub(super) fn find_member(
    ledger: &shuquan_ledger::Ledger,
    name: &str,
) -> Result<(Hash32, pb::Member), ApiError> {
    ledger.queries().find_member(name)?.ok_or_else(|| {
        ApiError::not_found(format_args!(
            "member {name:?} (a short id such as org1, a member id or an account key)"
        ))
    })
}

pub(super) async fn member(
    State(app): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Answer<MemberView> {
    let (_, m) = find_member(&app.ledger, &name)?;
    Ok(Json(MemberView::new(
        app.ledger.hashing(),
        app.ledger.chain_id(),
        &m,
    )))
}

#[derive(Debug, Deserialize)]
pub(super) struct LimitQuery {
    limit: Option<usize>,
}

/// Transactions the member signed or cosigned, with any key it has or had.
pub(super) async fn member_txs(
    State(app): State<Arc<Api>>,
    Path(name): Path<String>,
    Query(q): Query<LimitQuery>,
) -> Answer<Vec<v::ReceiptView>> {
    let (_, m) = find_member(&app.ledger, &name)?;
    Ok(Json(
        app.ledger
            .queries()
            .txs_by_member(&m, q.limit.unwrap_or(1000).min(10_000))?,
    ))
}

pub(super) async fn member_grants(
    State(app): State<Arc<Api>>,
    Path(name): Path<String>,
    Query(q): Query<GrantPageQuery>,
) -> Answer<Vec<v::GrantView>> {
    let (id, _) = find_member(&app.ledger, &name)?;
    let of = match q.side.as_deref() {
        None | Some("grantee") => GrantsOf::Grantee(id.as_bytes()),
        Some("grantor") => GrantsOf::Grantor(id.as_bytes()),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "side={other}: use grantee or grantor"
            )))
        }
    };
    Ok(Json(app.ledger.queries().grants(of, q.at, q.page()?)?))
}

pub(super) async fn tx(State(app): State<Arc<Api>>, Path(id): Path<String>) -> Answer<v::TxView> {
    let id = hash(&id, "transaction id")?;
    found(
        app.ledger.queries().tx(&id)?,
        format_args!("transaction {id} (it may still be in the mempool)"),
    )
}

pub(super) async fn proof(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::InclusionProofView> {
    let id = hash(&id, "transaction id")?;
    found(
        app.ledger.queries().inclusion_proof(&id)?,
        format_args!("committed transaction {id}"),
    )
}

fn height(h: &str) -> Result<u64, ApiError> {
    h.parse()
        .map_err(|_| ApiError::bad_request(format!("height {h:?} is not a number")))
}

pub(super) async fn block(
    State(app): State<Arc<Api>>,
    Path(h): Path<String>,
) -> Answer<v::BlockView> {
    let h = height(&h)?;
    found(app.ledger.queries().block(h)?, format_args!("block {h}"))
}

pub(super) async fn certificate(
    State(app): State<Arc<Api>>,
    Path(h): Path<String>,
) -> Answer<v::CertificateView> {
    let h = height(&h)?;
    let Some(cert) = app.ledger.certs().certificate(h)? else {
        return Err(ApiError::not_found(format_args!("block {h}")));
    };
    let voters = app.ledger.certs().voters_at(h)?;
    let d = app.ledger.queries().directory()?;
    let view = Hash32::from_slice(&cert.block_hash).ok().map(|hash| {
        v::CertificateView::new(
            &d,
            app.ledger.hashing(),
            app.ledger.chain_id(),
            &voters,
            hash,
            &cert,
        )
    });
    found(view, format_args!("block {h}"))
}

pub(super) async fn latest_block(State(app): State<Arc<Api>>) -> Answer<v::BlockView> {
    let h = app.ledger.applied()?.height;
    found(
        app.ledger.queries().block(h)?,
        "any block (the chain is empty)",
    )
}
