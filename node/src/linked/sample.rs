//! A small sample chain for the linked-data renderings, built with `shuquan-ledger` alone in
//! a directory: org1 registers an asset and transfers its Use right to org2, who derives a
//! data set from it; org3 requests derive access, org1 approves and org3 derives under the
//! grant; org1 lists a licence (per month) and the Hold right, org3 orders the licence,
//! org1 accepts, both confirm. Shared by the node's unit tests and the `jsonld-sample`
//! example (which includes this file by path), so it names nothing of the node crate.

use std::path::Path;

use anyhow::{anyhow, bail, Context};
use shuquan_ledger::Ledger;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::ChainRef;
use shuquan_proto::{Hash32, Keypair};

/// The sample's chain id.
pub(crate) const CHAIN: &str = "sample-chain";
/// The genesis time: 2026-01-01T00:00:00Z.
pub(crate) const T0: u64 = 1_767_225_600_000;
const DAY: u64 = 86_400_000;

/// The sample ledger and the ids of what it made.
pub(crate) struct Sample {
    /// The ledger.
    pub(crate) ledger: Ledger,
    /// org1's asset, registered, transferred (Use), derived from twice, listed and sold.
    pub(crate) asset: Hash32,
    /// org2's data set derived from it under its Use right.
    pub(crate) by_right: Hash32,
    /// org3's data set derived from it under its grant.
    pub(crate) by_grant: Hash32,
    /// org3's access request, approved.
    pub(crate) request: Hash32,
    /// The grant the approval issued (query, compute, derive; at most 10 uses).
    pub(crate) request_grant: Hash32,
    /// org1's licence listing (compute, 1200.00 CNY per month).
    pub(crate) licence_listing: Hash32,
    /// org1's listing of the Hold right.
    pub(crate) right_listing: Hash32,
    /// org3's order on the licence, accepted and settled.
    pub(crate) order: Hash32,
    /// The grant the accepted order issued.
    pub(crate) order_grant: Hash32,
    /// The voucher of that order.
    pub(crate) voucher: String,
}

fn key(n: u8) -> anyhow::Result<Keypair> {
    Ok(Keypair::from_seed([n; 32])?)
}

/// The member id of a short id.
pub(crate) fn member_id(short: &str) -> Hash32 {
    shuquan_proto::hash::Hashing::BLAKE3.member_id(CHAIN, short)
}

fn genesis() -> anyhow::Result<pb::Genesis> {
    let member = |id: &str, name: &str, role: &str, n: u8| -> anyhow::Result<MemberFile> {
        Ok(MemberFile {
            id: id.into(),
            name: name.into(),
            org_code: String::new(),
            jurisdiction: "CN".into(),
            roles: vec![role.into()],
            account_keys: vec![key(n)?.public()],
            node_key: None,
            cert_key: None,
            node_addr: String::new(),
            is_ciio: false,
            learner: false,
        })
    };
    let file = GenesisFile {
        chain_id: CHAIN.into(),
        genesis_time_ms: T0,
        hash: Default::default(),
        params: ParamsFile {
            registration_review: false,
            ..ParamsFile::default()
        },
        members: vec![
            member("org1", "南宁公交集团 Nanning Bus Group", "member", 1)?,
            member("org2", "Guangxi Transport Research Institute", "member", 2)?,
            member("org3", "北部湾大学 Beibu Gulf University", "member", 3)?,
            member("regulator", "Guangxi Data Bureau", "regulator", 4)?,
        ],
        council: Default::default(),
    };
    Ok(file.to_pb()?)
}

struct Chain {
    ledger: Ledger,
    chain: ChainRef,
    now: u64,
    seq: u64,
}

impl Chain {
    /// Signs `payload` and applies it in its own block; what it created.
    fn run(&mut self, signer: u8, cosigners: &[u8], payload: Payload) -> anyhow::Result<Hash32> {
        self.seq += 1;
        let signer = key(signer)?;
        let cosigners: Vec<Keypair> = cosigners
            .iter()
            .map(|n| key(*n))
            .collect::<Result<_, _>>()?;
        let cosigners: Vec<&Keypair> = cosigners.iter().collect();
        let what = format!("{payload:?}");
        let raw = shuquan_proto::tx::sign_all(
            &self.chain,
            self.now + self.seq,
            &signer,
            &cosigners,
            payload,
        )?;
        let proposal = pb::Proposal {
            timestamp_ms: self.now,
            proposer: key(9)?.public().to_vec(),
            txs: vec![raw],
        };
        let block = self.ledger.apply(&proposal, b"sample")?;
        self.now += 60_000;
        let receipt = block
            .receipts
            .first()
            .ok_or_else(|| anyhow!("no receipt"))?;
        if receipt.code != 0 {
            let why = shuquan_proto::codes::Rejection::of_receipt(receipt)
                .map(|r| r.message())
                .unwrap_or_default();
            bail!(
                "sample transaction failed ({}): {why}\n{what}",
                receipt.code
            );
        }
        Ok(Hash32::from_slice(&receipt.created).unwrap_or_default())
    }
}

