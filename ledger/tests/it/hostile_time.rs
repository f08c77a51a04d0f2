//! Time against a hostile member or a bad clock (issue 13, findings 5, 7, 10, 12 and 15):
//! block time bounded by the transactions' own clocks, statuses as of a past time read from
//! the state then, horizons on every deadline, the law's year, expired attestations.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::genesis::{GenesisFile, ParamsFile};
use shuquan_proto::pb::{self, tx_body::Payload};

use crate::harness::*;

const MINUTE: u64 = 60_000;

/// Finding 5 at the ledger: a proposer whose clock is 30 minutes off stamps its proposal
/// with it; the block's time stays within a minute of its transactions' timestamps, so the
/// honest transactions commit and no deadline passes early.
#[test]
fn a_proposer_clock_30_minutes_fast_or_slow_does_not_move_block_time() {
    for skew in [30 * MINUTE as i64, -(30 * MINUTE as i64)] {
        let mut c = Chain::new();
        let org1 = c.org1.clone();
        let honest: Vec<Vec<u8>> = (1..=3)
            .map(|s| c.tx(&org1, &[], Payload::RegisterAsset(register_payload(s))))
            .collect();
        let p = pb::Proposal {
            timestamp_ms: c.now.saturating_add_signed(skew),
            proposer: key(9).public().to_vec(),
            txs: honest,
        };
        let b = c.ledger.apply(&p, b"m").unwrap();
        for r in &b.receipts {
            applies(Chain::outcome(r));
        }
        // The transactions are stamped within a second of `c.now`.
        let off = b.header.timestamp_ms.abs_diff(c.now);
        assert!(
            off <= MINUTE + 1000,
            "block time is {off} ms from its transactions'"
        );
    }
}

#[test]
fn block_time_is_the_proposers_clamped_to_the_transactions_and_never_goes_back() {
    use shuquan_ledger::block_time;
    let t = 1_767_225_600_000u64;
    // Within the skew, the proposer's clock rules.
    assert_eq!(
        block_time(t + 5, t - 100, [t, t + 1, t + 2].into_iter(), MINUTE),
        t + 5
    );
    // Beyond it, the median transaction bounds it, on both sides.
    assert_eq!(
        block_time(t + 30 * MINUTE, 0, [t, t + 10, t + 20].into_iter(), MINUTE),
        t + 10 + MINUTE
    );
    assert_eq!(
        block_time(t - 30 * MINUTE, 0, [t, t + 10, t + 20].into_iter(), MINUTE),
        t + 10 - MINUTE
    );
    // One outlying transaction does not move the median.
    assert_eq!(
        block_time(t, 0, [t, t + 1, t + 99 * MINUTE].into_iter(), MINUTE),
        t
    );
    // Never before the previous block; with no transaction, the proposer's clock.
    assert_eq!(block_time(t, t + 7, [t].into_iter(), MINUTE), t + 7);
    assert_eq!(block_time(t + 3, 0, std::iter::empty(), MINUTE), t + 3);
}

/// Finding 7: "grants active at T" read today's records: a grant issued today showed active
/// on an earlier day and a revoked one showed revoked before it was.
#[test]
fn grants_at_a_past_time_are_read_from_the_state_of_that_time() {
    let mut c = Chain::new();
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let before_grants = c.now;
    c.now += DAY;
    let g = applies(c.grant_with(asset, &org1, &org3, |_| {})).unwrap();
    let foreign =
        applies(c.grant_with(asset, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()]))
            .unwrap();
    let issued = c.now;
    c.now += DAY;
    let f = applies(c.file(&org1, &[foreign], |_| {})).unwrap();
    applies(c.decide(f, pb::Decision::Approve, c.now + 30 * DAY));
    applies(c.revoke(&org1, g));
    let status = |c: &Chain, id, at| {
        c.ledger
            .queries()
            .grant(id, Some(at))
            .unwrap()
            .map(|v| (v.status, v.status_at_ms))
    };
    assert_eq!(status(&c, &g, before_grants), None, "not issued yet");
    assert!(c
        .ledger
        .queries()
        .grants(
            shuquan_ledger::GrantsOf::Asset(&asset),
            Some(before_grants),
            Default::default()
        )
        .unwrap()
        .is_empty());
    assert_eq!(
        status(&c, &g, issued + 1),
        Some(("active".into(), issued + 1))
    );
    assert_eq!(
        status(&c, &foreign, issued + 1),
        Some(("pending-export".into(), issued + 1))
    );
    assert_eq!(status(&c, &g, c.now).unwrap().0, "revoked");
    assert_eq!(status(&c, &foreign, c.now).unwrap().0, "active");
    // Without a time, the status is of the last block's time, and says so.
    let last = c.ledger.applied().unwrap().timestamp_ms;
    let v = c.ledger.queries().grant(&g, None).unwrap().unwrap();
    assert_eq!(v.status_at_ms, last);
}

