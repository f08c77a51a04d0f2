//! Frozen encodings and the canonical gate.
//!
//! Golden vectors: `golden.txt` holds the hex of every signed or hashed encoding and id for
//! fixed inputs. A mismatch means the format changed: regenerating the file
//! (`SHUQUAN_REGENERATE_GOLDEN=1 cargo test -p shuquan-proto --test encoding`) is an explicit
//! approval of a new format, never a way to make a failing test pass.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use prost::Message;
use shuquan_proto::block::{block_hash, results_root, tx_root};
use shuquan_proto::genesis::{genesis_hash, GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::hash::Hashing;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::{decode_canonical, decode_tx, signing_bytes, ChainRef, Unsigned};
use shuquan_proto::{merkle, Hash32, Keypair};

const CHAIN: &str = "golden-chain";

fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

fn golden_body() -> pb::TxBody {
    pb::TxBody {
        chain_id: CHAIN.into(),
        timestamp_ms: 1_767_225_600_000,
        signer: key(1).public().to_vec(),
        cosigners: vec![key(2).public().to_vec()],
        payload: Some(Payload::TransferRight(pb::TransferRight {
            asset: vec![0xaa; 32],
            right: pb::Right::Use as i32,
            to: shuquan_proto::hash::Hashing::BLAKE3
                .member_id(CHAIN, "org2")
                .to_vec(),
            price: Some(pb::Price {
                amount_minor: 120_000,
                currency: "CNY".into(),
            }),
            consideration_hash: vec![],
        })),
    }
}

fn golden_genesis() -> GenesisFile {
    GenesisFile {
        council: Default::default(),
        chain_id: CHAIN.into(),
        genesis_time_ms: 1_767_225_600_000,
        hash: Default::default(),
        params: ParamsFile::default(),
        members: vec![MemberFile {
            id: "org1".into(),
            name: "Org One".into(),
            org_code: "X1".into(),
            jurisdiction: "CN".into(),
            roles: vec!["member".into(), "auditor".into()],
            account_keys: vec![key(1).public()],
            node_key: Some(key(3).public()),
            cert_key: None,
            node_addr: "127.0.0.1:7100".into(),
            is_ciio: false,
            learner: false,
        }],
    }
}

fn golden_chain() -> ChainRef {
    ChainRef::of(&golden_genesis().to_pb().unwrap())
}

/// An SM2 key from a fixed secret.
fn sm_key(n: u8) -> Keypair {
    Keypair::from_secret(shuquan_proto::keys::Scheme::Sm2, [n; 32]).unwrap()
}

/// The golden genesis on the national algorithms: SM3, org1 signing with SM2 and its node
/// certifying with an SM2 key, org2 signing with ed25519.
fn golden_sm_genesis() -> GenesisFile {
    let mut g = golden_genesis();
    g.hash = shuquan_proto::hash::HashFunction::Sm3;
    g.members[0].account_keys = vec![sm_key(1).public()];
    g.members[0].cert_key = Some(sm_key(4).public());
    let mut org2 = g.members[0].clone();
    org2.id = "org2".into();
    org2.roles = vec!["member".into()];
    org2.account_keys = vec![key(2).public()];
    org2.node_key = None;
    org2.cert_key = None;
    org2.node_addr = String::new();
    g.members.push(org2);
    g
}

/// The golden body signed by SM2 `sm_key(1)` and cosigned by ed25519 `key(2)` for `chain`.
fn mixed_tx(chain: &ChainRef) -> Unsigned {
    let body = pb::TxBody {
        signer: sm_key(1).public().to_vec(),
        ..golden_body()
    };
    let mut tx = Unsigned::new(body, chain);
    tx.sign(&sm_key(1)).unwrap();
    tx.sign(&key(2)).unwrap();
    tx
}

/// The objects whose bytes depend on the hash function, on an SM3 chain with SM2 keys
/// (issue 20): ids, roots, the genesis and block hashes, the state tree's key hash, and a
/// transaction signed with SM2 and cosigned with ed25519. The SM2 signature is the `sm2`
/// crate's deterministic one (RFC 6979 over SM3): if a new release of the crate derives k
/// otherwise, only the `sm3_tx_raw` line changes, and it still verifies.
fn sm_vectors(put: &mut impl FnMut(&str, String)) {
    let h = Hashing::SM3;
    let genesis = golden_sm_genesis().to_pb().unwrap();
    put("sm3_genesis", hex::encode(genesis.encode_to_vec()));
    put("sm3_genesis_hash", genesis_hash(&genesis).to_hex());
    put("sm2_public_key_1", sm_key(1).public().to_hex());
    let chain = ChainRef::of(&genesis);
    let tx = mixed_tx(&chain);
    let id = tx.id();
    put("sm3_tx_raw", hex::encode(tx.encode()));
    put("sm3_tx_id", id.to_hex());
    put("sm3_asset_id", h.asset_id(CHAIN, &id).to_hex());
    put("sm3_member_id_org1", h.member_id(CHAIN, "org1").to_hex());
    put(
        "sm3_history_link",
        h.history_link(&Hash32::ZERO, &id).to_hex(),
    );
    put("sm3_fingerprint_abc", h.fingerprint(b"abc").to_hex());
    let ids: Vec<Hash32> = (0..5u8).map(|i| Hash32([i; 32])).collect();
    put("sm3_tx_root_5", tx_root(h, &ids).to_hex());
    put("sm3_merkle_empty", merkle::empty_root(h).to_hex());
    put(
        "sm3_voters_hash",
        h.voters_hash([sm_key(4).public().as_bytes()]).to_hex(),
    );
    put(
        "sm3_state_key_hash",
        hex::encode(
            shuquan_proto::state::key_hash(h, &shuquan_proto::state::asset_row(&Hash32([4; 32]))).0,
        ),
    );
    let header = pb::BlockHeader {
        chain_id: CHAIN.into(),
        height: 7,
        tx_root: tx_root(h, &ids).to_vec(),
        ..Default::default()
    };
    put("sm3_block_hash", block_hash(h, &header).to_hex());
    let cert =
        shuquan_proto::cert::sign_block(&sm_key(4), h, CHAIN, 7, &block_hash(h, &header)).unwrap();
    put("sm2_block_signature", hex::encode(cert.encode_to_vec()));
}

/// Payloads whose encodings the vectors freeze beside the envelope's.
fn golden_payloads() -> Vec<(&'static str, Payload)> {
    vec![
        (
            "register_derived",
            Payload::RegisterAsset(pb::RegisterAsset {
                fingerprint: vec![0xfe; 32],
                size_bytes: 4096,
                name: "derived".into(),
                grade: pb::Grade::Important as i32,
                pi: Some(pb::PersonalInfo {
                    contains_pi: true,
                    contains_sensitive_pi: true,
                    subjects: 2_000_000,
                }),
                origin: pb::Origin::Personal as i32,
                evidence_hash: vec![5; 32],
                jurisdiction: "CN".into(),
                delivery_modes: vec![pb::DeliveryMode::Compute as i32],
                derived_from: vec![vec![0xaa; 32]],
                derive_purpose: "academic-research".into(),
                ..Default::default()
            }),
        ),
        (
            "file_transfer_abroad",
            Payload::FileCrossBorder(pb::FileCrossBorder {
                grants: vec![],
                destination: "VN".into(),
                path: pb::ExportPath::SecurityAssessment as i32,
                exempt_reason: String::new(),
                declared: Some(pb::Declared {
                    pi_subjects: 2_000_000,
                    spi_subjects: 1,
                    important: true,
                }),
                evidence_hash: vec![7; 32],
                transfer: Some(pb::TransferExport {
                    asset: vec![0xaa; 32],
                    right: pb::Right::Hold as i32,
                    receiver: shuquan_proto::hash::Hashing::BLAKE3
                        .member_id(CHAIN, "org2")
                        .to_vec(),
                }),
            }),
        ),
        (
            "rotate_key",
            Payload::RotateKey(pb::RotateKey {
                new_key: key(3).public().to_vec(),
            }),
        ),
        (
            "propose_admit",
            Payload::Propose(pb::Propose {
                action: Some(pb::propose::Action::AdmitMember(pb::AdmitMember {
                    id: "org5".into(),
                    name: "org5".into(),
                    org_code: String::new(),
                    jurisdiction: "CN".into(),
                    roles: vec![pb::Role::Member as i32],
                    account_keys: vec![key(4).public().to_vec()],
                    is_ciio: false,
                })),
            }),
        ),
        (
            "propose_set_param",
            Payload::Propose(pb::Propose {
                action: Some(pb::propose::Action::SetParam(pb::SetParam {
                    name: "law_utc_offset_minutes".into(),
                    value: -300,
                    words: vec![],
                })),
            }),
        ),
        (
            "propose_add_node",
            Payload::Propose(pb::Propose {
                action: Some(pb::propose::Action::AddNode(pb::AddNode {
                    node_key: key(5).public().to_vec(),
                    cert_key: Vec::new(),
                    addr: "/ip4/127.0.0.1/tcp/7105".into(),
                    operator: shuquan_proto::hash::Hashing::BLAKE3
                        .member_id(CHAIN, "org1")
                        .to_vec(),
                })),
            }),
        ),
        (
            "vote",
            Payload::Vote(pb::Vote {
                proposal: vec![0xcc; 32],
                approve: true,
            }),
        ),
    ]
}

fn vectors() -> Vec<(String, String)> {
    let mut v = Vec::new();
    let mut put = |k: &str, val: String| v.push((k.to_string(), val));
    let chain = golden_chain();
    let mut tx = Unsigned::new(golden_body(), &chain);
    tx.sign(&key(1)).expect("signing");
    tx.sign(&key(2)).expect("signing");
    let id = tx.id();
    put("public_key_1", key(1).public().to_hex());
    put("tx_body", hex::encode(&tx.raw.body));
    put(
        "signing_bytes",
        hex::encode(signing_bytes(&chain.genesis_hash, &tx.raw.body)),
    );
    put("tx_raw", hex::encode(tx.encode()));
    put("tx_id", id.to_hex());
    put("asset_id", Hashing::BLAKE3.asset_id(CHAIN, &id).to_hex());
    put("grant_id", Hashing::BLAKE3.grant_id(CHAIN, &id).to_hex());
    put("filing_id", Hashing::BLAKE3.filing_id(CHAIN, &id).to_hex());
    put(
        "attestation_id",
        Hashing::BLAKE3.attestation_id(CHAIN, &id).to_hex(),
    );
    put(
        "objection_id",
        Hashing::BLAKE3.objection_id(CHAIN, &id).to_hex(),
    );
    put(
        "proposal_id",
        shuquan_proto::hash::Hashing::BLAKE3
            .proposal_id(CHAIN, &id)
            .to_hex(),
    );
    put(
        "member_id_org1",
        shuquan_proto::hash::Hashing::BLAKE3
            .member_id(CHAIN, "org1")
            .to_hex(),
    );
    put(
        "history_link",
        Hashing::BLAKE3.history_link(&Hash32::ZERO, &id).to_hex(),
    );
    put(
        "fingerprint_abc",
        Hashing::BLAKE3.fingerprint(b"abc").to_hex(),
    );
    for (name, payload) in golden_payloads() {
        let body = pb::TxBody {
            payload: Some(payload),
            ..golden_body()
        };
        put(&format!("body_{name}"), hex::encode(body.encode_to_vec()));
    }
    let ids: Vec<Hash32> = (0..5u8).map(|i| Hash32([i; 32])).collect();
    put(
        "tx_root_5",
        tx_root(shuquan_proto::hash::Hashing::BLAKE3, &ids).to_hex(),
    );
    put(
        "merkle_empty",
        merkle::empty_root(shuquan_proto::hash::Hashing::BLAKE3).to_hex(),
    );
    // A failed receipt commits its code, detail and arguments, never a sentence.
    let receipt = shuquan_proto::codes::reason::bad_signature(key(1).public()).receipt(&id);
    put("receipt_failed", hex::encode(receipt.encode_to_vec()));
    put(
        "results_root_1",
        results_root(shuquan_proto::hash::Hashing::BLAKE3, &[receipt]).to_hex(),
    );
    let header = pb::BlockHeader {
        chain_id: CHAIN.into(),
        height: 7,
        prev_hash: vec![1; 32],
        timestamp_ms: 1_767_225_600_000,
        proposer: key(3).public().to_vec(),
        tx_root: tx_root(shuquan_proto::hash::Hashing::BLAKE3, &ids).to_vec(),
        results_root: vec![2; 32],
        tx_count: 5,
        state_root: vec![3; 32],
        voters_hash: shuquan_proto::hash::Hashing::BLAKE3
            .voters_hash([key(1).public().as_bytes()])
            .to_vec(),
        next_voters_hash: shuquan_proto::hash::Hashing::BLAKE3
            .voters_hash([key(1).public().as_bytes(), key(2).public().as_bytes()])
            .to_vec(),
    };
    put(
        "state_key_hash",
        hex::encode(
            shuquan_proto::state::key_hash(
                shuquan_proto::hash::Hashing::BLAKE3,
                &shuquan_proto::state::asset_row(&Hash32([4; 32])),
            )
            .0,
        ),
    );
    put("block_header", hex::encode(header.encode_to_vec()));
    put(
        "block_hash",
        block_hash(shuquan_proto::hash::Hashing::BLAKE3, &header).to_hex(),
    );
    put(
        "genesis_hash",
        genesis_hash(&golden_genesis().to_pb().unwrap()).to_hex(),
    );
    // Raft-side formats: the log payload (a proposal), a block as stored and served by
    // block sync, and the head of a state snapshot.
    let proposal = pb::Proposal {
        timestamp_ms: 1_767_225_600_000,
        proposer: key(3).public().to_vec(),
        txs: vec![tx.encode()],
    };
    put("raft_entry_proposal", hex::encode(proposal.encode_to_vec()));
    let ok = pb::Receipt {
        tx_id: id.to_vec(),
        ..Default::default()
    };
    let stored = pb::RawBlock {
        header: header.encode_to_vec(),
        txs: vec![tx.encode()],
        certificate: None,
        receipts: vec![ok],
    };
    put("stored_block", hex::encode(stored.encode_to_vec()));
    let head = pb::SnapshotHead {
        format: 1,
        genesis_hash: genesis_hash(&golden_genesis().to_pb().unwrap()).to_vec(),
        height: 7,
        headers: vec![header.encode_to_vec()],
        certified_height: 0,
        certificate: None,
        window_from: 3,
        voter_changes: vec![],
    };
    put("snapshot_head", hex::encode(head.encode_to_vec()));
    registration_vectors(&mut put, &id);
    market_vectors(&mut put, &id);
    sm_vectors(&mut put);
    v
}

/// The market's payloads, ids and records (docs/MARKET.md).
fn market_vectors(put: &mut impl FnMut(&str, String), id: &Hash32) {
    use shuquan_proto::hash::Hashing;
    put("request_id", Hashing::BLAKE3.request_id(CHAIN, id).to_hex());
    put("listing_id", Hashing::BLAKE3.listing_id(CHAIN, id).to_hex());
    put("order_id", Hashing::BLAKE3.order_id(CHAIN, id).to_hex());
    let org1 = shuquan_proto::hash::Hashing::BLAKE3
        .member_id(CHAIN, "org1")
        .to_vec();
    let org2 = shuquan_proto::hash::Hashing::BLAKE3
        .member_id(CHAIN, "org2")
        .to_vec();
    let price = pb::Price {
        amount_minor: 120_000,
        currency: "CNY".into(),
    };
    let payloads = [
        (
            "payload_request_access",
            Payload::RequestAccess(pb::RequestAccess {
                asset: vec![0xaa; 32],
                actions: vec![pb::Action::Compute as i32, pb::Action::Query as i32],
                purposes: vec!["academic-research".into()],
                jurisdictions: vec!["CN".into()],
                duration_ms: 7_776_000_000,
                max_uses: 12,
                message_hash: vec![0xdd; 32],
                expires_ms: 1_769_817_600_000,
            }),
        ),
        (
            "payload_answer_request",
            Payload::AnswerRequest(pb::AnswerRequest {
                request: vec![0xab; 32],
                approve: false,
                reason: pb::DeclineReason::ScopeTooBroad as i32,
            }),
        ),
        (
            "payload_create_listing",
            Payload::CreateListing(pb::CreateListing {
                asset: vec![0xaa; 32],
                right: 0,
                licence: Some(pb::Licence {
                    actions: vec![pb::Action::Compute as i32],
                    purposes: vec!["public-service".into()],
                    jurisdictions: vec!["CN".into(), "VN".into()],
                    duration_ms: 31_536_000_000,
                    max_uses: 0,
                }),
                price: Some(price.clone()),
                unit: pb::PriceUnit::PerMonth as i32,
                delivery_modes: vec![pb::DeliveryMode::Compute as i32],
                valid_until_ms: 1_798_761_600_000,
            }),
        ),
        (
            "payload_place_order",
            Payload::PlaceOrder(pb::PlaceOrder {
                listing: vec![0xac; 32],
                buyer: org2.clone(),
                quantity: 3,
                payment_ref_hash: vec![0xef; 32],
                expires_ms: 1_767_830_400_000,
            }),
        ),
        (
            "payload_accept_order",
            Payload::AcceptOrder(pb::AcceptOrder {
                order: vec![0xad; 32],
            }),
        ),
        (
            "payload_confirm",
            Payload::Confirm(pb::Confirm {
                order: vec![0xad; 32],
                kind: pb::ConfirmKind::Payment as i32,
                ref_hash: vec![0xef; 32],
            }),
        ),
        (
            "payload_dispute",
            Payload::Dispute(pb::Dispute {
                order: vec![0xad; 32],
                evidence_hash: vec![0xee; 32],
            }),
        ),
        (
            "payload_cancel",
            Payload::Cancel(pb::Cancel {
                subject: vec![0xac; 32],
            }),
        ),
    ];
    for (name, p) in payloads {
        let body = pb::TxBody {
            payload: Some(p),
            ..golden_body()
        };
        put(name, hex::encode(body.encode_to_vec()));
    }
    let voucher = pb::VoucherRecord {
        number: "GX-V-2026-000007".into(),
        order: Hashing::BLAKE3.order_id(CHAIN, id).to_vec(),
        listing: Hashing::BLAKE3.listing_id(CHAIN, id).to_vec(),
        asset: Hashing::BLAKE3.asset_id(CHAIN, id).to_vec(),
        registration: "GX-2026-000123".into(),
        seller: org1.clone(),
        buyer: org2.clone(),
        right: 0,
        grant: Hashing::BLAKE3.grant_id(CHAIN, id).to_vec(),
        unit_price: Some(price.clone()),
        unit: pb::PriceUnit::PerMonth as i32,
        quantity: 3,
        total: Some(pb::Price {
            amount_minor: 360_000,
            currency: "CNY".into(),
        }),
        height: 11,
        tx_id: id.to_vec(),
        time_ms: 1_767_225_620_000,
        sector: "transport".into(),
    };
    put("voucher_record", hex::encode(voucher.encode_to_vec()));
    let order = pb::OrderRecord {
        id: Hashing::BLAKE3.order_id(CHAIN, id).to_vec(),
        tx_id: id.to_vec(),
        asset: Hashing::BLAKE3.asset_id(CHAIN, id).to_vec(),
        seller: org1,
        total: voucher.total.clone(),
        status: pb::OrderStatus::Settled as i32,
        placed_ms: 1_767_225_610_000,
        placed_height: 10,
        accepted_ms: 1_767_225_620_000,
        accepted_height: 11,
        grant: Hashing::BLAKE3.grant_id(CHAIN, id).to_vec(),
        voucher: voucher.number.clone(),
        payment_confirmed: true,
        delivery_confirmed: true,
        listing_valid_until_ms: 1_798_761_600_000,
        ..Default::default()
    };
    put("order_record", hex::encode(order.encode_to_vec()));
    let request = pb::RequestRecord {
        id: Hashing::BLAKE3.request_id(CHAIN, id).to_vec(),
        tx_id: id.to_vec(),
        requester: org2,
        status: pb::RequestStatus::Granted as i32,
        filed_ms: 1_767_225_600_000,
        filed_height: 9,
        answered_ms: 1_767_225_600_000,
        answered_height: 9,
        grant: Hashing::BLAKE3.grant_id(CHAIN, id).to_vec(),
        automatic: true,
        ..Default::default()
    };
    put("request_record", hex::encode(request.encode_to_vec()));
}

/// The registration payloads and records (docs/REGISTRATION.md).
fn registration_vectors(put: &mut impl FnMut(&str, String), id: &Hash32) {
    let org1 = shuquan_proto::hash::Hashing::BLAKE3
        .member_id(CHAIN, "org1")
        .to_vec();
    let payloads = [
        (
            "payload_review",
            Payload::Review(pb::Review {
                asset: vec![0xaa; 32],
                decision: pb::ReviewDecision::Reject as i32,
                reason: pb::ReviewReason::RightsUnclear as i32,
            }),
        ),
        (
            "payload_object",
            Payload::Object(pb::Object {
                asset: vec![0xaa; 32],
                reason: pb::ObjectionReason::Ownership as i32,
                evidence_hash: vec![0xee; 32],
            }),
        ),
        (
            "payload_amend",
            Payload::Amend(pb::Amend {
                asset: vec![0xaa; 32],
                kind: pb::AmendKind::Change as i32,
                change: Some(pb::AssetChange {
                    fingerprint: vec![0xbb; 32],
                    size_bytes: 2048,
                    sharing: pb::SharingClass::Unconditional as i32,
                    ..Default::default()
                }),
                evidence_hash: vec![],
            }),
        ),
    ];
    for (name, p) in payloads {
        let body = pb::TxBody {
            payload: Some(p),
            ..golden_body()
        };
        put(name, hex::encode(body.encode_to_vec()));
    }
    let application = pb::Application {
        kind: pb::ApplicationKind::Initial as i32,
        tx_id: id.to_vec(),
        applicant: org1.clone(),
        filed_height: 5,
        stage: pb::ApplicationStage::InNotice as i32,
        registrar: org1.clone(),
        notice_ends_ms: 1_767_225_610_000,
        open_objections: vec![Hashing::BLAKE3.objection_id(CHAIN, id).to_vec()],
        filed_at_ms: 1_767_225_600_000,
        ..Default::default()
    };
    let asset = pb::AssetRecord {
        id: Hashing::BLAKE3.asset_id(CHAIN, id).to_vec(),
        status: pb::RegistrationStatus::InNotice as i32,
        application: Some(application),
        ..Default::default()
    };
    put("asset_record_in_notice", hex::encode(asset.encode_to_vec()));
    let cert = pb::CertificateRecord {
        number: "GX-2026-000123".into(),
        asset: Hashing::BLAKE3.asset_id(CHAIN, id).to_vec(),
        kind: pb::ApplicationKind::Change as i32,
        sequence: 2,
        holder: org1.clone(),
        rights: vec![pb::Right::Hold as i32, pb::Right::Operate as i32],
        grade: pb::Grade::General as i32,
        fingerprint: vec![0xbb; 32],
        delivery_modes: vec![pb::DeliveryMode::Query as i32],
        registrar: org1,
        effective_ms: 1_767_225_610_000,
        valid_until_ms: 1_861_833_610_000,
        height: 9,
        tx_id: id.to_vec(),
        sharing: pb::SharingClass::Conditional as i32,
        first_effective_ms: 1_767_225_605_000,
        ..Default::default()
    };
    put("certificate_record", hex::encode(cert.encode_to_vec()));
}

#[test]
fn golden_vectors_are_unchanged() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden.txt");
    let now: String = vectors()
        .iter()
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect();
    if std::env::var("SHUQUAN_REGENERATE_GOLDEN").is_ok() {
        std::fs::write(&path, &now).unwrap();
    }
    let frozen =
        std::fs::read_to_string(&path).expect("tests/golden.txt (see the module doc to create it)");
    for (want, got) in frozen.lines().zip(now.lines()) {
        assert_eq!(got, want, "encoding changed");
    }
    assert_eq!(frozen.lines().count(), now.lines().count());
}

