//! The checks after every block: A and B hold the same rights, grants and filings, the
//! market reads as the model has it, vouchers match accepted orders, and what frozen
//! assets may not change.

use std::collections::BTreeSet;

use proptest::prelude::*;
use shuquan_ledger::{GrantsOf, Page};
use shuquan_proto::Hash32;

use super::gen::Op;
use super::model::{GrantRow, Mark};
use super::twin::Twin;
use crate::harness::Chain;

impl Twin {
    pub(super) fn mark(&self, asset: usize) -> Mark {
        let q = self.a.ledger.queries();
        let id = self.assets[asset].id;
        let h = q.asset(&id).unwrap().unwrap().holders;
        let grants = q
            .grants(GrantsOf::Asset(&id), None, Page::first(1000))
            .unwrap()
            .into_iter()
            .map(|g| (g.id, g.uses, g.covers.len(), g.frozen))
            .collect();
        ((h.hold.id, h.use_.id, h.operate.id), grants)
    }

    pub(super) fn grant_rows(c: &Chain, asset: &Hash32) -> Vec<GrantRow> {
        let mut rows: Vec<GrantRow> = c
            .ledger
            .queries()
            .grants(GrantsOf::Asset(asset), None, Page::first(1000))
            .unwrap()
            .into_iter()
            .map(|g| {
                (
                    g.grantor.id,
                    g.grantee.id,
                    g.actions,
                    g.purposes,
                    (g.not_before_ms, g.not_after_ms),
                    g.jurisdictions,
                    (g.max_uses, g.uses),
                    g.status,
                    g.frozen,
                    g.covers.len(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    pub(super) fn filing_rows(
        c: &Chain,
        asset: &Hash32,
    ) -> Vec<(String, String, String, bool, usize)> {
        let mut rows: Vec<_> = c
            .ledger
            .queries()
            .filings_of_asset(asset)
            .unwrap()
            .into_iter()
            .map(|f| {
                (
                    f.destination,
                    f.status,
                    f.path,
                    f.transfer.is_some(),
                    f.grants.len(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    pub(super) fn check(&self, op: &Op) -> Result<(), TestCaseError> {
        let (qa, qb) = (self.a.ledger.queries(), self.b.ledger.queries());
        let now = self.a.ledger.applied().unwrap().timestamp_ms;
        prop_assert_eq!(now, self.b.ledger.applied().unwrap().timestamp_ms);
        // 1. The same holders, grants and filings as the direct chain.
        for (i, asset) in self.assets.iter().enumerate() {
            let (va, vb) = (
                qa.asset(&asset.id).unwrap().unwrap(),
                qb.asset(&asset.id).unwrap().unwrap(),
            );
            let holders = |h: &shuquan_proto::views::HoldersView| {
                (h.hold.clone(), h.use_.clone(), h.operate.clone())
            };
            prop_assert_eq!(
                holders(&va.holders),
                holders(&vb.holders),
                "after {:?}: holders of asset {}",
                op,
                i
            );
            prop_assert_eq!(
                (va.frozen, vb.frozen),
                (self.frozen[i], self.frozen[i]),
                "after {:?}: asset {} frozen",
                op,
                i
            );
            prop_assert_eq!(
                Self::grant_rows(&self.a, &asset.id),
                Self::grant_rows(&self.b, &asset.id),
                "after {:?}: grants of asset {}",
                op,
                i
            );
            prop_assert_eq!(
                Self::filing_rows(&self.a, &asset.id),
                Self::filing_rows(&self.b, &asset.id),
                "after {:?}: filings of asset {}",
                op,
                i
            );
        }
        // 3. The market reads as the model has it.
        for r in &self.requests {
            let v = qa.request(&r.id).unwrap().unwrap();
            prop_assert_eq!(
                v.status.as_str(),
                Self::req_status(r, now),
                "after {:?}: {:?}",
                op,
                r
            );
        }
        for l in &self.listings {
            let v = qa.listing(&l.id).unwrap().unwrap();
            prop_assert_eq!(
                (v.status.as_str(), v.sold),
                (Self::lst_status(l, now), l.sold),
                "after {:?}: {:?}",
                op,
                l
            );
            prop_assert!(
                l.terms.right == 0 || l.sold <= 1,
                "right listing {:?} sold twice",
                l
            );
        }
        let vouchers = qa.vouchers(None, Page::MAX_LIMIT).unwrap();
        let numbers: BTreeSet<&str> = vouchers.iter().map(|v| v.number.as_str()).collect();
        prop_assert_eq!(numbers.len(), vouchers.len(), "voucher numbers repeat");
        let mut accepted = 0;
        for o in &self.orders {
            let v = qa.order(&o.id).unwrap().unwrap();
            prop_assert_eq!(
                v.status.as_str(),
                self.ord_view_status(o, now),
                "after {:?}: {:?}",
                op,
                o
            );
            if !matches!(o.state, "accepted" | "settled" | "disputed") {
                prop_assert_eq!(v.voucher, None, "unaccepted {:?} has a voucher", o);
                continue;
            }
            accepted += 1;
            let l = &self.listings[o.listing];
            let number = v.voucher.clone();
            let mine: Vec<_> = vouchers.iter().filter(|x| x.order == o.id).collect();
            prop_assert_eq!(mine.len(), 1, "{:?} has {} vouchers", o, mine.len());
            let x = mine[0];
            prop_assert_eq!(Some(x.number.clone()), number, "the voucher {:?} names", o);
            let unit = l.terms.price.as_ref().map_or(0, |p| p.amount_minor);
            prop_assert_eq!(
                (x.listing, x.asset, x.quantity, x.total_minor),
                (l.id, self.assets[l.asset].id, o.quantity, unit * o.quantity),
                "voucher {}",
                x.number
            );
            prop_assert_eq!(
                (x.buyer.id.as_str(), x.seller.id.as_str(), x.grant.is_some()),
                (
                    self.hexes[o.buyer].as_str(),
                    self.hexes[l.seller].as_str(),
                    l.terms.licence.is_some()
                ),
                "voucher {}",
                x.number
            );
        }
        prop_assert_eq!(vouchers.len(), accepted, "vouchers of accepted orders only");
        Ok(())
    }
}