/// Finding 10: a typo (`0026-12-31`) became a grant that never expires; 2099 is no term
/// either. Deadlines lie after block time and within `params.max_grant_term_ms`.
#[test]
fn a_deadline_past_any_sane_horizon_is_refused() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let year_2099 = 4_102_444_800_000;
    fails(
        c.grant_with(asset, &org1, &org3, |g| g.not_after_ms = year_2099),
        F::InvalidWindow,
    );
    fails(
        c.grant_with(asset, &org1, &org3, |g| g.not_after_ms = u64::MAX),
        F::InvalidField,
    );
    let ten_years = c.now + 10 * 365 * DAY;
    applies(c.grant_with(asset, &org1, &org3, |g| g.not_after_ms = ten_years));
    fails(c.attest(asset, year_2099), F::AttestValidity);
    fails(c.attest(asset, c.now - 1), F::AttestValidity);
}

/// Finding 15: an attestation's `valid_until` was ignored.
#[test]
fn an_expired_attestation_reads_as_expired() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let asset = c.asset(&org1, 1);
    let a = applies(c.attest(asset, c.now + 5_000)).unwrap();
    assert_eq!(
        c.ledger.queries().attestation(&a).unwrap().unwrap().status,
        "valid"
    );
    c.now += 10_000;
    c.block(vec![]);
    let v = c.ledger.queries().attestation(&a).unwrap().unwrap();
    assert_eq!(
        (v.status.as_str(), v.status_at_ms),
        ("expired", c.now - 1000)
    );
    let b = applies(c.attest(asset, 0)).unwrap();
    assert_eq!(
        c.ledger.queries().attestation(&a).unwrap().unwrap().status,
        "superseded"
    );
    assert_eq!(
        c.ledger.queries().attestation(&b).unwrap().unwrap().status,
        "valid"
    );
}

/// Finding 12: the yearly export counters turned at the UTC new year; the law's year is
/// China's (UTC+8, a genesis parameter).
#[test]
fn export_counters_turn_at_new_year_in_the_laws_time_zone() {
    // 2026-12-31T15:00:00Z is 23:00 in Beijing; 17:00Z is already 2027 there.
    let late_2026_cn = 1_798_729_200_000;
    let early_2027_cn = late_2026_cn + 2 * 3_600_000;
    for (offset, resets) in [(480, true), (0, false)] {
        let mut g = genesis();
        g.params.as_mut().unwrap().law_utc_offset_minutes = offset;
        let mut c = Chain::with_genesis(g);
        c.now = late_2026_cn;
        let (org1, org2) = (c.org1.clone(), c.org2.clone());
        let sixty = |f: &mut pb::FileCrossBorder| {
            f.declared = Some(pb::Declared {
                pi_subjects: 60_000,
                ..Default::default()
            })
        };
        let grant = |c: &mut Chain, seed| {
            let a = c.asset(&org1, seed);
            applies(c.grant_with(a, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()])).unwrap()
        };
        let g1 = grant(&mut c, 1);
        let f = applies(c.file(&org1, &[g1], sixty)).unwrap();
        applies(c.decide(f, pb::Decision::Approve, c.now + DAY));
        c.now = early_2027_cn;
        let g2 = grant(&mut c, 2);
        let again = c.file(&org1, &[g2], sixty);
        if resets {
            applies(again);
        } else {
            fails(again, F::PathInsufficient);
        }
    }
}

/// Finding 13: genesis parameters were unbounded (a contract threshold of 0, a window of 0).
#[test]
fn genesis_parameters_out_of_range_are_refused_by_name() {
    let bad = |f: fn(&mut ParamsFile)| {
        let mut g = GenesisFile::parse(&genesis_toml()).unwrap();
        f(&mut g.params);
        g.to_pb().unwrap_err().to_string()
    };
    let says = |e: String, name: &str| assert!(e.contains(name), "{e} does not name {name}");
    says(
        bad(|p| p.pi_contract_threshold = 0),
        "params.pi_contract_threshold",
    );
    says(bad(|p| p.tx_time_window_ms = 0), "params.tx_time_window_ms");
    says(
        bad(|p| p.pi_contract_threshold = p.pi_security_threshold + 1),
        "params.pi_contract_threshold",
    );
    says(
        bad(|p| p.block_time_skew_ms = p.tx_time_window_ms),
        "params.block_time_skew_ms",
    );
    says(bad(|p| p.max_approval_ms = 0), "params.max_approval_ms");
    says(
        bad(|p| p.law_utc_offset_minutes = 24 * 60),
        "params.law_utc_offset_minutes",
    );
    says(bad(|p| p.purposes.clear()), "params.purposes");
    says(bad(|p| p.max_block_txs = 0), "params.max_block_txs");
}

fn genesis_toml() -> String {
    r#"
chain_id = "t"
genesis_time_ms = 1767225600000
[[members]]
id = "org1"
name = "Org One"
jurisdiction = "CN"
roles = ["member"]
account_keys = ["8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"]
"#
    .into()
}
