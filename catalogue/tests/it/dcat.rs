//! The DCAT-AP rendering: only certified entries, identifiers, publishers, access rights,
//! dates, places and one distribution per delivery mode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use serde_json::{json, Value};
use shuquan_catalogue::{dcat, CatalogMeta, Entry};

fn meta() -> CatalogMeta {
    CatalogMeta {
        base_url: "https://node.example/".into(),
        chain_id: "shuquan-test".into(),
        title: "Test catalogue".into(),
        description: "Assets of the test chain.".into(),
        publisher_name: "Test consortium".into(),
        homepage: Some("https://consortium.example/".into()),
        blake3_fingerprints: true,
    }
}

fn certified(i: u64, sharing: &str, modes: &[&str]) -> Entry {
    Entry {
        status: "registered".into(),
        number: Some(format!("GX-2026-{i:06}")),
        valid_until_ms: 0,
        sharing: sharing.into(),
        delivery_modes: modes.iter().map(|m| m.to_string()).collect(),
        registered_at_ms: 1_767_225_600_000,
        applied_at_ms: 1_767_225_000_000,
        jurisdiction: "CN-GX".into(),
        ..sample(i)
    }
}

fn datasets(doc: &Value) -> &Vec<Value> {
    doc["dcat:dataset"].as_array().unwrap()
}

