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
//! Stale nodes (replaced by a later version) are listed in one row per version that
//! replaced them (`jmts:` + big-endian version, holding each node's row key after its
//! big-endian u16 length: one write per block, not one per node) and deleted
//! [`RETAIN_VERSIONS`] versions later ([`prune`], run by every block, so every node holds the same rows): the state of
//! the last `RETAIN_VERSIONS` + 1 heights stays provable; older states stay readable
//! (the versioned values are kept) but not provable.

use std::ops::Bound;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::SimpleHasher;
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, Version};
use shuquan_proto::hash::{HashFunction, Hashing};
use shuquan_proto::state::{key_hash, Blake3Tree, Sm3Tree};
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
    /// The version whose rightmost leaf jmt may ask for (only while a tree is rebuilt).
    rightmost_of: Option<u64>,
}

impl Reader<'_> {
    fn of(view: &dyn StateView) -> Reader<'_> {
        Reader {
            view,
            rightmost_of: None,
        }
    }
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
        // Asked only while a tree is rebuilt (appending to the version being built): walk
        // down its rightmost children.
        let Some(version) = self.rightmost_of else {
            return Err(anyhow::anyhow!(
                "the rightmost leaf is known only while rebuilding a version"
            ));
        };
        let mut key = NodeKey::new(version, std::iter::empty().collect());
        loop {
            match self.get_node_option(&key)? {
                None | Some(Node::Null) => return Ok(None),
                Some(Node::Leaf(leaf)) => return Ok(Some((key, leaf))),
                Some(Node::Internal(node)) => {
                    let Some((nibble, child)) = node.children_sorted().last() else {
                        return Ok(None);
                    };
                    let path = key
                        .nibble_path()
                        .nibbles()
                        .chain(std::iter::once(nibble))
                        .collect();
                    key = NodeKey::new(child.version, path);
                }
            }
        }
    }
}

/// The row key of a tree node: its version first (big-endian), then the whole node key.
fn node_row(k: &NodeKey) -> std::io::Result<Vec<u8>> {
    let mut id = k.version().to_be_bytes().to_vec();
    id.extend_from_slice(&borsh::to_vec(k)?);
    Ok(keys::state_node(&id))
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
    h: Hashing,
    view: &dyn StateView,
    writes: &mut Writes,
    version: u64,
    changed: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
) -> Result<Hash32> {
    let set: Vec<(KeyHash, Option<OwnedValue>)> = changed
        .into_iter()
        .map(|(k, v)| (key_hash(h, &k), v))
        .collect();
    by_hash!(h, update_with(view, writes, version, set))
}

/// Calls `f::<T>(args)` with `T` the state tree's hasher for `h`: the one place a tree
/// operation picks its hasher.
macro_rules! by_hash {
    ($h:expr, $f:ident($($arg:expr),*)) => {
        match $h.function() {
            HashFunction::Blake3 => $f::<Blake3Tree>($($arg),*),
            HashFunction::Sm3 => $f::<Sm3Tree>($($arg),*),
        }
    };
}
use by_hash;

fn update_with<H: SimpleHasher>(
    view: &dyn StateView,
    writes: &mut Writes,
    version: u64,
    set: Vec<(KeyHash, Option<OwnedValue>)>,
) -> Result<Hash32> {
    let layered = Layered {
        base: view,
        top: writes,
    };
    let reader = Reader::of(&layered);
    let (root, batch) = JellyfishMerkleTree::<_, H>::new(&reader)
        .put_value_set(set, version)
        .map_err(tree_err)?;
    let mut stale: std::collections::BTreeMap<Version, Vec<u8>> = Default::default();
    for s in &batch.stale_node_index_batch {
        let node = node_row(&s.node_key).map_err(tree_err)?;
        list_node(stale.entry(s.stale_since_version).or_default(), &node)?;
    }
    // A version that changes no row still writes its own root (a copy of the one
    // before) but jmt lists nothing stale: list the root it replaces, or it stays forever.
    if let Some(before) = version.checked_sub(1) {
        let root_before = NodeKey::new(before, std::iter::empty().collect());
        let listed = batch
            .stale_node_index_batch
            .iter()
            .any(|s| s.node_key == root_before);
        let node = node_row(&root_before).map_err(tree_err)?;
        let exists = Layered {
            base: view,
            top: writes,
        }
        .get(&node)?
        .is_some();
        if !listed && exists {
            list_node(stale.entry(version).or_default(), &node)?;
        }
    }
    for (v, list) in stale {
        let row = keys::stale_nodes(v);
        let mut all = Layered {
            base: view,
            top: writes,
        }
        .get(&row)?
        .unwrap_or_default();
        all.extend_from_slice(&list);
        writes.insert(row, Some(all));
    }
    let nodes = batch.node_batch;
    for (k, node) in nodes.nodes() {
        let key = node_row(k).map_err(tree_err)?;
        writes.insert(key, Some(borsh::to_vec(node).map_err(tree_err)?));
    }
    for ((v, kh), value) in nodes.values() {
        let stored = match value {
            Some(value) => stored_value(value),
            None => vec![0],
        };
        writes.insert(keys::state_value(&kh.0, *v), Some(stored));
    }
    Ok(Hash32(root.0))
}

