//! W3C ODRL 2.2 policies in JSON-LD: a grant as an `odrl:Agreement` between its grantor
//! (assigner) and grantee (assignee), and a licence listing as an `odrl:Offer` of its seller
//! with the price as a compensation duty. Only terms of the ODRL 2.2 Core and Common
//! vocabularies are used, through an inline context in the style of the ODRL spec's
//! examples (`uid`, `type`, `permission`, `action`, ...).
//!
//! Each of our actions becomes its own permission (ODRL's atomic form: one action per
//! rule), all with the same constraints: `read` is `odrl:read`, `derive` is `odrl:derive`;
//! `query` is `odrl:read` and `compute` and `verify` are `odrl:use`, each refined by
//! `odrl:deliveryChannel` (the way the data is reached). Purposes are `odrl:purpose`,
//! jurisdictions (ISO 3166 codes) `odrl:spatial`, both `isAnyOf`; the term is
//! `odrl:dateTime` (`gteq` not before, `lt` not after); a use limit is `odrl:count`
//! `lteq` (the chain counts uses across all the grant's actions, so each rule's limit is
//! an upper bound for that action); recipient systems are `odrl:systemDevice`.
//!
//! A licence listing's terms run from each grant's issue (`odrl:elapsedTime` `lteq` the
//! term) and its price is a duty to `odrl:compensate` refined by `odrl:payAmount` (an
//! `xsd:decimal` with the currency as `odrl:unit`); a per-month or per-year price also
//! carries `odrl:timeInterval` (the payment recurs every 30 or 365 days, as the chain
//! counts them). A per-use price says so in the duty's `dct:description`: ODRL has no term
//! for a price per execution.

use serde::Deserialize;
use serde_json::{json, Value};
use shuquan_proto::market::{MONTH_MS, YEAR_MS};
use shuquan_proto::views::{GrantView, ListingView};

use super::{
    date_time, decimal, distinct, duration, time_text, typed, Iris, CURRENCY, DCT, ODRL, RDF, XSD,
};

/// The inline `@context` of every ODRL document.
pub fn context() -> Value {
    let vocab = |t: &str| json!({ "@id": format!("odrl:{t}"), "@type": "@vocab" });
    let iri = |t: &str| json!({ "@id": format!("odrl:{t}"), "@type": "@id" });
    let mut c = json!({
        "odrl": ODRL,
        "xsd": XSD,
        "rdf": RDF,
        "dct": DCT,
        "uid": "@id",
        "type": "@type",
        "permission": "odrl:permission",
        "duty": "odrl:duty",
        "constraint": "odrl:constraint",
        "refinement": "odrl:refinement",
        "rightOperand": "odrl:rightOperand",
        "target": iri("target"),
        "assigner": iri("assigner"),
        "assignee": iri("assignee"),
        "compensatedParty": iri("compensatedParty"),
        "unit": iri("unit"),
        "action": vocab("action"),
        "leftOperand": vocab("leftOperand"),
        "operator": vocab("operator"),
        "value": { "@id": "rdf:value", "@type": "@vocab" },
    });
    // Classes, actions, left operands and operators, as plain terms.
    const TERMS: [&str; 20] = [
        "Agreement",
        "Offer",
        "read",
        "use",
        "derive",
        "compensate",
        "purpose",
        "spatial",
        "dateTime",
        "count",
        "elapsedTime",
        "timeInterval",
        "deliveryChannel",
        "systemDevice",
        "payAmount",
        "eq",
        "lt",
        "gteq",
        "lteq",
        "isAnyOf",
    ];
    if let Some(map) = c.as_object_mut() {
        for t in TERMS {
            map.insert(t.into(), json!(format!("odrl:{t}")));
        }
    }
    c
}

/// A constraint (or refinement) `left operator right`.
fn constraint(left: &str, operator: &str, right: Value) -> Value {
    json!({ "leftOperand": left, "operator": operator, "rightOperand": right })
}

/// The ODRL action of one of ours.
fn action(word: &str) -> Value {
    let refined = |odrl: &str, channel: &str| {
        json!({
            "value": odrl,
            "refinement": [constraint("deliveryChannel", "eq", json!(channel))],
        })
    };
    match word {
        "read" => json!("read"),
        "derive" => json!("derive"),
        "query" => refined("read", "query"),
        other => refined("use", other),
    }
}

/// One permission per action on `target`, with the same constraints.
fn permissions(
    actions: &[String],
    parties: &Value,
    constraints: &[Value],
    duty: Option<&Value>,
) -> Vec<Value> {
    distinct(actions)
        .iter()
        .map(|a| {
            let mut p = parties.clone();
            if let Some(map) = p.as_object_mut() {
                map.insert("action".into(), action(a));
                if !constraints.is_empty() {
                    map.insert("constraint".into(), json!(constraints));
                }
                if let Some(d) = duty {
                    map.insert("duty".into(), json!([d]));
                }
            }
            p
        })
        .collect()
}

