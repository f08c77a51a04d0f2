//! The JSON shapes of the node's API, shared by the node (which serves them) and the CLI
//! (which reads them). Hashes and keys are lowercase hex; enum values are kebab-case words.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::codes::FailureCode;
use crate::hash::Hash32;
use crate::pb::{self, tx_body::Payload};

/// `GRADE_IMPORTANT` → `important`: the kebab-case word of a protobuf enum name.
pub fn enum_word(proto_name: &str, prefix: &str) -> String {
    proto_name
        .strip_prefix(prefix)
        .unwrap_or(proto_name)
        .to_ascii_lowercase()
        .replace('_', "-")
}

macro_rules! word_fn {
    ($fn:ident, $ty:ty, $prefix:literal) => {
        /// The kebab-case word of this enum value (`unknown-N` for values this build lacks).
        pub fn $fn(v: i32) -> String {
            <$ty>::try_from(v)
                .map(|e| enum_word(e.as_str_name(), $prefix))
                .unwrap_or_else(|_| format!("unknown-{v}"))
        }
    };
}

word_fn!(grade_word, pb::Grade, "GRADE_");
word_fn!(origin_word, pb::Origin, "ORIGIN_");
word_fn!(delivery_word, pb::DeliveryMode, "DELIVERY_MODE_");
word_fn!(right_word, pb::Right, "RIGHT_");
word_fn!(action_word, pb::Action, "ACTION_");
word_fn!(path_word, pb::ExportPath, "EXPORT_PATH_");
word_fn!(decision_word, pb::Decision, "DECISION_");
word_fn!(attest_kind_word, pb::AttestKind, "ATTEST_KIND_");
word_fn!(attest_result_word, pb::AttestResult, "ATTEST_RESULT_");
word_fn!(role_word, pb::Role, "ROLE_");
word_fn!(member_status_word, pb::MemberStatus, "MEMBER_STATUS_");
word_fn!(grant_status_word, pb::GrantStatus, "GRANT_STATUS_");
word_fn!(filing_status_word, pb::FilingStatus, "FILING_STATUS_");

/// Hex of a byte field, or `None` when it is empty.
pub fn opt_hex(b: &[u8]) -> Option<String> {
    (!b.is_empty()).then(|| hex::encode(b))
}

/// An error answer: a stable code, a message that says what to do, and for rejected
/// transactions the failure code and the rule.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ErrorView {
    /// Stable machine-readable code (`not_found`, `bad_request`, or a failure code name).
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The rule broken (`G2`, `IssueGrant`, ...), for rejected transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The numeric failure code, for rejected transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<u32>,
}

/// The outcome of a transaction in its block.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReceiptView {
    /// Transaction id.
    pub tx_id: Hash32,
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// `committed` or `failed`.
    pub result: String,
    /// Failure code number (0 when committed).
    pub code: u32,
    /// Failure code name (empty when committed).
    #[serde(default)]
    pub code_name: String,
    /// Rule broken (empty when committed).
    #[serde(default)]
    pub rule: String,
    /// Failure message (empty when committed).
    #[serde(default)]
    pub message: String,
    /// Id of what the transaction created (asset, grant, filing, attestation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

impl ReceiptView {
    /// The view of a receipt at `height`, `index`.
    pub fn new(r: &pb::Receipt, height: u64, index: u32) -> Self {
        let code = FailureCode::from_number(r.code);
        ReceiptView {
            tx_id: Hash32::from_slice(&r.tx_id).unwrap_or_default(),
            height,
            index,
            result: if r.code == 0 { "committed" } else { "failed" }.into(),
            code: r.code,
            code_name: code.map(|c| c.name().to_string()).unwrap_or_default(),
            rule: code.map(|c| c.rule().to_string()).unwrap_or_default(),
            message: crate::codes::Rejection::of_receipt(r)
                .map(|x| x.message())
                .unwrap_or_default(),
            created: opt_hex(&r.created),
        }
    }

    /// Whether the transaction was applied.
    pub fn committed(&self) -> bool {
        self.code == 0
    }
}

/// Answer to `POST /v1/tx`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SubmitView {
    /// Transaction id.
    pub tx_id: Hash32,
    /// `pending` (accepted into the mempool), `committed` or `failed`.
    pub status: String,
    /// The receipt once the transaction is in a block (with `?wait=commit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptView>,
}

