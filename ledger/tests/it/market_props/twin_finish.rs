//! The checks at the end: the market's indexes and price statistics hold what the model
//! made, and a node that joins by the state snapshot reads the same market and, once it
//! has the blocks, holds the same ledger.

use std::collections::BTreeSet;

use proptest::prelude::*;
use shuquan_ledger::{ListingsOf, OrdersOf, Page, PriceFilter, RequestsOf};
use shuquan_proto::Hash32;

use super::gen::ALL;
use super::twin::Twin;
use crate::harness::Chain;

impl Twin {
    /// The market as every query reads it: requests by addressee and asset, listings by
    /// asset and open ones, orders by party, vouchers, prices and answer times.
    pub(super) fn market_reads(c: &Chain, ids: &[Vec<u8>], assets: &[Hash32]) -> String {
        let q = c.ledger.queries();
        let mut out = Vec::new();
        for m in ids {
            out.push(format!("{:?}", q.requests(RequestsOf::To(m), ALL).unwrap()));
            out.push(format!("{:?}", q.orders(OrdersOf::Member(m), ALL).unwrap()));
        }
        for a in assets {
            out.push(format!(
                "{:?}",
                q.requests(RequestsOf::Asset(a), ALL).unwrap()
            ));
            out.push(format!(
                "{:?}",
                q.listings(ListingsOf::Asset(a), false, ALL).unwrap()
            ));
        }
        out.push(format!(
            "{:?}",
            q.listings(ListingsOf::All, true, ALL).unwrap()
        ));
        out.push(format!("{:?}", q.vouchers(None, Page::MAX_LIMIT).unwrap()));
        out.push(format!("{:?}", q.prices(&PriceFilter::default()).unwrap()));
        out.push(format!("{:?}", q.answer_times().unwrap()));
        out.join("\n")
    }

    /// At the end: the market's indexes hold what the model made, and a node that joins by
    /// the state snapshot reads the same market.
    pub(super) fn finish(&self) -> Result<(), TestCaseError> {
        let q = self.a.ledger.queries();
        let now = self.a.ledger.applied().unwrap().timestamp_ms;
        let set = |v: Vec<Hash32>| v.into_iter().collect::<BTreeSet<Hash32>>();
        for (m, id) in self.ids.iter().enumerate() {
            let to = set(q
                .requests(RequestsOf::To(id), ALL)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect());
            let mine = set(self
                .requests
                .iter()
                .filter(|r| r.addressee == m)
                .map(|r| r.id)
                .collect());
            prop_assert_eq!(to, mine, "requests to {}", m);
            let orders = set(q
                .orders(OrdersOf::Member(id), ALL)
                .unwrap()
                .into_iter()
                .map(|o| o.id)
                .collect());
            let mine = set(self
                .orders
                .iter()
                .filter(|o| o.buyer == m || self.listings[o.listing].seller == m)
                .map(|o| o.id)
                .collect());
            prop_assert_eq!(orders, mine, "orders of {}", m);
        }
        for (i, a) in self.assets.iter().enumerate() {
            let reqs = set(q
                .requests(RequestsOf::Asset(&a.id), ALL)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect());
            let mine = set(self
                .requests
                .iter()
                .filter(|r| r.asset == i)
                .map(|r| r.id)
                .collect());
            prop_assert_eq!(reqs, mine, "requests of asset {}", i);
            let lsts = set(q
                .listings(ListingsOf::Asset(&a.id), false, ALL)
                .unwrap()
                .into_iter()
                .map(|l| l.id)
                .collect());
            let mine = set(self
                .listings
                .iter()
                .filter(|l| l.asset == i)
                .map(|l| l.id)
                .collect());
            prop_assert_eq!(lsts, mine, "listings of asset {}", i);
        }
        let open = set(q
            .listings(ListingsOf::All, true, ALL)
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect());
        let mine = set(self
            .listings
            .iter()
            .filter(|l| Self::lst_status(l, now) == "open")
            .map(|l| l.id)
            .collect());
        prop_assert_eq!(open, mine, "open listings");
        let traded = self
            .orders
            .iter()
            .filter(|o| matches!(o.state, "accepted" | "settled"))
            .count();
        let prices = q.prices(&PriceFilter::default()).unwrap();
        prop_assert_eq!(prices.count, traded, "prices count the undisputed trades");
        let mut snap = Vec::new();
        self.a.ledger.snapshots().export_state(&mut snap).unwrap();
        let joined = Chain::new();
        joined
            .ledger
            .snapshots()
            .install_state(&mut std::io::Cursor::new(snap), b"m")
            .unwrap();
        let assets: Vec<Hash32> = self.assets.iter().map(|a| a.id).collect();
        prop_assert_eq!(
            Self::market_reads(&joined, &self.ids, &assets),
            Self::market_reads(&self.a, &self.ids, &assets),
            "the market as a node joined by snapshot reads it"
        );
        // And once it has fetched the blocks, it holds the same ledger.
        while let Some(gap) = joined.ledger.gap().unwrap() {
            let count = (gap.hi - gap.lo + 1).min(16);
            let blocks = self
                .a
                .ledger
                .blocks_for_sync(gap.hi, count, 1 << 22)
                .unwrap();
            prop_assert_eq!(joined.ledger.fill_gap(&blocks).unwrap(), Ok(count));
        }
        prop_assert_eq!(
            joined.ledger.snapshots().digest().unwrap(),
            self.a.ledger.snapshots().digest().unwrap()
        );
        Ok(())
    }
}
