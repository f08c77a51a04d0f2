//! The walk over a bundle's events: each one signed, included in its certified block with
//! an applied receipt, concerning the asset, and in order; along the way the history chain,
//! the chain of title and the grants the events issued.

use std::collections::BTreeMap;

use crate::audit::{fail, AuditEvent, Headers, Holders, TitleChange};
use crate::block::receipt_hash;
use crate::hash::Hashing;
use crate::merkle::{leaf_hash, verify as merkle_verify};
use crate::pb::tx_body::Payload;
use crate::tx::{decode_tx, payload_kind, ChainRef, DecodedTx};
use crate::verify::verify_tx;
use crate::{pb, Error, Hash32};

/// What the events prove, before the record is checked against it.
pub(crate) struct Walk {
    pub(crate) events: Vec<AuditEvent>,
    pub(crate) title: Vec<TitleChange>,
    pub(crate) holders: Holders,
    /// Grants issued by the events, with the event that issued each.
    pub(crate) grants: BTreeMap<Hash32, usize>,
    /// Cross-border filings made by the events.
    filings: Vec<Hash32>,
    /// Objections filed by the events.
    objections: Vec<Hash32>,
    /// Access requests made by the events.
    requests: Vec<Hash32>,
    /// Listings made by the events: what each offers (a right, or 0 for a licence).
    listings: BTreeMap<Hash32, i32>,
    /// Orders placed by the events: their listing and buyer.
    orders: BTreeMap<Hash32, (Hash32, Vec<u8>)>,
    /// Orders the events accepted: order, accepting transaction, event.
    pub(crate) accepted: Vec<(Hash32, Hash32, usize)>,
    head: Hash32,
}

impl Walk {
    /// Walks `events` of `asset`; none may lie above the bundle's `height`. `registrant` is
    /// the member the certified record names as registrant: the registration gives it every
    /// right (a member signs with keys that may since have rotated; the certified state, not
    /// the key, says whose the signature was).
    pub(crate) fn run(
        genesis: &pb::Genesis,
        headers: &Headers,
        asset: &Hash32,
        registrant: &[u8],
        events: &[pb::ProvenTx],
        height: u64,
    ) -> Result<Walk, Error> {
        let mut walk = Walk {
            events: Vec::with_capacity(events.len()),
            title: Vec::new(),
            holders: Holders::default(),
            grants: BTreeMap::new(),
            filings: Vec::new(),
            objections: Vec::new(),
            requests: Vec::new(),
            listings: BTreeMap::new(),
            orders: BTreeMap::new(),
            accepted: Vec::new(),
            head: Hash32::ZERO,
        };
        let max = genesis.params.as_ref().map_or(0, |p| p.max_tx_bytes) as usize;
        let chain = ChainRef::of(genesis);
        let mut last: Option<(u64, u32)> = None;
        for (i, ev) in events.iter().enumerate() {
            let seq = i + 1;
            if last.is_some_and(|l| l >= (ev.height, ev.index)) {
                return Err(fail(format!(
                    "event {seq} (block {} index {}) is out of order",
                    ev.height, ev.index
                )));
            }
            if ev.height > height {
                return Err(fail(format!(
                    "event {seq} is in block {}, above the bundle's height {height}",
                    ev.height
                )));
            }
            last = Some((ev.height, ev.index));
            let tx = decode_tx(&ev.tx, &chain, max)
                .map_err(|r| fail(format!("event {seq} is no valid transaction: {r}")))?;
            let (header, _) = headers.at(ev.height)?;
            included(chain.hash, seq, ev, &tx, header)?;
            verify_tx(&tx).map_err(|r| fail(format!("event {seq} (tx {}): {r}", tx.id)))?;
            let created = ev.receipt.as_ref().map_or(&[][..], |r| &r.created[..]);
            walk.step(&chain, asset, registrant, seq, &tx, created)?;
            walk.events.push(AuditEvent {
                seq,
                height: ev.height,
                index: ev.index,
                tx_id: tx.id,
                kind: tx.payload().map(payload_kind).unwrap_or("none").into(),
                signer: tx.signer.to_hex(),
                timestamp_ms: header.timestamp_ms,
            });
        }
        Ok(walk)
    }

