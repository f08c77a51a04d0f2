//! Chain A: an operation's block of market transactions, chosen by the model (the
//! rightful signer and fitting terms when faithful, blindly otherwise), and each
//! transaction's signer and payload.

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Hash32;

use super::gen::{
    actions, choose, choose_fit, places, purposes, strings, Kind, Op, HOMES, HOUR, PLACES, PRICES,
    REGULATOR, RIGHTS, UNITS, YEAR,
};
use super::model::{Meta, Subject};
use super::twin::Twin;
use crate::harness::DAY;

impl Twin {
    /// The transactions of an operation's block on A, or `None` if there is nothing to
    /// act on yet.
    pub(super) fn build(&self, op: &Op) -> Option<Vec<Meta>> {
        let (f, x) = (op.faithful, op.x);
        let t = self.a.now;
        let n = self.assets.len();
        let later = |choices: &[u64], i: u8| t + choices[usize::from(i) % choices.len()];
        let meta = match op.kind {
            Kind::Request => {
                let asset = choose(n, f, x[0], |i| {
                    !self.frozen[i] && self.assets[i].sharing != pb::SharingClass::NotShared
                })?;
                let holder = self.operator(asset);
                let others: Vec<usize> = (0..3).filter(|w| Some(*w) != holder).collect();
                let who = self.signer(f, Some(others[usize::from(x[1]) % others.len()]), x[1]);
                let (home, own) = (self.assets[asset].home, HOMES[who]);
                let jurisdictions = if f {
                    match x[4] % 4 {
                        0 => strings(&[own]),
                        1 => strings(&[own, home]),
                        2 => strings(&[own, "SG"]),
                        _ => strings(&[home]),
                    }
                } else {
                    places(x[4])
                };
                let duration_ms = if f {
                    [HOUR, 30 * DAY, YEAR][usize::from(x[5]) % 3]
                } else {
                    [HOUR, YEAR, 11 * YEAR, 1][usize::from(x[5]) % 4]
                };
                let expires_ms = if f {
                    later(&[2_000, HOUR, 30 * DAY], x[7])
                } else {
                    later(&[0, 11 * YEAR, 2_000, 30 * DAY], x[7])
                };
                Meta::Request {
                    asset,
                    who,
                    p: pb::RequestAccess {
                        asset: self.assets[asset].id.to_vec(),
                        actions: actions(f, x[2]),
                        purposes: purposes(f, x[3]),
                        jurisdictions,
                        duration_ms,
                        max_uses: [0, 1, 3][usize::from(x[6]) % 3],
                        message_hash: if x[6] % 2 == 0 { vec![] } else { vec![4; 32] },
                        expires_ms,
                    },
                }
            }
            Kind::Answer => {
                let req = choose_fit(self.requests.len(), f, x[0], |i| {
                    Self::req_status(&self.requests[i], t) == "open"
                })?;
                let who = self.signer(f, self.operator(self.requests[req].asset), x[1]);
                let approve = x[2] % 3 != 0;
                let reason = match (f, approve) {
                    (true, true) => 0,
                    (true, false) => 1 + i32::from(x[3] % 6),
                    (false, _) => i32::from(x[3] % 3),
                };
                Meta::Answer {
                    req,
                    who,
                    p: pb::AnswerRequest {
                        request: self.requests[req].id.to_vec(),
                        approve,
                        reason,
                    },
                }
            }
            Kind::ListRight | Kind::ListLicence => {
                let licensable = |i: usize| {
                    op.kind == Kind::ListRight
                        || self.assets[i].sharing != pb::SharingClass::NotShared
                };
                let asset = choose(n, f, x[0], |i| !self.frozen[i] && licensable(i))?;
                let info = &self.assets[asset];
                let (right, licence, unit) = if op.kind == Kind::ListRight {
                    let right = RIGHTS[usize::from(x[2]) % 3];
                    let unit = if f || x[3] % 2 == 0 {
                        pb::PriceUnit::OneOff
                    } else {
                        UNITS[usize::from(x[3]) % 4]
                    };
                    (right, None, unit)
                } else {
                    let jurisdictions = if f {
                        match x[4] % 4 {
                            0 => strings(&[info.home]),
                            1 => strings(&["CN", "VN"]),
                            2 => strings(&["CN", "VN", "SG"]),
                            _ => strings(&["VN"]),
                        }
                    } else {
                        places(x[4])
                    };
                    let licence = pb::Licence {
                        actions: actions(f, x[2]),
                        purposes: purposes(f, x[6]),
                        jurisdictions,
                        duration_ms: if f {
                            [HOUR, 30 * DAY, 90 * DAY][usize::from(x[5]) % 3]
                        } else {
                            [HOUR, 90 * DAY, 11 * YEAR][usize::from(x[5]) % 3]
                        },
                        max_uses: [0, 2, 5][usize::from(x[6] >> 2) % 3],
                    };
                    (
                        pb::Right::Operate,
                        Some(licence),
                        UNITS[usize::from(x[3]) % 4],
                    )
                };
                let who = self.signer(f, self.holder(asset, right as i32), x[1]);
                let delivery_modes = if f || x[7] % 3 != 0 {
                    vec![pb::DeliveryMode::Compute as i32]
                } else {
                    vec![pb::DeliveryMode::Download as i32]
                };
                let valid_until_ms = if f {
                    later(&[2_000, HOUR, DAY, 30 * DAY, 30 * DAY, 30 * DAY], x[7] >> 2)
                } else {
                    later(&[0, 11 * YEAR, DAY, 30 * DAY], x[7] >> 2)
                };
                Meta::List {
                    asset,
                    who,
                    p: pb::CreateListing {
                        asset: info.id.to_vec(),
                        right: if licence.is_some() { 0 } else { right as i32 },
                        licence,
                        price: Some(pb::Price {
                            amount_minor: PRICES[usize::from(x[5] >> 2) % 8],
                            currency: "CNY".into(),
                        }),
                        unit: unit as i32,
                        delivery_modes,
                        valid_until_ms,
                    },
                }
            }
            Kind::Order => {
                let listing = choose_fit(self.listings.len(), f, x[0], |i| {
                    Self::lst_status(&self.listings[i], t) == "open"
                })?;
                let l = &self.listings[listing];
                let fits = |w: usize| {
                    w != l.seller
                        && (l.terms.right == 0 || self.holder(l.asset, l.terms.right) != Some(w))
                        && l.terms
                            .licence
                            .as_ref()
                            .is_none_or(|lic| lic.jurisdictions.iter().any(|j| j == HOMES[w]))
                };
                let buyers: Vec<usize> = (0..3).filter(|w| fits(*w)).collect();
                let rightful =
                    (!buyers.is_empty()).then(|| buyers[usize::from(x[1]) % buyers.len()]);
                let who = self.signer(f, rightful, x[1]);
                let buyer = if !f && x[2] % 4 == 0 {
                    self.ids[(who + 1) % 3].clone()
                } else {
                    self.ids[who].clone()
                };
                let quantity = if l.terms.unit == pb::PriceUnit::OneOff as i32 {
                    if !f && x[3] % 4 == 0 {
                        2
                    } else {
                        1
                    }
                } else if !f && x[3] % 8 == 7 {
                    0
                } else {
                    [1, 2, 3, 12][usize::from(x[3]) % 4]
                };
                let expires_ms = if f {
                    later(&[2_000, HOUR, 7 * DAY, 7 * DAY], x[5])
                } else {
                    later(&[0, 11 * YEAR, 2_000, 7 * DAY], x[5])
                };
                Meta::Order {
                    listing,
                    who,
                    p: pb::PlaceOrder {
                        listing: l.id.to_vec(),
                        buyer,
                        quantity,
                        payment_ref_hash: if x[4] % 2 == 0 { vec![] } else { vec![5; 32] },
                        expires_ms,
                    },
                }
            }
            Kind::Accept | Kind::AcceptTwo => {
                let placed = |i: usize| self.ord_view_status(&self.orders[i], t) == "placed";
                let first = choose_fit(self.orders.len(), f, x[0], placed)?;
                let mut picks = vec![(first, x[1])];
                if op.kind == Kind::AcceptTwo {
                    // A rival on the same listing if there is one, else another placed
                    // order, else any other, else the same order twice.
                    let same = self.orders[first].listing;
                    let fitting = |fit: &dyn Fn(usize) -> bool| {
                        let v: Vec<usize> = (0..self.orders.len()).filter(|i| fit(*i)).collect();
                        (!v.is_empty()).then(|| v[usize::from(x[2]) % v.len()])
                    };
                    let rival =
                        fitting(&|i| i != first && placed(i) && self.orders[i].listing == same)
                            .or_else(|| fitting(&|i| i != first && placed(i)))
                            .or_else(|| fitting(&|i| i != first))
                            .unwrap_or(first);
                    picks.push((rival, x[3]));
                }
                return Some(
                    picks
                        .into_iter()
                        .map(|(order, xs)| {
                            let seller = self.listings[self.orders[order].listing].seller;
                            Meta::Accept {
                                order,
                                who: self.signer(f, Some(seller), xs),
                            }
                        })
                        .collect(),
                );
            }
            Kind::Cancel => {
                let (subject, maker) = match x[2] % 4 {
                    0 => {
                        let i = choose(self.requests.len(), f, x[0], |i| {
                            Self::req_status(&self.requests[i], t) == "open"
                        })?;
                        (Subject::Request(i), self.requests[i].requester)
                    }
                    1 => {
                        let i = choose(self.listings.len(), f, x[0], |i| {
                            Self::lst_status(&self.listings[i], t) == "open"
                        })?;
                        (Subject::Listing(i), self.listings[i].seller)
                    }
                    2 => {
                        let i = choose(self.orders.len(), f, x[0], |i| {
                            self.ord_status(&self.orders[i], t) == "placed"
                        })?;
                        (Subject::Order(i), self.orders[i].buyer)
                    }
                    _ => (Subject::Unknown, 0),
                };
                Meta::Cancel {
                    subject,
                    who: self.signer(f, Some(maker), x[1]),
                }
            }
            Kind::Confirm | Kind::Dispute => {
                let order = choose_fit(self.orders.len(), f, x[0], |i| {
                    matches!(self.orders[i].state, "accepted" | "settled" | "disputed")
                })?;
                let o = &self.orders[order];
                let seller = self.listings[o.listing].seller;
                let buyer_side = x[2] % 2 == 0;
                let who = self.signer(f, Some(if buyer_side { o.buyer } else { seller }), x[1]);
                if op.kind == Kind::Confirm {
                    let ref_hash = match x[3] % 4 {
                        0 => vec![],
                        3 if !f => vec![8; 5],
                        _ => vec![8; 32],
                    };
                    let kind = if buyer_side {
                        pb::ConfirmKind::Delivery
                    } else {
                        pb::ConfirmKind::Payment
                    };
                    Meta::Confirm {
                        order,
                        who,
                        p: pb::Confirm {
                            order: o.id.to_vec(),
                            kind: kind as i32,
                            ref_hash,
                        },
                    }
                } else {
                    Meta::Dispute {
                        order,
                        who,
                        p: pb::Dispute {
                            order: o.id.to_vec(),
                            evidence_hash: if !f && x[3] % 3 == 0 {
                                vec![]
                            } else {
                                vec![9; 32]
                            },
                        },
                    }
                }
            }
            Kind::Freeze | Kind::Unfreeze => {
                let on = op.kind == Kind::Freeze;
                let asset = choose_fit(n, f, x[0], |i| self.frozen[i] != on)?;
                Meta::Freeze { asset, on }
            }
            Kind::Usage => {
                let grant = choose(self.grants.len(), f, x[0], |_| true)?;
                let g = &self.grants[grant];
                let terms = &g.terms;
                let who = self.signer(f, Some(g.grantee), x[1]);
                Meta::Usage {
                    grant,
                    who,
                    p: pb::RecordUsage {
                        grant: g.a.to_vec(),
                        action: terms.actions[usize::from(x[2]) % terms.actions.len()],
                        purpose: terms.purposes[0].clone(),
                        jurisdiction: if f {
                            HOMES[g.grantee].into()
                        } else {
                            PLACES[usize::from(x[3]) % 3].into()
                        },
                        recipient_system: String::new(),
                        output_fingerprint: vec![],
                    },
                }
            }
            Kind::Export | Kind::Wait => return None,
        };
        Some(vec![meta])
    }

