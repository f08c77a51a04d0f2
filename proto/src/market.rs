//! The market's records as of a time: a request, listing or order that is still open past
//! its expiry reads as expired, at apply time and on read alike (no timer writes it). Also
//! the arithmetic of an order: its total and the grant terms a licence order buys.

use crate::pb::{self, ListingStatus, OrderStatus, RequestStatus};

/// Days of a month and of a year, as a licence's term counts them.
pub const MONTH_MS: u64 = 30 * 86_400_000;
/// See [`MONTH_MS`].
pub const YEAR_MS: u64 = 365 * 86_400_000;

/// A request's status at `now`.
pub fn request_status(r: &pb::RequestRecord, now: u64) -> RequestStatus {
    let s = RequestStatus::try_from(r.status).unwrap_or(RequestStatus::Unspecified);
    let expires = r.terms.as_ref().map_or(0, |t| t.expires_ms);
    if s == RequestStatus::Open && now >= expires {
        return RequestStatus::Expired;
    }
    s
}

/// A listing's status at `now`.
pub fn listing_status(l: &pb::ListingRecord, now: u64) -> ListingStatus {
    let s = ListingStatus::try_from(l.status).unwrap_or(ListingStatus::Unspecified);
    let until = l.terms.as_ref().map_or(0, |t| t.valid_until_ms);
    if s == ListingStatus::Open && now >= until {
        return ListingStatus::Expired;
    }
    s
}

/// An order's status at `now`: a placed order lapses at its own expiry or its listing's.
pub fn order_status(o: &pb::OrderRecord, now: u64) -> OrderStatus {
    let s = OrderStatus::try_from(o.status).unwrap_or(OrderStatus::Unspecified);
    let expires = o.terms.as_ref().map_or(0, |t| t.expires_ms);
    if s == OrderStatus::Placed && (now >= expires || now >= o.listing_valid_until_ms) {
        return OrderStatus::Expired;
    }
    s
}

/// Quantity times the unit price, or `None` if it overflows.
pub fn order_total(unit_price: &pb::Price, quantity: u64) -> Option<pb::Price> {
    Some(pb::Price {
        amount_minor: unit_price.amount_minor.checked_mul(quantity)?,
        currency: unit_price.currency.clone(),
    })
}

/// Whether `quantity` fits the price unit: one-off takes exactly 1.
pub fn quantity_fits(unit: i32, quantity: u64) -> bool {
    match pb::PriceUnit::try_from(unit) {
        Ok(pb::PriceUnit::OneOff) => quantity == 1,
        Ok(_) => quantity >= 1,
        Err(_) => false,
    }
}

/// The term (ms) and the uses (0: unlimited) a licence order of `quantity` buys: per use,
/// that many uses over the licence's term; per month or year, that many months (30 days)
/// or years (365 days) of its uses; one-off, the licence as listed. `None` on overflow.
pub fn licence_bought(l: &pb::Licence, unit: i32, quantity: u64) -> Option<(u64, u64)> {
    match pb::PriceUnit::try_from(unit) {
        Ok(pb::PriceUnit::PerUse) => Some((l.duration_ms, quantity)),
        Ok(pb::PriceUnit::PerMonth) => Some((MONTH_MS.checked_mul(quantity)?, l.max_uses)),
        Ok(pb::PriceUnit::PerYear) => Some((YEAR_MS.checked_mul(quantity)?, l.max_uses)),
        _ => Some((l.duration_ms, l.max_uses)),
    }
}

/// What a listing offers, as one word: `hold`, `use`, `operate` (a right) or `licence`.
pub fn offer_kind(right: i32) -> String {
    if right == 0 {
        "licence".into()
    } else {
        crate::views::right_word(right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_record_reads_as_expired_from_its_expiry_on() {
        let mut o = pb::OrderRecord {
            status: OrderStatus::Placed as i32,
            terms: Some(pb::PlaceOrder {
                expires_ms: 100,
                ..Default::default()
            }),
            listing_valid_until_ms: 80,
            ..Default::default()
        };
        assert_eq!(order_status(&o, 79), OrderStatus::Placed);
        assert_eq!(order_status(&o, 80), OrderStatus::Expired);
        o.status = OrderStatus::Accepted as i32;
        assert_eq!(order_status(&o, 1000), OrderStatus::Accepted);
        let r = pb::RequestRecord {
            status: RequestStatus::Open as i32,
            terms: Some(pb::RequestAccess {
                expires_ms: 50,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(request_status(&r, 49), RequestStatus::Open);
        assert_eq!(request_status(&r, 50), RequestStatus::Expired);
    }

    #[test]
    fn a_licence_order_buys_uses_or_time_and_overflow_is_refused() {
        let l = pb::Licence {
            duration_ms: 1000,
            max_uses: 7,
            ..Default::default()
        };
        let unit = |u: pb::PriceUnit| u as i32;
        assert_eq!(
            licence_bought(&l, unit(pb::PriceUnit::PerUse), 3),
            Some((1000, 3))
        );
        assert_eq!(
            licence_bought(&l, unit(pb::PriceUnit::PerMonth), 2),
            Some((2 * MONTH_MS, 7))
        );
        assert_eq!(
            licence_bought(&l, unit(pb::PriceUnit::PerYear), u64::MAX),
            None
        );
        assert_eq!(
            licence_bought(&l, unit(pb::PriceUnit::OneOff), 1),
            Some((1000, 7))
        );
        let p = pb::Price {
            amount_minor: u64::MAX / 2 + 1,
            currency: "CNY".into(),
        };
        assert!(order_total(&p, 2).is_none());
        assert_eq!(
            order_total(&p, 1).map(|t| t.amount_minor),
            Some(p.amount_minor)
        );
        assert!(quantity_fits(unit(pb::PriceUnit::OneOff), 1));
        assert!(!quantity_fits(unit(pb::PriceUnit::OneOff), 2));
        assert!(!quantity_fits(unit(pb::PriceUnit::PerUse), 0));
    }
}
