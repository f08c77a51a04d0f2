//! Transactions: signing bytes, the canonical gate, decoding with stateless checks, and
//! building and signing for clients.
//!
//! A transaction travels as [`pb::TxRaw`]: the exact `TxBody` bytes that were signed and one
//! signature per signer and cosigner. A signature covers
//! `"SHUQUAN_TX_V2" ‖ genesis_hash ‖ body`: the body names the chain id, and the genesis
//! hash binds the signature to one chain's beginning, so two chains that share an id never
//! accept each other's transactions. Every decoded message must re-encode
//! to the bytes it came from (the canonical gate), which rejects unknown fields, explicit
//! defaults, duplicated fields and over-long varints in one check.

pub mod fields;

use prost::Message;

use crate::codes::reason as r;
use crate::codes::Rejection;
use crate::hash::{domain, Hash32, HashFunction, Hashing};
use crate::keys::{Keypair, PublicKey, Scheme};
use crate::pb::{self, tx_body::Payload};
use crate::Error;

pub use fields::check_payload;

/// Default upper bound on an encoded `TxRaw` (genesis `params.max_tx_bytes` overrides it).
pub const DEFAULT_MAX_TX_BYTES: usize = 64 * 1024;

/// The chain a transaction is for: its id (named in the body), the hash of its genesis
/// (bound by every signature) and its hash function (which names the transaction).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChainRef {
    /// The chain id.
    pub id: String,
    /// `H("genesis", encoded genesis)`.
    pub genesis_hash: Hash32,
    /// The chain's hash function.
    pub hash: Hashing,
}

impl ChainRef {
    /// The chain a genesis begins.
    pub fn of(genesis: &pb::Genesis) -> Self {
        ChainRef {
            id: genesis.chain_id.clone(),
            genesis_hash: crate::genesis::genesis_hash(genesis),
            hash: crate::genesis::hashing(genesis),
        }
    }

    /// Whether this chain's transactions may name keys of `scheme`: ed25519 on every
    /// chain, SM2 on SM3 chains. A BLAKE3 chain keeps exactly the format it had before SM2
    /// existed, so every transaction it ever held keeps its verdict, its id and its
    /// receipt, whichever release re-executes it.
    pub fn accepts(&self, scheme: Scheme) -> bool {
        scheme == Scheme::Ed25519 || self.hash.function() == HashFunction::Sm3
    }

    /// `bytes` as a key this chain takes.
    fn key(&self, bytes: &[u8]) -> Option<PublicKey> {
        PublicKey::from_slice(bytes)
            .ok()
            .filter(|k| self.accepts(k.scheme()))
    }
}

/// Whether `body` names a node certificate key: a field BLAKE3 chains never had.
fn names_cert_key(body: &pb::TxBody) -> bool {
    use pb::propose::Action;
    matches!(
        &body.payload,
        Some(Payload::Propose(pb::Propose {
            action: Some(Action::AddNode(n)),
        })) if !n.cert_key.is_empty()
    )
}

/// The bytes a signature covers: the domain tag, the genesis hash, the body.
pub fn signing_bytes(genesis_hash: &Hash32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(domain::TX_SIGN.len() + 32 + body.len());
    out.extend_from_slice(domain::TX_SIGN);
    out.extend_from_slice(genesis_hash.as_bytes());
    out.extend_from_slice(body);
    out
}

/// Decodes `bytes` as `M` and accepts it only if it re-encodes to exactly `bytes`.
pub fn decode_canonical<M: Message + Default>(
    bytes: &[u8],
    what: &'static str,
) -> Result<M, Error> {
    let msg = M::decode(bytes).map_err(|source| Error::Decode { what, source })?;
    if msg.encoded_len() != bytes.len() || msg.encode_to_vec() != bytes {
        return Err(Error::NonCanonical { what });
    }
    Ok(msg)
}

/// A transaction that passed every stateless check but the signature verification
/// (see [`crate::verify`]).
#[derive(Clone, Debug)]
pub struct DecodedTx {
    /// `TxId = H(chain_id, body)`.
    pub id: Hash32,
    /// The `TxRaw` bytes as received.
    pub raw: Vec<u8>,
    /// The decoded body.
    pub body: pb::TxBody,
    /// The bytes the signatures cover.
    pub signing_bytes: Vec<u8>,
    /// The signer's key.
    pub signer: PublicKey,
    /// The cosigners' keys, in body order.
    pub cosigners: Vec<PublicKey>,
    /// One signature per signer and cosigner: `(key, signature)`, signer first.
    pub signatures: Vec<(PublicKey, [u8; 64])>,
}

