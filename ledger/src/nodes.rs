//! The node set the chain decides (`gov:nodes`) and the voter sets that certify blocks
//! (`gov:vset:<height>`): read by the executor (every header names its voters), by the
//! certifier and by audit bundles.

use std::collections::BTreeSet;
use std::ops::Bound;

use prost::Message;
use shuquan_proto::hash::Hashing;
use shuquan_proto::{pb, Hash32, PublicKey};

use crate::error::{Error, Result};
use crate::keys;
use crate::view::StateView;

/// The node set of a genesis: its members' nodes, in genesis order, with Raft ids from 1,
/// voters unless the genesis makes them learners.
pub fn genesis_nodes(h: Hashing, genesis: &pb::Genesis) -> pb::NodeSet {
    let nodes = genesis
        .members
        .iter()
        .filter(|m| !m.node_key.is_empty())
        .enumerate()
        .map(|(i, m)| pb::NodeRecord {
            id: i as u64 + 1,
            node_key: m.node_key.clone(),
            cert_key: m.cert_key.clone(),
            addr: m.node_addr.clone(),
            operator: h.member_id(&genesis.chain_id, &m.id).to_vec(),
            role: if m.node_learner {
                pb::NodeRole::Learner as i32
            } else {
                pb::NodeRole::Voter as i32
            },
            added_height: 0,
        })
        .collect();
    pb::NodeSet {
        nodes,
        retired_keys: Vec::new(),
    }
}

/// The voter keys of a node set, ascending.
pub fn voters(set: &pb::NodeSet) -> pb::VoterSet {
    let mut keys: Vec<Vec<u8>> = set
        .nodes
        .iter()
        .filter(|n| n.role == pb::NodeRole::Voter as i32)
        .map(|n| shuquan_proto::cert::cert_key_of(&n.node_key, &n.cert_key).to_vec())
        .collect();
    keys.sort_unstable();
    pb::VoterSet { keys }
}

/// The hash a header names a voter set by.
pub fn hash_of(h: Hashing, set: &pb::VoterSet) -> Hash32 {
    h.voters_hash(set.keys.iter().map(|k| &k[..]))
}

/// The node set in `view`.
pub fn node_set(view: &dyn StateView) -> Result<pb::NodeSet> {
    let mut scratch = crate::view::Writes::new();
    crate::exec::overlay::State::new(view, &mut scratch).node_set()
}

/// The voter set in force at `height` in `view`: the last `gov:vset` row at or below it.
pub fn voters_at(view: &dyn StateView, height: u64) -> Result<pb::VoterSet> {
    let upper = keys::voter_set(height);
    match view.last_in_range(keys::VOTER_SETS, Bound::Included(&upper))? {
        Some((k, v)) => pb::VoterSet::decode(&v[..]).map_err(|e| {
            Error::Corrupt(format!(
                "{} does not decode: {e}",
                String::from_utf8_lossy(&k)
            ))
        }),
        None => Err(Error::Corrupt(format!(
            "the ledger holds no voter set in force at height {height}"
        ))),
    }
}

/// Every voter set of the chain: the height it is in force from (1 for the genesis's),
/// ascending, with the set.
pub fn voter_sets(view: &dyn StateView) -> Result<Vec<(u64, pb::VoterSet)>> {
    let mut out = Vec::new();
    for (k, v) in view.rows_with_prefix(keys::VOTER_SETS, None, usize::MAX)? {
        let Some(bytes) = k
            .get(keys::VOTER_SETS.len()..)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
        else {
            return Err(Error::Corrupt(format!(
                "voter set row {} has no height",
                String::from_utf8_lossy(&k)
            )));
        };
        let from = u64::from_be_bytes(bytes);
        let set = pb::VoterSet::decode(&v[..])
            .map_err(|e| Error::Corrupt(format!("voter set of {from} does not decode: {e}")))?;
        out.push((from, set));
    }
    Ok(out)
}

/// The changes of the voter set up to `height`: each height a new set is in force from
/// (above 1), with the set.
pub fn voter_changes(view: &dyn StateView, height: u64) -> Result<Vec<(u64, pb::VoterSet)>> {
    let mut sets = voter_sets(view)?;
    sets.retain(|(from, _)| *from > 1 && *from <= height);
    Ok(sets)
}

/// The keys of a voter set.
pub fn keys_of(set: &pb::VoterSet) -> Result<BTreeSet<PublicKey>> {
    shuquan_proto::cert::voter_keys(&set.keys)
        .map_err(|e| Error::Corrupt(format!("a voter set: {e}")))
}