/// Answer to `GET /v1/status`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatusView {
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis.
    pub genesis_hash: Hash32,
    /// This node's key.
    pub node_key: String,
    /// This node's Raft id (its place among the genesis members that run nodes, from 1).
    pub node_id: u64,
    /// `leader`, `follower`, `learner` or `candidate`.
    pub role: String,
    /// Current Raft term.
    pub term: u64,
    /// Height of the last applied block (0 = none yet).
    pub height: u64,
    /// Hash of the last applied block.
    pub last_block_hash: Hash32,
    /// Time of the last applied block.
    pub last_block_time_ms: u64,
    /// The leader's node id, if known.
    pub leader_id: Option<u64>,
    /// Node keys of the member nodes connected now.
    pub peers: Vec<String>,
    /// Transactions waiting in the mempool.
    pub mempool: usize,
    /// Height up to which every block has a certificate on this node.
    #[serde(default)]
    pub certified_height: u64,
    /// This node's clock, by the member nodes' median (ms since the Unix epoch).
    #[serde(default)]
    pub clock_ms: u64,
    /// How far the member nodes' median clock is from this host's (ms; positive: the host
    /// is slow). More than a second means the host's time sync needs fixing.
    #[serde(default)]
    pub clock_offset_ms: i64,
    /// Software version.
    pub version: String,
}

/// A block's certificate as a node serves it: the member node signatures it holds, and
/// whether they certify the block (checked with [`crate::cert::verify_certificate`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CertificateView {
    /// Block height.
    pub height: u64,
    /// The block's hash.
    pub block_hash: Hash32,
    /// Member nodes in the genesis.
    pub nodes: usize,
    /// Signatures needed (a majority of `nodes`).
    pub required: usize,
    /// Node keys (hex) that signed.
    pub signers: Vec<String>,
    /// Whether the signatures certify the block.
    pub certified: bool,
    /// Why they do not, when they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `Certificate` protobuf, hex: what an offline verifier checks.
    pub certificate: String,
}

impl CertificateView {
    /// The view of `cert` (of the block with hash `hash`) under `genesis`.
    pub fn new(genesis: &pb::Genesis, hash: Hash32, cert: &pb::Certificate) -> Self {
        let nodes = crate::cert::node_keys(genesis).len();
        let check = crate::cert::verify_certificate(genesis, cert.height, &hash, cert);
        CertificateView {
            height: cert.height,
            block_hash: hash,
            nodes,
            required: crate::cert::majority(nodes),
            signers: cert
                .signatures
                .iter()
                .map(|s| hex::encode(&s.node_key))
                .collect(),
            certified: check.is_ok(),
            reason: check.err().map(|e| e.to_string()),
            certificate: hex::encode(prost::Message::encode_to_vec(cert)),
        }
    }
}

/// A block header with its transactions' receipts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BlockView {
    /// Height.
    pub height: u64,
    /// Block hash.
    pub hash: Hash32,
    /// Previous block's hash.
    pub prev_hash: Hash32,
    /// Block time.
    pub timestamp_ms: u64,
    /// Proposer's node key.
    pub proposer: String,
    /// Merkle root of transaction ids.
    pub tx_root: Hash32,
    /// Merkle root of receipts.
    pub results_root: Hash32,
    /// The receipts, in order.
    pub txs: Vec<ReceiptView>,
}

/// A transaction with its payload and receipt.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TxView {
    /// Transaction id.
    pub tx_id: Hash32,
    /// Payload kind (`register_asset`, ...).
    pub kind: String,
    /// Signer.
    pub signer: String,
    /// Cosigners.
    pub cosigners: Vec<String>,
    /// Signer's timestamp.
    pub timestamp_ms: u64,
    /// The payload's fields.
    pub payload: Value,
    /// Outcome.
    pub receipt: ReceiptView,
    /// The `TxRaw` bytes, hex: re-verifiable by anyone.
    pub raw: String,
}

/// Who holds each of an asset's rights.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HoldersView {
    /// 数据资源持有权.
    pub hold: String,
    /// 数据加工使用权.
    #[serde(rename = "use")]
    pub use_: String,
    /// 数据产品经营权.
    pub operate: String,
}

/// A lineage edge.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EdgeView {
    /// The other asset.
    pub asset: Hash32,
    /// `use-right`, or the id of the grant with `derive` that allowed it.
    pub via: String,
}

