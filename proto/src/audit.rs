//! The offline verifier of an asset's audit bundle ([`pb::AuditBundle`]). With the genesis
//! alone it proves the asset's full history and who holds which right at the bundle's
//! height, trusting nothing the serving node says:
//!
//! 1. every header is certified by a majority of the voter set in force at its height,
//!    followed from the genesis's member nodes through every change of the set (each
//!    change block certified by the voters before it; a header names its set, so an
//!    omitted change shows);
//! 2. every event is a validly signed transaction included in its certified block, whose
//!    receipt (also included) says it applied, and which concerns the asset;
//! 3. the events, in order, chain to the history head of the asset's record, and their
//!    number is the record's event count: nothing was dropped, added or reordered;
//! 4. the record, the grants the events issued and any lineage parents are proven by state
//!    proofs against the certified header at the bundle's height;
//! 5. the chain of title replayed from the events ends where the record says.
//!
//! Each failure is an [`Error::Audit`] (or a decode error) that names what failed, e.g.
//! "event 3 (tx ...) is not included in block 17 at index 2".

mod report;
mod walk;

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;

use crate::block::block_hash;
use crate::cert::{node_keys, verify_certificate_by, voter_keys};
use crate::genesis::genesis_hash;
use crate::hash::Hashing;
use crate::registration::{certified, registration_status};
use crate::tx::decode_canonical;
use crate::views::grant_status_word;
use crate::{pb, state, Error, Hash32, PublicKey};
pub use report::{
    AuditCertificate, AuditEvent, AuditGrant, AuditParent, AuditReport, Holders, TitleChange,
};

pub(crate) fn fail(msg: impl Into<String>) -> Error {
    Error::Audit(msg.into())
}

/// The voter sets a list of voter changes proves, from the genesis's through each change:
/// the set in force from each height on, with its hash. Audit bundles and state snapshots
/// carry such lists; a verifier holding only the genesis follows them.
pub struct VoterSets(Vec<(u64, BTreeSet<PublicKey>, Hash32)>);

impl VoterSets {
    /// Follows voter changes from the genesis: each change block is certified by the voters
    /// before it and hands over to the set its header names.
    pub fn follow(genesis: &pb::Genesis, changes: &[pb::VoterChange]) -> Result<Self, Error> {
        let h = crate::genesis::hash_function(genesis)?.hashing();
        let first = node_keys(genesis);
        let first_hash = h.voters_hash(first.iter().map(|k| k.as_bytes()));
        let mut sets = vec![(1, first, first_hash)];
        for change in changes {
            let ch = change
                .header
                .as_ref()
                .ok_or_else(|| fail("a voter change holds no header"))?;
            let (header, hash) = decode_header(h, genesis, ch)?;
            let height = header.height;
            let (from, voters, current) = sets.last().cloned().unwrap_or_default();
            if height < from {
                return Err(fail(format!(
                    "the voter changes are not in ascending order at block {height}"
                )));
            }
            if header.voters_hash != current.as_bytes() {
                return Err(fail(format!(
                    "block {height} names voter set {}, but the voters followed from the \
                     genesis are {current}: the bundle omits a change of the voter set",
                    hex::encode(&header.voters_hash)
                )));
            }
            certify(h, genesis, &voters, height, &hash, ch)?;
            let next = voter_keys(&change.voters)?;
            let next_hash = h.voters_hash(next.iter().map(|k| k.as_bytes()));
            if next.is_empty() || header.next_voters_hash != next_hash.as_bytes() {
                return Err(fail(format!(
                    "block {height} hands over to voter set {}, not to the {} voters the \
                     bundle lists",
                    hex::encode(&header.next_voters_hash),
                    next.len()
                )));
            }
            if next_hash == current {
                return Err(fail(format!("block {height} changes no voter")));
            }
            let from = height.checked_add(1).ok_or_else(|| {
                fail(format!(
                    "block {height} changes voters past the last height"
                ))
            })?;
            sets.push((from, next, next_hash));
        }
        Ok(VoterSets(sets))
    }

    /// The voters in force at `height`, and their hash.
    pub fn at(&self, height: u64) -> (&BTreeSet<PublicKey>, &Hash32) {
        let i = self.0.partition_point(|(from, _, _)| *from <= height);
        let (_, set, hash) = &self.0[i.saturating_sub(1)];
        (set, hash)
    }
}