    /// One event: it must concern the asset; it extends the history chain and may change
    /// the title or issue a grant or filing. The first event registers the asset; a later
    /// registration is a derivation from it. `created` is what its receipt says it created.
    fn step(
        &mut self,
        chain: &ChainRef,
        asset: &Hash32,
        registrant: &[u8],
        seq: usize,
        tx: &DecodedTx,
        created: &[u8],
    ) -> Result<(), Error> {
        let payload = tx.payload();
        let (h, chain) = (chain.hash, chain.id.as_str());
        let registers_it = matches!(payload, Some(Payload::RegisterAsset(_)))
            && h.asset_id(chain, &tx.id) == *asset;
        if seq == 1 && !registers_it {
            return Err(fail(format!(
                "event 1 (tx {}) is not the registration of asset {asset}",
                tx.id
            )));
        }
        if seq > 1 && registers_it {
            return Err(fail(format!(
                "event {seq} (tx {}) registers the asset a second time",
                tx.id
            )));
        }
        if !self.concerns(asset, payload) {
            return Err(fail(format!(
                "event {seq} (tx {}) does not concern asset {asset}",
                tx.id
            )));
        }
        match payload {
            Some(Payload::RegisterAsset(_)) if registers_it => {
                let holder = hex::encode(registrant);
                self.holders = Holders {
                    hold: holder.clone(),
                    use_: holder.clone(),
                    operate: holder.clone(),
                };
                self.title.push(TitleChange {
                    seq,
                    right: "all".into(),
                    holder,
                });
            }
            Some(Payload::TransferRight(p)) if p.asset == asset.as_bytes() => {
                let to = hex::encode(&p.to);
                let (word, slot) = match pb::Right::try_from(p.right) {
                    Ok(pb::Right::Hold) => ("hold", &mut self.holders.hold),
                    Ok(pb::Right::Use) => ("use", &mut self.holders.use_),
                    Ok(pb::Right::Operate) => ("operate", &mut self.holders.operate),
                    _ => {
                        return Err(fail(format!(
                            "event {seq} (tx {}) transfers no known right",
                            tx.id
                        )))
                    }
                };
                slot.clone_from(&to);
                self.title.push(TitleChange {
                    seq,
                    right: word.into(),
                    holder: to,
                });
            }
            Some(Payload::IssueGrant(_)) => {
                self.grants.insert(h.grant_id(chain, &tx.id), seq);
            }
            // An unconditional asset's request is granted in its own block: its receipt
            // names the grant rather than the request.
            Some(Payload::RequestAccess(_)) => {
                self.requests.push(h.request_id(chain, &tx.id));
                let grant = h.grant_id(chain, &tx.id);
                if created == grant.as_bytes() {
                    self.grants.insert(grant, seq);
                }
            }
            Some(Payload::AnswerRequest(p)) if p.approve => {
                self.grants.insert(h.grant_id(chain, &tx.id), seq);
            }
            Some(Payload::CreateListing(p)) => {
                self.listings.insert(h.listing_id(chain, &tx.id), p.right);
            }
            Some(Payload::PlaceOrder(p)) => {
                let listing = Hash32::from_slice(&p.listing).unwrap_or_default();
                self.orders
                    .insert(h.order_id(chain, &tx.id), (listing, p.buyer.clone()));
            }
            Some(Payload::AcceptOrder(p)) => self.accept(h, chain, seq, tx, &p.order)?,
            Some(Payload::FileCrossBorder(_)) => self.filings.push(h.filing_id(chain, &tx.id)),
            Some(Payload::Object(_)) => self.objections.push(h.objection_id(chain, &tx.id)),
            _ => {}
        }
        self.head = h.history_link(&self.head, &tx.id);
        Ok(())
    }

