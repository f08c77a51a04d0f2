//! A ledger with known members and helpers to sign, apply and inspect transactions.

use shuquan_ledger::{AppliedBlock, Ledger};
use shuquan_proto::codes::FailureCode;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::hash::Hashing;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::ChainRef;
use shuquan_proto::{Hash32, Keypair};

pub const CHAIN: &str = "test-chain";
pub const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
pub const DAY: u64 = 86_400_000;

pub fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

/// The SM2 key of seed `n` (members of [`genesis_sm_with_nodes`] that sign with SM2).
pub fn sm_key(n: u8) -> Keypair {
    Keypair::from_secret(shuquan_proto::keys::Scheme::Sm2, [n; 32]).unwrap()
}

thread_local! {
    /// The hash function of the chain this test thread built last ([`mid`] names members
    /// with it).
    static HASHING: std::cell::Cell<Hashing> = const { std::cell::Cell::new(Hashing::BLAKE3) };
}

/// The members of the harness genesis by the seed of their first key (`outsider` is none).
const NAMES: [(u8, &str); 7] = [
    (1, "org1"),
    (2, "org2"),
    (3, "org3"),
    (4, "regulator"),
    (5, "auditor"),
    (6, "outsider"),
    (7, "registry"),
];

/// The member id of a member's short id: what rights, grants and filings name.
pub fn mid(name: &str) -> Vec<u8> {
    HASHING.with(|h| h.get()).member_id(CHAIN, name).to_vec()
}

/// The member id of the member whose genesis key is `k`.
pub fn party(k: &Keypair) -> Vec<u8> {
    let (_, name) = NAMES
        .iter()
        .find(|(n, _)| key(*n).public() == k.public() || sm_key(*n).public() == k.public())
        .expect("a key of the harness genesis");
    mid(name)
}

/// [`party`] in hex, as views show it.
pub fn party_hex(k: &Keypair) -> String {
    hex::encode(party(k))
}

/// org1 (CN member), org2 (VN member), org3 (CN member, CIIO), regulator (CN), auditor
/// (CN), outsider (no member).
pub struct Chain {
    pub _dir: tempfile::TempDir,
    pub ledger: Ledger,
    pub chain: ChainRef,
    pub org1: Keypair,
    pub org2: Keypair,
    pub org3: Keypair,
    pub regulator: Keypair,
    pub auditor: Keypair,
    pub outsider: Keypair,
    /// A registrar on [`genesis_with_review`] chains (no member elsewhere).
    pub registry: Keypair,
    pub now: u64,
    seq: u64,
}

fn member(id: &str, j: &str, role: &str, k: &Keypair, ciio: bool) -> MemberFile {
    MemberFile {
        id: id.into(),
        name: format!("{id} institution"),
        org_code: String::new(),
        jurisdiction: j.into(),
        roles: vec![role.into()],
        account_keys: vec![k.public()],
        node_key: None,
        cert_key: None,
        node_addr: String::new(),
        is_ciio: ciio,
        learner: false,
    }
}

pub fn genesis() -> pb::Genesis {
    genesis_file().to_pb().unwrap()
}

/// Keys of the three member nodes of [`genesis_with_nodes`].
pub fn node_key(i: u8) -> Keypair {
    key(20 + i)
}

/// The harness genesis where org1, org2 and org3 each run a member node
/// (`node_key(1..=3)`), so blocks can be certified.
pub fn genesis_with_nodes() -> pb::Genesis {
    let mut g = genesis_file();
    with_nodes(&mut g);
    g.to_pb().unwrap()
}

fn with_nodes(g: &mut GenesisFile) {
    for (i, m) in g.members.iter_mut().take(3).enumerate() {
        m.node_key = Some(node_key(i as u8 + 1).public());
        m.node_addr = format!("127.0.0.1:{}", 9000 + i);
    }
}

/// [`genesis_with_nodes`] on the national algorithms: SM3 hashes; org1 and the regulator
/// sign with SM2 (`sm_key`), the others with ed25519; every node certifies with an SM2 key
/// (`cert_key(i)`).
pub fn genesis_sm_with_nodes() -> pb::Genesis {
    let mut g = genesis_file();
    g.hash = shuquan_proto::hash::HashFunction::Sm3;
    with_nodes(&mut g);
    for m in &mut g.members {
        if m.id == "org1" || m.id == "regulator" {
            let n = NAMES
                .iter()
                .find(|(_, id)| *id == m.id)
                .map_or(0, |(n, _)| *n);
            m.account_keys = vec![sm_key(n).public()];
        }
    }
    for (i, m) in g.members.iter_mut().take(3).enumerate() {
        m.cert_key = Some(cert_key(i as u8 + 1).public());
    }
    g.to_pb().unwrap()
}

