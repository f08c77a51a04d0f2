//! The PROV rendering: activities from the committed history, agents by signing key,
//! qualified derivations naming their plans, every node listed once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use shuquan_proto::views::{EdgeView, KeyRef, MemberRef, ReceiptView};
use shuquan_proto::Hash32;

fn h(b: u8) -> Hash32 {
    Hash32::from_slice(&[b; 32]).unwrap()
}

fn asset(id: u8, registrant: &str, parents: Vec<EdgeView>) -> AssetView {
    let registrant = serde_json::json!({"member": null, "id": registrant});
    let view = serde_json::json!({
        "id": h(id), "fingerprint": "", "size_bytes": 1, "name": format!("set {id}"),
        "description": "", "sector": "transport", "grade": "general", "origin": "enterprise",
        "contains_pi": false, "contains_sensitive_pi": false, "jurisdiction": "CN",
        "delivery_modes": [], "evidence_hash": null, "registrant": registrant,
        "registered_height": 1, "registered_at_ms": 0,
        "holders": {"hold": registrant, "use": registrant, "operate": registrant},
        "parents": parents, "frozen": false, "history_head": h(0), "event_count": 1,
        "tx_id": h(id + 100), "status": "registered", "sharing": "conditional",
        "registration_number": null, "valid_until_ms": null, "application": null,
        "refusal": null,
    });
    serde_json::from_value(view).unwrap()
}

fn entry(tx: u8, kind: &str, signer: &str, ok: bool) -> HistoryEntryView {
    HistoryEntryView {
        seq: 0,
        kind: kind.into(),
        signer: KeyRef {
            member: None,
            key: signer.into(),
        },
        timestamp_ms: 1_767_225_600_000 + u64::from(tx) * 1000,
        timestamp: None,
        receipt: ReceiptView {
            tx_id: h(tx),
            height: 1,
            index: 0,
            result: if ok { "committed" } else { "failed" }.into(),
            code: u32::from(!ok),
            code_name: String::new(),
            rule: String::new(),
            message: String::new(),
            created: None,
        },
    }
}

fn member(short: &str, id: &str, key: &str) -> MemberView {
    serde_json::from_value(serde_json::json!({
        "id": short, "member_id": id, "name": format!("{short} institution"),
        "org_code": "", "jurisdiction": "CN", "roles": ["member"],
        "account_keys": [key], "node_key": null, "is_ciio": false, "status": "active",
    }))
    .unwrap()
}

fn node<'v>(doc: &'v Value, id: &str) -> &'v Value {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["@id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

#[test]
fn history_becomes_activities_and_lineage_qualified_derivations() {
    let iris = Iris::new("http://h");
    let (m1, m2) = ("a1".repeat(32), "b2".repeat(32));
    let mut a = asset(1, &m1, vec![]);
    a.holders.hold = MemberRef {
        member: Some("org2".into()),
        id: m2.clone(),
    };
    let members = [member("org1", &m1, "k1"), member("org2", &m2, "k2")];
    let history = [
        entry(101, "register_asset", "k1", true),
        entry(7, "transfer_right", "k1", true),
        entry(8, "transfer_right", "k2", false),
    ];
    let grant = "cc".repeat(32);
    let child = asset(
        2,
        &m2,
        vec![EdgeView {
            asset: h(1),
            via: grant.clone(),
        }],
    );
    let lineage = LineageView {
        asset: h(1),
        parents: vec![],
        children: vec![EdgeView {
            asset: h(2),
            via: grant.clone(),
        }],
    };
    let related = [Related {
        registration: Some(entry(102, "register_asset", "k2", true)),
        asset: child,
    }];
    let doc = asset_provenance(
        &iris,
        &AssetProv {
            asset: &a,
            history: &history,
            lineage: &lineage,
            related: &related,
            members: &members,
        },
    );
    let me = iris.asset(&h(1).to_hex());
    let registration = iris.tx(&h(101).to_hex());
    let n = node(&doc, &me);
    assert_eq!(n["@type"], "prov:Entity");
    assert_eq!(n["prov:wasGeneratedBy"]["@id"], registration);
    assert_eq!(n["prov:wasAttributedTo"]["@id"], iris.member(&m2));
    assert_eq!(n["prov:generatedAtTime"]["@value"], "2026-01-01T00:01:41Z");
    let transfer = node(&doc, &iris.tx(&h(7).to_hex()));
    assert_eq!(transfer["prov:used"]["@id"], me);
    assert_eq!(transfer["prov:wasAssociatedWith"]["@id"], iris.member(&m1));
    assert_eq!(transfer["prov:startedAtTime"], transfer["prov:endedAtTime"]);
    // The failed transfer changed nothing: not an activity.
    assert!(doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["@id"] != iris.tx(&h(8).to_hex())));
    let agent = node(&doc, &iris.member(&m1));
    assert_eq!(agent["@type"], json!(["prov:Agent", "prov:Organization"]));
    assert_eq!(agent["rdfs:label"], "org1 institution");
    // The child names its derivation, whose activity followed the grant as its plan.
    let c = node(&doc, &iris.asset(&h(2).to_hex()));
    assert_eq!(c["prov:wasDerivedFrom"]["@id"], me);
    let d = &c["prov:qualifiedDerivation"];
    assert_eq!(d["@type"], "prov:Derivation");
    assert_eq!(d["prov:hadActivity"]["@id"], iris.tx(&h(102).to_hex()));
    let act = node(&doc, &iris.tx(&h(102).to_hex()));
    assert_eq!(
        act["prov:qualifiedAssociation"]["prov:hadPlan"]["@id"],
        iris.grant(&grant)
    );
    assert_eq!(act["prov:wasAssociatedWith"]["@id"], iris.member(&m2));
    let plan = node(&doc, &iris.grant(&grant));
    assert_eq!(plan["@type"], json!(["prov:Entity", "prov:Plan"]));
}

#[test]
fn a_parent_edge_under_the_use_right_names_the_right_and_every_node_is_listed_once() {
    let iris = Iris::new("http://h");
    let m1 = "a1".repeat(32);
    let a = asset(
        2,
        &m1,
        vec![EdgeView {
            asset: h(1),
            via: "use-right".into(),
        }],
    );
    let lineage = LineageView {
        asset: h(2),
        parents: a.parents.clone(),
        children: vec![],
    };
    let history = [entry(102, "register_asset", "k1", true)];
    let members = [member("org1", &m1, "k1")];
    let doc = asset_provenance(
        &iris,
        &AssetProv {
            asset: &a,
            history: &history,
            lineage: &lineage,
            related: &[],
            members: &members,
        },
    );
    let act = node(&doc, &iris.tx(&h(102).to_hex()));
    let plan = iris.right(&h(1).to_hex(), "use");
    assert_eq!(
        act["prov:qualifiedAssociation"]["prov:hadPlan"]["@id"],
        plan
    );
    assert_eq!(
        act["prov:used"],
        json!([{"@id": iris.asset(&h(1).to_hex())}, {"@id": plan}])
    );
    let ids: Vec<&Value> = doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["@id"])
        .collect();
    let mut unique = ids.clone();
    unique.sort_by_key(|v| v.to_string());
    unique.dedup();
    assert_eq!(ids.len(), unique.len());
}