/// Decodes a certified header of this chain.
fn decode_header(
    h: Hashing,
    genesis: &pb::Genesis,
    ch: &pb::CertifiedHeader,
) -> Result<(pb::BlockHeader, Hash32), Error> {
    let header: pb::BlockHeader = decode_canonical(&ch.header, "block header")?;
    if header.chain_id != genesis.chain_id {
        return Err(fail(format!(
            "block {} is of chain {:?}, not {:?}",
            header.height, header.chain_id, genesis.chain_id
        )));
    }
    let hash = block_hash(h, &header);
    Ok((header, hash))
}

/// Checks the certificate of a header against `voters`.
fn certify(
    h: Hashing,
    genesis: &pb::Genesis,
    voters: &BTreeSet<PublicKey>,
    height: u64,
    hash: &Hash32,
    ch: &pb::CertifiedHeader,
) -> Result<(), Error> {
    let cert = ch
        .certificate
        .as_ref()
        .ok_or_else(|| fail(format!("block {height} has no certificate")))?;
    verify_certificate_by(h, &genesis.chain_id, voters, height, hash, cert)?;
    Ok(())
}

/// The certified headers of a bundle, by height.
pub(crate) struct Headers(BTreeMap<u64, (pb::BlockHeader, Hash32)>);

impl Headers {
    /// Decodes and certifies every header: each must name the voter set in force at its
    /// height (followed from the genesis through the bundle's voter changes) and be
    /// certified by a majority of it; heights must ascend.
    fn certify(
        h: Hashing,
        genesis: &pb::Genesis,
        voters: &VoterSets,
        headers: &[pb::CertifiedHeader],
    ) -> Result<Self, Error> {
        let mut out = BTreeMap::new();
        for ch in headers {
            let (header, hash) = decode_header(h, genesis, ch)?;
            let height = header.height;
            if out.last_key_value().is_some_and(|(h, _)| *h >= height) {
                return Err(fail(format!(
                    "the headers are not in ascending order at block {height}"
                )));
            }
            let (set, set_hash) = voters.at(height);
            if header.voters_hash != set_hash.as_bytes() {
                return Err(fail(format!(
                    "block {height} names voter set {}, but the voters followed from the \
                     genesis are {set_hash}: the bundle omits a change of the voter set",
                    hex::encode(&header.voters_hash)
                )));
            }
            certify(h, genesis, set, height, &hash, ch)?;
            out.insert(height, (header, hash));
        }
        Ok(Headers(out))
    }

    /// The certified header at `height`.
    pub(crate) fn at(&self, height: u64) -> Result<&(pb::BlockHeader, Hash32), Error> {
        self.0.get(&height).ok_or_else(|| {
            fail(format!(
                "the bundle holds no certified header of block {height}"
            ))
        })
    }
}

/// Verifies the encoded bundle `bytes` against `genesis` and returns what it proves, or
/// the first thing that does not hold.
pub fn verify_bundle(bytes: &[u8], genesis: &pb::Genesis) -> Result<AuditReport, Error> {
    // Canonical form: any flipped byte that still decodes (an unknown field, an over-long
    // varint) is refused here rather than silently ignored.
    let bundle: pb::AuditBundle = decode_canonical(bytes, "audit bundle")?;
    let h = crate::genesis::hash_function(genesis)?.hashing();
    if bundle.chain_id != genesis.chain_id {
        return Err(fail(format!(
            "the bundle is of chain {:?}, the genesis is of chain {:?}",
            bundle.chain_id, genesis.chain_id
        )));
    }
    let gh = genesis_hash(genesis);
    if bundle.genesis_hash != gh.as_bytes() {
        return Err(fail(format!(
            "the bundle is of genesis {}, not {gh}",
            hex::encode(&bundle.genesis_hash)
        )));
    }
    let asset = Hash32::from_slice(&bundle.asset)
        .map_err(|e| fail(format!("the bundle's asset id: {e}")))?;
    let voters = VoterSets::follow(genesis, &bundle.voter_changes)?;
    let headers = Headers::certify(h, genesis, &voters, &bundle.headers)?;
    let (tip, tip_hash) = headers.at(bundle.height)?;
    let root = Hash32::from_slice(&tip.state_root)
        .map_err(|_| fail(format!("block {} has no state root", bundle.height)))?;

    // The record at the bundle's height.
    let proof = bundle
        .record
        .as_ref()
        .ok_or_else(|| fail("the bundle holds no state proof of the asset's record"))?;
    let record: pb::AssetRecord =
        proven(h, proof, &state::asset_row(&asset), bundle.height, &root)?;

    let walked = walk::Walk::run(
        genesis,
        &headers,
        &asset,
        &record.registrant,
        &bundle.events,
        bundle.height,
    )?;
    walked.matches(&record)?;

    let grants = grants(h, &bundle, &walked, &root, tip.timestamp_ms)?;
    let parents = parents(h, &bundle, &record, &root)?;
    let status = registration_status(&record, tip.timestamp_ms);
    let certificate = certificate(h, &bundle, &asset, &record, status, &root)?;
    let vouchers = vouchers(h, &bundle, &asset, &walked, &root)?;
    Ok(AuditReport {
        chain_id: bundle.chain_id.clone(),
        asset,
        name: record.registration.unwrap_or_default().name,
        height: bundle.height,
        time_ms: tip.timestamp_ms,
        block_hash: *tip_hash,
        blocks: headers.0.len(),
        events: walked.events,
        title: walked.title,
        holders: walked.holders,
        frozen: record.frozen,
        grants,
        parents,
        status: crate::views::registration_status_word(status as i32),
        certificate,
        vouchers,
    })
}

