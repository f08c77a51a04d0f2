//! `/explorer/search?q=` and `/explorer/catalogue`: the search box goes straight to what an
//! exact query names — a block height, an asset, transaction, grant, member (id, account
//! key or short id), fingerprint, registration number or voucher number — and otherwise
//! searches the catalogue's text; the catalogue page lists assets by filters (sector,
//! grade, status, jurisdiction, sharing, holder), a page at a time.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use shuquan_catalogue::{Filter, PageRequest, Sort, GRADES, SHARING, STATUSES};
use shuquan_proto::Hash32;

use super::error::Fail;
use super::frame::{Ctx, Frame};
use super::text::Word;
use crate::api::Api;

/// The catalogue's query string (empty values count as not given).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(super) struct Params {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sector: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    grade: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    jurisdiction: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sharing: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    holder: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sort: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cursor: String,
}

/// A choice in a filter's list.
#[derive(Debug)]
pub(super) struct Choice {
    pub(super) value: &'static str,
    pub(super) label: String,
    pub(super) selected: bool,
}

/// An entry of the page.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) number: String,
    pub(super) holder: String,
    pub(super) holder_prefix: String,
    pub(super) sector: String,
    pub(super) grade: String,
    pub(super) jurisdiction: String,
    pub(super) status: Word,
    pub(super) time: String,
}

#[derive(Template)]
#[template(path = "explorer/catalogue.html")]
struct CataloguePage {
    f: Frame,
    p: Params,
    grades: Vec<Choice>,
    statuses: Vec<Choice>,
    sharings: Vec<Choice>,
    sorts: Vec<Choice>,
    rows: Vec<Row>,
    total: Option<u64>,
    indexed_height: u64,
    next: Option<String>,
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The search box.
pub(super) async fn search(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let p = match params {
        Ok(Query(p)) => p,
        Err(e) => return ctx.fail(Some(&app), Fail::BadRequest(e.body_text())),
    };
    match exact(&app, p.q.trim()) {
        Ok(Some(to)) => Redirect::to(&to).into_response(),
        Ok(None) => listing(app, ctx, p).await,
        Err(fail) => ctx.fail(Some(&app), fail),
    }
}

/// The catalogue.
pub(super) async fn page(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    match params {
        Ok(Query(p)) => listing(app, ctx, p).await,
        Err(e) => ctx.fail(Some(&app), Fail::BadRequest(e.body_text())),
    }
}

async fn listing(app: Arc<Api>, ctx: Ctx, p: Params) -> Response {
    // The catalogue's search may wait for the index to commit: off the async threads.
    let (a, c) = (app.clone(), ctx.clone());
    let page = tokio::task::spawn_blocking(move || build(&a, &c, p))
        .await
        .unwrap_or_else(|_| Err(Fail::Internal("the search was cancelled".into())));
    ctx.respond(&app, page)
}

/// Where an exact query leads, if it names one thing.
fn exact(app: &Api, q: &str) -> Result<Option<String>, Fail> {
    if q.is_empty() || q.len() > 200 {
        return Ok(None);
    }
    let ledger = &app.ledger;
    let qs = ledger.queries();
    if q.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(h) = q.parse::<u64>() {
            if qs.header(h)?.is_some() {
                return Ok(Some(format!("/explorer/blocks/{h}")));
            }
        }
    }
    if let Ok(id) = q.to_ascii_lowercase().parse::<Hash32>() {
        if qs.asset(&id)?.is_some() {
            return Ok(Some(format!("/explorer/assets/{id}")));
        }
        if qs.tx_record(&id)?.is_some() {
            return Ok(Some(format!("/explorer/txs/{id}")));
        }
        if let Some(g) = qs.grant(&id, None)? {
            return Ok(Some(format!("/explorer/assets/{}#grant-{id}", g.asset)));
        }
        if let [asset] = qs.assets_by_fingerprint(&id)?.as_slice() {
            return Ok(Some(format!("/explorer/assets/{asset}")));
        }
    }
    if let Some(asset) = qs.asset_of_number(q)? {
        return Ok(Some(format!("/explorer/assets/{asset}")));
    }
    if let Some(v) = qs.voucher(q)? {
        return Ok(Some(format!("/explorer/assets/{}", v.asset)));
    }
    if let Some((_, m)) = qs.find_member(q)? {
        return Ok(Some(format!("/explorer/members/{}", m.id)));
    }
    Ok(None)
}

