//! [`Hash32`] and the domain-separated hashes that name everything on the chain, with the
//! chain's hash function ([`Hashing`]: BLAKE3 or SM3, see [`function`]).
//!
//! Every hash but a data set's fingerprint is domain separated: a context string
//! `SHUQUAN_<WHAT>_V1` (the [`domain`] registry), over length-prefixed parts, so no two
//! kinds of object can ever share an id and no concatenation is ambiguous.

use std::fmt;
use std::str::FromStr;

use crate::Error;

pub mod function;

pub use function::{ChainHash, HashFunction, Hashing, PlainStream, TaggedStream};

/// A 32-byte hash, shown and parsed as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    /// The all-zero hash: the previous hash of the first block.
    pub const ZERO: Hash32 = Hash32([0; 32]);

    /// Takes exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::invalid("hash", format!("{} bytes, expected 32", bytes.len())))?;
        Ok(Hash32(arr))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The bytes as a vector, for protobuf fields.
    pub fn to_vec(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Whether this is [`Hash32::ZERO`].
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 32]
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash32({})", self.to_hex())
    }
}

impl FromStr for Hash32 {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bytes = hex::decode(s.trim()).map_err(|e| {
            Error::invalid(
                "hash",
                format!("{e}: expected 64 hex digits, got {:?}", s.trim()),
            )
        })?;
        Hash32::from_slice(&bytes)
    }
}

/// The JSON Schema of a hash as the API writes it: 64 lowercase hex digits.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Hash32 {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9a-f]{64}$"))
            .description(Some(
                "A 32-byte hash or id (BLAKE3 or SM3, as the chain's genesis chooses), 64 lowercase hex digits.",
            ))
            .examples([serde_json::json!(
                "0000000000000000000000000000000000000000000000000000000000000001"
            )])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Hash32 {}

impl serde::Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The registry of every signing-domain tag and hash context the project uses: each one
/// names exactly one kind of hashed or signed bytes, so no two kinds can share a hash.
/// Changing one is a new format. [`domain::ALL`] lists them; a test keeps them unique.
pub mod domain {
    /// Prefix of the bytes a transaction signature covers (then the genesis hash and the
    /// body).
    pub const TX_SIGN: &[u8] = b"SHUQUAN_TX_V2";
    /// Transaction id.
    pub const TX_ID: &str = "SHUQUAN_TX_ID_V1";
    /// Asset id, from the registering transaction.
    pub const ASSET_ID: &str = "SHUQUAN_ASSET_ID_V1";
    /// Grant id, from the issuing transaction.
    pub const GRANT_ID: &str = "SHUQUAN_GRANT_ID_V1";
    /// Cross-border filing id, from the filing transaction.
    pub const FILING_ID: &str = "SHUQUAN_FILING_ID_V1";
    /// Attestation id, from the attesting transaction.
    pub const ATTESTATION_ID: &str = "SHUQUAN_ATTESTATION_ID_V1";
    /// Block hash, over the encoded header.
    pub const BLOCK: &str = "SHUQUAN_BLOCK_V1";
    /// What a member node signs to certify a block.
    pub const BLOCK_CERT: &str = "SHUQUAN_BLOCK_CERT_V1";
    /// Genesis hash, over the encoded genesis.
    pub const GENESIS: &str = "SHUQUAN_GENESIS_V1";
    /// Merkle leaf.
    pub const MERKLE_LEAF: &str = "SHUQUAN_MERKLE_LEAF_V1";
    /// Merkle interior node.
    pub const MERKLE_NODE: &str = "SHUQUAN_MERKLE_NODE_V1";
    /// Root of an empty Merkle tree.
    pub const MERKLE_EMPTY: &str = "SHUQUAN_MERKLE_EMPTY_V1";
    /// Receipt leaf of the results root.
    pub const RECEIPT: &str = "SHUQUAN_RECEIPT_V1";
    /// Link of an asset's history chain.
    pub const HISTORY: &str = "SHUQUAN_HISTORY_V1";
    /// Digest of a whole ledger (every row but the "last applied" mark).
    pub const LEDGER_DIGEST: &str = "SHUQUAN_LEDGER_DIGEST_V1";
    /// A node's memory of transaction bytes whose signatures it verified (never leaves the
    /// node).
    pub const VERIFIED_BYTES: &str = "SHUQUAN_VERIFIED_BYTES_V1";
    /// The leaf key of a state row in the state tree.
    pub const STATE_KEY: &str = "SHUQUAN_STATE_KEY_V1";
    /// The state tree's node and value hashes.
    pub const STATE_TREE: &str = "SHUQUAN_STATE_TREE_V1";
    /// A gossip message's id (over the transaction bytes it carries).
    pub const GOSSIP_MESSAGE_ID: &str = "SHUQUAN_GOSSIP_MESSAGE_ID_V1";
    /// A member's id, from the chain id and its short id.
    pub const MEMBER_ID: &str = "SHUQUAN_MEMBER_ID_V1";
    /// A governance proposal's id, from the proposing transaction.
    pub const PROPOSAL_ID: &str = "SHUQUAN_PROPOSAL_ID_V1";
    /// A voter set (the node keys whose majority certifies a block).
    pub const VOTERS: &str = "SHUQUAN_VOTERS_V1";
    /// An objection's id, from the objecting transaction.
    pub const OBJECTION_ID: &str = "SHUQUAN_OBJECTION_ID_V1";
    /// Access request ids.
    pub const REQUEST_ID: &str = "SHUQUAN_REQUEST_ID_V1";
    /// Listing ids.
    pub const LISTING_ID: &str = "SHUQUAN_LISTING_ID_V1";
    /// Order ids.
    pub const ORDER_ID: &str = "SHUQUAN_ORDER_ID_V1";

