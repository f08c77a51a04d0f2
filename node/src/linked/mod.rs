//! Linked-data renderings for other data spaces: a grant or a licence listing as a W3C ODRL
//! 2.2 policy ([`odrl`]) and an asset's history and lineage as W3C PROV-O ([`prov`]), both
//! JSON-LD with an inline `@context` (no remote context: consumers and tests work offline).
//! Pure functions from the API's views to `serde_json::Value`; `scripts/jsonld-check`
//! expands real documents with a JSON-LD processor and checks every term against the
//! vocabularies.
//!
//! IRIs of our things are under the node's public base URL ([`Iris`]), the same as the
//! DCAT catalogue's: an asset is `/v1/assets/<id>#dataset` (the `dcat:Dataset` of the
//! catalogue), a member `/v1/members/<member id>`, a grant `/v1/grants/<id>`, a listing
//! `/v1/listings/<id>`, a transaction `/v1/txs/<id>`.

use shuquan_catalogue::iri_segment;
pub mod odrl;
pub mod prov;
pub mod read;

#[cfg(test)]
pub(crate) mod sample;

use chrono::{DateTime, SecondsFormat};
use serde_json::{json, Value};

/// The ODRL 2.2 namespace.
pub const ODRL: &str = "http://www.w3.org/ns/odrl/2/";
/// The PROV-O namespace.
pub const PROV: &str = "http://www.w3.org/ns/prov#";
/// XML Schema datatypes.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// RDF.
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// RDF Schema.
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// DCMI Metadata Terms.
pub const DCT: &str = "http://purl.org/dc/terms/";
/// ISO 4217 currencies, as the EU Publications Office's authority table names them (the
/// table DCAT-AP uses).
pub const CURRENCY: &str = "http://publications.europa.eu/resource/authority/currency/";

/// The IRIs of our things under a node's public base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iris {
    base: String,
}

impl Iris {
    /// IRIs under `base_url` (e.g. `https://node1.example.org`; a trailing `/` is ignored).
    pub fn new(base_url: &str) -> Self {
        Iris {
            base: base_url.trim_end_matches('/').to_string(),
        }
    }

    fn under(&self, kind: &str, id: &str) -> String {
        format!("{}/v1/{kind}/{}", self.base, iri_segment(id))
    }

    /// An asset: the data set the catalogue's DCAT rendering describes.
    pub fn asset(&self, id: &str) -> String {
        format!("{}#dataset", self.under("assets", id))
    }

    /// A right over an asset (`hold`, `use`, `operate`).
    pub fn right(&self, asset: &str, right: &str) -> String {
        format!(
            "{}/rights#{}",
            self.under("assets", asset),
            iri_segment(right)
        )
    }

    /// A member, by member id.
    pub fn member(&self, id: &str) -> String {
        self.under("members", id)
    }

    /// A grant.
    pub fn grant(&self, id: &str) -> String {
        self.under("grants", id)
    }

    /// A listing.
    pub fn listing(&self, id: &str) -> String {
        self.under("listings", id)
    }

    /// A transaction.
    pub fn tx(&self, id: &str) -> String {
        self.under("txs", id)
    }
}

/// A block time as RFC 3339 text (UTC), or `None` past what a date can say.
pub(crate) fn time_text(ms: u64) -> Option<String> {
    let t = DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)?;
    Some(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// A block time as an `xsd:dateTime` literal (UTC), or `None` past what a date can say.
pub(crate) fn date_time(ms: u64) -> Option<Value> {
    Some(typed(&time_text(ms)?, "dateTime"))
}

/// A duration in ms as an `xsd:duration` literal: whole days as `P90D`, else seconds.
pub(crate) fn duration(ms: u64) -> Value {
    const DAY: u64 = 86_400_000;
    let text = if ms.is_multiple_of(DAY) {
        format!("P{}D", ms / DAY)
    } else if ms.is_multiple_of(1000) {
        format!("PT{}S", ms / 1000)
    } else {
        format!("PT{}.{:03}S", ms / 1000, ms % 1000)
    };
    typed(&text, "duration")
}

/// A literal of an XML Schema datatype (`xsd:` + `datatype`).
pub(crate) fn typed(value: &str, datatype: &str) -> Value {
    json!({ "@value": value, "@type": format!("xsd:{datatype}") })
}

/// An amount in minor units (hundredths) as an `xsd:decimal` literal: `1200.00`.
pub(crate) fn decimal(minor: u64) -> Value {
    typed(&format!("{}.{:02}", minor / 100, minor % 100), "decimal")
}

/// The distinct strings of `xs`, in first-seen order (a repeated value would be one RDF
/// statement, not two).
pub(crate) fn distinct(xs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(xs.len());
    for x in xs {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn iris_are_under_the_base_url_whatever_its_trailing_slash() {
        let iris = Iris::new("https://node1.example.org/");
        assert_eq!(
            iris.asset("ab12"),
            "https://node1.example.org/v1/assets/ab12#dataset"
        );
        assert_eq!(iris.member("m1"), "https://node1.example.org/v1/members/m1");
        assert_eq!(
            iris.right("ab12", "use"),
            "https://node1.example.org/v1/assets/ab12/rights#use"
        );
        assert_eq!(
            iris.tx("a b/c"),
            "https://node1.example.org/v1/txs/a%20b%2Fc"
        );
    }

    #[test]
    fn literals_carry_their_datatype() {
        assert_eq!(
            date_time(1_767_225_600_000),
            Some(json!({"@value": "2026-01-01T00:00:00Z", "@type": "xsd:dateTime"}))
        );
        assert_eq!(
            date_time(1_767_225_600_250).unwrap()["@value"],
            "2026-01-01T00:00:00.250Z"
        );
        assert_eq!(date_time(u64::MAX), None);
        assert_eq!(duration(90 * 86_400_000)["@value"], "P90D");
        assert_eq!(duration(90_000)["@value"], "PT90S");
        assert_eq!(duration(1_500)["@value"], "PT1.500S");
        assert_eq!(decimal(120_005)["@value"], "1200.05");
        assert_eq!(decimal(7)["@type"], "xsd:decimal");
        assert_eq!(
            distinct(&["CN".into(), "VN".into(), "CN".into()]),
            ["CN", "VN"]
        );
    }
}
