//! The authenticated state: a jellyfish Merkle tree (the `jmt` crate) over the state rows
//! (`keys::is_state_row`), one version per block height (version 0 is the genesis). Its
//! nodes and versioned values are rows of the ledger beside the state rows, among a block's
//! writes, so the root in every header and the rows never disagree after a crash.
//!
//! Nodes are `jmtn:` + big-endian version + the borsh-encoded jmt node key, so each block's
//! new nodes sort together at the end of the key space (borsh puts the version first but
//! little-endian); values are `jmtv:` + key hash + big-endian version, holding `1 ‖ value`
//! (or `0` for a deleted row).
//!
//! Stale nodes (replaced by a later version) are indexed by the version that replaced them
//! (`jmts:` + big-endian version + node row key) and deleted [`RETAIN_VERSIONS`] versions
//! later ([`prune`], run by every block, so every node holds the same rows): the state of
//! the last `RETAIN_VERSIONS` + 1 heights stays provable; older states stay readable
//! (the versioned values are kept) but not provable.

use std::ops::Bound;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, Version};
use shuquan_proto::state::{key_hash, StateHasher};
use shuquan_proto::{pb, Hash32};

use crate::error::{Error, Result};

/// How many versions before the latest stay provable (audit bundles are built at the
/// latest certified height, which trails the latest by a few blocks).
pub const RETAIN_VERSIONS: u64 = 256;
use crate::keys;
use crate::view::{Layered, StateView, Writes};

fn tree_err(e: impl std::fmt::Display) -> Error {
    Error::StateTree(e.to_string())
}

/// Reads the tree's nodes and versioned values from a view.
struct Reader<'a> {
    view: &'a dyn StateView,
}

impl TreeReader for Reader<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let key = node_row(node_key)?;
        Ok(match self.view.get(&key)? {
            Some(bytes) => Some(borsh::from_slice(&bytes)?),
            None => None,
        })
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        let from = keys::state_value(&key_hash.0, 0);
        let to = keys::state_value(&key_hash.0, max_version);
        let stored = self.view.last_in_range(&from, Bound::Included(&to))?;
        Ok(stored.and_then(|(_, v)| decode_value(&v)))
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Only jmt's state-sync restore asks for this, and the ledger never restores a tree
        // node by node (a Raft snapshot carries the rows whole).
        Err(anyhow::anyhow!(
            "the ledger's state tree does not support restore"
        ))
    }
}

/// The row key of a tree node: its version first (big-endian), then the whole node key.
fn node_row(k: &NodeKey) -> std::io::Result<Vec<u8>> {
    let mut id = k.version().to_be_bytes().to_vec();
    id.extend_from_slice(&borsh::to_vec(k)?);
    Ok(keys::state_node(&id))
}

/// The prefix of the rows of the nodes written at `version` (every version writes at
/// least its root).
pub(crate) fn version_prefix(version: u64) -> Vec<u8> {
    keys::state_node(&version.to_be_bytes())
}

fn decode_value(stored: &[u8]) -> Option<Vec<u8>> {
    match stored.split_first() {
        Some((1, value)) => Some(value.to_vec()),
        _ => None,
    }
}

/// Writes the rows `changed` (keys of state rows, valued as in `writes`) as `version` of
/// the tree, adds the tree's new nodes and values to `writes`, and returns the new root.
pub(crate) fn update(
    view: &dyn StateView,
    writes: &mut Writes,
    version: u64,
    changed: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
) -> Result<Hash32> {
    let set: Vec<(KeyHash, Option<OwnedValue>)> = changed
        .into_iter()
        .map(|(k, v)| (key_hash(&k), v))
        .collect();
    let layered = Layered {
        base: view,
        top: writes,
    };
    let reader = Reader { view: &layered };
    let (root, batch) = JellyfishMerkleTree::<_, StateHasher>::new(&reader)
        .put_value_set(set, version)
        .map_err(tree_err)?;
    for stale in &batch.stale_node_index_batch {
        let node = node_row(&stale.node_key).map_err(tree_err)?;
        writes.insert(
            keys::stale_node(stale.stale_since_version, &node),
            Some(Vec::new()),
        );
    }
    let nodes = batch.node_batch;
    for (k, node) in nodes.nodes() {
        let key = node_row(k).map_err(tree_err)?;
        writes.insert(key, Some(borsh::to_vec(node).map_err(tree_err)?));
    }
    for ((v, kh), value) in nodes.values() {
        let stored = match value {
            Some(value) => [&[1u8][..], value].concat(),
            None => vec![0],
        };
        writes.insert(keys::state_value(&kh.0, *v), Some(stored));
    }
    Ok(Hash32(root.0))
}

/// Deletes the nodes that became stale at `version` (and their index rows): the states
/// before `version` are no longer provable. Returns how many nodes went.
pub(crate) fn prune(view: &dyn StateView, writes: &mut Writes, version: u64) -> Result<usize> {
    let prefix = keys::stale_node(version, &[]);
    let stale = Layered {
        base: view,
        top: writes,
    }
    .keys_with_prefix(&prefix)?;
    for index_row in &stale {
        writes.insert(index_row[prefix.len()..].to_vec(), None);
        writes.insert(index_row.clone(), None);
    }
    Ok(stale.len())
}

/// State row `key` as it was at `version` (a height): its value then, `None` if it did not
/// exist. Read from the versioned values the tree keeps beside its nodes.
pub(crate) fn row_at(view: &dyn StateView, key: &[u8], version: u64) -> Result<Option<Vec<u8>>> {
    let kh = key_hash(key);
    let from = keys::state_value(&kh.0, 0);
    let to = keys::state_value(&kh.0, version);
    Ok(view
        .last_in_range(&from, Bound::Included(&to))?
        .and_then(|(_, v)| decode_value(&v)))
}

/// The state root at `version`, if the tree has that version.
pub(crate) fn root(view: &dyn StateView, version: u64) -> Result<Option<Hash32>> {
    let reader = Reader { view };
    JellyfishMerkleTree::<_, StateHasher>::new(&reader)
        .get_root_hash_option(version)
        .map(|r| r.map(|r| Hash32(r.0)))
        .map_err(tree_err)
}

/// Row `key` as of `version`, with its proof against that version's root; `None` when
/// the row did not exist then.
pub(crate) fn prove(
    view: &dyn StateView,
    key: &[u8],
    version: u64,
) -> Result<Option<pb::StateProof>> {
    let reader = Reader { view };
    let (value, proof) = JellyfishMerkleTree::<_, StateHasher>::new(&reader)
        .get_with_proof(key_hash(key), version)
        .map_err(tree_err)?;
    let Some(value) = value else {
        return Ok(None);
    };
    Ok(Some(pb::StateProof {
        height: version,
        key: key.to_vec(),
        value,
        proof: borsh::to_vec(&proof).map_err(tree_err)?,
    }))
}