/// An asset's current record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AssetView {
    /// Asset id.
    pub id: Hash32,
    /// BLAKE3 of the data.
    pub fingerprint: String,
    /// Size of the data.
    pub size_bytes: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Sector.
    pub sector: String,
    /// `general` or `important`.
    pub grade: String,
    /// `public`, `enterprise` or `personal`.
    pub origin: String,
    /// Contains personal information.
    pub contains_pi: bool,
    /// Contains sensitive personal information.
    pub contains_sensitive_pi: bool,
    /// Where the data resides.
    pub jurisdiction: String,
    /// How it may be delivered.
    pub delivery_modes: Vec<String>,
    /// Hash of consent or collection evidence.
    pub evidence_hash: Option<String>,
    /// Who registered it.
    pub registrant: String,
    /// Registration block.
    pub registered_height: u64,
    /// Registration time.
    pub registered_at_ms: u64,
    /// Current right holders.
    pub holders: HoldersView,
    /// Parents it was derived from.
    pub parents: Vec<EdgeView>,
    /// Frozen by a regulator.
    pub frozen: bool,
    /// Head of the history hash chain.
    pub history_head: Hash32,
    /// Transactions that touched it.
    pub event_count: u64,
    /// The registering transaction.
    pub tx_id: Hash32,
}

/// One transaction in an asset's history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HistoryEntryView {
    /// Position in the history (0 = registration).
    pub seq: u64,
    /// Payload kind.
    pub kind: String,
    /// Signer.
    pub signer: String,
    /// Block time.
    pub timestamp_ms: u64,
    /// Outcome and position.
    pub receipt: ReceiptView,
}

/// Who held an asset's rights at a height.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RightsView {
    /// Asset id.
    pub asset: Hash32,
    /// The height asked about.
    pub height: u64,
    /// Holders at that height.
    pub holders: HoldersView,
}

/// A grant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GrantView {
    /// Grant id.
    pub id: Hash32,
    /// Asset.
    pub asset: String,
    /// Who granted.
    pub grantor: String,
    /// Who may use.
    pub grantee: String,
    /// Allowed actions.
    pub actions: Vec<String>,
    /// Allowed purposes.
    pub purposes: Vec<String>,
    /// Valid from.
    pub not_before_ms: u64,
    /// Valid until.
    pub not_after_ms: u64,
    /// Where the grantee may use it.
    pub jurisdictions: Vec<String>,
    /// Most uses (0 = unlimited).
    pub max_uses: u64,
    /// Uses recorded.
    pub uses: u64,
    /// Allowed recipient systems (empty = any).
    pub recipient_systems: Vec<String>,
    /// Status at `status_at_ms` (`active`, `pending-export`, `revoked`, `exhausted`,
    /// `expired`).
    pub status: String,
    /// The time the status is of: the one asked, or else the last block's time (on an idle
    /// chain that may lie well before the wall clock).
    pub status_at_ms: u64,
    /// The height whose state the grant is read from (the last block at or before the time
    /// asked).
    pub as_of_height: u64,
    /// Filings covering its foreign jurisdictions: `CC=filing id`.
    pub covers: Vec<String>,
    /// Frozen by a regulator.
    pub frozen: bool,
    /// Issuing block.
    pub issued_height: u64,
    /// Issuing transaction.
    pub tx_id: Hash32,
}

/// A cross-border filing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FilingView {
    /// Filing id.
    pub id: Hash32,
    /// Exporter's key.
    pub exporter: String,
    /// Exporter's member id.
    pub exporter_member: String,
    /// Grants covered (a grant filing).
    pub grants: Vec<String>,
    /// The transfer abroad it covers (a transfer filing): asset, right and receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferExportView>,
    /// Destination jurisdiction.
    pub destination: String,
    /// Chosen path.
    pub path: String,
    /// Reason, for an exempt path.
    pub exempt_reason: String,
    /// Declared PI subjects.
    pub pi_subjects: u64,
    /// Declared sensitive-PI subjects.
    pub spi_subjects: u64,
    /// Declared important data.
    pub important: bool,
    /// Hash of the filing's evidence.
    pub evidence_hash: String,
    /// `filed`, `approved`, `acknowledged`, `rejected`, `revoked`, `expired`, or `used`
    /// (a transfer approval its transfer spent).
    pub status: String,
    /// The time the status is of (the last block's time).
    pub status_at_ms: u64,
    /// Approval valid until.
    pub valid_until_ms: u64,
    /// Filing block.
    pub filed_height: u64,
    /// Regulator who decided.
    pub decided_by: Option<String>,
    /// Frozen by a regulator.
    pub frozen: bool,
    /// Filing transaction.
    pub tx_id: Hash32,
}

