//! Merkle roots and inclusion proofs in the shape of RFC 6962/9162 (Certificate
//! Transparency): leaves and interior nodes are hashed under different domains, and a tree
//! of n leaves splits at the largest power of two below n, so proofs stay short for any n.
//! Written by hand (≈100 lines) because the crates on offer either lack domain separation
//! or use a different, unbalanced shape; the RFC's verification algorithm is followed
//! step by step and property-tested below.

use crate::hash::{domain, Hash32, Hashing};

/// The hash of a leaf holding `data`.
pub fn leaf_hash(h: Hashing, data: &[u8]) -> Hash32 {
    h.tagged(domain::MERKLE_LEAF, &[data])
}

fn node_hash(h: Hashing, left: &Hash32, right: &Hash32) -> Hash32 {
    h.tagged(domain::MERKLE_NODE, &[left.as_bytes(), right.as_bytes()])
}

/// The root of an empty tree.
pub fn empty_root(h: Hashing) -> Hash32 {
    h.tagged(domain::MERKLE_EMPTY, &[])
}

fn split(n: usize) -> usize {
    // The largest power of two strictly below n (n >= 2).
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The root over already hashed leaves.
pub fn root_of_leaves(h: Hashing, leaves: &[Hash32]) -> Hash32 {
    match leaves.len() {
        0 => empty_root(h),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(
                h,
                &root_of_leaves(h, &leaves[..k]),
                &root_of_leaves(h, &leaves[k..]),
            )
        }
    }
}

/// The root over leaves holding `items`.
pub fn root<T: AsRef<[u8]>>(h: Hashing, items: &[T]) -> Hash32 {
    let leaves: Vec<Hash32> = items.iter().map(|i| leaf_hash(h, i.as_ref())).collect();
    root_of_leaves(h, &leaves)
}

/// The audit path of leaf `index` (sibling hashes from the bottom up), or `None` when the
/// index is out of range.
pub fn proof(h: Hashing, leaves: &[Hash32], index: usize) -> Option<Vec<Hash32>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    collect_path(h, leaves, index, &mut path);
    Some(path)
}

fn collect_path(h: Hashing, leaves: &[Hash32], index: usize, path: &mut Vec<Hash32>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    if index < k {
        collect_path(h, &leaves[..k], index, path);
        path.push(root_of_leaves(h, &leaves[k..]));
    } else {
        collect_path(h, &leaves[k..], index - k, path);
        path.push(root_of_leaves(h, &leaves[..k]));
    }
}

/// Checks that `leaf` is leaf `index` of a tree of `size` leaves with root `root`
/// (RFC 9162, section 2.1.3.2).
pub fn verify(
    h: Hashing,
    leaf: &Hash32,
    index: u64,
    size: u64,
    path: &[Hash32],
    root: &Hash32,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(h, p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(h, &r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(h: Hashing, n: usize) -> Vec<Hash32> {
        (0..n as u32)
            .map(|i| leaf_hash(h, &i.to_le_bytes()))
            .collect()
    }

    proptest! {
        #[test]
        fn every_leaf_proves_and_no_other_does(n in 1usize..70, pick in 0usize..70, sm3: bool) {
            let h = if sm3 { Hashing::SM3 } else { Hashing::BLAKE3 };
            let ls = leaves(h, n);
            let r = root_of_leaves(h, &ls);
            let i = pick % n;
            let path = proof(h, &ls, i).unwrap_or_default();
            prop_assert!(verify(h, &ls[i], i as u64, n as u64, &path, &r));
            // Wrong index or wrong leaf: refused.
            if n > 1 {
                let j = (i + 1) % n;
                prop_assert!(!verify(h, &ls[i], j as u64, n as u64, &path, &r));
                prop_assert!(!verify(h, &ls[j], i as u64, n as u64, &path, &r));
            }
            // A proof for one tree does not prove against another tree's root.
            let other = root_of_leaves(h, &leaves(h, n + 1));
            prop_assert!(!verify(h, &ls[i], i as u64, n as u64 + 1, &path, &other));
            prop_assert!(!verify(h, &ls[i], i as u64, n as u64, &path, &Hash32([0; 32])));
        }
    }

    #[test]
    fn leaf_and_node_domains_differ() {
        for h in [Hashing::BLAKE3, Hashing::SM3] {
            let a = leaf_hash(h, b"a");
            let b = leaf_hash(h, b"b");
            let two = root_of_leaves(h, &[a, b]);
            let mut concat = a.to_vec();
            concat.extend_from_slice(b.as_bytes());
            assert_ne!(two, leaf_hash(h, &concat));
            assert_ne!(root::<&[u8]>(h, &[]), leaf_hash(h, b""));
        }
    }
}
