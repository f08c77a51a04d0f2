//! The twin chains: A runs the market, B gets the same transfers and grants made
//! directly. Setting them up and what the model reads of them: holders, statuses as time
//! passes, and whether a grant applies by the grant rules.

use std::collections::BTreeMap;

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Keypair;

use super::gen::{Class, HOMES, OWNERS, REGULATOR};
use super::model::{delivered, known_purpose, within, Asset, GrantPair, Lst, Ord, Req};
use crate::harness::{applies, party, party_hex, register_payload, Chain};

pub(super) struct Twin {
    /// The market.
    pub(super) a: Chain,
    /// The same transfers and grants made directly.
    pub(super) b: Chain,
    pub(super) keys: Vec<Keypair>,
    pub(super) ids: Vec<Vec<u8>>,
    pub(super) hexes: Vec<String>,
    pub(super) assets: Vec<Asset>,
    pub(super) frozen: Vec<bool>,
    pub(super) requests: Vec<Req>,
    pub(super) listings: Vec<Lst>,
    pub(super) orders: Vec<Ord>,
    pub(super) grants: Vec<GrantPair>,
    /// Rights moved by earlier transactions of the block being judged (B has not run
    /// their equivalents yet).
    pub(super) moved: BTreeMap<(usize, i32), usize>,
    /// The time of the block being judged.
    pub(super) t: u64,
    /// Applied and failed transactions on A by kind.
    pub(super) stats: BTreeMap<&'static str, (u32, u32)>,
}

impl Twin {
    pub(super) fn new(classes: &[Class; 3]) -> Self {
        let mut a = Chain::new();
        let mut b = Chain::new();
        let keys = vec![
            a.org1.clone(),
            a.org2.clone(),
            a.org3.clone(),
            a.regulator.clone(),
        ];
        let mut assets = Vec::new();
        for (i, cl) in classes.iter().enumerate() {
            let owner = OWNERS[i];
            let mut p = register_payload(i as u8 + 1);
            p.sharing = cl.sharing as i32;
            p.grade = if cl.important {
                pb::Grade::Important as i32
            } else {
                pb::Grade::General as i32
            };
            p.jurisdiction = HOMES[owner].into();
            if !cl.download {
                p.delivery_modes = vec![
                    pb::DeliveryMode::Query as i32,
                    pb::DeliveryMode::Compute as i32,
                ];
            }
            let modes = p.delivery_modes.clone();
            // One signed registration on both chains: the same transaction, the same id.
            let raw = a.tx(&keys[owner], &[], Payload::RegisterAsset(p));
            let ra = a.block(vec![raw.clone()]);
            let rb = b.block(vec![raw]);
            let id = applies(Chain::outcome(&ra.receipts[0])).unwrap();
            assert_eq!(applies(Chain::outcome(&rb.receipts[0])), Some(id));
            assets.push(Asset {
                id,
                home: HOMES[owner],
                sharing: cl.sharing,
                important: cl.important,
                modes,
            });
        }
        let ids = keys.iter().map(party).collect();
        let hexes = keys.iter().map(party_hex).collect();
        Twin {
            a,
            b,
            keys,
            ids,
            hexes,
            frozen: vec![false; assets.len()],
            assets,
            requests: Vec::new(),
            listings: Vec::new(),
            orders: Vec::new(),
            grants: Vec::new(),
            moved: BTreeMap::new(),
            t: 0,
            stats: BTreeMap::new(),
        }
    }

    /// The holder of `right` of an asset (its index), as the direct chain has it and as
    /// earlier transactions of the block moved it.
    pub(super) fn holder(&self, asset: usize, right: i32) -> Option<usize> {
        if let Some(w) = self.moved.get(&(asset, right)) {
            return Some(*w);
        }
        let v = self
            .b
            .ledger
            .queries()
            .asset(&self.assets[asset].id)
            .unwrap()
            .unwrap();
        let h = match pb::Right::try_from(right) {
            Ok(pb::Right::Hold) => v.holders.hold.id,
            Ok(pb::Right::Use) => v.holders.use_.id,
            Ok(pb::Right::Operate) => v.holders.operate.id,
            _ => return None,
        };
        self.hexes.iter().position(|x| *x == h)
    }

    pub(super) fn operator(&self, asset: usize) -> Option<usize> {
        self.holder(asset, pb::Right::Operate as i32)
    }

    pub(super) fn req_status(r: &Req, t: u64) -> &'static str {
        if r.status == "open" && t >= r.terms.expires_ms {
            "expired"
        } else {
            r.status
        }
    }

    pub(super) fn lst_status(l: &Lst, t: u64) -> &'static str {
        if l.status == "open" && t >= l.terms.valid_until_ms {
            "expired"
        } else {
            l.status
        }
    }

    /// An order's status: a placed one lapses at its own expiry or its listing's validity.
    pub(super) fn ord_status(&self, o: &Ord, t: u64) -> &'static str {
        let until = self.listings[o.listing].terms.valid_until_ms;
        if o.state == "placed" && (t >= o.expires_ms || t >= until) {
            "expired"
        } else {
            o.state
        }
    }

    /// As the order query words it: a placed order whose listing closed is
    /// `listing-closed`.
    pub(super) fn ord_view_status(&self, o: &Ord, t: u64) -> &'static str {
        let s = self.ord_status(o, t);
        if s == "placed" && Self::lst_status(&self.listings[o.listing], t) != "open" {
            "listing-closed"
        } else {
            s
        }
    }

    /// The grant a request's terms make from block time.
    pub(super) fn request_grant(&self, r: &pb::RequestAccess, grantee: usize) -> pb::IssueGrant {
        pb::IssueGrant {
            asset: r.asset.clone(),
            grantee: self.ids[grantee].clone(),
            actions: r.actions.clone(),
            purposes: r.purposes.clone(),
            not_before_ms: self.t,
            not_after_ms: self.t.saturating_add(r.duration_ms),
            jurisdictions: r.jurisdictions.clone(),
            max_uses: r.max_uses,
            recipient_systems: Vec::new(),
            policy_doc_hash: Vec::new(),
        }
    }

    /// Whether a grant on `g` from `grantor` applies now, by the grant rules
    /// (docs/DATA-RIGHTS.md) as the model knows them.
    pub(super) fn grant_ok(
        &self,
        asset: usize,
        grantor: usize,
        grantee: usize,
        g: &pb::IssueGrant,
    ) -> bool {
        let info = &self.assets[asset];
        let read_abroad = info.important
            && g.actions.contains(&(pb::Action::Read as i32))
            && g.jurisdictions.iter().any(|j| j != info.home);
        !self.frozen[asset]
            && self.operator(asset) == Some(grantor)
            && grantee < REGULATOR
            && g.jurisdictions.iter().any(|j| j == HOMES[grantee])
            && g.not_before_ms < g.not_after_ms
            && within(self.t, g.not_after_ms)
            && g.purposes.iter().all(|p| known_purpose(p))
            && g.actions.iter().all(|a| delivered(*a, &info.modes))
            && !read_abroad
    }

    pub(super) fn signer(&self, faithful: bool, rightful: Option<usize>, x: u8) -> usize {
        match rightful {
            Some(w) if faithful => w,
            _ => usize::from(x) % 4,
        }
    }
}
