//! An asset's history and lineage as W3C PROV-O in JSON-LD: a flat `@graph` in which every
//! node appears once (references by `@id`), with `prov:` keys through an inline context.
//!
//! - The asset, its parents and its children are `prov:Entity`; the asset is
//!   `prov:wasAttributedTo` its Hold holder and `prov:wasGeneratedBy` its registration.
//! - Each committed transaction of its history is a `prov:Activity` at its block time
//!   (`prov:startedAtTime` = `prov:endedAtTime`), `prov:wasAssociatedWith` the member whose
//!   key signed it (a `prov:Agent` and `prov:Organization`); every one but the registration
//!   `prov:used` the asset. Failed transactions changed nothing and are left out.
//! - A lineage edge is `prov:wasDerivedFrom`, qualified by a `prov:Derivation` whose
//!   `prov:hadActivity` is the child's registration; that activity used the parent and is
//!   qualified by a `prov:Association` whose `prov:hadPlan` names what authorised the
//!   derivation: the deriver's Use right over the parent or its grant with `derive` (a
//!   `prov:Plan`).

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};
use shuquan_proto::views::{AssetView, HistoryEntryView, LineageView, MemberView};

use super::{date_time, Iris, DCT, PROV, RDFS, XSD};

/// An asset at the other end of a lineage edge, with its registration if known.
#[derive(Clone, Debug)]
pub struct Related {
    /// The asset.
    pub asset: AssetView,
    /// The first entry of its history: the registering transaction.
    pub registration: Option<HistoryEntryView>,
}

/// What the PROV document of an asset is made of.
#[derive(Clone, Copy, Debug)]
pub struct AssetProv<'a> {
    /// The asset.
    pub asset: &'a AssetView,
    /// Its history, in chain order.
    pub history: &'a [HistoryEntryView],
    /// Its parents and children.
    pub lineage: &'a LineageView,
    /// The parents and children found (others are named by IRI only).
    pub related: &'a [Related],
    /// The chain's members, to name the signers of the history.
    pub members: &'a [MemberView],
}

/// The inline `@context` of the PROV documents.
pub fn context() -> Value {
    json!({ "prov": PROV, "xsd": XSD, "rdfs": RDFS, "dct": DCT })
}

/// Nodes by `@id`, in first-seen order; each property a set of values.
#[derive(Default)]
struct Graph {
    nodes: Vec<(String, BTreeMap<String, Vec<Value>>)>,
    index: HashMap<String, usize>,
}

impl Graph {
    fn add(&mut self, id: &str, key: &str, value: Value) {
        let i = *self.index.entry(id.to_string()).or_insert_with(|| {
            self.nodes.push((id.to_string(), BTreeMap::new()));
            self.nodes.len() - 1
        });
        let values = self.nodes[i].1.entry(key.to_string()).or_default();
        if !values.contains(&value) {
            values.push(value);
        }
    }

    fn into_nodes(self) -> Vec<Value> {
        self.nodes
            .into_iter()
            .map(|(id, props)| {
                let mut node = Map::new();
                node.insert("@id".into(), json!(id));
                for (k, mut vs) in props {
                    let v = if vs.len() == 1 {
                        vs.remove(0)
                    } else {
                        Value::Array(vs)
                    };
                    node.insert(k, v);
                }
                Value::Object(node)
            })
            .collect()
    }
}

fn id_ref(iri: &str) -> Value {
    json!({ "@id": iri })
}

struct Builder<'a> {
    iris: &'a Iris,
    g: Graph,
    /// Member id of each account key (current or former).
    by_key: HashMap<&'a str, &'a MemberView>,
    by_id: HashMap<&'a str, &'a MemberView>,
}

impl<'a> Builder<'a> {
    fn agent(&mut self, member_id: &str) -> String {
        let iri = self.iris.member(member_id);
        self.g.add(&iri, "@type", json!("prov:Agent"));
        self.g.add(&iri, "@type", json!("prov:Organization"));
        if let Some(m) = self.by_id.get(member_id) {
            self.g.add(&iri, "rdfs:label", json!(m.name));
            self.g.add(&iri, "dct:identifier", json!(m.id));
        }
        iri
    }

    fn entity(&mut self, a: &AssetView) -> String {
        let iri = self.iris.asset(&a.id.to_hex());
        self.g.add(&iri, "@type", json!("prov:Entity"));
        self.g.add(&iri, "rdfs:label", json!(a.name));
        self.g.add(&iri, "dct:identifier", json!(a.id.to_hex()));
        let reg = self.iris.tx(&a.tx_id.to_hex());
        self.g.add(&reg, "@type", json!("prov:Activity"));
        self.g.add(&iri, "prov:wasGeneratedBy", id_ref(&reg));
        iri
    }