/// `purpose` and `spatial` constraints, when there are any.
fn scope(purposes: &[String], jurisdictions: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    if !purposes.is_empty() {
        out.push(constraint("purpose", "isAnyOf", json!(distinct(purposes))));
    }
    if !jurisdictions.is_empty() {
        out.push(constraint(
            "spatial",
            "isAnyOf",
            json!(distinct(jurisdictions)),
        ));
    }
    out
}

fn integer(n: u64) -> Value {
    typed(&n.to_string(), "integer")
}

/// A grant as an `odrl:Agreement`.
pub fn grant_agreement(iris: &Iris, g: &GrantView) -> Value {
    let id = g.id.to_hex();
    let mut constraints = scope(&g.purposes, &g.jurisdictions);
    if g.not_before_ms > 0 {
        if let Some(t) = date_time(g.not_before_ms) {
            constraints.push(constraint("dateTime", "gteq", t));
        }
    }
    if let Some(t) = date_time(g.not_after_ms) {
        constraints.push(constraint("dateTime", "lt", t));
    }
    if g.max_uses > 0 {
        constraints.push(constraint("count", "lteq", integer(g.max_uses)));
    }
    if !g.recipient_systems.is_empty() {
        let systems = json!(distinct(&g.recipient_systems));
        constraints.push(constraint("systemDevice", "isAnyOf", systems));
    }
    let parties = json!({
        "target": iris.asset(&g.asset),
        "assigner": iris.member(&g.grantor.id),
        "assignee": iris.member(&g.grantee.id),
    });
    json!({
        "@context": context(),
        "uid": iris.grant(&id),
        "type": "Agreement",
        "dct:identifier": id,
        "dct:description": format!(
            "Grant {id} of the Shuquan data-rights ledger: {} at {} (block height {}).",
            g.status,
            time_text(g.status_at_ms).unwrap_or_else(|| g.status_at_ms.to_string()),
            g.as_of_height
        ),
        "permission": permissions(&g.actions, &parties, &constraints, None),
    })
}

/// A licence's terms as a listing's view carries them.
#[derive(Debug, Deserialize)]
struct Licence {
    actions: Vec<String>,
    purposes: Vec<String>,
    jurisdictions: Vec<String>,
    duration_ms: u64,
    max_uses: u64,
}

/// A price unit in words: `per month`, `one-off`.
fn unit_text(unit: &str) -> String {
    match unit.strip_prefix("per-") {
        Some(per) => format!("per {per}"),
        None => unit.to_string(),
    }
}

/// A licence listing as an `odrl:Offer`; `Ok(None)` for a listing of a right (a transfer
/// is no policy), an error if the view's licence terms do not read.
pub fn listing_offer(iris: &Iris, l: &ListingView) -> Result<Option<Value>, serde_json::Error> {
    let Some(terms) = &l.licence else {
        return Ok(None);
    };
    let lic: Licence = serde_json::from_value(terms.clone())?;
    let id = l.id.to_hex();
    let recurring = match l.unit.as_str() {
        "per-month" => Some(MONTH_MS),
        "per-year" => Some(YEAR_MS),
        _ => None,
    };
    let mut constraints = scope(&lic.purposes, &lic.jurisdictions);
    // Per month or year the buyer orders the term; otherwise it is the listed one.
    if recurring.is_none() && lic.duration_ms > 0 {
        constraints.push(constraint("elapsedTime", "lteq", duration(lic.duration_ms)));
    }
    // Per use the buyer orders the uses; otherwise the listed limit holds.
    if l.unit != "per-use" && lic.max_uses > 0 {
        constraints.push(constraint("count", "lteq", integer(lic.max_uses)));
    }
    let mut pay = constraint("payAmount", "eq", decimal(l.price_minor));
    if let Some(map) = pay.as_object_mut() {
        map.insert("unit".into(), json!(format!("{CURRENCY}{}", l.currency)));
    }
    let mut refinement = vec![pay];
    if let Some(every) = recurring {
        refinement.push(constraint("timeInterval", "eq", duration(every)));
    }
    let duty = json!({
        "action": [{ "value": "compensate", "refinement": refinement }],
        "compensatedParty": iris.member(&l.seller.id),
        "dct:description": format!("{} {}", l.price, unit_text(&l.unit)),
    });
    let parties = json!({
        "target": iris.asset(&l.asset.to_hex()),
        "assigner": iris.member(&l.seller.id),
    });
    Ok(Some(json!({
        "@context": context(),
        "uid": iris.listing(&id),
        "type": "Offer",
        "dct:identifier": id,
        "dct:description": format!(
            "Licence offered by listing {id} of the Shuquan data-rights ledger at {} {}: {}.",
            l.price,
            unit_text(&l.unit),
            l.status
        ),
        "permission": permissions(&lic.actions, &parties, &constraints, Some(&duty)),
    })))
}

#[cfg(test)]
mod tests;