/// The proven voucher of every order the events accepted (and no other): each names the
/// asset, its order and the accepting transaction.
fn vouchers(
    h: Hashing,
    bundle: &pb::AuditBundle,
    asset: &Hash32,
    walked: &walk::Walk,
    root: &Hash32,
) -> Result<Vec<crate::views::VoucherView>, Error> {
    let mut out = Vec::new();
    let mut owed: Vec<&(Hash32, Hash32, usize)> = walked.accepted.iter().collect();
    for p in &bundle.vouchers {
        let number = p
            .key
            .strip_prefix(state::VOUCHER_TAG)
            .and_then(|n| std::str::from_utf8(n).ok())
            .ok_or_else(|| {
                fail(format!(
                    "the state proof of {} is of no voucher",
                    state::show_row(&p.key)
                ))
            })?;
        let v: pb::VoucherRecord = proven(h, p, &state::voucher_row(number), bundle.height, root)?;
        let at = owed.iter().position(|(order, tx, _)| {
            v.number == number
                && v.asset == asset.as_bytes()
                && v.order == order.as_bytes()
                && v.tx_id == tx.as_bytes()
        });
        let Some(at) = at else {
            return Err(fail(format!(
                "voucher {number} is of no order the events accepted (or proven twice)"
            )));
        };
        owed.remove(at);
        out.push(crate::views::VoucherView::of(&v));
    }
    if let Some((order, _, seq)) = owed.first() {
        return Err(fail(format!(
            "order {order} (accepted by event {seq}) has no voucher proof in the bundle"
        )));
    }
    Ok(out)
}

/// The proven certificate: required of an asset whose record says it was certified (a
/// bundle may not hide it), refused of one that was not.
fn certificate(
    h: Hashing,
    bundle: &pb::AuditBundle,
    asset: &Hash32,
    record: &pb::AssetRecord,
    status: pb::RegistrationStatus,
    root: &Hash32,
) -> Result<Option<AuditCertificate>, Error> {
    let key = state::certificate_row(asset);
    let proof = match (&bundle.certificate, certified(status)) {
        (None, false) => return Ok(None),
        (Some(p), true) => p,
        (None, true) => {
            return Err(fail(format!(
                "the asset's record says it is certified ({}), but the bundle holds no proof of its certificate",
                crate::views::registration_status_word(status as i32)
            )))
        }
        (Some(_), false) => {
            return Err(fail(format!(
                "the bundle holds a certificate of an asset whose record is {}",
                crate::views::registration_status_word(status as i32)
            )))
        }
    };
    let c: pb::CertificateRecord = proven(h, proof, &key, bundle.height, root)?;
    if c.asset != asset.as_bytes() {
        return Err(fail("the proven certificate names another asset"));
    }
    // Both rows are proven under the same root; the chain keeps them in step, and a
    // verifier says so rather than assume it.
    let reg = record.registration.as_ref();
    let cancelled = status == pb::RegistrationStatus::Cancelled;
    let consistent = c.height <= bundle.height
        && c.valid_until_ms == record.valid_until_ms
        && reg.is_some_and(|r| r.fingerprint == c.fingerprint)
        && cancelled == (c.kind == pb::ApplicationKind::Cancellation as i32);
    if !consistent {
        return Err(fail(
            "the proven certificate does not match the proven record (fingerprint, validity, kind or height)",
        ));
    }
    Ok(Some(AuditCertificate {
        number: c.number,
        sequence: c.sequence,
        kind: crate::views::application_kind_word(c.kind),
        holder: hex::encode(&c.holder),
        fingerprint: hex::encode(&c.fingerprint),
        registrar: crate::views::opt_hex(&c.registrar),
        effective_ms: c.effective_ms,
        valid_until_ms: c.valid_until_ms,
        height: c.height,
    }))
}

