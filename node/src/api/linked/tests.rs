//! The linked-data endpoints on the sample chain: real documents for real ids, 404 for
//! unknown ones (and for a listing of a right, which has no policy), 400 for malformed ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::Value;
use shuquan_proto::Hash32;

use super::*;
use crate::linked::sample::{self, member_id};

const UNKNOWN: &str = "00000000000000000000000000000000000000000000000000000000000000ff";

#[track_caller]
fn refused(r: Result<Value, ApiError>) -> (StatusCode, String) {
    let e = r.expect_err("an error answer");
    let message = format!("{e:?}");
    (e.into_response().status(), message)
}

#[test]
fn documents_are_served_for_real_ids_and_refused_for_others() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample::build(dir.path()).unwrap();
    let l = &s.ledger;
    let iris = Iris::new("https://node1.example.org/");

    let grant = grant_odrl_of(l, &iris, &s.request_grant.to_hex()).unwrap();
    assert_eq!(grant["type"], "Agreement");
    let perms = grant["permission"].as_array().unwrap();
    assert_eq!(perms.len(), 3, "query, compute and derive");
    assert_eq!(
        perms[0]["assignee"],
        format!("https://node1.example.org/v1/members/{}", member_id("org3"))
    );
    assert_eq!(
        perms[0]["target"],
        format!("https://node1.example.org/v1/assets/{}#dataset", s.asset)
    );
    let offer = listing_odrl_of(l, &iris, &s.licence_listing.to_hex()).unwrap();
    assert_eq!(offer["type"], "Offer");
    let prov = asset_prov_of(l, &iris, &s.asset.to_hex()).unwrap();
    let graph = prov["@graph"].as_array().unwrap();
    let derived: Vec<&Value> = graph
        .iter()
        .filter(|n| n.get("prov:qualifiedDerivation").is_some())
        .collect();
    assert_eq!(
        derived.len(),
        2,
        "one child under the Use right, one under the grant"
    );
    // Each derivation's activity names what authorised it as its plan.
    let plan_of = |child: &Hash32| {
        let node = |id: &str| graph.iter().find(|n| n["@id"] == id).unwrap();
        let activity = &node(&iris.asset(&child.to_hex()))["prov:qualifiedDerivation"]
            ["prov:hadActivity"]["@id"];
        node(activity.as_str().unwrap())["prov:qualifiedAssociation"]["prov:hadPlan"]["@id"].clone()
    };
    assert_eq!(plan_of(&s.by_grant), iris.grant(&s.request_grant.to_hex()));
    assert_eq!(plan_of(&s.by_right), iris.right(&s.asset.to_hex(), "use"));
    let order_grant = grant_odrl_of(l, &iris, &s.order_grant.to_hex()).unwrap();
    assert_eq!(order_grant["permission"].as_array().unwrap().len(), 1);

    let (status, message) = refused(listing_odrl_of(l, &iris, &s.right_listing.to_hex()));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        message.contains("not_a_licence") && message.contains("hold"),
        "{message}"
    );
    for (r, status) in [
        (grant_odrl_of(l, &iris, UNKNOWN), StatusCode::NOT_FOUND),
        (grant_odrl_of(l, &iris, "g1"), StatusCode::BAD_REQUEST),
        (listing_odrl_of(l, &iris, UNKNOWN), StatusCode::NOT_FOUND),
        (
            listing_odrl_of(l, &iris, &"z".repeat(64)),
            StatusCode::BAD_REQUEST,
        ),
        (asset_prov_of(l, &iris, UNKNOWN), StatusCode::NOT_FOUND),
        (asset_prov_of(l, &iris, "../"), StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(refused(r).0, status);
    }
}
