//! The text form of a verified audit bundle: history, chain of title, holders, grants,
//! parents and the verdict line.

use std::fmt::Write;

use shuquan_proto::audit::AuditReport;

fn short(hex: &str) -> &str {
    hex.get(..16).unwrap_or(hex)
}

fn when(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
}

/// The whole report as text.
pub(crate) fn report(r: &AuditReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Asset {} {:?} on chain {}\nproven at block {} ({}), relying on {} block(s), each certified by a majority of the member nodes\n",
        r.asset, r.name, r.chain_id, r.height, r.block_hash, r.blocks
    );
    let _ = writeln!(o, "History ({} events)", r.events.len());
    let _ = writeln!(
        o,
        "  {:>4}  {:>8}  {:>5}  {:<20}  {:<20}  {:<16}  tx",
        "#", "block", "index", "time", "kind", "signer"
    );
    for e in &r.events {
        let _ = writeln!(
            o,
            "  {:>4}  {:>8}  {:>5}  {:<20}  {:<20}  {:<16}  {}",
            e.seq,
            e.height,
            e.index,
            when(e.timestamp_ms),
            e.kind,
            short(&e.signer),
            e.tx_id
        );
    }
    let _ = writeln!(o, "\nChain of title");
    for t in &r.title {
        let what = if t.right == "all" {
            "registered; all rights to".to_string()
        } else {
            format!("{} right to", t.right)
        };
        let _ = writeln!(o, "  event {:>4}: {what} {}", t.seq, t.holder);
    }
    let _ = writeln!(
        o,
        "\nHolders at block {}{}\n  hold     {}\n  use      {}\n  operate  {}",
        r.height,
        if r.frozen { " (FROZEN)" } else { "" },
        r.holders.hold,
        r.holders.use_,
        r.holders.operate
    );
    let _ = writeln!(o, "\nGrants ({})", r.grants.len());
    for g in &r.grants {
        let _ = writeln!(
            o,
            "  {}  to {}  {}  uses {}  purposes {}  in {}  until {}  (event {})",
            g.id,
            short(&g.grantee),
            g.status,
            g.uses,
            g.purposes.join(","),
            g.jurisdictions.join(","),
            if g.not_after_ms == 0 { "-".into() } else { when(g.not_after_ms) },
            g.issued_by
        );
    }
    if !r.parents.is_empty() {
        let _ = writeln!(o, "\nLineage parents");
        for p in &r.parents {
            match (&p.name, p.event_count) {
                (Some(name), Some(n)) => {
                    let _ = writeln!(o, "  {} {name:?}: {n} events (record proven)", p.id);
                }
                _ => {
                    let _ = writeln!(o, "  {} (record not in the bundle: fetch with --parents)", p.id);
                }
            }
        }
    }
    let _ = writeln!(
        o,
        "\nVERIFIED: the full history of asset {} ({} events) and who holds its rights at block {} are proven by the genesis alone",
        r.asset,
        r.events.len(),
        r.height
    );
    o
}