/// Checks a state proof of row `key` at `height` against `root` and decodes the row.
fn proven<M: Message + Default>(
    h: Hashing,
    proof: &pb::StateProof,
    key: &[u8],
    height: u64,
    root: &Hash32,
) -> Result<M, Error> {
    if proof.key != key {
        return Err(fail(format!(
            "a state proof is of row {}, expected {}",
            state::show_row(&proof.key),
            state::show_row(key)
        )));
    }
    if proof.height != height {
        return Err(fail(format!(
            "the state proof of {} is of height {}, the bundle proves height {height}",
            state::show_row(key),
            proof.height
        )));
    }
    state::verify(h, proof, root)?;
    M::decode(&proof.value[..]).map_err(|e| {
        fail(format!(
            "the proven row {} does not decode: {e}",
            state::show_row(key)
        ))
    })
}

/// The proven record of every grant the events issued (and no other).
fn grants(
    h: Hashing,
    bundle: &pb::AuditBundle,
    walked: &walk::Walk,
    root: &Hash32,
    now_ms: u64,
) -> Result<Vec<AuditGrant>, Error> {
    let mut proofs: BTreeMap<&[u8], &pb::StateProof> = BTreeMap::new();
    for p in &bundle.grants {
        if proofs.insert(&p.key, p).is_some() {
            return Err(fail(format!(
                "two state proofs of {}",
                state::show_row(&p.key)
            )));
        }
    }
    let mut out = Vec::new();
    for (id, seq) in &walked.grants {
        let key = state::grant_row(id);
        let proof = proofs.remove(&key[..]).ok_or_else(|| {
            fail(format!(
                "grant {id} (issued by event {seq}) has no state proof in the bundle"
            ))
        })?;
        let g: pb::GrantRecord = proven(h, proof, &key, bundle.height, root)?;
        let terms = g.terms.unwrap_or_default();
        let mut status = grant_status_word(g.status);
        if g.status == pb::GrantStatus::Active as i32
            && terms.not_after_ms != 0
            && terms.not_after_ms <= now_ms
        {
            status = "expired".into();
        }
        out.push(AuditGrant {
            id: *id,
            issued_by: *seq,
            grantee: hex::encode(&terms.grantee),
            status,
            uses: g.uses,
            purposes: terms.purposes,
            jurisdictions: terms.jurisdictions,
            not_after_ms: terms.not_after_ms,
        });
    }
    if let Some(key) = proofs.keys().next() {
        return Err(fail(format!(
            "the state proof of {} is of no grant the events issued",
            state::show_row(key)
        )));
    }
    Ok(out)
}

/// The lineage parents, with the proven records the bundle holds.
fn parents(
    h: Hashing,
    bundle: &pb::AuditBundle,
    record: &pb::AssetRecord,
    root: &Hash32,
) -> Result<Vec<AuditParent>, Error> {
    let mut out: Vec<AuditParent> = Vec::new();
    for edge in &record.parents {
        let id = Hash32::from_slice(&edge.parent)
            .map_err(|e| fail(format!("a lineage parent of the record: {e}")))?;
        out.push(AuditParent {
            id,
            name: None,
            event_count: None,
        });
    }
    for proof in &bundle.parents {
        let slot = out
            .iter_mut()
            .find(|p| state::asset_row(&p.id) == proof.key)
            .ok_or_else(|| {
                fail(format!(
                    "the state proof of {} is of no lineage parent of the asset",
                    state::show_row(&proof.key)
                ))
            })?;
        if slot.name.is_some() {
            return Err(fail(format!("two state proofs of parent {}", slot.id)));
        }
        let key = state::asset_row(&slot.id);
        let parent: pb::AssetRecord = proven(h, proof, &key, bundle.height, root)?;
        slot.name = Some(parent.registration.unwrap_or_default().name);
        slot.event_count = Some(parent.event_count);
    }
    Ok(out)
}
