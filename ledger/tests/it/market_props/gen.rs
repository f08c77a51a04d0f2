//! What a case is made of: the constants, the operations and asset classes proptest draws,
//! and the helpers an operation picks its indexes, actions, purposes and places with.

use proptest::prelude::*;
use shuquan_ledger::Page;
use shuquan_proto::pb;

use crate::harness::DAY;

/// Every item of a market list (a case makes far fewer).
pub(super) const ALL: Page = Page {
    after: None,
    limit: Page::MAX_LIMIT,
};

pub(super) const HOUR: u64 = 3_600_000;
pub(super) const MONTH: u64 = 30 * DAY;
pub(super) const YEAR: u64 = 365 * DAY;
/// The genesis default of `max_grant_term_ms`: the longest grant, expiry or validity.
pub(super) const MAX_TERM: u64 = 10 * YEAR;

/// The signers by index: org1 (CN), org2 (VN), org3 (CN), the regulator (CN, no member
/// role: every market transaction it makes as a trader fails).
pub(super) const HOMES: [&str; 4] = ["CN", "VN", "CN", "CN"];
pub(super) const REGULATOR: usize = 3;
/// Who registers each asset: org1, org3 and org2 (whose asset is in VN).
pub(super) const OWNERS: [usize; 3] = [0, 2, 1];

pub(super) const PLACES: [&str; 3] = ["CN", "VN", "SG"];
/// Two purposes of the genesis list and one it lacks.
pub(super) const PURPOSES: [&str; 3] =
    ["academic-research", "transport-planning", "no-such-purpose"];
pub(super) const ACTIONS: [pb::Action; 5] = [
    pb::Action::Read,
    pb::Action::Query,
    pb::Action::Compute,
    pb::Action::Verify,
    pb::Action::Derive,
];
pub(super) const RIGHTS: [pb::Right; 3] = [pb::Right::Hold, pb::Right::Use, pb::Right::Operate];
pub(super) const UNITS: [pb::PriceUnit; 4] = [
    pb::PriceUnit::OneOff,
    pb::PriceUnit::PerUse,
    pb::PriceUnit::PerMonth,
    pb::PriceUnit::PerYear,
];
/// Unit prices in minor units; the last overflows a total of two.
pub(super) const PRICES: [u64; 8] = [
    100,
    100,
    5_000,
    5_000,
    5_000,
    120_000,
    120_000,
    u64::MAX / 2 + 1,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Request,
    Answer,
    ListRight,
    ListLicence,
    Order,
    Accept,
    AcceptTwo,
    Cancel,
    Confirm,
    Dispute,
    Freeze,
    Unfreeze,
    Usage,
    Export,
    Wait,
}

/// One operation. A `faithful` one picks what is open and the rightful signer and terms
/// that fit, as far as there are; an unfaithful one picks blindly. `x` are free choices.
#[derive(Clone, Copy, Debug)]
pub(super) struct Op {
    pub(super) faithful: bool,
    pub(super) kind: Kind,
    pub(super) x: [u8; 8],
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        3 => Just(Kind::Request),
        3 => Just(Kind::Answer),
        2 => Just(Kind::ListRight),
        3 => Just(Kind::ListLicence),
        5 => Just(Kind::Order),
        4 => Just(Kind::Accept),
        1 => Just(Kind::AcceptTwo),
        1 => Just(Kind::Cancel),
        2 => Just(Kind::Confirm),
        1 => Just(Kind::Dispute),
        1 => Just(Kind::Freeze),
        2 => Just(Kind::Unfreeze),
        2 => Just(Kind::Usage),
        1 => Just(Kind::Export),
        2 => Just(Kind::Wait),
    ];
    (prop::bool::weighted(0.8), kind, any::<[u8; 8]>()).prop_map(|(faithful, kind, x)| Op {
        faithful,
        kind,
        x,
    })
}

/// How an asset is registered.
#[derive(Clone, Copy, Debug)]
pub(super) struct Class {
    pub(super) sharing: pb::SharingClass,
    pub(super) important: bool,
    /// Delivered by download too (else by query and compute only).
    pub(super) download: bool,
}

pub(super) fn class() -> impl Strategy<Value = Class> {
    let sharing = prop_oneof![
        2 => Just(pb::SharingClass::Conditional),
        2 => Just(pb::SharingClass::Unconditional),
        1 => Just(pb::SharingClass::NotShared),
    ];
    (sharing, prop::bool::weighted(0.4), any::<bool>()).prop_map(
        |(sharing, important, download)| Class {
            sharing,
            important,
            download,
        },
    )
}

/// An index below `n`, among those `fit` accepts when faithful and there are any.
pub(super) fn choose(
    n: usize,
    faithful: bool,
    x: u8,
    fit: impl Fn(usize) -> bool,
) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let fits: Vec<usize> = (0..n).filter(|i| fit(*i)).collect();
    Some(if faithful && !fits.is_empty() {
        fits[usize::from(x) % fits.len()]
    } else {
        usize::from(x) % n
    })
}

/// As [`choose`], but none when faithful and none fits (the operation then makes one).
pub(super) fn choose_fit(
    n: usize,
    faithful: bool,
    x: u8,
    fit: impl Fn(usize) -> bool,
) -> Option<usize> {
    if faithful && !(0..n).any(&fit) {
        return None;
    }
    choose(n, faithful, x, fit)
}

pub(super) fn actions(faithful: bool, x: u8) -> Vec<i32> {
    if faithful {
        return if x.is_multiple_of(2) {
            vec![pb::Action::Compute as i32]
        } else {
            vec![pb::Action::Query as i32, pb::Action::Compute as i32]
        };
    }
    let v: Vec<i32> = ACTIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| (x >> i) & 1 == 1)
        .map(|(_, a)| *a as i32)
        .collect();
    if v.is_empty() {
        vec![pb::Action::Read as i32]
    } else {
        v
    }
}

pub(super) fn purposes(faithful: bool, x: u8) -> Vec<String> {
    let n = if faithful { 2 } else { 3 };
    vec![PURPOSES[usize::from(x) % n].to_string()]
}

/// A non-empty set of places by the bits of `x`.
pub(super) fn places(x: u8) -> Vec<String> {
    let v: Vec<String> = PLACES
        .iter()
        .enumerate()
        .filter(|(i, _)| (x >> i) & 1 == 1)
        .map(|(_, p)| p.to_string())
        .collect();
    if v.is_empty() {
        vec!["VN".into()]
    } else {
        v
    }
}

pub(super) fn strings(v: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}