/// Appends a node's row key to a stale-node list: its big-endian u16 length, then it.
fn list_node(list: &mut Vec<u8>, node: &[u8]) -> Result<()> {
    let len = u16::try_from(node.len()).map_err(tree_err)?;
    list.extend_from_slice(&len.to_be_bytes());
    list.extend_from_slice(node);
    Ok(())
}

/// Builds `version` of the tree from the versioned values stored at exactly that version
/// (what installing a state snapshot writes), `chunk` values at a time in key-hash order,
/// so memory stays bounded; nodes go to `write`, which must make them readable through
/// `view` at once. Returns the root.
pub(crate) fn rebuild(
    h: Hashing,
    view: &dyn StateView,
    values: &mut dyn Iterator<Item = Result<(KeyHash, Vec<u8>)>>,
    version: u64,
    chunk: usize,
    write: &mut dyn FnMut(Writes) -> Result<()>,
) -> Result<Hash32> {
    by_hash!(h, rebuild_with(view, values, version, chunk, write))
}

fn rebuild_with<H: SimpleHasher>(
    view: &dyn StateView,
    values: &mut dyn Iterator<Item = Result<(KeyHash, Vec<u8>)>>,
    version: u64,
    chunk: usize,
    write: &mut dyn FnMut(Writes) -> Result<()>,
) -> Result<Hash32> {
    // jmt builds a version on the root of the one before: an empty one.
    let before = version.checked_sub(1);
    if let Some(b) = before {
        let pre = NodeKey::new(b, std::iter::empty().collect());
        let mut w = Writes::new();
        w.insert(
            node_row(&pre).map_err(tree_err)?,
            Some(borsh::to_vec(&Node::Null).map_err(tree_err)?),
        );
        write(w)?;
    }
    let mut first = true;
    loop {
        let mut set = Vec::with_capacity(chunk);
        while set.len() < chunk {
            let Some(item) = values.next() else { break };
            let (kh, v) = item?;
            set.push((kh, Some(v)));
        }
        if set.is_empty() {
            break;
        }
        let reader = Reader {
            view,
            rightmost_of: Some(version),
        };
        let tree = JellyfishMerkleTree::<_, H>::new(&reader);
        let (_, batch) = if first {
            tree.put_value_set(set, version)
        } else {
            tree.append_value_set(set, version)
        }
        .map_err(tree_err)?;
        first = false;
        let mut w = Writes::new();
        let nodes = batch.node_batch;
        for stale in &batch.stale_node_index_batch {
            // Nodes of this version rewritten in place stay; others replaced go.
            if !nodes.nodes().contains_key(&stale.node_key) {
                w.insert(node_row(&stale.node_key).map_err(tree_err)?, None);
            }
        }
        for (k, node) in nodes.nodes() {
            w.insert(
                node_row(k).map_err(tree_err)?,
                Some(borsh::to_vec(node).map_err(tree_err)?),
            );
        }
        write(w)?;
    }
    if let Some(b) = before {
        let mut w = Writes::new();
        w.insert(
            node_row(&NodeKey::new(b, std::iter::empty().collect())).map_err(tree_err)?,
            None,
        );
        write(w)?;
    }
    root_with::<H>(view, version)?
        .ok_or_else(|| Error::StateTree(format!("no root at {version} after rebuilding")))
}

/// The stored form of a value in the versioned-value rows.
pub(crate) fn stored_value(value: &[u8]) -> Vec<u8> {
    [&[1u8][..], value].concat()
}

/// The key hash and value of a versioned-value row, `None` for a deletion.
pub(crate) fn value_row(key: &[u8], stored: &[u8]) -> Result<Option<(KeyHash, Vec<u8>)>> {
    let prefix = keys::state_value(&[0; 32], 0);
    let kh = key
        .get(prefix.len() - 40..prefix.len() - 8)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| Error::Corrupt(format!("versioned value row {}", hex::encode(key))))?;
    Ok(decode_value(stored).map(|v| (KeyHash(kh), v)))
}

/// Deletes the nodes that became stale at `version` (and their index rows): the states
/// before `version` are no longer provable. Returns how many nodes went.
pub(crate) fn prune(view: &dyn StateView, writes: &mut Writes, version: u64) -> Result<usize> {
    let row = keys::stale_nodes(version);
    let layered = Layered {
        base: view,
        top: writes,
    };
    let mut nodes = Vec::new();
    if let Some(list) = layered.get(&row)? {
        let mut rest = &list[..];
        while let Some((len, tail)) = rest.split_first_chunk::<2>() {
            let len = usize::from(u16::from_be_bytes(*len));
            let node = tail
                .get(..len)
                .ok_or_else(|| Error::Corrupt(format!("stale-node list of version {version}")))?;
            nodes.push(node.to_vec());
            rest = &tail[len..];
        }
        if !rest.is_empty() {
            return Err(Error::Corrupt(format!(
                "stale-node list of version {version}"
            )));
        }
    }
    // One row per node, as data written before the list was kept holds.
    let legacy = layered.keys_with_prefix(&row)?;
    let mut gone = nodes.len();
    for index_row in legacy {
        if index_row.len() > row.len() {
            writes.insert(index_row[row.len()..].to_vec(), None);
            gone += 1;
        }
        writes.insert(index_row, None);
    }
    for node in nodes {
        writes.insert(node, None);
    }
    Ok(gone)
}