#[test]
fn only_certified_entries_are_published() {
    let keep = [
        certified(1, "unconditional", &["download"]),
        Entry {
            status: "changed".into(),
            ..certified(2, "conditional", &[])
        },
        Entry {
            status: "renewed".into(),
            valid_until_ms: NOW + 1,
            ..certified(3, "not-shared", &[])
        },
    ];
    let drop = [
        Entry {
            number: None,
            ..certified(4, "unconditional", &[])
        },
        Entry {
            number: Some(String::new()),
            ..certified(5, "unconditional", &[])
        },
        Entry {
            status: "cancelled".into(),
            ..certified(6, "unconditional", &[])
        },
        Entry {
            status: "withdrawn".into(),
            ..certified(7, "unconditional", &[])
        },
        Entry {
            status: "rejected".into(),
            ..certified(8, "unconditional", &[])
        },
        Entry {
            valid_until_ms: NOW,
            ..certified(9, "unconditional", &[])
        },
    ];
    let all: Vec<Entry> = drop.iter().chain(&keep).cloned().collect();
    let doc = dcat(&meta(), &all, NOW);
    let ids: Vec<&str> = datasets(&doc)
        .iter()
        .map(|d| d["dct:identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GX-2026-000001", "GX-2026-000002", "GX-2026-000003"]);
    assert!(dcat(&meta(), &drop, NOW)["dcat:dataset"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn catalogue_and_dataset_structure() {
    let e = certified(
        1,
        "conditional",
        &["download", "query", "compute", "verify"],
    );
    let doc = dcat(&meta(), std::slice::from_ref(&e), NOW);
    assert_eq!(doc["@type"], "dcat:Catalog");
    assert_eq!(doc["@id"], "https://node.example/v1/catalogue/dcat");
    assert_eq!(doc["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
    assert_eq!(doc["@context"]["dct"], "http://purl.org/dc/terms/");
    assert_eq!(doc["dct:identifier"], "shuquan-test");
    assert_eq!(doc["dct:publisher"]["foaf:name"], "Test consortium");
    assert_eq!(doc["foaf:homepage"]["@id"], "https://consortium.example/");

    let d = &datasets(&doc)[0];
    let page = format!("https://node.example/v1/assets/{}", e.asset);
    assert_eq!(d["@type"], "dcat:Dataset");
    assert_eq!(d["@id"], format!("{page}#dataset"));
    assert_eq!(d["dct:identifier"], "GX-2026-000001");
    assert_eq!(d["dct:title"], e.name);
    assert_eq!(d["dct:description"], e.description);
    assert_eq!(d["adms:identifier"]["skos:notation"], e.asset);
    assert_eq!(d["dct:publisher"]["@type"], "foaf:Agent");
    assert_eq!(d["dct:publisher"]["foaf:name"], e.holder_name);
    assert_eq!(
        d["dct:publisher"]["@id"],
        format!("https://node.example/v1/members/{}", e.holder)
    );
    assert_eq!(
        d["dct:issued"],
        json!({"@value": "2025-12-31T23:50:00.000Z", "@type": "xsd:dateTime"})
    );
    assert_eq!(d["dct:modified"]["@value"], "2026-01-01T00:00:00.000Z");
    assert_eq!(d["dct:modified"]["@type"], "xsd:dateTime");
    let spatial: Vec<&str> = d["dct:spatial"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["@id"].as_str().unwrap())
        .collect();
    assert_eq!(
        spatial,
        [
            "http://publications.europa.eu/resource/authority/country/CHN",
            "https://node.example/v1/catalogue/dcat#jurisdiction-CN-GX"
        ]
    );
    assert!(d["dct:spatial"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["@type"] == "dct:Location"));
    assert_eq!(d["dcat:landingPage"]["@id"], page);

    let dists = d["dcat:distribution"].as_array().unwrap();
    let modes: Vec<&str> = dists
        .iter()
        .map(|x| x["@id"].as_str().unwrap().rsplit('#').next().unwrap())
        .collect();
    assert_eq!(modes, ["download", "query", "compute", "verify"]);
    for x in dists {
        assert_eq!(x["@type"], "dcat:Distribution");
        assert_eq!(x["dcat:accessURL"]["@id"], page);
    }
    assert_eq!(
        dists[0]["spdx:checksum"]["spdx:checksumValue"]["@value"],
        e.fingerprint
    );
    assert_eq!(
        dists[0]["dcat:byteSize"]["@value"],
        e.size_bytes.to_string()
    );
    // An SM3 chain's fingerprint is no checksum SPDX can name: left out, not mislabelled.
    let sm = CatalogMeta {
        blake3_fingerprints: false,
        ..meta()
    };
    let doc = dcat(&sm, std::slice::from_ref(&e), NOW);
    let text = doc.to_string();
    assert!(
        !text.contains("spdx:checksum") && !text.contains(&e.fingerprint),
        "{text}"
    );
    assert!(text.contains("dcat:byteSize"), "{text}");
}

#[test]
fn access_rights_follow_the_sharing_class() {
    let base = "http://publications.europa.eu/resource/authority/access-right/";
    for (sharing, code) in [
        ("unconditional", "PUBLIC"),
        ("conditional", "RESTRICTED"),
        ("not-shared", "NON_PUBLIC"),
    ] {
        let doc = dcat(&meta(), &[certified(1, sharing, &[])], NOW);
        let rights = &datasets(&doc)[0]["dct:accessRights"];
        assert_eq!(rights["@id"], format!("{base}{code}"), "{sharing}");
        assert_eq!(rights["@type"], "dct:RightsStatement");
    }
}

#[test]
fn sector_gives_theme_and_keyword() {
    let doc = dcat(
        &meta(),
        &[Entry {
            sector: "transport".into(),
            ..certified(1, "conditional", &[])
        }],
        NOW,
    );
    let d = &datasets(&doc)[0];
    assert_eq!(
        d["dcat:theme"]["@id"],
        "http://publications.europa.eu/resource/authority/data-theme/TRAN"
    );
    assert_eq!(d["dcat:keyword"], json!(["transport"]));
    let doc = dcat(
        &meta(),
        &[Entry {
            sector: "port-ops".into(),
            jurisdiction: "VN".into(),
            ..certified(1, "conditional", &[])
        }],
        NOW,
    );
    let d = &datasets(&doc)[0];
    assert!(d.get("dcat:theme").is_none());
    assert_eq!(
        d["dct:spatial"][0]["@id"],
        "http://publications.europa.eu/resource/authority/country/VNM"
    );
    assert_eq!(d["dct:spatial"].as_array().unwrap().len(), 1);
}
