//! The W3C DCAT 3 / DCAT-AP 3 rendering: one `dcat:Catalog` of the certified entries as
//! JSON-LD, checked against the official DCAT-AP 3.0.1 SHACL shapes by `scripts/dcat-check`.
//!
//! IRIs, under `base_url`: the catalogue is `/v1/catalogue/dcat`, a dataset
//! `/v1/assets/<id>#dataset` (landing page and every distribution's access URL
//! `/v1/assets/<id>`, a distribution `/v1/assets/<id>#<mode>`), its publisher the holder
//! `/v1/members/<holder>`. `dct:issued` is the first application's block time and
//! `dct:modified` the certificate's effective time.

use chrono::{DateTime, SecondsFormat};
use serde_json::{json, Map, Value};

use crate::dcat_vocab::{
    access_right, context, country, delivery_description, iri_segment, theme, THEMES,
};
use crate::Entry;

/// What the catalogue says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogMeta {
    /// The node's public API base URL, e.g. `https://node1.example.org` (a trailing slash
    /// is ignored); every IRI of the document is under it.
    pub base_url: String,
    /// The chain id (`dct:identifier` of the catalogue).
    pub chain_id: String,
    /// The catalogue's title.
    pub title: String,
    /// The catalogue's description.
    pub description: String,
    /// The name of the institution publishing the catalogue (`dct:publisher`).
    pub publisher_name: String,
    /// The catalogue's home page (`foaf:homepage`); the base URL when None.
    pub homepage: Option<String>,
    /// Whether fingerprints are BLAKE3 (SPDX's `checksumAlgorithm_blake3`), so a download
    /// names its checksum. SPDX names no SM3, so an SM3 chain's fingerprints are left out
    /// of the distributions rather than mislabelled.
    pub blake3_fingerprints: bool,
}

/// The DCAT-AP JSON-LD document of `entries`, keeping only those certified at `now_ms`
/// (see [`Entry::is_certified`]), in the given order.
pub fn dcat(meta: &CatalogMeta, entries: &[Entry], now_ms: u64) -> Value {
    let base = meta.base_url.trim_end_matches('/');
    let catalog_iri = format!("{base}/v1/catalogue/dcat");
    let included: Vec<&Entry> = entries.iter().filter(|e| e.is_certified(now_ms)).collect();
    let datasets: Vec<Value> = included
        .iter()
        .map(|e| dataset(base, &catalog_iri, e, meta.blake3_fingerprints))
        .collect();
    let mut catalog = json!({
        "@context": context(),
        "@id": catalog_iri,
        "@type": "dcat:Catalog",
        "dct:identifier": meta.chain_id,
        "dct:title": meta.title,
        "dct:description": meta.description,
        "dct:publisher": {
            "@id": format!("{catalog_iri}#publisher"),
            "@type": "foaf:Agent",
            "foaf:name": meta.publisher_name,
        },
        "foaf:homepage": {
            "@id": meta.homepage.clone().unwrap_or_else(|| base.to_string()),
            "@type": "foaf:Document",
        },
        "dcat:themeTaxonomy": {
            "@id": THEMES,
            "@type": "skos:ConceptScheme",
            "dct:title": { "@value": "Data theme", "@language": "en" },
        },
        "dcat:dataset": datasets,
    });
    let latest = included
        .iter()
        .map(|e| e.registered_at_ms.max(e.applied_at_ms))
        .max();
    if let (Some(map), Some(modified)) = (catalog.as_object_mut(), latest.and_then(date_time)) {
        map.insert("dct:modified".into(), modified);
    }
    catalog
}