/// The transfer a filing covers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TransferExportView {
    /// Asset.
    pub asset: String,
    /// `hold`, `use` or `operate`.
    pub right: String,
    /// The receiver's key.
    pub receiver: String,
}

impl TransferExportView {
    /// The view of a filing's transfer.
    pub fn new(t: &pb::TransferExport) -> Self {
        TransferExportView {
            asset: hex::encode(&t.asset),
            right: right_word(t.right),
            receiver: hex::encode(&t.receiver),
        }
    }
}

/// An asset's parents and children.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LineageView {
    /// Asset id.
    pub asset: Hash32,
    /// What it was derived from.
    pub parents: Vec<EdgeView>,
    /// What was derived from it.
    pub children: Vec<EdgeView>,
}

/// A member.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MemberView {
    /// Member id.
    pub id: String,
    /// Institution.
    pub name: String,
    /// Organisation code.
    pub org_code: String,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Roles.
    pub roles: Vec<String>,
    /// Account keys.
    pub account_keys: Vec<String>,
    /// Node key.
    pub node_key: Option<String>,
    /// Critical information infrastructure operator.
    pub is_ciio: bool,
    /// `active` or `suspended`.
    pub status: String,
}

impl MemberView {
    /// The view of a member record.
    pub fn new(m: &pb::Member) -> Self {
        MemberView {
            id: m.id.clone(),
            name: m.name.clone(),
            org_code: m.org_code.clone(),
            jurisdiction: m.jurisdiction.clone(),
            roles: m.roles.iter().map(|r| role_word(*r)).collect(),
            account_keys: m.account_keys.iter().map(hex::encode).collect(),
            node_key: opt_hex(&m.node_key),
            is_ciio: m.is_ciio,
            status: member_status_word(m.status),
        }
    }
}

/// An attestation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AttestationView {
    /// Attestation id.
    pub id: Hash32,
    /// Auditor's key.
    pub issuer: String,
    /// Subject.
    pub subject: String,
    /// Kind.
    pub kind: String,
    /// `pass`, `fail` or `info`.
    pub result: String,
    /// Hash of the report.
    pub report_hash: String,
    /// Valid until (0 = open).
    pub valid_until_ms: u64,
    /// `valid`, `expired` (past `valid_until_ms`) or `superseded`, at `status_at_ms`.
    pub status: String,
    /// The time the status is of (the last block's time).
    pub status_at_ms: u64,
    /// The attestation that replaced it.
    pub superseded_by: Option<String>,
    /// Block.
    pub height: u64,
}

fn words(v: &[i32], f: fn(i32) -> String) -> Vec<String> {
    v.iter().map(|x| f(*x)).collect()
}

fn hexes(v: &[Vec<u8>]) -> Vec<String> {
    v.iter().map(hex::encode).collect()
}

