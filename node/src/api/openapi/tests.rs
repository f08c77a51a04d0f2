//! The document is OpenAPI 3.1, every reference in it resolves, and it describes every route
//! of the router (so a route added without a description fails here).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use axum::body::to_bytes;
use axum::http::header;
use serde_json::Value;

/// The `(method, path)` of every route in `api/mod.rs`, read from its `.route("...", get(..))`
/// calls (the explorer's HTML pages, nested under `/explorer`, are not in the API).
fn routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../mod.rs");
    let mut found = BTreeSet::new();
    for part in source.split(".route(").skip(1) {
        let mut quoted = part.split('"');
        let (Some(_), Some(path), Some(rest)) = (quoted.next(), quoted.next(), quoted.next())
        else {
            continue;
        };
        let rest = rest.trim_start_matches([',', ' ', '\n']);
        let method = rest.split('(').next().unwrap_or_default().trim();
        found.insert((method.to_string(), path.to_string()));
    }
    found
}

fn document() -> Value {
    let json = super::document().to_json().unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn the_document_is_openapi_3_1() {
    let doc = document();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["paths"].as_object().unwrap().len() > 40);
}

#[test]
fn every_route_of_the_router_is_described() {
    let doc = document();
    let routes = routes();
    assert!(
        routes.len() > 40,
        "read only {} routes from mod.rs",
        routes.len()
    );
    assert!(routes.contains(&("get".into(), "/v1/openapi.json".into())));
    let mut missing = Vec::new();
    for (method, path) in &routes {
        if doc["paths"][path][method].is_null() {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a description: {missing:?}"
    );
    let described: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        described,
        routes.len(),
        "the document describes a route the router lacks"
    );
}

/// Collects every `$ref` in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').unwrap();
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

#[test]
fn every_operation_declares_the_common_errors_and_ids_are_hex() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes = op["responses"].as_object().unwrap();
            assert!(codes.contains_key("408"), "{method} {path}: no 408");
            if path.starts_with("/v1/") {
                for code in ["401", "503"] {
                    assert!(codes.contains_key(code), "{method} {path}: no {code}");
                }
            }
        }
    }
    assert_eq!(
        doc["components"]["schemas"]["Hash32"]["pattern"],
        "^[0-9a-f]{64}$"
    );
}

#[test]
fn guarded_reads_name_the_token_and_the_session_and_open_ones_do_not() {
    let doc = document();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["memberToken"]["type"], "http");
    assert_eq!(schemes["memberToken"]["scheme"], "bearer");
    assert_eq!(schemes["memberToken"]["bearerFormat"], "JWT");
    assert_eq!(schemes["explorerSession"]["type"], "apiKey");
    assert_eq!(schemes["explorerSession"]["in"], "cookie");
    assert_eq!(schemes["explorerSession"]["name"], "shuquan_session");
    let names = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["security"]
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|r| {
                        r.as_object()
                            .unwrap()
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("+")
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // A public node asks for nothing (the empty requirement); a members' node for either.
    assert_eq!(
        names("/v1/assets/{id}/grants", "get"),
        ["", "memberToken", "explorerSession"]
    );
    assert!(names("/v1/tx", "post").is_empty());
    assert!(names("/v1/openapi.json", "get").is_empty());
    assert!(names("/health", "get").is_empty());
}

#[tokio::test]
async fn it_is_served_as_json() {
    let resp = axum::response::IntoResponse::into_response(super::openapi_json().await);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json");
    let body = to_bytes(resp.into_body(), 1 << 24).await.unwrap();
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["paths"]["/v1/openapi.json"]["get"].is_object());
}
