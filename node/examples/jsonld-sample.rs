//! Writes real ODRL and PROV documents for `scripts/jsonld-check`: builds the sample chain
//! of `shuquan_node::linked` (register, transfer, derive under a right and under a grant,
//! request and approval, a licence listing ordered and accepted) in a temporary directory
//! with `shuquan-ledger` alone, and renders, as the node's API would under
//! `https://node1.example.org`:
//!
//! - `grant-request.odrl.jsonld`: the grant an approved request issued (query, compute,
//!   derive; purpose, place, term and a use limit);
//! - `grant-order.odrl.jsonld`: the grant an accepted licence order issued;
//! - `listing.odrl.jsonld`: the licence listing (1200.00 CNY per month) as an Offer;
//! - `asset.prov.jsonld`, `derived-by-grant.prov.jsonld`, `derived-by-right.prov.jsonld`:
//!   the asset's history and lineage, and each derived data set's.
//!
//!   cargo run -p shuquan-node --example jsonld-sample -- [OUT_DIR]   (default target/jsonld)

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use serde_json::Value;
use shuquan_node::linked::{odrl, read, Iris};

#[allow(dead_code)]
#[path = "../src/linked/sample.rs"]
mod sample;

fn run() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/jsonld".into()),
    );
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let dir = tempfile::tempdir()?;
    let s = sample::build(dir.path())?;
    let q = s.ledger.queries();
    let iris = Iris::new("https://node1.example.org");

    let grant = |id| -> anyhow::Result<Value> {
        let g = q
            .grant(id, None)?
            .ok_or_else(|| anyhow!("grant {id} not found"))?;
        Ok(odrl::grant_agreement(&iris, &g))
    };
    let prov = |id| -> anyhow::Result<Value> {
        read::asset_prov(&s.ledger, &iris, id)?.ok_or_else(|| anyhow!("asset {id} not found"))
    };
    let listing = q
        .listing(&s.licence_listing)?
        .ok_or_else(|| anyhow!("the licence listing is missing"))?;
    let offer = odrl::listing_offer(&iris, &listing)?
        .ok_or_else(|| anyhow!("the licence listing has no offer"))?;
    let docs = [
        ("grant-request.odrl.jsonld", grant(&s.request_grant)?),
        ("grant-order.odrl.jsonld", grant(&s.order_grant)?),
        ("listing.odrl.jsonld", offer),
        ("asset.prov.jsonld", prov(&s.asset)?),
        ("derived-by-grant.prov.jsonld", prov(&s.by_grant)?),
        ("derived-by-right.prov.jsonld", prov(&s.by_right)?),
    ];
    for (name, doc) in docs {
        let path = out.join(name);
        let text = serde_json::to_string_pretty(&doc)?;
        std::fs::write(&path, text + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jsonld-sample: {e:#}");
            ExitCode::FAILURE
        }
    }
}