/// The SM2 certificate key of node `i` of [`genesis_sm_with_nodes`].
pub fn cert_key(i: u8) -> Keypair {
    sm_key(40 + i)
}

/// The harness genesis on a chain that reviews registrations: `registry` (key 7, CN) is
/// a registrar, the notice lasts [`NOTICE`], certificates [`VALIDITY`].
pub fn genesis_with_review() -> pb::Genesis {
    let mut g = genesis_file();
    g.params.registration_review = true;
    g.params.notice_period_ms = NOTICE;
    g.params.certificate_validity_ms = VALIDITY;
    g.params.registration_prefix = "GX".into();
    g.members
        .push(member("registry", "CN", "registrar", &key(7), false));
    with_nodes(&mut g);
    g.to_pb().unwrap()
}

/// The notice period of [`genesis_with_review`] (whose members org1..org3 run nodes, as in
/// [`genesis_with_nodes`]).
pub const NOTICE: u64 = 10_000;
/// The certificate validity of [`genesis_with_review`].
pub const VALIDITY: u64 = 30 * DAY;

fn genesis_file() -> GenesisFile {
    GenesisFile {
        council: Default::default(),
        chain_id: CHAIN.into(),
        genesis_time_ms: T0,
        hash: Default::default(),
        // Most rules are tested on registrations certified at once; `genesis_with_review`
        // runs the review, notice and objections.
        params: ParamsFile {
            registration_review: false,
            ..ParamsFile::default()
        },
        members: vec![
            member("org1", "CN", "member", &key(1), false),
            member("org2", "VN", "member", &key(2), false),
            member("org3", "CN", "member", &key(3), true),
            member("regulator", "CN", "regulator", &key(4), false),
            member("auditor", "CN", "auditor", &key(5), false),
        ],
    }
}

/// Waits (up to 10 s) until no sled database holds the one in `dir` open: sled's flusher
/// thread releases the file lock a moment after the database is dropped, so a test that
/// reopens a directory at once could find it still locked. sled holds an exclusive flock on
/// DIR/db; this probes it the same way (a probe through sled would itself hold the lock a
/// moment after it is dropped).
pub fn sled_released(dir: &std::path::Path) {
    use fs2::FileExt;
    let free = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join("db"))
            .is_ok_and(|f| f.try_lock_exclusive().is_ok() && FileExt::unlock(&f).is_ok())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !free() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub type Out = Result<Option<Hash32>, (FailureCode, String)>;

impl Chain {
    pub fn new() -> Self {
        Self::with_genesis(genesis())
    }

