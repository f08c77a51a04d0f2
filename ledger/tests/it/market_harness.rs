//! Market helpers for the ledger tests: requests, listings, orders and their settlement,
//! signed by the harness members at the chain's clock.

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

use crate::harness::{party, Chain, Out, DAY};

/// Terms of a request for compute access in CN for a year.
pub fn request_terms(asset: Hash32) -> pb::RequestAccess {
    pb::RequestAccess {
        asset: asset.to_vec(),
        actions: vec![pb::Action::Compute as i32],
        purposes: vec!["academic-research".into()],
        jurisdictions: vec!["CN".into()],
        duration_ms: 365 * DAY,
        max_uses: 0,
        message_hash: vec![],
        expires_ms: 0,
    }
}

/// A licence of compute access in `jurisdictions` for 90 days.
pub fn licence(jurisdictions: &[&str]) -> pb::Licence {
    pb::Licence {
        actions: vec![pb::Action::Compute as i32],
        purposes: vec!["academic-research".into()],
        jurisdictions: jurisdictions.iter().map(|j| (*j).to_string()).collect(),
        duration_ms: 90 * DAY,
        max_uses: 0,
    }
}

/// A listing of `asset` offering `right` (0: the licence) at `minor` CNY per `unit`.
pub fn listing_terms(
    asset: Hash32,
    right: pb::Right,
    licence: Option<pb::Licence>,
    minor: u64,
    unit: pb::PriceUnit,
) -> pb::CreateListing {
    pb::CreateListing {
        asset: asset.to_vec(),
        right: if licence.is_some() { 0 } else { right as i32 },
        licence,
        price: Some(pb::Price {
            amount_minor: minor,
            currency: "CNY".into(),
        }),
        unit: unit as i32,
        delivery_modes: vec![pb::DeliveryMode::Compute as i32],
        valid_until_ms: 0,
    }
}

impl Chain {
    /// `who` requests access on `terms` (expiring in 30 days unless set).
    pub fn request(&mut self, who: &Keypair, mut terms: pb::RequestAccess) -> Out {
        if terms.expires_ms == 0 {
            terms.expires_ms = self.now + 30 * DAY;
        }
        let w = who.clone();
        self.run(&w, &[], Payload::RequestAccess(terms))
    }

    /// `who` approves (`reason` 0) or declines `request`.
    pub fn answer(&mut self, who: &Keypair, request: Hash32, approve: bool, reason: i32) -> Out {
        let w = who.clone();
        self.run(
            &w,
            &[],
            Payload::AnswerRequest(pb::AnswerRequest {
                request: request.to_vec(),
                approve,
                reason,
            }),
        )
    }

    /// `seller` lists on `terms` (valid 30 days unless set).
    pub fn list(&mut self, seller: &Keypair, mut terms: pb::CreateListing) -> Out {
        if terms.valid_until_ms == 0 {
            terms.valid_until_ms = self.now + 30 * DAY;
        }
        let s = seller.clone();
        self.run(&s, &[], Payload::CreateListing(terms))
    }

    /// The payload of `buyer`'s order of `quantity` on `listing`, expiring in 7 days.
    pub fn order_payload(&self, buyer: &Keypair, listing: Hash32, quantity: u64) -> Payload {
        Payload::PlaceOrder(pb::PlaceOrder {
            listing: listing.to_vec(),
            buyer: party(buyer),
            quantity,
            payment_ref_hash: vec![],
            expires_ms: self.now + 7 * DAY,
        })
    }

    /// `buyer` orders `quantity` from `listing`.
    pub fn order(&mut self, buyer: &Keypair, listing: Hash32, quantity: u64) -> Out {
        let p = self.order_payload(buyer, listing, quantity);
        let b = buyer.clone();
        self.run(&b, &[], p)
    }

    /// `seller` accepts `order`.
    pub fn accept(&mut self, seller: &Keypair, order: Hash32) -> Out {
        let s = seller.clone();
        self.run(
            &s,
            &[],
            Payload::AcceptOrder(pb::AcceptOrder {
                order: order.to_vec(),
            }),
        )
    }

    /// `who` confirms the delivery or the payment of `order` with `ref_hash` (may be empty).
    pub fn confirm(
        &mut self,
        who: &Keypair,
        order: Hash32,
        kind: pb::ConfirmKind,
        ref_hash: Vec<u8>,
    ) -> Out {
        let w = who.clone();
        self.run(
            &w,
            &[],
            Payload::Confirm(pb::Confirm {
                order: order.to_vec(),
                kind: kind as i32,
                ref_hash,
            }),
        )
    }

    /// `who` cancels its request, listing or order.
    pub fn cancel(&mut self, who: &Keypair, subject: Hash32) -> Out {
        let w = who.clone();
        self.run(
            &w,
            &[],
            Payload::Cancel(pb::Cancel {
                subject: subject.to_vec(),
            }),
        )
    }

    /// The Operate holder, Use holder and Hold holder of an asset (member ids).
    pub fn holders(&self, asset: &Hash32) -> (String, String, String) {
        let a = self.ledger.queries().asset(asset).unwrap().unwrap();
        (a.holders.operate.id, a.holders.use_.id, a.holders.hold.id)
    }
}