    /// An accepted order: the listed right moves to the buyer, or a licence issues a grant.
    fn accept(
        &mut self,
        h: Hashing,
        chain: &str,
        seq: usize,
        tx: &DecodedTx,
        order: &[u8],
    ) -> Result<(), Error> {
        let order = Hash32::from_slice(order).unwrap_or_default();
        let unknown = || {
            fail(format!(
                "event {seq} (tx {}) accepts an order of no listing the events made",
                tx.id
            ))
        };
        let (listing, buyer) = self.orders.get(&order).ok_or_else(unknown)?;
        let right = *self.listings.get(listing).ok_or_else(unknown)?;
        let buyer = hex::encode(buyer);
        let slot = match pb::Right::try_from(right) {
            Ok(pb::Right::Hold) => Some(("hold", &mut self.holders.hold)),
            Ok(pb::Right::Use) => Some(("use", &mut self.holders.use_)),
            Ok(pb::Right::Operate) => Some(("operate", &mut self.holders.operate)),
            _ => None,
        };
        match slot {
            Some((word, slot)) => {
                slot.clone_from(&buyer);
                self.title.push(TitleChange {
                    seq,
                    right: word.into(),
                    holder: buyer,
                });
            }
            None => {
                self.grants.insert(h.grant_id(chain, &tx.id), seq);
            }
        }
        self.accepted.push((order, tx.id, seq));
        Ok(())
    }

    /// Whether `payload` names the asset, a grant of it or a filing about it.
    fn concerns(&self, asset: &Hash32, payload: Option<&Payload>) -> bool {
        let is_asset = |b: &[u8]| b == asset.as_bytes();
        let is_grant = |b: &[u8]| Hash32::from_slice(b).is_ok_and(|g| self.grants.contains_key(&g));
        let is_filing = |b: &[u8]| Hash32::from_slice(b).is_ok_and(|f| self.filings.contains(&f));
        let is_request = |b: &[u8]| Hash32::from_slice(b).is_ok_and(|r| self.requests.contains(&r));
        let is_listing =
            |b: &[u8]| Hash32::from_slice(b).is_ok_and(|l| self.listings.contains_key(&l));
        let is_order = |b: &[u8]| Hash32::from_slice(b).is_ok_and(|o| self.orders.contains_key(&o));
        match payload {
            // Its own registration (checked by `step`), or a derivation from it.
            Some(Payload::RegisterAsset(p)) => {
                self.events.is_empty() || p.derived_from.iter().any(|a| is_asset(a))
            }
            Some(Payload::TransferRight(p)) => is_asset(&p.asset),
            Some(Payload::IssueGrant(p)) => is_asset(&p.asset),
            Some(Payload::RevokeGrant(p)) => is_grant(&p.grant),
            Some(Payload::RecordUsage(p)) => is_grant(&p.grant),
            Some(Payload::FileCrossBorder(p)) => {
                p.grants.iter().any(|g| is_grant(g))
                    || p.transfer.as_ref().is_some_and(|t| is_asset(&t.asset))
            }
            Some(Payload::DecideCrossBorder(p)) => is_filing(&p.filing),
            Some(Payload::Attest(p)) => {
                is_asset(&p.subject) || is_grant(&p.subject) || is_filing(&p.subject)
            }
            Some(Payload::Freeze(p)) => {
                is_asset(&p.subject) || is_grant(&p.subject) || is_filing(&p.subject)
            }
            Some(Payload::Unfreeze(p)) => {
                is_asset(&p.subject) || is_grant(&p.subject) || is_filing(&p.subject)
            }
            Some(Payload::Review(p)) => is_asset(&p.asset),
            Some(Payload::SupplyEvidence(p)) => is_asset(&p.asset),
            Some(Payload::Withdraw(p)) => is_asset(&p.asset),
            Some(Payload::Object(p)) => is_asset(&p.asset),
            Some(Payload::Amend(p)) => is_asset(&p.asset),
            Some(Payload::DecideObjection(p)) => {
                Hash32::from_slice(&p.objection).is_ok_and(|o| self.objections.contains(&o))
            }
            Some(Payload::RequestAccess(p)) => is_asset(&p.asset),
            Some(Payload::AnswerRequest(p)) => is_request(&p.request),
            Some(Payload::CreateListing(p)) => is_asset(&p.asset),
            Some(Payload::PlaceOrder(p)) => is_listing(&p.listing),
            Some(Payload::AcceptOrder(p)) => is_order(&p.order),
            Some(Payload::Confirm(p)) => is_order(&p.order),
            Some(Payload::Dispute(p)) => is_order(&p.order),
            Some(Payload::Cancel(p)) => {
                is_request(&p.subject) || is_listing(&p.subject) || is_order(&p.subject)
            }
            Some(Payload::RotateKey(_) | Payload::Propose(_) | Payload::Vote(_)) | None => false,
        }
    }