    /// The signer and payload of a market transaction on A.
    pub(super) fn payload(&self, m: &Meta) -> (usize, Payload) {
        match m {
            Meta::Request { who, p, .. } => (*who, Payload::RequestAccess(p.clone())),
            Meta::Answer { who, p, .. } => (*who, Payload::AnswerRequest(p.clone())),
            Meta::List { who, p, .. } => (*who, Payload::CreateListing(p.clone())),
            Meta::Order { who, p, .. } => (*who, Payload::PlaceOrder(p.clone())),
            Meta::Accept { order, who } => (
                *who,
                Payload::AcceptOrder(pb::AcceptOrder {
                    order: self.orders[*order].id.to_vec(),
                }),
            ),
            Meta::Cancel { subject, who } => {
                let id = match *subject {
                    Subject::Request(i) => self.requests[i].id,
                    Subject::Listing(i) => self.listings[i].id,
                    Subject::Order(i) => self.orders[i].id,
                    Subject::Unknown => Hash32([0xee; 32]),
                };
                (
                    *who,
                    Payload::Cancel(pb::Cancel {
                        subject: id.to_vec(),
                    }),
                )
            }
            Meta::Confirm { who, p, .. } => (*who, Payload::Confirm(p.clone())),
            Meta::Dispute { who, p, .. } => (*who, Payload::Dispute(p.clone())),
            Meta::Freeze { asset, on } => (REGULATOR, self.freeze_payload(*asset, *on)),
            Meta::Usage { who, p, .. } => (*who, Payload::RecordUsage(p.clone())),
        }
    }

    pub(super) fn freeze_payload(&self, asset: usize, on: bool) -> Payload {
        let subject = self.assets[asset].id.to_vec();
        if on {
            Payload::Freeze(pb::Freeze {
                subject,
                reason_hash: vec![3; 32],
            })
        } else {
            Payload::Unfreeze(pb::Unfreeze { subject })
        }
    }
}