/// The fields of a payload as JSON, hashes and keys in hex, enums as words.
pub fn payload_json(p: &Payload) -> Value {
    match p {
        Payload::RegisterAsset(r) => json!({
            "fingerprint": hex::encode(&r.fingerprint), "size_bytes": r.size_bytes,
            "name": r.name, "description": r.description, "sector": r.sector,
            "grade": grade_word(r.grade), "origin": origin_word(r.origin),
            "contains_pi": r.pi.as_ref().is_some_and(|p| p.contains_pi),
            "contains_sensitive_pi": r.pi.as_ref().is_some_and(|p| p.contains_sensitive_pi),
            "pi_subjects": r.pi.as_ref().map_or(0, |p| p.subjects),
            "evidence_hash": opt_hex(&r.evidence_hash), "jurisdiction": r.jurisdiction,
            "delivery_modes": words(&r.delivery_modes, delivery_word),
            "derived_from": hexes(&r.derived_from),
            "derive_purpose": (!r.derive_purpose.is_empty()).then_some(&r.derive_purpose),
        }),
        Payload::TransferRight(t) => json!({
            "asset": hex::encode(&t.asset), "right": right_word(t.right), "to": hex::encode(&t.to),
            "price": t.price.as_ref().map(|p| format!("{}.{:02}{}", p.amount_minor / 100, p.amount_minor % 100, p.currency)),
            "consideration_hash": opt_hex(&t.consideration_hash),
        }),
        Payload::IssueGrant(g) => json!({
            "asset": hex::encode(&g.asset), "grantee": hex::encode(&g.grantee),
            "actions": words(&g.actions, action_word), "purposes": g.purposes,
            "not_before_ms": g.not_before_ms, "not_after_ms": g.not_after_ms,
            "jurisdictions": g.jurisdictions, "max_uses": g.max_uses,
            "recipient_systems": g.recipient_systems, "policy_doc_hash": opt_hex(&g.policy_doc_hash),
        }),
        Payload::RevokeGrant(r) => json!({
            "grant": hex::encode(&r.grant), "reason_hash": opt_hex(&r.reason_hash),
        }),
        Payload::RecordUsage(u) => json!({
            "grant": hex::encode(&u.grant), "action": action_word(u.action), "purpose": u.purpose,
            "jurisdiction": u.jurisdiction, "recipient_system": u.recipient_system,
            "output_fingerprint": opt_hex(&u.output_fingerprint),
        }),
        Payload::FileCrossBorder(f) => json!({
            "grants": hexes(&f.grants), "destination": f.destination, "path": path_word(f.path),
            "exempt_reason": f.exempt_reason,
            "pi_subjects": f.declared.as_ref().map_or(0, |d| d.pi_subjects),
            "spi_subjects": f.declared.as_ref().map_or(0, |d| d.spi_subjects),
            "important": f.declared.as_ref().is_some_and(|d| d.important),
            "evidence_hash": hex::encode(&f.evidence_hash),
            "transfer": f.transfer.as_ref().map(TransferExportView::new),
        }),
        Payload::DecideCrossBorder(d) => json!({
            "filing": hex::encode(&d.filing), "decision": decision_word(d.decision),
            "valid_until_ms": d.valid_until_ms,
        }),
        Payload::Attest(a) => json!({
            "subject": hex::encode(&a.subject), "kind": attest_kind_word(a.kind),
            "result": attest_result_word(a.result), "report_hash": hex::encode(&a.report_hash),
            "valid_until_ms": a.valid_until_ms,
        }),
        Payload::Freeze(f) => json!({
            "subject": hex::encode(&f.subject), "reason_hash": hex::encode(&f.reason_hash),
        }),
        Payload::Unfreeze(u) => json!({ "subject": hex::encode(&u.subject) }),
    }
}

/// Query 8: a transaction's Merkle inclusion proof into its block's transaction root.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InclusionProofView {
    /// Transaction id (the leaf).
    pub tx_id: Hash32,
    /// Block height.
    pub height: u64,
    /// Leaf index.
    pub index: u32,
    /// Leaves in the block.
    pub tx_count: u32,
    /// Sibling hashes, bottom up.
    pub path: Vec<Hash32>,
    /// The block's transaction root.
    pub tx_root: Hash32,
    /// The block hash.
    pub block_hash: Hash32,
    /// The encoded header (hex), so the root can be checked against the block hash.
    pub header: String,
}

impl InclusionProofView {
    /// Checks the proof: the header hashes to `block_hash`, commits to `tx_root`, and the
    /// path leads from the transaction id to that root.
    pub fn verify(&self) -> Result<(), String> {
        use prost::Message;
        let bytes = hex::decode(&self.header).map_err(|e| format!("header is not hex: {e}"))?;
        let header =
            crate::pb::BlockHeader::decode(bytes.as_slice()).map_err(|e| format!("header: {e}"))?;
        if crate::block::block_hash(&header) != self.block_hash {
            return Err("the header does not hash to the block hash".into());
        }
        if header.tx_root != self.tx_root.as_bytes()
            || header.height != self.height
            || header.tx_count != self.tx_count
        {
            return Err("the header does not commit to this root, height or count".into());
        }
        let leaf = crate::merkle::leaf_hash(self.tx_id.as_bytes());
        if !crate::merkle::verify(
            &leaf,
            u64::from(self.index),
            u64::from(self.tx_count),
            &self.path,
            &self.tx_root,
        ) {
            return Err(format!(
                "transaction {} is not leaf {} of block {}",
                self.tx_id, self.index, self.height
            ));
        }
        Ok(())
    }
}