    /// A committed transaction as an activity; its IRI.
    fn activity(&mut self, e: &HistoryEntryView) -> String {
        let iri = self.iris.tx(&e.receipt.tx_id.to_hex());
        self.g.add(&iri, "@type", json!("prov:Activity"));
        self.g.add(&iri, "rdfs:label", json!(e.kind));
        if let Some(t) = date_time(e.timestamp_ms) {
            self.g.add(&iri, "prov:startedAtTime", t.clone());
            self.g.add(&iri, "prov:endedAtTime", t);
        }
        let signer = self
            .by_key
            .get(e.signer.key.as_str())
            .map(|m| m.member_id.clone());
        if let Some(m) = signer {
            let agent = self.agent(&m);
            self.g.add(&iri, "prov:wasAssociatedWith", id_ref(&agent));
        }
        iri
    }

    /// `child` was derived from the asset `parent` under `via` (`use-right` or a grant id).
    fn derivation(&mut self, child: &AssetView, parent: &str, via: &str) {
        let child_iri = self.entity(child);
        let parent_iri = self.iris.asset(parent);
        let activity = self.iris.tx(&child.tx_id.to_hex());
        let (plan, label) = if via == "use-right" {
            (
                self.iris.right(parent, "use"),
                format!("the Use right over asset {parent} (数据加工使用权)"),
            )
        } else {
            (
                self.iris.grant(via),
                format!("grant {via} with the derive action"),
            )
        };
        self.g.add(&plan, "@type", json!("prov:Entity"));
        self.g.add(&plan, "@type", json!("prov:Plan"));
        self.g.add(&plan, "rdfs:label", json!(label));
        self.g
            .add(&child_iri, "prov:wasDerivedFrom", id_ref(&parent_iri));
        let derivation = json!({
            "@type": "prov:Derivation",
            "prov:entity": id_ref(&parent_iri),
            "prov:hadActivity": id_ref(&activity),
        });
        self.g
            .add(&child_iri, "prov:qualifiedDerivation", derivation);
        let agent = self.agent(&child.registrant.id);
        self.g.add(&activity, "prov:used", id_ref(&parent_iri));
        self.g.add(&activity, "prov:used", id_ref(&plan));
        self.g
            .add(&activity, "prov:wasAssociatedWith", id_ref(&agent));
        let association = json!({
            "@type": "prov:Association",
            "prov:agent": id_ref(&agent),
            "prov:hadPlan": id_ref(&plan),
        });
        self.g
            .add(&activity, "prov:qualifiedAssociation", association);
    }
}

/// The PROV-O document of an asset.
pub fn asset_provenance(iris: &Iris, p: &AssetProv<'_>) -> Value {
    let mut by_key = HashMap::new();
    let mut by_id = HashMap::new();
    for m in p.members {
        by_id.insert(m.member_id.as_str(), m);
        for k in m.account_keys.iter().chain(&m.former_keys) {
            by_key.insert(k.as_str(), m);
        }
    }
    let mut b = Builder {
        iris,
        g: Graph::default(),
        by_key,
        by_id,
    };
    let a = p.asset;
    let asset = b.entity(a);
    let holder = b.agent(&a.holders.hold.id);
    b.g.add(&asset, "prov:wasAttributedTo", id_ref(&holder));
    for e in p.history.iter().filter(|e| e.receipt.committed()) {
        let activity = b.activity(e);
        if e.receipt.tx_id == a.tx_id {
            if let Some(t) = date_time(e.timestamp_ms) {
                b.g.add(&asset, "prov:generatedAtTime", t);
            }
        } else {
            b.g.add(&activity, "prov:used", id_ref(&asset));
        }
    }
    let related = |id: &shuquan_proto::Hash32| p.related.iter().find(|r| r.asset.id == *id);
    for edge in &p.lineage.parents {
        match related(&edge.asset) {
            Some(r) => {
                b.entity(&r.asset);
                if let Some(reg) = r.registration.as_ref().filter(|e| e.receipt.committed()) {
                    b.activity(reg);
                }
            }
            None => {
                let iri = iris.asset(&edge.asset.to_hex());
                b.g.add(&iri, "@type", json!("prov:Entity"));
            }
        }
        b.derivation(a, &edge.asset.to_hex(), &edge.via);
    }
    for edge in &p.lineage.children {
        let Some(r) = related(&edge.asset) else {
            // A child not found: the edge alone, from its IRI.
            let iri = iris.asset(&edge.asset.to_hex());
            b.g.add(&iri, "@type", json!("prov:Entity"));
            b.g.add(&iri, "prov:wasDerivedFrom", id_ref(&asset));
            continue;
        };
        if let Some(reg) = r.registration.as_ref().filter(|e| e.receipt.committed()) {
            b.activity(reg);
        }
        b.derivation(&r.asset, &a.id.to_hex(), &edge.via);
    }
    json!({ "@context": context(), "@graph": b.g.into_nodes() })
}

#[cfg(test)]
mod tests;