fn register(seed: u8, name: &str, parents: &[Hash32], purpose: &str) -> Payload {
    Payload::RegisterAsset(pb::RegisterAsset {
        fingerprint: vec![seed; 32],
        size_bytes: 1_048_576,
        name: name.into(),
        description: format!("{name}: a sample data set."),
        sector: "transport".into(),
        grade: pb::Grade::General as i32,
        pi: None,
        origin: pb::Origin::Enterprise as i32,
        evidence_hash: vec![],
        jurisdiction: "CN".into(),
        delivery_modes: vec![
            pb::DeliveryMode::Download as i32,
            pb::DeliveryMode::Query as i32,
            pb::DeliveryMode::Compute as i32,
        ],
        derived_from: parents.iter().map(|p| p.to_vec()).collect(),
        derive_purpose: purpose.into(),
        sharing: pb::SharingClass::Conditional as i32,
    })
}

fn price(minor: u64) -> Option<pb::Price> {
    Some(pb::Price {
        amount_minor: minor,
        currency: "CNY".into(),
    })
}

/// Builds the sample chain in `dir` (an empty directory).
pub(crate) fn build(dir: &Path) -> anyhow::Result<Sample> {
    let ledger = Ledger::open(dir, genesis()?).context("opening the sample ledger")?;
    let mut c = Chain {
        chain: ledger.chain().clone(),
        ledger,
        now: T0 + DAY,
        seq: 0,
    };
    let org = |short: &str| member_id(short).to_vec();
    let asset = c.run(
        1,
        &[],
        register(1, "南宁公交 GPS 轨迹 2026 Bus GPS", &[], ""),
    )?;
    c.run(
        1,
        &[2],
        Payload::TransferRight(pb::TransferRight {
            asset: asset.to_vec(),
            right: pb::Right::Use as i32,
            to: org("org2"),
            price: price(1_200_000),
            consideration_hash: vec![],
        }),
    )?;
    let by_right = c.run(2, &[], register(2, "Bus punctuality 2026", &[asset], ""))?;
    let request = c.run(
        3,
        &[],
        Payload::RequestAccess(pb::RequestAccess {
            asset: asset.to_vec(),
            actions: [pb::Action::Query, pb::Action::Compute, pb::Action::Derive]
                .map(|a| a as i32)
                .to_vec(),
            purposes: vec!["academic-research".into()],
            jurisdictions: vec!["CN".into()],
            duration_ms: 365 * DAY,
            max_uses: 10,
            message_hash: vec![5; 32],
            expires_ms: c.now + 30 * DAY,
        }),
    )?;
    c.run(
        1,
        &[],
        Payload::AnswerRequest(pb::AnswerRequest {
            request: request.to_vec(),
            approve: true,
            reason: 0,
        }),
    )?;
    let request_grant = c
        .ledger
        .queries()
        .request(&request)?
        .and_then(|r| r.grant)
        .ok_or_else(|| anyhow!("the approved request names no grant"))?
        .parse()?;
    let by_grant = c.run(
        3,
        &[],
        register(
            3,
            "Commuter flows (research)",
            &[asset],
            "academic-research",
        ),
    )?;
    let licence = pb::Licence {
        actions: vec![pb::Action::Compute as i32],
        purposes: vec!["academic-research".into()],
        jurisdictions: vec!["CN".into()],
        duration_ms: 90 * DAY,
        max_uses: 100,
    };
    let listing = |right: pb::Right, licence: Option<pb::Licence>, minor, unit: pb::PriceUnit| {
        pb::CreateListing {
            asset: asset.to_vec(),
            right: if licence.is_some() { 0 } else { right as i32 },
            licence,
            price: price(minor),
            unit: unit as i32,
            delivery_modes: vec![pb::DeliveryMode::Compute as i32],
            valid_until_ms: T0 + 60 * DAY,
        }
    };
    let licence_listing = c.run(
        1,
        &[],
        Payload::CreateListing(listing(
            pb::Right::Unspecified,
            Some(licence),
            120_000,
            pb::PriceUnit::PerMonth,
        )),
    )?;
    let right_listing = c.run(
        1,
        &[],
        Payload::CreateListing(listing(
            pb::Right::Hold,
            None,
            5_000_000,
            pb::PriceUnit::OneOff,
        )),
    )?;
    let order = c.run(
        3,
        &[],
        Payload::PlaceOrder(pb::PlaceOrder {
            listing: licence_listing.to_vec(),
            buyer: org("org3"),
            quantity: 3,
            payment_ref_hash: vec![],
            expires_ms: c.now + 7 * DAY,
        }),
    )?;
    c.run(
        1,
        &[],
        Payload::AcceptOrder(pb::AcceptOrder {
            order: order.to_vec(),
        }),
    )?;
    for (who, kind) in [
        (3, pb::ConfirmKind::Delivery),
        (1, pb::ConfirmKind::Payment),
    ] {
        c.run(
            who,
            &[],
            Payload::Confirm(pb::Confirm {
                order: order.to_vec(),
                kind: kind as i32,
                ref_hash: vec![9; 32],
            }),
        )?;
    }
    let sold = c
        .ledger
        .queries()
        .order(&order)?
        .ok_or_else(|| anyhow!("the order vanished"))?;
    let order_grant = sold
        .grant
        .ok_or_else(|| anyhow!("the accepted order names no grant"))?
        .parse()?;
    let voucher = sold
        .voucher
        .ok_or_else(|| anyhow!("the accepted order has no voucher"))?;
    Ok(Sample {
        ledger: c.ledger,
        asset,
        by_right,
        by_grant,
        request,
        request_grant,
        licence_listing,
        right_listing,
        order,
        order_grant,
        voucher,
    })
}
