//! Property test of the market (issue 18, docs/MARKET.md): over random sequences of access
//! requests, answers, listings, orders, acceptances (two in one block at times),
//! cancellations, confirmations, disputes, freezes, uses, export approvals and the passing
//! of time, signed by the rightful party or blindly by anyone (org1 and org3 in CN, org2 in
//! VN, the regulator), rights and grants stay as if the same transfers and grants had been
//! made directly.
//!
//! Two chains start alike, with the same three assets (the same signed registrations, so the
//! same ids) of random sharing classes, grades and delivery modes. Chain A runs the market.
//! Its twin B gets, in its block of the same time, the direct equivalent of every market
//! transaction of A that may move a right or issue a grant: a `TransferRight` from the
//! seller cosigned by the buyer, an `IssueGrant` from the Operate holder (the answering one,
//! or the seller) cosigned by the requester or buyer, on the requested terms or the licence
//! bought, from the block's time. Freezes, uses and export approvals are made on both.
//! After every block:
//!
//! 1. every right of every asset has the same holder on A and B, and every asset the same
//!    grants (grantor, grantee, actions, purposes, places, window, uses, status now, frozen,
//!    covers) and the same filings;
//! 2. each equivalent succeeded on B exactly when its market transaction did on A, and every
//!    market transaction succeeded exactly when the test's own model of the market says:
//!    requests, listings and orders open, expired, cancelled, sold or accepted, the rightful
//!    signer, the sharing class, frozen assets and the grant rules. So nothing moves or is
//!    granted on a frozen asset, a closed or lapsed listing, order or request, a not-shared
//!    asset's request, or by anyone but the holder;
//! 3. requests, listings and orders read the status the model gives them; every accepted
//!    order has exactly one voucher, numbers are unique, its total is the quantity times the
//!    unit price, and a right listing is sold at most once;
//! 4. nothing changed on an asset that was frozen before the block and still is after it.
//!
//! At the end, the market's indexes (requests by addressee and asset, listings by asset and
//! open ones, orders by party) hold what the model made, the price statistics count the
//! undisputed trades, and a node that joins by the state snapshot reads the same market and,
//! once it has the blocks, holds the same ledger.
//!
//! Not covered: key rotation (consent lapses with its key, so the direct equivalent, cosigned
//! with the new key, would rightly differ), derived assets, registration review.
//!
//! 24 cases of 20 to 40 operations by default; `PROPTEST_CASES` raises it.
//! `MARKET_PROPS_STATS` prints how often each kind of transaction applied in each case,
//! `MARKET_PROPS_WHY` why each one failed.

mod gen;
mod model;
mod twin;
mod twin_build;
mod twin_check;
mod twin_finish;
mod twin_judge;
mod twin_run;

use proptest::prelude::*;

use self::gen::{class, op};
use self::twin::Twin;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn market_trades_leave_rights_and_grants_as_direct_transfers_and_grants_would(
        classes in prop::array::uniform3(class()),
        ops in prop::collection::vec(op(), 20..=40),
    ) {
        let mut w = Twin::new(&classes);
        for op in &ops {
            w.run(op)?;
        }
        w.finish()?;
        if std::env::var("MARKET_PROPS_STATS").is_ok() {
            eprintln!("STATS {:?} grants {} {:?}", classes, w.grants.len(), w.stats);
        }
    }
}
