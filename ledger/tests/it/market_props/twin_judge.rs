//! Judging each market transaction's outcome on A against the model, updating the
//! model, and giving its direct equivalent to mirror on B.

use proptest::prelude::*;
use shuquan_proto::hash::Hashing;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Hash32;

use super::gen::{HOMES, MAX_TERM, REGULATOR};
use super::model::{
    bought, created, delivered, known_purpose, within, Equiv, Lst, Meta, Ord, Req, Subject,
};
use super::twin::Twin;
use crate::harness::{Chain, CHAIN};

impl Twin {
    /// Checks a market transaction's outcome on A against the model, updates the model, and
    /// gives its direct equivalent for B where it may move a right or issue a grant (or is
    /// made on both chains alike).
    pub(super) fn judge(
        &mut self,
        m: &Meta,
        r: &pb::Receipt,
    ) -> Result<Option<Equiv>, TestCaseError> {
        let ok = r.code == 0;
        let t = self.t;
        let tx = Hash32::from_slice(&r.tx_id).unwrap();
        let why = || format!("{m:?} at {t}: {:?}", Chain::outcome(r));
        Ok(match m.clone() {
            Meta::Request { asset, who, p } => {
                let info = &self.assets[asset];
                let operator = self.operator(asset);
                let market_ok = who < REGULATOR
                    && !self.frozen[asset]
                    && info.sharing != pb::SharingClass::NotShared
                    && operator != Some(who)
                    && within(t, p.expires_ms);
                let automatic = info.sharing == pb::SharingClass::Unconditional
                    && p.jurisdictions.iter().all(|j| j == info.home);
                let g = self.request_grant(&p, who);
                let grant_ok = operator.is_some_and(|o| self.grant_ok(asset, o, who, &g));
                prop_assert_eq!(ok, market_ok && grant_ok, "{}", why());
                if ok {
                    let rid = Hashing::BLAKE3.request_id(CHAIN, &tx);
                    let expected = if automatic {
                        Hashing::BLAKE3.grant_id(CHAIN, &tx)
                    } else {
                        rid
                    };
                    prop_assert_eq!(created(r), Some(expected), "{}", why());
                    self.requests.push(Req {
                        id: rid,
                        asset,
                        requester: who,
                        addressee: operator.unwrap_or(REGULATOR),
                        terms: p,
                        status: if automatic { "granted" } else { "open" },
                    });
                }
                match operator {
                    Some(o) if market_ok && automatic => Some(Equiv {
                        signer: o,
                        cosigner: Some(who),
                        payload: Payload::IssueGrant(g.clone()),
                        grant: Some((asset, who, g)),
                    }),
                    _ => None,
                }
            }
            Meta::Answer { req, who, p } => {
                let rq = self.requests[req].clone();
                let wellformed = if p.approve {
                    p.reason == 0
                } else {
                    (1..=6).contains(&p.reason)
                };
                let market_ok = who < REGULATOR
                    && wellformed
                    && Self::req_status(&rq, t) == "open"
                    && self.operator(rq.asset) == Some(who);
                // The requester may have become the Operate holder since (open requests
                // follow the Operate right): it needs no access (a request to one's own
                // asset is refused), and no direct grant can be made to oneself (the
                // grantee cosigns its grant), so it may not approve its own request. A
                // decline changes no right or grant: either outcome will do.
                let own = who == rq.requester;
                if market_ok && own {
                    prop_assert!(
                        !(ok && p.approve),
                        "the requester, now the Operate holder, granted itself its own request: {}",
                        why()
                    );
                    if ok {
                        self.requests[req].status = "declined";
                    }
                    return Ok(None);
                }
                if !market_ok || !p.approve {
                    prop_assert_eq!(ok, market_ok, "{}", why());
                    if ok {
                        self.requests[req].status = "declined";
                    }
                    return Ok(None);
                }
                let g = self.request_grant(&rq.terms, rq.requester);
                prop_assert_eq!(
                    ok,
                    self.grant_ok(rq.asset, who, rq.requester, &g),
                    "{}",
                    why()
                );
                if ok {
                    prop_assert_eq!(
                        created(r),
                        Some(Hashing::BLAKE3.grant_id(CHAIN, &tx)),
                        "{}",
                        why()
                    );
                    self.requests[req].status = "granted";
                }
                Some(Equiv {
                    signer: who,
                    cosigner: Some(rq.requester),
                    payload: Payload::IssueGrant(g.clone()),
                    grant: Some((rq.asset, rq.requester, g)),
                })
            }
            Meta::List { asset, who, p } => {
                let info = &self.assets[asset];
                let offer_ok = match &p.licence {
                    None => {
                        self.holder(asset, p.right) == Some(who)
                            && p.unit == pb::PriceUnit::OneOff as i32
                    }
                    Some(l) => {
                        self.operator(asset) == Some(who)
                            && info.sharing != pb::SharingClass::NotShared
                            && l.purposes.iter().all(|x| known_purpose(x))
                            && l.actions.iter().all(|a| delivered(*a, &info.modes))
                            && l.duration_ms <= MAX_TERM
                    }
                };
                let market_ok = who < REGULATOR
                    && !self.frozen[asset]
                    && offer_ok
                    && p.delivery_modes.iter().all(|d| info.modes.contains(d))
                    && within(t, p.valid_until_ms);
                prop_assert_eq!(ok, market_ok, "{}", why());
                if ok {
                    let id = Hashing::BLAKE3.listing_id(CHAIN, &tx);
                    prop_assert_eq!(created(r), Some(id), "{}", why());
                    self.listings.push(Lst {
                        id,
                        asset,
                        seller: who,
                        terms: p,
                        status: "open",
                        sold: 0,
                    });
                }
                None
            }
            Meta::Order { listing, who, p } => {
                let l = &self.listings[listing];
                let (lt, q) = (&l.terms, p.quantity);
                let fits = if lt.unit == pb::PriceUnit::OneOff as i32 {
                    q == 1
                } else {
                    q >= 1
                };
                let price = lt.price.clone().unwrap_or_default();
                let licence_ok = lt.licence.as_ref().is_none_or(|lic| {
                    lic.jurisdictions.iter().any(|j| j == HOMES[who])
                        && bought(lic, lt.unit, q).is_some_and(|(term, _)| term <= MAX_TERM)
                });
                let holds = lt.right != 0 && self.holder(l.asset, lt.right) == Some(who);
                let market_ok = who < REGULATOR
                    && p.buyer == self.ids[who]
                    && Self::lst_status(l, t) == "open"
                    && !self.frozen[l.asset]
                    && who != l.seller
                    && !holds
                    && fits
                    && price.amount_minor.checked_mul(q).is_some()
                    && licence_ok
                    && within(t, p.expires_ms);
                prop_assert_eq!(ok, market_ok, "{}", why());
                if ok {
                    let id = Hashing::BLAKE3.order_id(CHAIN, &tx);
                    prop_assert_eq!(created(r), Some(id), "{}", why());
                    self.orders.push(Ord {
                        id,
                        listing,
                        buyer: who,
                        quantity: q,
                        expires_ms: p.expires_ms,
                        payment_ref: p.payment_ref_hash,
                        state: "placed",
                        delivery: false,
                        payment: false,
                    });
                }
                None
            }
            Meta::Accept { order, who } => {
                let o = self.orders[order].clone();
                let l = self.listings[o.listing].clone();
                let market_ok = who < REGULATOR
                    && self.ord_status(&o, t) == "placed"
                    && Self::lst_status(&l, t) == "open"
                    && who == l.seller;
                if !market_ok {
                    prop_assert!(!ok, "{}", why());
                    return Ok(None);
                }
                let price = l.terms.price.clone().unwrap_or_default();
                let total = price.amount_minor * o.quantity;
                let equiv = match &l.terms.licence {
                    None => {
                        // The model knows these transfer rules; B knows export approvals.
                        if self.frozen[l.asset] || self.holder(l.asset, l.terms.right) != Some(who)
                        {
                            prop_assert!(!ok, "{}", why());
                        }
                        if ok {
                            prop_assert_eq!(created(r), None, "{}", why());
                            self.moved.insert((l.asset, l.terms.right), o.buyer);
                            self.listings[o.listing].status = "sold";
                            if l.terms.right == pb::Right::Operate as i32 {
                                // Open requests follow the Operate right.
                                for rq in &mut self.requests {
                                    if rq.asset == l.asset
                                        && rq.addressee == who
                                        && Self::req_status(rq, t) == "open"
                                    {
                                        rq.addressee = o.buyer;
                                    }
                                }
                            }
                        }
                        Equiv {
                            signer: who,
                            cosigner: Some(o.buyer),
                            payload: Payload::TransferRight(pb::TransferRight {
                                asset: l.terms.asset.clone(),
                                right: l.terms.right,
                                to: self.ids[o.buyer].clone(),
                                price: Some(pb::Price {
                                    amount_minor: total,
                                    currency: price.currency.clone(),
                                }),
                                consideration_hash: o.payment_ref.clone(),
                            }),
                            grant: None,
                        }
                    }
                    Some(lic) => {
                        let (term, uses) = bought(lic, l.terms.unit, o.quantity).unwrap();
                        let g = pb::IssueGrant {
                            asset: l.terms.asset.clone(),
                            grantee: self.ids[o.buyer].clone(),
                            actions: lic.actions.clone(),
                            purposes: lic.purposes.clone(),
                            not_before_ms: t,
                            not_after_ms: t.saturating_add(term),
                            jurisdictions: lic.jurisdictions.clone(),
                            max_uses: uses,
                            recipient_systems: Vec::new(),
                            policy_doc_hash: Vec::new(),
                        };
                        prop_assert_eq!(ok, self.grant_ok(l.asset, who, o.buyer, &g), "{}", why());
                        if ok {
                            prop_assert_eq!(
                                created(r),
                                Some(Hashing::BLAKE3.grant_id(CHAIN, &tx)),
                                "{}",
                                why()
                            );
                        }
                        Equiv {
                            signer: who,
                            cosigner: Some(o.buyer),
                            payload: Payload::IssueGrant(g.clone()),
                            grant: Some((l.asset, o.buyer, g)),
                        }
                    }
                };
                if ok {
                    self.orders[order].state = "accepted";
                    self.listings[o.listing].sold += 1;
                }
                Some(equiv)
            }
            Meta::Cancel { subject, who } => {
                let expected = match subject {
                    Subject::Request(i) => {
                        let rq = &self.requests[i];
                        rq.requester == who && Self::req_status(rq, t) == "open"
                    }
                    Subject::Listing(i) => {
                        let l = &self.listings[i];
                        l.seller == who && Self::lst_status(l, t) == "open"
                    }
                    Subject::Order(i) => {
                        let o = &self.orders[i];
                        o.buyer == who && self.ord_status(o, t) == "placed"
                    }
                    Subject::Unknown => false,
                };
                prop_assert_eq!(ok, expected, "{}", why());
                if ok {
                    match subject {
                        Subject::Request(i) => self.requests[i].status = "cancelled",
                        Subject::Listing(i) => self.listings[i].status = "cancelled",
                        Subject::Order(i) => self.orders[i].state = "cancelled",
                        Subject::Unknown => {}
                    }
                }
                None
            }
            Meta::Confirm { order, who, p } => {
                let o = &self.orders[order];
                let seller = self.listings[o.listing].seller;
                let accepted = matches!(o.state, "accepted" | "settled" | "disputed");
                let ref_ok = p.ref_hash.is_empty() || p.ref_hash.len() == 32;
                let delivery = p.kind == pb::ConfirmKind::Delivery as i32;
                let side_ok = if delivery {
                    who == o.buyer && !o.delivery
                } else {
                    who == seller
                        && !o.payment
                        && !(p.ref_hash.is_empty() && o.payment_ref.is_empty())
                };
                prop_assert_eq!(ok, ref_ok && accepted && side_ok, "{}", why());
                if ok {
                    let o = &mut self.orders[order];
                    if delivery {
                        o.delivery = true;
                    } else {
                        o.payment = true;
                        if !p.ref_hash.is_empty() {
                            o.payment_ref = p.ref_hash;
                        }
                    }
                    if o.delivery && o.payment && o.state == "accepted" {
                        o.state = "settled";
                    }
                }
                None
            }
            Meta::Dispute { order, who, p } => {
                let o = &self.orders[order];
                let seller = self.listings[o.listing].seller;
                let expected = p.evidence_hash.len() == 32
                    && matches!(o.state, "accepted" | "settled")
                    && (who == o.buyer || who == seller);
                prop_assert_eq!(ok, expected, "{}", why());
                if ok {
                    self.orders[order].state = "disputed";
                }
                None
            }
            Meta::Freeze { asset, on } => {
                prop_assert_eq!(ok, self.frozen[asset] != on, "{}", why());
                if ok {
                    self.frozen[asset] = on;
                }
                Some(Equiv {
                    signer: REGULATOR,
                    cosigner: None,
                    payload: self.freeze_payload(asset, on),
                    grant: None,
                })
            }
            Meta::Usage { grant, who, mut p } => {
                p.grant = self.grants[grant].b.to_vec();
                Some(Equiv {
                    signer: who,
                    cosigner: None,
                    payload: Payload::RecordUsage(p),
                    grant: None,
                })
            }
        })
    }
}