impl DecodedTx {
    /// The payload (present: checked by [`decode_tx`]).
    pub fn payload(&self) -> Option<&Payload> {
        self.body.payload.as_ref()
    }

    /// The signer and every cosigner.
    pub fn all_signers(&self) -> impl Iterator<Item = &PublicKey> {
        std::iter::once(&self.signer).chain(self.cosigners.iter())
    }
}

/// Decodes a `TxRaw` and runs every stateless check but signature verification: size,
/// canonical encodings, chain id, a known payload with well-formed fields, and exactly one
/// signature from each signer and cosigner.
pub fn decode_tx(raw: &[u8], chain: &ChainRef, max_bytes: usize) -> Result<DecodedTx, Rejection> {
    let chain_id = chain.id.as_str();
    if raw.len() > max_bytes {
        return Err(r::too_large(raw.len(), max_bytes));
    }
    let envelope: pb::TxRaw = decode_canonical(raw, "TxRaw").map_err(gate_rejection)?;
    let body: pb::TxBody = decode_canonical(&envelope.body, "TxBody").map_err(gate_rejection)?;
    // On a BLAKE3 chain `AddNode.cert_key` is an unknown field, refused as the canonical
    // gate refused it before the field existed.
    if !chain.accepts(Scheme::Sm2) && names_cert_key(&body) {
        return Err(r::non_canonical("TxBody"));
    }
    if body.chain_id != chain_id {
        return Err(r::wrong_chain(chain_id));
    }
    let Some(payload) = body.payload.as_ref() else {
        return Err(r::no_payload());
    };
    check_payload(payload, chain)?;
    if body.timestamp_ms == 0 {
        return Err(r::field_missing("timestamp_ms"));
    }
    let signer = chain
        .key(&body.signer)
        .ok_or_else(|| r::bad_key("signer"))?;
    let mut cosigners = Vec::with_capacity(body.cosigners.len());
    for (i, c) in body.cosigners.iter().enumerate() {
        let key = chain
            .key(c)
            .ok_or_else(|| r::bad_key(format!("cosigners[{i}]")))?;
        if key == signer || cosigners.contains(&key) {
            return Err(r::cosigner_twice(key));
        }
        cosigners.push(key);
    }
    let required: Vec<PublicKey> = std::iter::once(signer)
        .chain(cosigners.iter().copied())
        .collect();
    let mut by_key: Vec<Option<[u8; 64]>> = vec![None; required.len()];
    for sig in &envelope.signatures {
        let key = chain
            .key(&sig.public_key)
            .ok_or_else(r::signature_key_invalid)?;
        let Some(slot) = required.iter().position(|k| *k == key) else {
            return Err(r::unexpected_signer(key));
        };
        let bytes: [u8; 64] = sig
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| r::signature_length(key))?;
        if by_key[slot].replace(bytes).is_some() {
            return Err(r::signed_twice(key));
        }
    }
    let mut signatures = Vec::with_capacity(required.len());
    for (key, sig) in required.iter().zip(by_key) {
        let Some(sig) = sig else {
            let who = if *key == signer { "signer" } else { "cosigner" };
            return Err(r::not_signed(who, key));
        };
        signatures.push((*key, sig));
    }
    Ok(DecodedTx {
        id: chain.hash.tx_id(chain_id, &envelope.body),
        signing_bytes: signing_bytes(&chain.genesis_hash, &envelope.body),
        raw: raw.to_vec(),
        body,
        signer,
        cosigners,
        signatures,
    })
}

fn gate_rejection(e: Error) -> Rejection {
    match e {
        Error::NonCanonical { what } => r::non_canonical(what),
        Error::Decode { what, .. } => r::malformed(what),
        _ => r::malformed("transaction"),
    }
}

/// The snake_case name of a payload kind, as the API and CLI show it.
pub fn payload_kind(payload: &Payload) -> &'static str {
    match payload {
        Payload::RegisterAsset(_) => "register_asset",
        Payload::TransferRight(_) => "transfer_right",
        Payload::IssueGrant(_) => "issue_grant",
        Payload::RevokeGrant(_) => "revoke_grant",
        Payload::RecordUsage(_) => "record_usage",
        Payload::FileCrossBorder(_) => "file_cross_border",
        Payload::DecideCrossBorder(_) => "decide_cross_border",
        Payload::Attest(_) => "attest",
        Payload::Freeze(_) => "freeze",
        Payload::Unfreeze(_) => "unfreeze",
        Payload::RotateKey(_) => "rotate_key",
        Payload::Propose(_) => "propose",
        Payload::Vote(_) => "vote",
        Payload::Review(_) => "review",
        Payload::SupplyEvidence(_) => "supply_evidence",
        Payload::Withdraw(_) => "withdraw",
        Payload::Object(_) => "object",
        Payload::DecideObjection(_) => "decide_objection",
        Payload::Amend(_) => "amend",
        Payload::RequestAccess(_) => "request_access",
        Payload::AnswerRequest(_) => "answer_request",
        Payload::CreateListing(_) => "create_listing",
        Payload::PlaceOrder(_) => "place_order",
        Payload::AcceptOrder(_) => "accept_order",
        Payload::Confirm(_) => "confirm",
        Payload::Dispute(_) => "dispute",
        Payload::Cancel(_) => "cancel",
    }
}

