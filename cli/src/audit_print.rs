//! The text form of a verified audit bundle: history, chain of title, holders, the
//! registration and its certificate, grants, transaction vouchers, parents and the verdict
//! line.

use std::fmt::Write;

use std::collections::HashMap;

use shuquan_proto::audit::AuditReport;
use shuquan_proto::pb;

/// Short member ids by account key and by member id (hex), from the genesis.
struct Names(HashMap<String, String>);

impl Names {
    fn new(genesis: &pb::Genesis) -> Self {
        let mut m = HashMap::new();
        for member in &genesis.members {
            for k in &member.account_keys {
                m.insert(hex::encode(k), member.id.clone());
            }
            let id =
                shuquan_proto::genesis::hashing(genesis).member_id(&genesis.chain_id, &member.id);
            m.insert(id.to_hex(), member.id.clone());
        }
        Names(m)
    }

    /// `org1 (eef090166f354749…)`, or the short key of a non-member.
    fn of(&self, key: &str) -> String {
        let short = key.get(..16).unwrap_or(key);
        match self.0.get(key) {
            Some(id) => format!("{id} ({short}…)"),
            None => format!("{short}…"),
        }
    }
}

/// A block time as `2026-03-01 10:22:31Z` (UTC).
pub(crate) fn when(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(
            || ms.to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        )
}

/// The whole report as text.
pub(crate) fn report(r: &AuditReport, genesis: &pb::Genesis) -> String {
    let names = Names::new(genesis);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Asset {} {:?} on chain {}\nproven at block {} of {} ({}), relying on {} block(s), each certified by a majority of the member nodes\n",
        r.asset,
        r.name,
        r.chain_id,
        r.height,
        when(r.time_ms),
        r.block_hash,
        r.blocks
    );
    let _ = writeln!(o, "History ({} events)", r.events.len());
    let _ = writeln!(
        o,
        "  {:>4}  {:>8}  {:>5}  {:<20}  {:<20}  {:<28}  tx",
        "#", "block", "index", "time", "kind", "signer"
    );
    for e in &r.events {
        let _ = writeln!(
            o,
            "  {:>4}  {:>8}  {:>5}  {:<20}  {:<20}  {:<28}  {}",
            e.seq,
            e.height,
            e.index,
            when(e.timestamp_ms),
            e.kind,
            names.of(&e.signer),
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
        let _ = writeln!(o, "  event {:>4}: {what} {}", t.seq, names.of(&t.holder));
    }
    let _ = writeln!(
        o,
        "\nHolders at block {}{}\n  hold     {}\n  use      {}\n  operate  {}",
        r.height,
        if r.frozen { " (FROZEN)" } else { "" },
        names.of(&r.holders.hold),
        names.of(&r.holders.use_),
        names.of(&r.holders.operate)
    );
    let _ = writeln!(o, "\nRegistration: {}", r.status);
    if let Some(c) = &r.certificate {
        let _ = writeln!(
            o,
            "  certificate {} sequence {} ({}), holder {}, fingerprint {}\n  registrar {}, effective {}, valid until {}, issued in block {}",
            c.number,
            c.sequence,
            c.kind,
            names.of(&c.holder),
            c.fingerprint,
            c.registrar.as_deref().map_or("- (no review)".to_string(), |r| names.of(r)),
            when(c.effective_ms),
            if c.valid_until_ms == 0 {
                "-".to_string()
            } else {
                when(c.valid_until_ms)
            },
            c.height
        );
    }
    let _ = writeln!(o, "\nGrants ({})", r.grants.len());
    for g in &r.grants {
        let _ = writeln!(
            o,
            "  {}  to {}  {}  uses {}  purposes {}  in {}  until {}  (event {})",
            g.id,
            names.of(&g.grantee),
            g.status,
            g.uses,
            g.purposes.join(","),
            g.jurisdictions.join(","),
            if g.not_after_ms == 0 {
                "-".into()
            } else {
                when(g.not_after_ms)
            },
            g.issued_by
        );
    }
    if !r.vouchers.is_empty() {
        let _ = writeln!(
            o,
            "\nTransaction vouchers ({}), each proven",
            r.vouchers.len()
        );
        for v in &r.vouchers {
            let _ = writeln!(
                o,
                "  {}  block {}  {} to {}: {}, {} {} x {} = {}  (registration {}, tx {})",
                v.number,
                v.height,
                names.of(&v.seller.id),
                names.of(&v.buyer.id),
                crate::market_print::what_moved(v),
                v.unit_price,
                v.unit,
                v.quantity,
                v.total,
                if v.registration.is_empty() {
                    "-"
                } else {
                    &v.registration
                },
                v.tx_id
            );
        }
    }
    if !r.parents.is_empty() {
        let _ = writeln!(o, "\nLineage parents");
        for p in &r.parents {
            match (&p.name, p.event_count) {
                (Some(name), Some(n)) => {
                    let _ = writeln!(o, "  {} {name:?}: {n} events (record proven)", p.id);
                }
                _ => {
                    let _ = writeln!(
                        o,
                        "  {} (record not in the bundle: fetch with --parents)",
                        p.id
                    );
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