#[test]
fn golden_transaction_passes_the_stateless_checks_and_verifies() {
    let chain = golden_chain();
    let mut tx = Unsigned::new(golden_body(), &chain);
    tx.sign(&key(1)).expect("signing");
    tx.sign(&key(2)).expect("signing");
    let d = decode_tx(&tx.encode(), &chain, 65_536).unwrap();
    assert_eq!(d.id, tx.id());
    assert!(shuquan_proto::verify::verify_tx(&d).is_ok());
    assert!(shuquan_proto::verify::verify_txs(&[&d, &d])
        .iter()
        .all(|r| r.is_ok()));
}

#[test]
fn a_transaction_of_a_twin_chain_with_the_same_id_does_not_verify() {
    let chain = golden_chain();
    let mut twin_genesis = golden_genesis();
    twin_genesis.genesis_time_ms += 1;
    let twin = ChainRef::of(&twin_genesis.to_pb().unwrap());
    assert_eq!(twin.id, chain.id);
    let mut tx = Unsigned::new(golden_body(), &twin);
    tx.sign(&key(1)).expect("signing");
    tx.sign(&key(2)).expect("signing");
    // It decodes (same chain id) but its signatures bind the other genesis.
    let d = decode_tx(&tx.encode(), &chain, 65_536).unwrap();
    let verdict = shuquan_proto::verify::verify_tx(&d).map_err(|r| r.code);
    assert_eq!(verdict, Err(shuquan_proto::FailureCode::BadSignature));
    let on_twin = decode_tx(&tx.encode(), &twin, 65_536).unwrap();
    assert!(shuquan_proto::verify::verify_tx(&on_twin).is_ok());
}

