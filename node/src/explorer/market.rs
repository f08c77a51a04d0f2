//! The market section of an asset's page: its listings (open or not), the access requests
//! made for it, and the vouchers of the trades completed on its listings — read with the
//! ledger's market queries.

use shuquan_ledger::{Ledger, ListingsOf, OrdersOf, Page, RequestsOf};
use shuquan_proto::Hash32;

use super::error::Fail;
use super::frame::Ctx;
use super::text::{Directory, Party, Word, Zone};

/// Most listings and requests the section shows.
const MOST: usize = 100;

/// A listing.
#[derive(Debug)]
pub(super) struct ListingRow {
    pub(super) offer: String,
    pub(super) price: String,
    pub(super) unit: String,
    pub(super) seller: Party,
    pub(super) status: Word,
    pub(super) listed: String,
    pub(super) valid_until: String,
    pub(super) sold: u64,
    pub(super) tx_id: String,
}

/// An access request.
#[derive(Debug)]
pub(super) struct RequestRow {
    pub(super) requester: Party,
    pub(super) addressee: Party,
    pub(super) actions: String,
    pub(super) purposes: String,
    pub(super) status: Word,
    pub(super) filed: String,
    pub(super) tx_id: String,
}

/// A voucher of a completed trade.
#[derive(Debug)]
pub(super) struct VoucherRow {
    pub(super) number: String,
    pub(super) seller: Party,
    pub(super) buyer: Party,
    pub(super) offer: String,
    pub(super) total: String,
    pub(super) time: String,
    pub(super) tx_id: String,
}

/// An asset's market.
#[derive(Debug, Default)]
pub(super) struct Market {
    pub(super) listings: Vec<ListingRow>,
    pub(super) requests: Vec<RequestRow>,
    pub(super) vouchers: Vec<VoucherRow>,
}

impl Market {
    /// Whether the asset has been on the market at all.
    pub(super) fn is_empty(&self) -> bool {
        self.listings.is_empty() && self.requests.is_empty() && self.vouchers.is_empty()
    }
}

/// The market of asset `id`.
pub(super) fn of_asset(
    ledger: &Ledger,
    ctx: &Ctx,
    dir: &Directory,
    z: Zone,
    id: &Hash32,
) -> Result<Market, Fail> {
    let q = ledger.queries();
    let words = |ws: &[String]| -> String {
        ws.iter()
            .map(|w| ctx.word(w))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut market = Market::default();
    for l in q.listings(ListingsOf::Asset(id), false, Page::first(MOST))? {
        for o in q.orders(OrdersOf::Listing(&l.id), Page::first(MOST))? {
            let Some(number) = &o.voucher else { continue };
            if let Some(v) = q.voucher(number)? {
                market.vouchers.push(VoucherRow {
                    seller: dir.party(&v.seller.id),
                    buyer: dir.party(&v.buyer.id),
                    offer: ctx.word(&v.offer),
                    total: v.total,
                    time: z.time(v.time_ms),
                    tx_id: v.tx_id,
                    number: v.number,
                });
            }
        }
        market.listings.push(ListingRow {
            offer: ctx.word(&l.offer),
            price: l.price,
            unit: ctx.word(&l.unit),
            seller: dir.party(&l.seller.id),
            status: ctx.badge(&l.status),
            listed: z.time(l.listed_ms),
            valid_until: z.time(l.valid_until_ms),
            sold: l.sold,
            tx_id: l.tx_id,
        });
    }
    for r in q.requests(RequestsOf::Asset(id), Page::first(MOST))? {
        market.requests.push(RequestRow {
            requester: dir.party(&r.requester.id),
            addressee: dir.party(&r.addressee.id),
            actions: words(&r.actions),
            purposes: r.purposes.join(", "),
            status: ctx.badge(&r.status),
            filed: z.time(r.filed_ms),
            tx_id: r.tx_id,
        });
    }
    Ok(market)
}