fn dataset(base: &str, catalog_iri: &str, e: &Entry, blake3: bool) -> Value {
    let page = format!("{base}/v1/assets/{}", iri_segment(&e.asset));
    let member = format!("{base}/v1/members/{}", iri_segment(&e.holder));
    let description = match e.description.trim() {
        "" => e.name.as_str(),
        _ => e.description.as_str(),
    };
    let mut d = Map::new();
    d.insert("@id".into(), json!(format!("{page}#dataset")));
    d.insert("@type".into(), json!("dcat:Dataset"));
    d.insert(
        "dct:identifier".into(),
        json!(e.number.as_deref().unwrap_or_default()),
    );
    d.insert(
        "adms:identifier".into(),
        json!({ "@type": "adms:Identifier", "skos:notation": e.asset }),
    );
    d.insert("dct:title".into(), json!(e.name));
    d.insert("dct:description".into(), json!(description));
    d.insert(
        "dct:publisher".into(),
        json!({ "@id": member, "@type": "foaf:Agent", "foaf:name": e.holder_name }),
    );
    d.insert(
        "dcat:contactPoint".into(),
        json!({
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": e.holder_name,
            "vcard:hasURL": { "@id": member },
        }),
    );
    d.insert(
        "dct:spatial".into(),
        Value::Array(locations(catalog_iri, &e.jurisdiction)),
    );
    if let Some(rights) = access_right(&e.sharing) {
        d.insert(
            "dct:accessRights".into(),
            json!({ "@id": rights, "@type": "dct:RightsStatement" }),
        );
    }
    if let Some(issued) = date_time(e.applied_at_ms) {
        d.insert("dct:issued".into(), issued);
    }
    if let Some(modified) = date_time(e.registered_at_ms).filter(|_| e.registered_at_ms > 0) {
        d.insert("dct:modified".into(), modified);
    }
    d.insert("dcat:keyword".into(), json!([e.sector]));
    if let Some((iri, label)) = theme(&e.sector) {
        d.insert(
            "dcat:theme".into(),
            json!({
                "@id": iri,
                "@type": "skos:Concept",
                "skos:prefLabel": { "@value": label, "@language": "en" },
            }),
        );
    }
    d.insert(
        "dcat:landingPage".into(),
        json!({ "@id": page, "@type": "foaf:Document" }),
    );
    let distributions: Vec<Value> = e
        .delivery_modes
        .iter()
        .map(|m| distribution(&page, e, m, blake3))
        .collect();
    d.insert("dcat:distribution".into(), Value::Array(distributions));
    Value::Object(d)
}

fn distribution(page: &str, e: &Entry, mode: &str, blake3: bool) -> Value {
    let mut d = json!({
        "@id": format!("{page}#{}", iri_segment(mode)),
        "@type": "dcat:Distribution",
        "dct:title": format!("{} ({mode})", e.name),
        "dct:description": delivery_description(mode),
        "dcat:accessURL": { "@id": page },
    });
    if let (Some(map), "download") = (d.as_object_mut(), mode) {
        map.insert(
            "dcat:byteSize".into(),
            json!({ "@value": e.size_bytes.to_string(), "@type": "xsd:nonNegativeInteger" }),
        );
    }
    if let (Some(map), "download", true) = (d.as_object_mut(), mode, blake3) {
        map.insert(
            "spdx:checksum".into(),
            json!({
                "@type": "spdx:Checksum",
                "spdx:algorithm": {
                    "@id": "spdx:checksumAlgorithm_blake3",
                    "@type": "spdx:ChecksumAlgorithm",
                },
                "spdx:checksumValue": { "@value": e.fingerprint, "@type": "xsd:hexBinary" },
            }),
        );
    }
    d
}

/// The country (EU authority) and the jurisdiction itself (an IRI in the catalogue).
fn locations(catalog_iri: &str, jurisdiction: &str) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(iri) = country(jurisdiction) {
        out.push(json!({ "@id": iri, "@type": "dct:Location" }));
    }
    if jurisdiction.contains('-') || out.is_empty() {
        out.push(json!({
            "@id": format!("{catalog_iri}#jurisdiction-{}", iri_segment(jurisdiction)),
            "@type": "dct:Location",
            "skos:prefLabel": jurisdiction,
        }));
    }
    out
}

/// An `xsd:dateTime` literal (UTC, milliseconds) of a time in ms since the epoch.
fn date_time(ms: u64) -> Option<Value> {
    let at = DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)?;
    Some(json!({
        "@value": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "@type": "xsd:dateTime",
    }))
}