    /// Every tag and context above.
    pub const ALL: &[&[u8]] = &[
        TX_SIGN,
        TX_ID.as_bytes(),
        ASSET_ID.as_bytes(),
        GRANT_ID.as_bytes(),
        FILING_ID.as_bytes(),
        ATTESTATION_ID.as_bytes(),
        BLOCK.as_bytes(),
        BLOCK_CERT.as_bytes(),
        GENESIS.as_bytes(),
        MERKLE_LEAF.as_bytes(),
        MERKLE_NODE.as_bytes(),
        MERKLE_EMPTY.as_bytes(),
        RECEIPT.as_bytes(),
        HISTORY.as_bytes(),
        LEDGER_DIGEST.as_bytes(),
        VERIFIED_BYTES.as_bytes(),
        STATE_KEY.as_bytes(),
        STATE_TREE.as_bytes(),
        GOSSIP_MESSAGE_ID.as_bytes(),
        MEMBER_ID.as_bytes(),
        PROPOSAL_ID.as_bytes(),
        VOTERS.as_bytes(),
        OBJECTION_ID.as_bytes(),
        REQUEST_ID.as_bytes(),
        LISTING_ID.as_bytes(),
        ORDER_ID.as_bytes(),
    ];
}

impl Hashing {
    /// `TxId = H("tx", chain_id, body)`: the id of the signed body, independent of
    /// signatures, so a body collected signature by signature keeps its id.
    pub fn tx_id(self, chain_id: &str, body: &[u8]) -> Hash32 {
        self.tagged(domain::TX_ID, &[chain_id.as_bytes(), body])
    }

    /// `AssetId = H("asset", chain_id, tx_id)`.
    pub fn asset_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::ASSET_ID, chain_id, tx)
    }

    /// `GrantId = H("grant", chain_id, tx_id)`.
    pub fn grant_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::GRANT_ID, chain_id, tx)
    }

    /// `FilingId = H("filing", chain_id, tx_id)`.
    pub fn filing_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::FILING_ID, chain_id, tx)
    }

    /// `MemberId = H("member", chain_id, short id)`: how every right, grant and filing
    /// names a member, whatever keys it signs with.
    pub fn member_id(self, chain_id: &str, short_id: &str) -> Hash32 {
        self.tagged(
            domain::MEMBER_ID,
            &[chain_id.as_bytes(), short_id.as_bytes()],
        )
    }

    /// `H("voters", key, key, ...)` over a voter set's keys in ascending order.
    pub fn voters_hash<'a>(self, keys: impl IntoIterator<Item = &'a [u8]>) -> Hash32 {
        let mut sorted: Vec<&[u8]> = keys.into_iter().collect();
        sorted.sort_unstable();
        self.tagged(domain::VOTERS, &sorted)
    }

    /// `ProposalId = H("proposal", chain_id, tx_id)`.
    pub fn proposal_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::PROPOSAL_ID, chain_id, tx)
    }

    /// `ObjectionId = H("objection", chain_id, tx_id)`.
    pub fn objection_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::OBJECTION_ID, chain_id, tx)
    }

    /// `RequestId = H("request", chain_id, tx_id)`.
    pub fn request_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::REQUEST_ID, chain_id, tx)
    }

    /// `ListingId = H("listing", chain_id, tx_id)`.
    pub fn listing_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::LISTING_ID, chain_id, tx)
    }

    /// `OrderId = H("order", chain_id, tx_id)`.
    pub fn order_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::ORDER_ID, chain_id, tx)
    }

    /// `AttestationId = H("attestation", chain_id, tx_id)`.
    pub fn attestation_id(self, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.of_tx(domain::ATTESTATION_ID, chain_id, tx)
    }

    /// The next link of an asset's history chain: `H(prev_head, tx_id)`.
    pub fn history_link(self, prev: &Hash32, tx: &Hash32) -> Hash32 {
        self.tagged(domain::HISTORY, &[prev.as_bytes(), tx.as_bytes()])
    }

    fn of_tx(self, context: &str, chain_id: &str, tx: &Hash32) -> Hash32 {
        self.tagged(context, &[chain_id.as_bytes(), tx.as_bytes()])
    }
}

#[cfg(test)]
mod tests {
    use super::domain;

    #[test]
    fn every_domain_tag_is_unique_and_none_is_a_prefix_of_another() {
        for (i, a) in domain::ALL.iter().enumerate() {
            assert!(a.starts_with(b"SHUQUAN_"), "{}", String::from_utf8_lossy(a));
            for b in &domain::ALL[i + 1..] {
                assert_ne!(a, b, "{} twice", String::from_utf8_lossy(a));
                assert!(
                    !a.starts_with(b) && !b.starts_with(a),
                    "{} and {} overlap",
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(b)
                );
            }
        }
        // Every `pub const` in the module is listed (counted from this file's source).
        let src = include_str!("hash.rs");
        let body =
            &src[src.find("pub mod domain").unwrap_or(0)..src.find("pub const ALL").unwrap_or(0)];
        assert_eq!(body.matches("pub const ").count(), domain::ALL.len());
    }
}