/// A transaction signed in one place by its signer and every cosigner: the `TxRaw` bytes.
pub fn sign_all(
    chain: &ChainRef,
    timestamp_ms: u64,
    signer: &Keypair,
    cosigners: &[&Keypair],
    payload: Payload,
) -> Result<Vec<u8>, Error> {
    let body = pb::TxBody {
        chain_id: chain.id.clone(),
        timestamp_ms,
        signer: signer.public().to_vec(),
        cosigners: cosigners.iter().map(|k| k.public().to_vec()).collect(),
        payload: Some(payload),
    };
    let mut tx = Unsigned::new(body, chain);
    tx.sign(signer)?;
    for c in cosigners {
        tx.sign(c)?;
    }
    Ok(tx.encode())
}

/// A transaction being put together by a client: an encoded body and the signatures
/// collected so far (possibly on different machines).
#[derive(Clone, Debug, PartialEq)]
pub struct Unsigned {
    /// The chain the body is for.
    pub chain_id: String,
    /// The hash of that chain's genesis, which every signature binds.
    pub genesis_hash: Hash32,
    /// That chain's hash function.
    pub hash: Hashing,
    /// The envelope; `body` is fixed, `signatures` grows.
    pub raw: pb::TxRaw,
}

impl Unsigned {
    /// Encodes `body` for `chain` (the body names its id), with no signatures yet.
    pub fn new(body: pb::TxBody, chain: &ChainRef) -> Self {
        let chain_id = body.chain_id.clone();
        Unsigned {
            chain_id,
            genesis_hash: chain.genesis_hash,
            hash: chain.hash,
            raw: pb::TxRaw {
                body: body.encode_to_vec(),
                signatures: vec![],
            },
        }
    }

    /// Reopens a partly signed `TxRaw` (e.g. read from a file) for the chain that began
    /// with the genesis of `genesis_hash` and hashes with `hash`: the body must be canonical.
    pub fn from_raw(raw_bytes: &[u8], genesis_hash: Hash32, hash: Hashing) -> Result<Self, Error> {
        let raw: pb::TxRaw = decode_canonical(raw_bytes, "TxRaw")?;
        let body: pb::TxBody = decode_canonical(&raw.body, "TxBody")?;
        Ok(Unsigned {
            chain_id: body.chain_id,
            genesis_hash,
            hash,
            raw,
        })
    }

    /// The transaction id (fixed by the body).
    pub fn id(&self) -> Hash32 {
        self.hash.tx_id(&self.chain_id, &self.raw.body)
    }

    /// The decoded body.
    pub fn body(&self) -> Result<pb::TxBody, Error> {
        decode_canonical(&self.raw.body, "TxBody")
    }

    /// Adds (or replaces) the signature of `key`. Signatures are kept sorted by key so the
    /// envelope's bytes do not depend on the order in which parties signed.
    pub fn sign(&mut self, key: &Keypair) -> Result<(), Error> {
        let sig = key.sign(&signing_bytes(&self.genesis_hash, &self.raw.body))?;
        let pk = key.public().to_vec();
        self.raw.signatures.retain(|s| s.public_key != pk);
        self.raw.signatures.push(pb::Signature {
            public_key: pk,
            signature: sig.to_vec(),
        });
        self.raw
            .signatures
            .sort_by(|a, b| a.public_key.cmp(&b.public_key));
        Ok(())
    }

    /// The keys that must sign (signer first) and whether each has.
    pub fn signers(&self) -> Result<Vec<(Vec<u8>, bool)>, Error> {
        let body = self.body()?;
        Ok(std::iter::once(body.signer)
            .chain(body.cosigners)
            .map(|k| {
                let signed = self.raw.signatures.iter().any(|s| s.public_key == k);
                (k, signed)
            })
            .collect())
    }

    /// The `TxRaw` bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.raw.encode_to_vec()
    }
}