fn build(app: &Api, ctx: &Ctx, p: Params) -> Result<String, Fail> {
    let t = ctx.t();
    let mut f = ctx.frame(app, t.catalogue)?;
    f.q = p.q.clone();
    let holder = nonempty(&p.holder).map(|h| {
        if shuquan_proto::gov::is_short_id(&h) && h.len() != 64 {
            app.ledger
                .hashing()
                .member_id(app.ledger.chain_id(), &h)
                .to_hex()
        } else {
            h.to_ascii_lowercase()
        }
    });
    let sort = match p.sort.as_str() {
        "" | "newest" => Sort::Newest,
        "oldest" => Sort::Oldest,
        "name" => Sort::Name,
        other => {
            return Err(Fail::BadRequest(format!(
                "sort {other:?}: use newest, oldest or name"
            )))
        }
    };
    let req = PageRequest {
        filter: Filter {
            sector: nonempty(&p.sector),
            grade: nonempty(&p.grade),
            jurisdiction: nonempty(&p.jurisdiction),
            holder,
            status: nonempty(&p.status),
            sharing: nonempty(&p.sharing),
            text: nonempty(&p.q),
            ..Filter::default()
        },
        sort,
        limit: shuquan_catalogue::DEFAULT_LIMIT,
        cursor: nonempty(&p.cursor),
    };
    let now = app.ledger.applied()?.timestamp_ms;
    let page = app.catalogue.search(&req, now).map_err(|e| match e {
        shuquan_catalogue::Error::BadFilter { .. } | shuquan_catalogue::Error::BadCursor(_) => {
            Fail::BadRequest(e.to_string())
        }
        other => Fail::from(crate::Error::Catalogue(other.to_string())),
    })?;
    let rows = page
        .entries
        .into_iter()
        .map(|e| Row {
            status: ctx.badge(e.effective_status(now)),
            time: f.zone.time(if e.registered_at_ms > 0 {
                e.registered_at_ms
            } else {
                e.applied_at_ms
            }),
            holder_prefix: super::text::prefix(&e.holder),
            holder: e.holder_short,
            grade: ctx.word(&e.grade),
            id: e.asset,
            name: e.name,
            number: e.number.unwrap_or_default(),
            sector: e.sector,
            jurisdiction: e.jurisdiction,
        })
        .collect();
    let choices = |words: &[&'static str], chosen: &str| -> Vec<Choice> {
        words
            .iter()
            .map(|w| Choice {
                value: w,
                label: ctx.word(w),
                selected: *w == chosen,
            })
            .collect()
    };
    let mut statuses = choices(STATUSES, &p.status);
    statuses.extend(choices(
        &[shuquan_catalogue::EXPIRED, shuquan_catalogue::IN_FORCE],
        &p.status,
    ));
    let sort_labels = [
        ("newest", t.newest),
        ("oldest", t.oldest),
        ("name", t.by_name),
    ];
    let next = page.next_cursor.map(|c| {
        let next = Params {
            cursor: c,
            ..p.clone()
        };
        format!(
            "/explorer/catalogue?{}",
            serde_urlencoded::to_string(&next).unwrap_or_default()
        )
    });
    Ok(CataloguePage {
        grades: choices(GRADES, &p.grade),
        sharings: choices(SHARING, &p.sharing),
        sorts: sort_labels
            .iter()
            .map(|(v, l)| Choice {
                value: v,
                label: (*l).to_string(),
                selected: *v == p.sort,
            })
            .collect(),
        statuses,
        rows,
        total: page.total,
        indexed_height: page.indexed_height,
        next,
        p,
        f,
    }
    .render()?)
}
