//! The ODRL renderings: atomic permissions, constraints and their literals, the offer's
//! compensation duty, and a context that defines every term the documents use.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use shuquan_proto::views::MemberRef;
use shuquan_proto::Hash32;

fn grant() -> GrantView {
    GrantView {
        id: Hash32::from_slice(&[1; 32]).unwrap(),
        asset: "aa".repeat(32),
        grantor: MemberRef {
            member: Some("org1".into()),
            id: "01".repeat(32),
        },
        grantee: MemberRef {
            member: None,
            id: "02".repeat(32),
        },
        actions: vec!["compute".into(), "read".into(), "derive".into()],
        purposes: vec!["academic-research".into()],
        not_before_ms: 1_767_225_600_000,
        not_before: None,
        not_after_ms: 1_798_761_600_000,
        not_after: None,
        jurisdictions: vec!["CN".into(), "VN".into()],
        max_uses: 10,
        uses: 0,
        recipient_systems: vec![],
        status: "active".into(),
        status_at_ms: 1_767_225_601_000,
        status_at: None,
        as_of_height: 7,
        covers: vec![],
        frozen: false,
        issued_height: 5,
        tx_id: Hash32::default(),
    }
}

#[test]
fn a_grant_is_an_agreement_with_one_permission_per_action() {
    let doc = grant_agreement(&Iris::new("https://n1.example"), &grant());
    assert_eq!(doc["type"], "Agreement");
    assert!(doc["dct:description"]
        .as_str()
        .unwrap()
        .ends_with(": active at 2026-01-01T00:00:01Z (block height 7)."));
    assert_eq!(
        doc["uid"],
        format!("https://n1.example/v1/grants/{}", "01".repeat(32))
    );
    let perms = doc["permission"].as_array().unwrap();
    assert_eq!(perms.len(), 3);
    let compute = &perms[0];
    assert_eq!(compute["action"]["value"], "use");
    assert_eq!(
        compute["action"]["refinement"][0]["rightOperand"],
        "compute"
    );
    assert_eq!(perms[1]["action"], "read");
    assert_eq!(perms[2]["action"], "derive");
    assert_eq!(
        compute["target"],
        format!("https://n1.example/v1/assets/{}#dataset", "aa".repeat(32))
    );
    assert_eq!(
        compute["assignee"],
        format!("https://n1.example/v1/members/{}", "02".repeat(32))
    );
    let c = compute["constraint"].as_array().unwrap();
    let ops: Vec<(&str, &str)> = c
        .iter()
        .map(|c| {
            (
                c["leftOperand"].as_str().unwrap(),
                c["operator"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("purpose", "isAnyOf"),
            ("spatial", "isAnyOf"),
            ("dateTime", "gteq"),
            ("dateTime", "lt"),
            ("count", "lteq"),
        ]
    );
    assert_eq!(c[1]["rightOperand"], json!(["CN", "VN"]));
    assert_eq!(c[2]["rightOperand"]["@value"], "2026-01-01T00:00:00Z");
    assert_eq!(
        c[4]["rightOperand"],
        json!({"@value": "10", "@type": "xsd:integer"})
    );
}

#[test]
fn unlimited_grants_have_no_count_and_every_term_is_in_the_context() {
    let mut g = grant();
    g.max_uses = 0;
    g.not_before_ms = 0;
    g.recipient_systems = vec!["sandbox-1".into()];
    let doc = grant_agreement(&Iris::new("http://h"), &g);
    let c = doc["permission"][0]["constraint"].as_array().unwrap();
    assert!(c.iter().all(|c| c["leftOperand"] != "count"));
    assert!(c.iter().all(|c| c["operator"] != "gteq"));
    assert_eq!(c.last().unwrap()["leftOperand"], "systemDevice");
    // Every plain term the document uses as a key or vocabulary value is defined.
    let ctx = context();
    let mut words = Vec::new();
    collect_terms(&doc, &mut words);
    for w in words {
        assert!(ctx.get(&w).is_some(), "{w} is not in the context");
    }
}

fn collect_terms(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "@context" {
                    continue;
                }
                if !k.starts_with('@') && !k.contains(':') {
                    out.push(k.clone());
                }
                let vocab_valued = ["type", "action", "leftOperand", "operator", "value"];
                if let (true, Some(s)) = (vocab_valued.contains(&k.as_str()), x.as_str()) {
                    out.push(s.to_string());
                }
                collect_terms(x, out);
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| collect_terms(x, out)),
        _ => {}
    }
}

fn listing(unit: &str, licence: Option<Value>) -> ListingView {
    ListingView {
        id: Hash32::from_slice(&[3; 32]).unwrap(),
        asset: Hash32::from_slice(&[0xaa; 32]).unwrap(),
        seller: MemberRef {
            member: None,
            id: "01".repeat(32),
        },
        offer: if licence.is_some() { "licence" } else { "hold" }.into(),
        licence,
        price_minor: 120_000,
        currency: "CNY".into(),
        price: "1200.00 CNY".into(),
        unit: unit.into(),
        delivery_modes: vec!["compute".into()],
        valid_until_ms: 1_790_000_000_000,
        valid_until: None,
        status: "open".into(),
        sold: 0,
        listed_ms: 1_767_225_600_000,
        listed: None,
        listed_height: 3,
        tx_id: "00".repeat(32),
    }
}

fn licence() -> Value {
    json!({"actions": ["compute"], "purposes": ["academic-research"],
           "jurisdictions": ["CN"], "duration_ms": 90 * 86_400_000u64, "max_uses": 5})
}

#[test]
fn a_licence_listing_is_an_offer_with_a_compensation_duty() {
    let doc = listing_offer(
        &Iris::new("http://h"),
        &listing("per-month", Some(licence())),
    )
    .unwrap()
    .unwrap();
    assert_eq!(doc["type"], "Offer");
    let p = &doc["permission"][0];
    assert!(p.get("assignee").is_none());
    let duty = &p["duty"][0];
    let refinement = &duty["action"][0]["refinement"];
    assert_eq!(duty["action"][0]["value"], "compensate");
    assert_eq!(refinement[0]["leftOperand"], "payAmount");
    assert_eq!(refinement[0]["rightOperand"]["@value"], "1200.00");
    assert_eq!(
        refinement[0]["unit"],
        "http://publications.europa.eu/resource/authority/currency/CNY"
    );
    assert_eq!(refinement[1]["rightOperand"]["@value"], "P30D");
    assert_eq!(duty["dct:description"], "1200.00 CNY per month");
    // The term is what the buyer orders; the use limit is the listing's.
    let lefts: Vec<&Value> = p["constraint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["leftOperand"])
        .collect();
    assert_eq!(lefts, ["purpose", "spatial", "count"]);
}

#[test]
fn a_one_off_licence_runs_its_listed_term_and_a_right_listing_is_no_offer() {
    let iris = Iris::new("http://h");
    let doc = listing_offer(&iris, &listing("one-off", Some(licence())))
        .unwrap()
        .unwrap();
    let c = &doc["permission"][0]["constraint"];
    assert_eq!(c[2]["leftOperand"], "elapsedTime");
    assert_eq!(c[2]["rightOperand"]["@value"], "P90D");
    assert_eq!(
        doc["permission"][0]["duty"][0]["action"][0]["refinement"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        listing_offer(&iris, &listing("one-off", None)).unwrap(),
        None
    );
    assert!(listing_offer(&iris, &listing("one-off", Some(json!({"actions": 3})))).is_err());
}
