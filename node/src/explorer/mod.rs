//! The web explorer at `/explorer`: server-rendered HTML (askama templates, checked at
//! compile time, under `node/templates/explorer/`) for people who audit or run the chain —
//! the chain's status with new blocks arriving live (a few lines of script reading
//! `/v1/events`), search and the catalogue, and a page per asset, block, transaction and
//! member. Every page reads the ledger through the same [`Api`] state and ledger queries as
//! the JSON API, shows members by name and times in the chain's time zone, speaks English
//! or Chinese (`?lang=zh|en`, else `Accept-Language`), and answers an unknown or malformed
//! id with a 404 or 400 page. Nothing is fetched from elsewhere: the style sheet and the
//! script are compiled into the node. On a node that lets only members read, a browser
//! signs in once with a read token (`signin`) and reads with a session cookie.

mod asset;
mod block;
mod catalogue;
mod error;
mod frame;
mod home;
mod i18n;
mod lineage;
mod market;
mod member;
mod signin;
mod statics;
mod text;
mod tx;

use std::sync::Arc;

use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;

use crate::api::Api;

/// The explorer's routes, under `/explorer` (to merge into the API's router).
pub(crate) fn router() -> Router<Arc<Api>> {
    let pages = Router::new()
        .route("/", get(home::page))
        .route("/search", get(catalogue::search))
        .route("/catalogue", get(catalogue::page))
        .route("/assets/{id}", get(asset::page))
        .route("/blocks/{height}", get(block::page))
        .route("/txs/{id}", get(tx::page))
        .route("/members/{member}", get(member::page))
        .route("/sign-in", get(signin::page).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/static/explorer.css", get(statics::css))
        .route("/static/live.js", get(statics::script))
        .fallback(error::no_route);
    Router::new()
        .route(
            "/explorer/",
            get(|| async { Redirect::permanent("/explorer") }),
        )
        .nest("/explorer", pages)
}
