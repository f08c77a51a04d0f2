//! The index rows that follow from state rows alone: lineage children of assets, the
//! grants of an asset, to a grantee and by a grantor, the filings of an asset, and the
//! market's requests (by addressee and asset), listings (by asset) and orders (by listing
//! and by party). The rules write them when they create a record; installing a state snapshot
//! rebuilds them from the (verified) records instead of trusting the sender. A property
//! test checks that both give the same rows.

use prost::Message;
use shuquan_proto::{pb, Hash32};

use crate::error::{Error, Result};
use crate::keys;
use crate::rules::id;
use crate::view::Row;

fn decode<M: Message + Default>(key: &[u8], value: &[u8]) -> Result<M> {
    M::decode(value).map_err(|e| {
        Error::Corrupt(format!(
            "state row {} does not decode: {e}",
            shuquan_proto::state::show_row(key)
        ))
    })
}

/// The state rows that imply index rows: [`rows_of`] gives nothing for any other.
pub(crate) const SOURCE_TAGS: [&[u8]; 6] =
    [b"asset:", b"grant:", b"filing:", b"req:", b"lst:", b"ord:"];

/// The index rows the state row (`key`, `value`) implies. `grant_asset` tells the asset
/// of a grant (a filing's rows name the assets of the grants it covers).
pub(crate) fn rows_of(
    key: &[u8],
    value: &[u8],
    grant_asset: &dyn Fn(&Hash32) -> Result<Option<Hash32>>,
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    if key.starts_with(b"asset:") {
        let a: pb::AssetRecord = decode(key, value)?;
        let asset = id(&a.id);
        for edge in a.parents {
            out.push((keys::child(&id(&edge.parent), &asset), edge.via_grant));
        }
    } else if key.starts_with(b"grant:") {
        let g: pb::GrantRecord = decode(key, value)?;
        let gid = id(&g.id);
        let terms = g.terms.unwrap_or_default();
        out.push((keys::grant_by_asset(&id(&terms.asset), &gid), Vec::new()));
        out.push((keys::grant_by_grantee(&terms.grantee, &gid), Vec::new()));
        out.push((keys::grant_by_grantor(&g.grantor, &gid), Vec::new()));
    } else if key.starts_with(b"req:") {
        let q: pb::RequestRecord = decode(key, value)?;
        let rid = id(&q.id);
        let asset = q.terms.unwrap_or_default().asset;
        out.push((keys::request_to(&q.addressee, &rid), Vec::new()));
        out.push((keys::request_of(&asset, &rid), Vec::new()));
    } else if key.starts_with(b"lst:") {
        let l: pb::ListingRecord = decode(key, value)?;
        let asset = l.terms.unwrap_or_default().asset;
        out.push((keys::listing_of(&asset, &id(&l.id)), Vec::new()));
    } else if key.starts_with(b"ord:") {
        let o: pb::OrderRecord = decode(key, value)?;
        let oid = id(&o.id);
        let t = o.terms.unwrap_or_default();
        out.push((keys::order_on(&t.listing, &oid), Vec::new()));
        out.push((keys::order_of_member(&t.buyer, &oid), Vec::new()));
        out.push((keys::order_of_member(&o.seller, &oid), Vec::new()));
    } else if key.starts_with(b"filing:") {
        let f: pb::FilingRecord = decode(key, value)?;
        let fid = id(&f.id);
        let request = f.request.unwrap_or_default();
        let mut assets = Vec::new();
        if let Some(t) = &request.transfer {
            assets.push(id(&t.asset));
        }
        for g in &request.grants {
            assets.extend(grant_asset(&id(g))?);
        }
        assets.sort();
        assets.dedup();
        for a in assets {
            out.push((keys::filing_by_asset(&a, &fid), Vec::new()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every index a snapshot must rebuild comes from a source row it scans: a new index
    /// whose source tag is missing from [`SOURCE_TAGS`] would be silently absent on a
    /// node that joined by snapshot.
    #[test]
    fn every_derived_index_is_rebuilt_from_a_scanned_state_row() {
        let h = |n: u8| vec![n; 32];
        let asset = pb::AssetRecord {
            id: h(1),
            parents: vec![pb::LineageEdge {
                parent: h(2),
                via_grant: h(3),
            }],
            ..Default::default()
        };
        let grant = pb::GrantRecord {
            id: h(3),
            terms: Some(pb::IssueGrant {
                asset: h(1),
                grantee: h(4),
                ..Default::default()
            }),
            grantor: h(5),
            ..Default::default()
        };
        let filing = pb::FilingRecord {
            id: h(6),
            request: Some(pb::FileCrossBorder {
                grants: vec![h(3)],
                ..Default::default()
            }),
            ..Default::default()
        };
        let request = pb::RequestRecord {
            id: h(7),
            terms: Some(pb::RequestAccess {
                asset: h(1),
                ..Default::default()
            }),
            addressee: h(5),
            ..Default::default()
        };
        let listing = pb::ListingRecord {
            id: h(8),
            terms: Some(pb::CreateListing {
                asset: h(1),
                ..Default::default()
            }),
            ..Default::default()
        };
        let order = pb::OrderRecord {
            id: h(9),
            terms: Some(pb::PlaceOrder {
                listing: h(8),
                buyer: h(4),
                ..Default::default()
            }),
            seller: h(5),
            ..Default::default()
        };
        let sources: [(&[u8], Vec<u8>); 6] = [
            (b"asset:", asset.encode_to_vec()),
            (b"grant:", grant.encode_to_vec()),
            (b"filing:", filing.encode_to_vec()),
            (b"req:", request.encode_to_vec()),
            (b"lst:", listing.encode_to_vec()),
            (b"ord:", order.encode_to_vec()),
        ];
        let grant_asset = |_: &Hash32| -> Result<Option<Hash32>> { Ok(Some(Hash32([1; 32]))) };
        let mut produced = std::collections::BTreeSet::new();
        for (tag, value) in &sources {
            assert!(
                SOURCE_TAGS.contains(tag),
                "{:?} is not scanned",
                String::from_utf8_lossy(tag)
            );
            assert!(keys::is_state_row(tag), "a source of indexes must be state");
            let mut key = tag.to_vec();
            key.extend_from_slice(&[0; 32]);
            for (row, _) in rows_of(&key, value, &grant_asset).unwrap_or_default() {
                let tag = keys::DERIVED_TAGS.iter().find(|t| row.starts_with(t));
                assert!(tag.is_some(), "a row of no derived tag: {row:?}");
                produced.extend(tag.copied());
            }
        }
        let all: std::collections::BTreeSet<&[u8]> = keys::DERIVED_TAGS.iter().copied().collect();
        assert_eq!(produced, all, "some derived index has no source row");
        assert_eq!(SOURCE_TAGS.len(), sources.len());
    }
}