    pub fn with_genesis(genesis: pb::Genesis) -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Each member signs with the key of its seed the genesis names: ed25519 or SM2.
        let signer = |n: u8| {
            let sm = sm_key(n);
            let named = genesis
                .members
                .iter()
                .any(|m| m.account_keys.contains(&sm.public().to_vec()));
            if named {
                sm
            } else {
                key(n)
            }
        };
        HASHING.with(|h| h.set(shuquan_proto::genesis::hashing(&genesis)));
        let ledger = Ledger::open(dir.path(), genesis.clone()).unwrap();
        Chain {
            _dir: dir,
            chain: ledger.chain().clone(),
            ledger,
            org1: signer(1),
            org2: signer(2),
            org3: signer(3),
            regulator: signer(4),
            auditor: signer(5),
            outsider: key(6),
            registry: signer(7),
            now: T0 + DAY,
            seq: 0,
        }
    }

    /// A signed transaction at the chain's clock.
    pub fn tx(&mut self, signer: &Keypair, cosigners: &[&Keypair], payload: Payload) -> Vec<u8> {
        self.seq += 1;
        // Distinct timestamps (within the block's second) give repeated payloads distinct ids.
        shuquan_proto::tx::sign_all(
            &self.chain,
            self.now + self.seq % 1000,
            signer,
            cosigners,
            payload,
        )
        .expect("signing")
    }

    /// Applies a block of raw transactions one second after the last.
    pub fn block(&mut self, txs: Vec<Vec<u8>>) -> AppliedBlock {
        let p = pb::Proposal {
            timestamp_ms: self.now,
            proposer: key(9).public().to_vec(),
            txs,
        };
        let b = self.ledger.apply(&p, b"mark").unwrap();
        self.now += 1000;
        b
    }

    pub fn outcome(r: &pb::Receipt) -> Out {
        if r.code == 0 {
            Ok((!r.created.is_empty()).then(|| Hash32::from_slice(&r.created).unwrap()))
        } else {
            let rejection = shuquan_proto::codes::Rejection::of_receipt(r).unwrap();
            Err((rejection.code, rejection.message()))
        }
    }

    /// Signs and applies one transaction in its own block.
    pub fn run(&mut self, signer: &Keypair, cosigners: &[&Keypair], payload: Payload) -> Out {
        let raw = self.tx(signer, cosigners, payload);
        let b = self.block(vec![raw]);
        Self::outcome(&b.receipts[0])
    }

    pub fn register_with(
        &mut self,
        signer: &Keypair,
        seed: u8,
        f: impl FnOnce(&mut pb::RegisterAsset),
    ) -> Out {
        let mut r = register_payload(seed);
        f(&mut r);
        let s = signer.clone();
        self.run(&s, &[], Payload::RegisterAsset(r))
    }

    /// Registers a general CN asset by `signer` and returns its id.
    pub fn asset(&mut self, signer: &Keypair, seed: u8) -> Hash32 {
        self.register_with(signer, seed, |_| {}).unwrap().unwrap()
    }

    pub fn grant_with(
        &mut self,
        asset: Hash32,
        grantor: &Keypair,
        grantee: &Keypair,
        f: impl FnOnce(&mut pb::IssueGrant),
    ) -> Out {
        let mut g = pb::IssueGrant {
            asset: asset.to_vec(),
            grantee: party(grantee),
            actions: vec![pb::Action::Compute as i32],
            purposes: vec!["academic-research".into()],
            not_before_ms: 0,
            not_after_ms: self.now + 365 * DAY,
            jurisdictions: vec!["CN".into()],
            max_uses: 0,
            recipient_systems: vec![],
            policy_doc_hash: vec![],
        };
        f(&mut g);
        let (a, b) = (grantor.clone(), grantee.clone());
        self.run(&a, &[&b], Payload::IssueGrant(g))
    }

    pub fn usage(
        &mut self,
        grantee: &Keypair,
        grant: Hash32,
        f: impl FnOnce(&mut pb::RecordUsage),
    ) -> Out {
        let mut u = pb::RecordUsage {
            grant: grant.to_vec(),
            action: pb::Action::Compute as i32,
            purpose: "academic-research".into(),
            jurisdiction: "CN".into(),
            recipient_system: String::new(),
            output_fingerprint: vec![],
        };
        f(&mut u);
        let g = grantee.clone();
        self.run(&g, &[], Payload::RecordUsage(u))
    }

    pub fn file(
        &mut self,
        exporter: &Keypair,
        grants: &[Hash32],
        f: impl FnOnce(&mut pb::FileCrossBorder),
    ) -> Out {
        let mut req = pb::FileCrossBorder {
            grants: grants.iter().map(|g| g.to_vec()).collect(),
            destination: "VN".into(),
            path: pb::ExportPath::Exempt as i32,
            exempt_reason: "non-personal statistics".into(),
            declared: Some(pb::Declared {
                pi_subjects: 0,
                spi_subjects: 0,
                important: false,
            }),
            evidence_hash: vec![7; 32],
            transfer: None,
        };
        f(&mut req);
        let e = exporter.clone();
        self.run(&e, &[], Payload::FileCrossBorder(req))
    }

    /// Files the transfer of `right` of `asset` to `receiver` (a member in VN) abroad: a
    /// security assessment declaring important data unless `f` says otherwise.
    pub fn file_transfer(
        &mut self,
        exporter: &Keypair,
        asset: Hash32,
        right: pb::Right,
        receiver: &Keypair,
        f: impl FnOnce(&mut pb::FileCrossBorder),
    ) -> Out {
        let transfer = pb::TransferExport {
            asset: asset.to_vec(),
            right: right as i32,
            receiver: party(receiver),
        };
        self.file(exporter, &[], |req| {
            req.transfer = Some(transfer);
            req.path = pb::ExportPath::SecurityAssessment as i32;
            req.declared = Some(pb::Declared {
                important: true,
                ..Default::default()
            });
            f(req);
        })
    }

    pub fn decide(&mut self, filing: Hash32, decision: pb::Decision, valid_until_ms: u64) -> Out {
        let r = self.regulator.clone();
        self.run(
            &r,
            &[],
            Payload::DecideCrossBorder(pb::DecideCrossBorder {
                filing: filing.to_vec(),
                decision: decision as i32,
                valid_until_ms,
            }),
        )
    }

    /// The regulator freezes (`on`) or unfreezes an asset, grant or filing.
    pub fn freeze(&mut self, subject: Hash32, on: bool) -> Out {
        let r = self.regulator.clone();
        let payload = if on {
            Payload::Freeze(pb::Freeze {
                subject: subject.to_vec(),
                reason_hash: vec![3; 32],
            })
        } else {
            Payload::Unfreeze(pb::Unfreeze {
                subject: subject.to_vec(),
            })
        };
        self.run(&r, &[], payload)
    }

    /// `signer` revokes (or, as grantee, renounces) a grant.
    pub fn revoke(&mut self, signer: &Keypair, grant: Hash32) -> Out {
        let s = signer.clone();
        self.run(
            &s,
            &[],
            Payload::RevokeGrant(pb::RevokeGrant {
                grant: grant.to_vec(),
                reason_hash: vec![],
            }),
        )
    }

    /// `from` transfers `right` of `asset` to `to`, cosigned by `to` and `consent`.
    pub fn transfer(
        &mut self,
        from: &Keypair,
        asset: Hash32,
        right: pb::Right,
        to: &Keypair,
        consent: &[&Keypair],
    ) -> Out {
        let (f, t) = (from.clone(), to.clone());
        let mut cos: Vec<&Keypair> = vec![&t];
        cos.extend_from_slice(consent);
        let raw = self.tx(
            &f,
            &cos,
            Payload::TransferRight(pb::TransferRight {
                asset: asset.to_vec(),
                right: right as i32,
                to: party(&t),
                price: None,
                consideration_hash: vec![],
            }),
        );
        let b = self.block(vec![raw]);
        Self::outcome(&b.receipts[0])
    }

    /// The auditor attests `subject` (quality, pass), valid until `valid_until_ms` (0: open).
    pub fn attest(&mut self, subject: Hash32, valid_until_ms: u64) -> Out {
        let a = self.auditor.clone();
        self.run(
            &a,
            &[],
            Payload::Attest(pb::Attest {
                subject: subject.to_vec(),
                kind: pb::AttestKind::Quality as i32,
                result: pb::AttestResult::Pass as i32,
                report_hash: vec![2; 32],
                valid_until_ms,
            }),
        )
    }

    /// Signs every applied block with the member nodes `signers` (indexes 1..=3 of
    /// [`genesis_with_nodes`]) and stores the signatures, as the certifier would.
    pub fn certify(&self, signers: &[u8]) {
        let chain = self.ledger.chain_id().to_string();
        let top = self.ledger.applied().unwrap().height;
        let sm = !self.ledger.genesis().members[0].cert_key.is_empty();
        for h in 1..=top {
            let hash = self.ledger.certs().block_hash(h).unwrap().unwrap();
            for &i in signers {
                let k = if sm { cert_key(i) } else { node_key(i) };
                let sig =
                    shuquan_proto::cert::sign_block(&k, self.ledger.hashing(), &chain, h, &hash)
                        .expect("signing");
                self.ledger
                    .certs()
                    .store_signature(h, &k.public(), &sig.signature)
                    .unwrap();
            }
        }
        self.ledger.certs().set_certified_height(top).unwrap();
    }

    /// Closes the ledger and hands over its directory.
    /// Closes the ledger and hands over its directory once sled has let go of it.
    pub fn into_dir(self) -> tempfile::TempDir {
        let dir = self._dir;
        sled_released(dir.path());
        dir
    }

    pub fn grant_status(&self, grant: &Hash32) -> String {
        self.ledger
            .queries()
            .grant(grant, Some(self.now))
            .unwrap()
            .unwrap()
            .status
    }
}

pub fn register_payload(seed: u8) -> pb::RegisterAsset {
    pb::RegisterAsset {
        fingerprint: vec![seed; 32],
        size_bytes: 1000,
        name: format!("data set {seed}"),
        description: String::new(),
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
        derived_from: vec![],
        derive_purpose: String::new(),
        sharing: pb::SharingClass::Conditional as i32,
    }
}

/// Asserts the outcome failed with `code`.
#[track_caller]
pub fn fails(out: Out, code: FailureCode) {
    match out {
        Err((c, msg)) => assert_eq!(c, code, "failed with {c} ({msg}), expected {code}"),
        Ok(v) => panic!("expected {code}, but it applied ({v:?})"),
    }
}

/// Asserts the outcome applied.
#[track_caller]
pub fn applies(out: Out) -> Option<Hash32> {
    match out {
        Ok(v) => v,
        Err((c, msg)) => panic!("expected success, failed with {c}: {msg}"),
    }
}
