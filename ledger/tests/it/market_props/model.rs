//! The test's own model of the market: its assets, requests, listings, orders and the
//! grants made on both chains, the transactions of a block by model indexes and their
//! direct equivalents, and the pure rules (terms within reach, delivery, purposes, what a
//! licence order buys).

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Hash32;

use super::gen::{MAX_TERM, MONTH, PURPOSES, YEAR};

pub(super) struct Asset {
    pub(super) id: Hash32,
    pub(super) home: &'static str,
    pub(super) sharing: pb::SharingClass,
    pub(super) important: bool,
    pub(super) modes: Vec<i32>,
}

/// The model's requests, listings and orders: statuses as the rules word them, before
/// expiry (which [`Twin::req_status`] and the others apply).
#[derive(Clone, Debug)]
pub(super) struct Req {
    pub(super) id: Hash32,
    pub(super) asset: usize,
    pub(super) requester: usize,
    /// The Operate holder when it was filed, or to whom the Operate right moved while it
    /// was open.
    pub(super) addressee: usize,
    pub(super) terms: pb::RequestAccess,
    /// `open`, `granted`, `declined`, `cancelled`.
    pub(super) status: &'static str,
}

#[derive(Clone, Debug)]
pub(super) struct Lst {
    pub(super) id: Hash32,
    pub(super) asset: usize,
    pub(super) seller: usize,
    pub(super) terms: pb::CreateListing,
    /// `open`, `sold`, `cancelled`.
    pub(super) status: &'static str,
    pub(super) sold: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Ord {
    pub(super) id: Hash32,
    pub(super) listing: usize,
    pub(super) buyer: usize,
    pub(super) quantity: u64,
    pub(super) expires_ms: u64,
    pub(super) payment_ref: Vec<u8>,
    /// `placed`, `accepted`, `settled`, `disputed`, `cancelled`.
    pub(super) state: &'static str,
    pub(super) delivery: bool,
    pub(super) payment: bool,
}

/// A grant made on both chains: by the market on A, directly on B.
#[derive(Clone, Debug)]
pub(super) struct GrantPair {
    pub(super) a: Hash32,
    pub(super) b: Hash32,
    pub(super) asset: usize,
    pub(super) grantee: usize,
    pub(super) terms: pb::IssueGrant,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Subject {
    Request(usize),
    Listing(usize),
    Order(usize),
    Unknown,
}

/// A transaction of a block on A, by model indexes.
#[derive(Clone, Debug)]
pub(super) enum Meta {
    Request {
        asset: usize,
        who: usize,
        p: pb::RequestAccess,
    },
    Answer {
        req: usize,
        who: usize,
        p: pb::AnswerRequest,
    },
    List {
        asset: usize,
        who: usize,
        p: pb::CreateListing,
    },
    Order {
        listing: usize,
        who: usize,
        p: pb::PlaceOrder,
    },
    Accept {
        order: usize,
        who: usize,
    },
    Cancel {
        subject: Subject,
        who: usize,
    },
    Confirm {
        order: usize,
        who: usize,
        p: pb::Confirm,
    },
    Dispute {
        order: usize,
        who: usize,
        p: pb::Dispute,
    },
    Freeze {
        asset: usize,
        on: bool,
    },
    Usage {
        grant: usize,
        who: usize,
        p: pb::RecordUsage,
    },
}

impl Meta {
    pub(super) fn word(&self) -> &'static str {
        match self {
            Meta::Request { .. } => "request",
            Meta::Answer { p, .. } if p.approve => "approve",
            Meta::Answer { .. } => "decline",
            Meta::List { p, .. } if p.licence.is_some() => "list-licence",
            Meta::List { .. } => "list-right",
            Meta::Order { .. } => "order",
            Meta::Accept { .. } => "accept",
            Meta::Cancel { .. } => "cancel",
            Meta::Confirm { .. } => "confirm",
            Meta::Dispute { .. } => "dispute",
            Meta::Freeze { on: true, .. } => "freeze",
            Meta::Freeze { .. } => "unfreeze",
            Meta::Usage { .. } => "usage",
        }
    }
}

/// The direct equivalent on B of a market transaction on A.
pub(super) struct Equiv {
    pub(super) signer: usize,
    pub(super) cosigner: Option<usize>,
    pub(super) payload: Payload,
    /// The grant it issues: its asset, grantee and terms.
    pub(super) grant: Option<(usize, usize, pb::IssueGrant)>,
}

/// What may not change on a frozen asset: its holders, and each grant's uses, covers and
/// frozen flag.
pub(super) type Mark = ((String, String, String), Vec<(Hash32, u64, usize, bool)>);

/// A grant as both chains must show it (ids differ: they derive from different
/// transactions).
pub(super) type GrantRow = (
    String,
    String,
    Vec<String>,
    Vec<String>,
    (u64, u64),
    Vec<String>,
    (u64, u64),
    String,
    bool,
    usize,
);

pub(super) fn within(now: u64, until: u64) -> bool {
    until > now && until - now <= MAX_TERM
}

pub(super) fn delivered(action: i32, modes: &[i32]) -> bool {
    use pb::{Action as A, DeliveryMode as D};
    let has = |m: D| modes.contains(&(m as i32));
    match A::try_from(action) {
        Ok(A::Read) => has(D::Download),
        Ok(A::Query) => has(D::Query),
        Ok(A::Compute) => has(D::Compute),
        Ok(A::Verify) => has(D::Verify),
        Ok(A::Derive) => has(D::Download) || has(D::Compute),
        _ => false,
    }
}

pub(super) fn known_purpose(p: &str) -> bool {
    PURPOSES[..2].contains(&p)
}

/// The term and uses a licence order of `q` units buys (docs/MARKET.md): per use, `q` uses
/// over the licence's term; per month or year, `q` months (30 days) or years (365 days) of
/// its uses; one-off, the licence as listed.
pub(super) fn bought(l: &pb::Licence, unit: i32, q: u64) -> Option<(u64, u64)> {
    match pb::PriceUnit::try_from(unit) {
        Ok(pb::PriceUnit::PerUse) => Some((l.duration_ms, q)),
        Ok(pb::PriceUnit::PerMonth) => Some((MONTH.checked_mul(q)?, l.max_uses)),
        Ok(pb::PriceUnit::PerYear) => Some((YEAR.checked_mul(q)?, l.max_uses)),
        _ => Some((l.duration_ms, l.max_uses)),
    }
}

pub(super) fn created(r: &pb::Receipt) -> Option<Hash32> {
    (!r.created.is_empty()).then(|| Hash32::from_slice(&r.created).unwrap())
}
