//! The market's read side: requests (by addressee or asset), listings, orders, vouchers,
//! price statistics of completed trades and how fast members answer requests.

use std::collections::BTreeMap;

use prost::Message;
use shuquan_proto::market::{listing_status, request_status};
use shuquan_proto::pb::{self, ListingStatus, RequestStatus};
use shuquan_proto::views::{self as v, price_unit_word};
use shuquan_proto::Hash32;

use super::{tail_id, Page, Queries};
use crate::error::{Error, Result};
use crate::keys;

/// Whose requests to list.
#[derive(Clone, Copy, Debug)]
pub enum RequestsOf<'a> {
    /// Addressed to a member (member id).
    To(&'a [u8]),
    /// For an asset.
    Asset(&'a Hash32),
}

/// Which listings to list.
#[derive(Clone, Copy, Debug)]
pub enum ListingsOf<'a> {
    /// Of an asset.
    Asset(&'a Hash32),
    /// Every listing on the chain.
    All,
}

/// Whose orders to list.
#[derive(Clone, Copy, Debug)]
pub enum OrdersOf<'a> {
    /// Placed on a listing.
    Listing(&'a Hash32),
    /// A member is buyer or seller of (member id).
    Member(&'a [u8]),
}

/// Which completed trades the price statistics count.
#[derive(Clone, Debug, Default)]
pub struct PriceFilter {
    /// The asset's sector.
    pub sector: Option<String>,
    /// `hold`, `use`, `operate` or `licence`.
    pub kind: Option<String>,
    /// Trades from this block time on.
    pub since_ms: Option<u64>,
}

fn decode<M: Message + Default>(key: &[u8], value: &[u8]) -> Result<M> {
    M::decode(value).map_err(|e| {
        Error::Corrupt(format!(
            "state row {} does not decode: {e}",
            shuquan_proto::state::show_row(key)
        ))
    })
}

/// The shortest wait a request must give its addressee for its lapse to count against it
/// in the public answer times (else anyone could file requests that lapse at once).
const FAIR_WAIT_MS: u64 = 86_400_000;

/// The value at quantile `q` (0..=1) of sorted `xs`, by the nearest-rank method.
fn quantile(xs: &[u64], q: f64) -> u64 {
    if xs.is_empty() {
        return 0;
    }
    let rank = (q * xs.len() as f64).ceil() as usize;
    xs[rank.clamp(1, xs.len()) - 1]
}

/// The median of sorted `xs` (the lower middle for an even count: a price that was paid).
fn median(xs: &[u64]) -> u64 {
    quantile(xs, 0.5)
}

impl Queries<'_> {
    /// One access request, as of the last block.
    pub fn request(&self, id: &Hash32) -> Result<Option<v::RequestView>> {
        self.request_named(id, self.now()?, &self.directory()?)
    }

    fn request_named(
        &self,
        id: &Hash32,
        now: u64,
        d: &v::Directory,
    ) -> Result<Option<v::RequestView>> {
        self.reader(|st| Ok(st.request(id)?.map(|r| v::RequestView::of(&r, now, d))))
    }

    /// The rows under `prefix` after `after` (a 32-byte id appended to the prefix), one
    /// page: the market's lists, in id order.
    fn page_rows(&self, prefix: &[u8], after: Option<&[u8]>, limit: usize) -> Result<Vec<Vec<u8>>> {
        let after = after.map(|a| [prefix, a].concat());
        Ok(crate::view::StateView::rows_with_prefix(
            &self.ledger.store,
            prefix,
            after.as_deref(),
            limit.min(Page::MAX_LIMIT),
        )?
        .into_iter()
        .map(|(k, _)| k)
        .collect())
    }

    /// Requests addressed to a member or made for an asset, one page in id order.
    pub fn requests(&self, of: RequestsOf<'_>, page: Page) -> Result<Vec<v::RequestView>> {
        let prefix = match of {
            RequestsOf::To(m) => keys::requests_to(m),
            RequestsOf::Asset(a) => keys::requests_of(a.as_bytes()),
        };
        let after = page.after.map(|a| a.to_vec());
        let (now, d) = (self.now()?, self.directory()?);
        let mut out = Vec::new();
        for key in self.page_rows(&prefix, after.as_deref(), page.limit)? {
            out.extend(self.request_named(&tail_id(&key), now, &d)?);
        }
        Ok(out)
    }

    /// One listing.
    pub fn listing(&self, id: &Hash32) -> Result<Option<v::ListingView>> {
        let (now, d) = (self.now()?, self.directory()?);
        self.reader(|st| Ok(st.listing(id)?.map(|l| v::ListingView::of(&l, now, &d))))
    }

    /// Listings of an asset or of the whole chain, one page in id order; `open_only` keeps
    /// those open now (reading on until the page is full or the listings end).
    pub fn listings(
        &self,
        of: ListingsOf<'_>,
        open_only: bool,
        page: Page,
    ) -> Result<Vec<v::ListingView>> {
        let (now, d) = (self.now()?, self.directory()?);
        let prefix = match of {
            ListingsOf::Asset(a) => keys::listings_of(a.as_bytes()),
            ListingsOf::All => b"lst:".to_vec(),
        };
        let limit = page.limit.min(Page::MAX_LIMIT);
        let mut after = page.after;
        let mut out = Vec::new();
        while out.len() < limit {
            let after_bytes = after.map(|a| a.to_vec());
            let keys = self.page_rows(&prefix, after_bytes.as_deref(), limit)?;
            let Some(last) = keys.last() else {
                break;
            };
            after = Some(tail_id(last));
            for key in &keys {
                let Some(l) = self.reader(|st| st.listing(&tail_id(key)))? else {
                    continue;
                };
                if (!open_only || listing_status(&l, now) == ListingStatus::Open)
                    && out.len() < limit
                {
                    out.push(v::ListingView::of(&l, now, &d));
                }
            }
        }
        Ok(out)
    }

    /// One order; a placed order whose listing closed reads `listing-closed`.
    pub fn order(&self, id: &Hash32) -> Result<Option<v::OrderView>> {
        self.order_named(id, self.now()?, &self.directory()?)
    }

    fn order_named(&self, id: &Hash32, now: u64, d: &v::Directory) -> Result<Option<v::OrderView>> {
        self.reader(|st| {
            let Some(o) = st.order(id)? else {
                return Ok(None);
            };
            let mut view = v::OrderView::of(&o, now, d);
            let lid = Hash32::from_slice(&o.terms.clone().unwrap_or_default().listing)
                .unwrap_or_default();
            let listing_open = st
                .listing(&lid)?
                .is_some_and(|l| listing_status(&l, now) == ListingStatus::Open);
            if view.status == "placed" && !listing_open {
                view.status = "listing-closed".into();
            }
            Ok(Some(view))
        })
    }

    /// Orders on a listing or of a member, one page in id order.
    pub fn orders(&self, of: OrdersOf<'_>, page: Page) -> Result<Vec<v::OrderView>> {
        let prefix = match of {
            OrdersOf::Listing(l) => keys::orders_on(l.as_bytes()),
            OrdersOf::Member(m) => keys::orders_of_member(m),
        };
        let after = page.after.map(|a| a.to_vec());
        let (now, d) = (self.now()?, self.directory()?);
        let mut out = Vec::new();
        for key in self.page_rows(&prefix, after.as_deref(), page.limit)? {
            out.extend(self.order_named(&tail_id(&key), now, &d)?);
        }
        Ok(out)
    }

    /// A voucher by its number.
    pub fn voucher(&self, number: &str) -> Result<Option<v::VoucherView>> {
        let d = self.directory()?;
        self.reader(|st| {
            Ok(st
                .msg::<pb::VoucherRecord>(&keys::voucher(number))?
                .map(|x| v::VoucherView::named(&x, &d)))
        })
    }

    /// Vouchers in number order after `after` (a number), at most `limit`.
    pub fn vouchers(&self, after: Option<&str>, limit: usize) -> Result<Vec<v::VoucherView>> {
        let after = after.map(keys::voucher);
        let rows = crate::view::StateView::rows_with_prefix(
            &self.ledger.store,
            keys::VOUCHERS,
            after.as_deref(),
            limit.min(Page::MAX_LIMIT),
        )?;
        let d = self.directory()?;
        rows.iter()
            .map(|(k, val)| {
                Ok(v::VoucherView::named(
                    &decode::<pb::VoucherRecord>(k, val)?,
                    &d,
                ))
            })
            .collect()
    }

    /// Unit prices of completed trades matching `f`, by currency and price unit.
    pub fn prices(&self, f: &PriceFilter) -> Result<v::PricesView> {
        let mut groups: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
        let mut count = 0;
        for (key, value) in self.scan(keys::VOUCHERS, usize::MAX)? {
            let x: pb::VoucherRecord = decode(&key, &value)?;
            // A disputed trade's price is not the market's word on the data.
            let order = self.reader(|st| st.order(&super::id32(&x.order)))?;
            if order.is_some_and(|o| o.status == pb::OrderStatus::Disputed as i32) {
                continue;
            }
            let kind = shuquan_proto::market::offer_kind(x.right);
            let fits = f.sector.as_ref().is_none_or(|s| *s == x.sector)
                && f.kind.as_ref().is_none_or(|k| *k == kind)
                && f.since_ms.is_none_or(|t| x.time_ms >= t);
            if !fits {
                continue;
            }
            let price = x.unit_price.unwrap_or_default();
            count += 1;
            groups
                .entry((price.currency, price_unit_word(x.unit)))
                .or_default()
                .push(price.amount_minor);
        }
        let groups = groups
            .into_iter()
            .map(|((currency, unit), mut xs)| {
                xs.sort_unstable();
                v::PriceGroupView {
                    currency,
                    unit,
                    count: xs.len(),
                    min_minor: xs.first().copied().unwrap_or(0),
                    q1_minor: quantile(&xs, 0.25),
                    median_minor: median(&xs),
                    q3_minor: quantile(&xs, 0.75),
                    max_minor: xs.last().copied().unwrap_or(0),
                }
            })
            .collect();
        Ok(v::PricesView {
            sector: f.sector.clone(),
            kind: f.kind.clone(),
            since_ms: f.since_ms,
            since: self.directory()?.opt_time(f.since_ms),
            count,
            groups,
        })
    }

    /// How fast each member answers the requests addressed to it (members with none are
    /// left out), by member id.
    pub fn answer_times(&self) -> Result<Vec<v::AnswerTimesView>> {
        let (now, d) = (self.now()?, self.directory()?);
        let mut by: BTreeMap<Vec<u8>, Vec<pb::RequestRecord>> = BTreeMap::new();
        for (key, value) in self.scan(b"req:", usize::MAX)? {
            let r: pb::RequestRecord = decode(&key, &value)?;
            by.entry(r.addressee.clone()).or_default().push(r);
        }
        Ok(by
            .into_iter()
            .map(|(member, rs)| {
                let mut times: Vec<u64> = rs
                    .iter()
                    .filter(|r| r.answered_height != 0 && !r.automatic)
                    .map(|r| r.answered_ms.saturating_sub(r.filed_ms))
                    .collect();
                times.sort_unstable();
                let status =
                    |s: RequestStatus| rs.iter().filter(|r| request_status(r, now) == s).count();
                // A request that gave the addressee less than a day lapses through no fault
                // of its own: it does not count against it.
                let lapsed = rs
                    .iter()
                    .filter(|r| request_status(r, now) == RequestStatus::Expired)
                    .filter(|r| {
                        let expires = r.terms.as_ref().map_or(0, |t| t.expires_ms);
                        expires.saturating_sub(r.filed_ms) >= FAIR_WAIT_MS
                    })
                    .count();
                v::AnswerTimesView {
                    member: d.member(&member),
                    received: rs.len(),
                    answered: times.len(),
                    automatic: rs.iter().filter(|r| r.automatic).count(),
                    open: status(RequestStatus::Open),
                    expired: lapsed,
                    median_answer_ms: (!times.is_empty()).then(|| median(&times)),
                    max_answer_ms: times.last().copied(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{median, quantile};

    #[test]
    fn quartiles_are_prices_that_were_paid() {
        let xs = [100, 200, 300, 400];
        assert_eq!(quantile(&xs, 0.25), 100);
        assert_eq!(median(&xs), 200);
        assert_eq!(quantile(&xs, 0.75), 300);
        assert_eq!(median(&[5]), 5);
        assert_eq!(median(&[1, 2, 3]), 2);
        assert_eq!(quantile(&[], 0.5), 0);
    }
}