/// State row `key` as it was at `version` (a height): its value then, `None` if it did not
/// exist. Read from the versioned values the tree keeps beside its nodes.
pub(crate) fn row_at(
    h: Hashing,
    view: &dyn StateView,
    key: &[u8],
    version: u64,
) -> Result<Option<Vec<u8>>> {
    let kh = key_hash(h, key);
    let from = keys::state_value(&kh.0, 0);
    let to = keys::state_value(&kh.0, version);
    Ok(view
        .last_in_range(&from, Bound::Included(&to))?
        .and_then(|(_, v)| decode_value(&v)))
}

/// The state root at `version`, if the tree has that version.
pub(crate) fn root(h: Hashing, view: &dyn StateView, version: u64) -> Result<Option<Hash32>> {
    by_hash!(h, root_with(view, version))
}

fn root_with<H: SimpleHasher>(view: &dyn StateView, version: u64) -> Result<Option<Hash32>> {
    let reader = Reader::of(view);
    JellyfishMerkleTree::<_, H>::new(&reader)
        .get_root_hash_option(version)
        .map(|r| r.map(|r| Hash32(r.0)))
        .map_err(tree_err)
}

/// Row `key` as of `version`, with its proof against that version's root; `None` when
/// the row did not exist then.
pub(crate) fn prove(
    h: Hashing,
    view: &dyn StateView,
    key: &[u8],
    version: u64,
) -> Result<Option<pb::StateProof>> {
    by_hash!(h, prove_with(view, key_hash(h, key), key, version))
}

fn prove_with<H: SimpleHasher>(
    view: &dyn StateView,
    kh: KeyHash,
    key: &[u8],
    version: u64,
) -> Result<Option<pb::StateProof>> {
    let reader = Reader::of(view);
    let (value, proof) = JellyfishMerkleTree::<_, H>::new(&reader)
        .get_with_proof(kh, version)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::view::MemView;

    /// Pruning deletes the nodes of a version's stale list, and also those of the one-row-
    /// per-node index that data written before the list holds; other versions' stay.
    #[test]
    fn pruning_reads_the_stale_list_and_the_older_per_node_index() {
        let mut view = MemView::new();
        let node = |n: u8| keys::state_node(&[0, 0, 0, 0, 0, 0, 0, 1, n]);
        let list: Vec<u8> = [node(1), node(2)]
            .iter()
            .flat_map(|k| [&(k.len() as u16).to_be_bytes()[..], k].concat())
            .collect();
        let mut rows = Writes::new();
        for n in 1..=4 {
            rows.insert(node(n), Some(vec![n]));
        }
        rows.insert(keys::stale_nodes(7), Some(list));
        rows.insert([keys::stale_nodes(7), node(3)].concat(), Some(vec![]));
        rows.insert([keys::stale_nodes(8), node(4)].concat(), Some(vec![]));
        view.commit(rows);
        let mut w = Writes::new();
        assert_eq!(prune(&view, &mut w, 7).unwrap(), 3);
        view.commit(w);
        let left: Vec<_> = view.0.keys().cloned().collect();
        assert_eq!(
            left,
            vec![node(4), [keys::stale_nodes(8), node(4)].concat()]
        );
        let mut torn = Writes::new();
        torn.insert(keys::stale_nodes(9), Some(vec![0, 9, 1]));
        view.commit(torn);
        assert!(matches!(
            prune(&view, &mut Writes::new(), 9),
            Err(Error::Corrupt(_))
        ));
    }

    /// A version that changes no row still replaces the root before it: that root goes
    /// in its stale list (else every such block would leave a node forever).
    #[test]
    fn a_version_without_changes_lists_the_root_it_replaces() {
        let mut view = MemView::new();
        for v in 0..4u64 {
            let mut w = Writes::new();
            let changed = if v < 2 {
                vec![(format!("asset:{v}").into_bytes(), Some(vec![v as u8]))]
            } else {
                vec![]
            };
            let root = update(
                shuquan_proto::hash::Hashing::BLAKE3,
                &view,
                &mut w,
                v,
                changed,
            )
            .unwrap();
            view.commit(w);
            assert_eq!(
                super::root(shuquan_proto::hash::Hashing::BLAKE3, &view, v).unwrap(),
                Some(root)
            );
        }
        for v in 1..4u64 {
            let stale = view.get(&keys::stale_nodes(v)).unwrap().unwrap_or_default();
            let before = node_row(&NodeKey::new(v - 1, std::iter::empty().collect())).unwrap();
            assert!(
                stale.windows(before.len()).any(|w| w == before),
                "version {v} does not list the root of {}",
                v - 1
            );
        }
    }
}