    /// Checks the proven record against the walk: same number of events, same history
    /// head, same holders.
    pub(crate) fn matches(&self, record: &pb::AssetRecord) -> Result<(), Error> {
        let n = self.events.len() as u64;
        if record.event_count != n {
            return Err(fail(if record.event_count > n {
                format!(
                    "the certified record counts {} events, the bundle holds {n}: events are missing",
                    record.event_count
                )
            } else {
                format!(
                    "the bundle holds {n} events, the certified record counts only {}",
                    record.event_count
                )
            }));
        }
        if record.history_head != self.head.as_bytes() {
            return Err(fail(format!(
                "history chain broken: the {n} events chain to {}, the certified record's head is {}",
                self.head,
                hex::encode(&record.history_head)
            )));
        }
        let proven = Holders {
            hold: hex::encode(&record.holder_hold),
            use_: hex::encode(&record.holder_use),
            operate: hex::encode(&record.holder_operate),
        };
        if proven != self.holders {
            return Err(fail(format!(
                "the chain of title replayed from the events ends at {:?}, the certified record says {:?}",
                self.holders, proven
            )));
        }
        Ok(())
    }
}

/// Checks that event `seq` is transaction `index` of its block, with an applied receipt.
fn included(
    h: Hashing,
    seq: usize,
    ev: &pb::ProvenTx,
    tx: &DecodedTx,
    header: &pb::BlockHeader,
) -> Result<(), Error> {
    let height = header.height;
    let size = u64::from(header.tx_count);
    let root = |r: &[u8]| Hash32::from_slice(r).unwrap_or_default();
    let path = |p: &[Vec<u8>]| -> Result<Vec<Hash32>, Error> {
        p.iter()
            .map(|h| Hash32::from_slice(h))
            .collect::<Result<_, _>>()
            .map_err(|e| fail(format!("a Merkle path of event {seq}: {e}")))
    };
    let tx_leaf = leaf_hash(h, tx.id.as_bytes());
    if !merkle_verify(
        h,
        &tx_leaf,
        u64::from(ev.index),
        size,
        &path(&ev.tx_path)?,
        &root(&header.tx_root),
    ) {
        return Err(fail(format!(
            "event {seq} (tx {}) is not included in block {height} at index {}",
            tx.id, ev.index
        )));
    }
    let receipt = ev.receipt.clone().unwrap_or_default();
    let leaf = leaf_hash(h, receipt_hash(h, &receipt).as_bytes());
    if receipt.tx_id != tx.id.as_bytes()
        || !merkle_verify(
            h,
            &leaf,
            u64::from(ev.index),
            size,
            &path(&ev.receipt_path)?,
            &root(&header.results_root),
        )
    {
        return Err(fail(format!(
            "the receipt of event {seq} (tx {}) is not included in block {height}",
            tx.id
        )));
    }
    if receipt.code != 0 {
        let why = crate::codes::Rejection::of_receipt(&receipt)
            .map_or_else(|| format!("code {}", receipt.code), |r| r.to_string());
        return Err(fail(format!(
            "event {seq} (tx {}) failed in block {height} ({why}) and changed nothing",
            tx.id
        )));
    }
    Ok(())
}