fn arb_body() -> impl Strategy<Value = pb::TxBody> {
    (
        any::<u64>().prop_filter("nonzero", |t| *t > 0),
        "[a-z ]{1,40}",
        any::<u64>(),
        proptest::collection::vec(1i32..=4, 1..4),
    )
        .prop_map(|(ts, name, size, modes)| pb::TxBody {
            chain_id: CHAIN.into(),
            timestamp_ms: ts,
            signer: key(1).public().to_vec(),
            cosigners: vec![],
            payload: Some(Payload::RegisterAsset(pb::RegisterAsset {
                fingerprint: vec![3; 32],
                size_bytes: size,
                name,
                grade: 1,
                origin: 2,
                jurisdiction: "CN".into(),
                delivery_modes: modes,
                ..Default::default()
            })),
        })
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

proptest! {
    #[test]
    fn canonical_bodies_round_trip(body in arb_body()) {
        let bytes = body.encode_to_vec();
        let back: pb::TxBody = decode_canonical(&bytes, "TxBody").unwrap();
        prop_assert_eq!(back, body);
    }

    #[test]
    fn unknown_fields_are_rejected(body in arb_body(), field in 64u32..1000, value in any::<u32>()) {
        let mut bytes = body.encode_to_vec();
        bytes.extend(varint(u64::from(field) << 3));
        bytes.extend(varint(u64::from(value)));
        prop_assert!(pb::TxBody::decode(bytes.as_slice()).is_ok(), "prost accepts it");
        let gate = decode_canonical::<pb::TxBody>(&bytes, "TxBody");
        let non_canonical = matches!(gate, Err(shuquan_proto::Error::NonCanonical { .. }));
        prop_assert!(non_canonical);
    }

    #[test]
    fn explicit_defaults_are_rejected(body in arb_body()) {
        // cosigners is empty; an explicit empty `description` (field 4 of RegisterAsset) is a default.
        let mut b = body.clone();
        if let Some(Payload::RegisterAsset(r)) = &mut b.payload { r.description.clear(); }
        let canonical = b.encode_to_vec();
        // Append `timestamp_ms = 0` explicitly (field 2, varint 0): a duplicate, default value.
        let mut bytes = canonical.clone();
        bytes.extend([0x10, 0x00]);
        prop_assert!(decode_canonical::<pb::TxBody>(&bytes, "TxBody").is_err());
    }

    #[test]
    fn over_long_varints_are_rejected(body in arb_body()) {
        let bytes = body.encode_to_vec();
        // chain_id comes first (tag, len, bytes), then timestamp_ms (tag 0x10, varint).
        let at = 2 + CHAIN.len();
        prop_assert_eq!(bytes[at], 0x10);
        let v = varint(body.timestamp_ms);
        let mut long = v.clone();
        if let Some(last) = long.last_mut() { *last |= 0x80; }
        long.push(0x00);
        let mut bad = bytes[..at + 1].to_vec();
        bad.extend(&long);
        bad.extend(&bytes[at + 1 + v.len()..]);
        prop_assume!(long.len() <= 10);
        prop_assert!(pb::TxBody::decode(bad.as_slice()).is_ok(), "prost accepts it");
        let non_canonical = matches!(decode_canonical::<pb::TxBody>(&bad, "TxBody"), Err(shuquan_proto::Error::NonCanonical { .. }));
        prop_assert!(non_canonical);
    }

    #[test]
    fn any_bit_flip_in_a_signed_tx_is_caught(flip in 0usize..10_000) {
        let chain = golden_chain();
        let mut tx = Unsigned::new(golden_body(), &chain);
        tx.sign(&key(1)).expect("signing");
        tx.sign(&key(2)).expect("signing");
        let mut raw = tx.encode();
        let i = flip % (raw.len() * 8);
        raw[i / 8] ^= 1 << (i % 8);
        let verdict = decode_tx(&raw, &chain, 65_536)
            .map_err(|r| r.code)
            .and_then(|d| shuquan_proto::verify::verify_tx(&d).map_err(|r| r.code).map(|()| d.id));
        // The body is signed and the envelope is canonical: no flipped bit survives.
        prop_assert!(verdict.is_err(), "flip of bit {} accepted", i);
    }
}

#[test]
fn a_mixed_scheme_transaction_on_an_sm3_chain_decodes_and_verifies() {
    let genesis = golden_sm_genesis().to_pb().unwrap();
    let chain = ChainRef::of(&genesis);
    assert_eq!(chain.hash, Hashing::SM3);
    let tx = mixed_tx(&chain);
    let d = decode_tx(&tx.encode(), &chain, 65_536).unwrap();
    assert_eq!(d.id, Hashing::SM3.tx_id(CHAIN, &tx.raw.body));
    assert_ne!(d.id, Hashing::BLAKE3.tx_id(CHAIN, &tx.raw.body));
    shuquan_proto::verify::verify_tx(&d).unwrap();
    assert!(shuquan_proto::verify::verify_txs(&[&d, &d])
        .iter()
        .all(|r| r.is_ok()));
    // Either signature altered: refused, alone and in a batch (the batch then checks each).
    for who in [sm_key(1).public(), key(2).public()] {
        let mut bad = tx.raw.clone();
        let s = bad
            .signatures
            .iter_mut()
            .find(|s| s.public_key == who.to_vec())
            .unwrap();
        s.signature[5] ^= 1;
        let d = decode_tx(&bad.encode_to_vec(), &chain, 65_536).unwrap();
        assert!(shuquan_proto::verify::verify_tx(&d).is_err(), "{who:?}");
        let ok = decode_tx(&tx.encode(), &chain, 65_536).unwrap();
        let verdicts = shuquan_proto::verify::verify_txs(&[&ok, &d]);
        assert!(verdicts[0].is_ok() && verdicts[1].is_err(), "{who:?}");
    }
    // Another SM3 chain of the same id: another genesis, so the signatures bind something
    // else and fail.
    let twin = ChainRef {
        genesis_hash: Hash32([9; 32]),
        ..chain.clone()
    };
    let d = decode_tx(&tx.encode(), &twin, 65_536).unwrap();
    assert!(shuquan_proto::verify::verify_tx(&d).is_err());
    // A BLAKE3 chain takes no SM2 signer at all (see the next test).
    assert!(decode_tx(&tx.encode(), &golden_chain(), 65_536).is_err());
}

#[test]
fn an_sm3_genesis_needs_sm2_certificate_keys_and_ed25519_node_keys() {
    let mut g = golden_sm_genesis();
    g.members[0].cert_key = None;
    let e = g.to_pb().unwrap_err().to_string();
    assert!(e.contains("needs an SM2 cert_key"), "{e}");
    let mut g = golden_sm_genesis();
    g.members[0].cert_key = Some(key(9).public());
    let e = g.to_pb().unwrap_err().to_string();
    assert!(e.contains("certifies blocks with SM2"), "{e}");
    let mut g = golden_sm_genesis();
    g.members[0].node_key = Some(sm_key(9).public());
    let e = g.to_pb().unwrap_err().to_string();
    assert!(e.contains("a node key is ed25519"), "{e}");
    let mut g = golden_sm_genesis();
    g.members[1].cert_key = Some(sm_key(9).public());
    let e = g.to_pb().unwrap_err().to_string();
    assert!(e.contains("cert_key needs a node_key"), "{e}");
    // An unknown hash function is refused by name, and a genesis from a newer version
    // (an unknown enum value) does not load as BLAKE3.
    let text = golden_genesis().to_toml().unwrap().replace(
        "genesis_time_ms = 1767225600000",
        "genesis_time_ms = 1767225600000\nhash = \"sha256\"",
    );
    let e = GenesisFile::parse(&text).unwrap_err().to_string();
    assert!(e.contains("\"blake3\" or \"sm3\""), "{e}");
    let mut newer = golden_genesis().to_pb().unwrap();
    newer.hash = 7;
    assert!(shuquan_proto::genesis::hash_function(&newer).is_err());
    // The file form round-trips through TOML with the choice.
    let sm = golden_sm_genesis();
    let back = GenesisFile::parse(&sm.to_toml().unwrap()).unwrap();
    assert_eq!(back, sm);
    assert!(sm.to_toml().unwrap().contains("hash = \"sm3\""));
}

#[test]
fn a_blake3_chain_keeps_its_format_so_sm2_keys_and_cert_keys_fail_as_they_always_did() {
    use shuquan_proto::codes::reason as r;
    let blake = golden_chain();
    let sm = ChainRef::of(&golden_sm_genesis().to_pb().unwrap());
    let signed = |chain: &ChainRef, body: pb::TxBody, keys: &[&Keypair]| {
        let mut tx = Unsigned::new(body, chain);
        for k in keys {
            tx.sign(k).unwrap();
        }
        tx.encode()
    };
    let refused = |raw: &[u8]| decode_tx(raw, &blake, 65_536).unwrap_err();
    // An SM2 signer or cosigner, or an SM2 key in a payload: the same refusal (code, detail,
    // arguments) a 33-byte key always met on a BLAKE3 chain, hence the same receipt.
    let by_sm2 = pb::TxBody {
        signer: sm_key(1).public().to_vec(),
        ..golden_body()
    };
    assert_eq!(
        refused(&signed(&blake, by_sm2.clone(), &[&sm_key(1)])),
        r::bad_key("signer")
    );
    let cosigned = pb::TxBody {
        cosigners: vec![sm_key(2).public().to_vec()],
        ..golden_body()
    };
    assert_eq!(
        refused(&signed(&blake, cosigned, &[&key(1), &sm_key(2)])),
        r::bad_key("cosigners[0]")
    );
    let rotate = pb::TxBody {
        payload: Some(Payload::RotateKey(pb::RotateKey {
            new_key: sm_key(3).public().to_vec(),
        })),
        ..golden_body()
    };
    assert_eq!(
        refused(&signed(&blake, rotate.clone(), &[&key(1)])),
        r::bad_key("new_key")
    );
    // A node certificate key is a field a BLAKE3 chain never had: the canonical gate's refusal.
    let add = pb::TxBody {
        payload: Some(Payload::Propose(pb::Propose {
            action: Some(pb::propose::Action::AddNode(pb::AddNode {
                node_key: key(5).public().to_vec(),
                cert_key: sm_key(5).public().to_vec(),
                addr: "/ip4/127.0.0.1/tcp/7105".into(),
                operator: Hashing::BLAKE3.member_id(CHAIN, "org1").to_vec(),
            })),
        })),
        ..golden_body()
    };
    assert_eq!(
        refused(&signed(&blake, add.clone(), &[&key(1)])),
        r::non_canonical("TxBody")
    );
    // On an SM3 chain all of them decode.
    for (body, keys) in [
        (
            pb::TxBody {
                signer: sm_key(1).public().to_vec(),
                ..golden_body()
            },
            vec![sm_key(1), key(2)],
        ),
        (rotate, vec![key(1), key(2)]),
        (add, vec![key(1), key(2)]),
    ] {
        let refs: Vec<&Keypair> = keys.iter().collect();
        decode_tx(&signed(&sm, body, &refs), &sm, 65_536).unwrap();
    }
    // And a BLAKE3 genesis takes no SM2 account key and no certificate key.
    let mut g = golden_genesis();
    g.members[0].account_keys = vec![sm_key(1).public()];
    let e = g.to_pb().unwrap_err().to_string();
    assert!(e.contains("SM2 keys are for sm3 chains"), "{e}");
    let mut g = golden_genesis();
    g.members[0].cert_key = Some(sm_key(4).public());
    let e = g.to_pb().unwrap_err().to_string();
    assert!(e.contains("cert_key is for sm3 chains"), "{e}");
}
