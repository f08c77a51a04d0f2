//! The key layout of the ledger's one sled tree. Every key starts with a short tag and `:`
//! so no key space is a prefix of another; numbers are big-endian so they sort.

use shuquan_proto::Hash32;

/// The "last applied" mark.
pub(crate) const APPLIED: &[u8] = b"meta:applied";
/// The genesis the data directory was created with.
pub(crate) const GENESIS: &[u8] = b"meta:genesis";
/// The end of the block files, as the rows know it (`blocks::End`).
pub(crate) const BLOCKS_END: &[u8] = b"meta:blocks";
/// Present while a state snapshot is being installed: the state rows are incomplete.
pub(crate) const INSTALLING: &[u8] = b"meta:installing";
/// The lowest height whose state this node holds (a node that joined by snapshot holds
/// no state before the snapshot's height).
pub(crate) const STATE_FROM: &[u8] = b"meta:state_from";
/// The blocks this node lacks (`sync::Gap`), if any.
pub(crate) const GAP: &[u8] = b"meta:gap";

fn key(tag: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(tag.len() + 1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.extend_from_slice(tag.as_bytes());
    k.push(b':');
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// The prefix of a key space, for scans.
pub(crate) fn prefix(tag: &str, parts: &[&[u8]]) -> Vec<u8> {
    key(tag, parts)
}

/// A member's record, by its member id.
pub(crate) fn member(id: &Hash32) -> Vec<u8> {
    key("mem", &[id.as_bytes()])
}
/// The member an account key belongs to (`pb::AccountRecord`).
pub(crate) fn account(pk: &[u8]) -> Vec<u8> {
    key("acct", &[pk])
}
/// The council in force (`pb::Council`).
pub(crate) const COUNCIL: &[u8] = b"gov:council";
/// The chain parameters in force (`pb::Params`): the genesis's until governance changes them.
pub(crate) const PARAMS: &[u8] = b"gov:params";
/// The nodes the chain decided (`pb::NodeSet`).
pub(crate) const NODES: &[u8] = b"gov:nodes";
/// Prefix of the voter sets by the height they are in force from.
pub(crate) const VOTER_SETS: &[u8] = b"gov:vset:";
/// The voter set in force from `height` on (`pb::VoterSet`).
pub(crate) fn voter_set(height: u64) -> Vec<u8> {
    let mut k = VOTER_SETS.to_vec();
    k.extend_from_slice(&height.to_be_bytes());
    k
}
/// A governance proposal (`pb::ProposalRecord`).
pub(crate) fn proposal(id: &Hash32) -> Vec<u8> {
    key("prop", &[id.as_bytes()])
}
/// Rows of the authenticated state (see `smt`): the records, not the indexes. Their key
/// hashes are the leaves of the state tree, so these layouts are part of the chain format.
/// `fp:` (who claims a fingerprint) is state, not an index: applications that end free
/// their fingerprint, and a change claims a new one, so the claims do not follow from the
/// asset records alone.
const STATE_TAGS: [&[u8]; 20] = [
    b"mem:", b"acct:", b"asset:", b"grant:", b"filing:", b"att:", b"attl:", b"ctr:", b"gov:",
    b"prop:", b"cert:", b"obj:", b"reg:", b"attsub:", b"fp:", b"req:", b"lst:", b"ord:", b"vch:",
    b"mkt:",
];

/// Index rows that follow from state rows alone (rebuilt from them when a snapshot is
/// installed; the rules that create a record write the same).
pub(crate) const DERIVED_TAGS: [&[u8]; 10] = [
    b"gasset:",
    b"ggrantee:",
    b"ggrantor:",
    b"child:",
    b"fasset:",
    b"rqto:",
    b"rqa:",
    b"lsa:",
    b"odl:",
    b"odm:",
];

/// Rows of the state tree: nodes, versioned values, the stale-node index.
pub(crate) const TREE_TAGS: [&[u8]; 3] = [b"jmtn:", b"jmtv:", b"jmts:"];

/// Whether `key` is a row a state snapshot replaces: state, derived indexes, the tree.
pub(crate) fn is_replaced_by_snapshot(key: &[u8]) -> bool {
    is_state_row(key)
        || DERIVED_TAGS.iter().any(|t| key.starts_with(t))
        || TREE_TAGS.iter().any(|t| key.starts_with(t))
}

/// Whether `key` is a row of the authenticated state.
pub(crate) fn is_state_row(key: &[u8]) -> bool {
    STATE_TAGS.iter().any(|t| key.starts_with(t))
}

/// An asset's registration certificate (`pb::CertificateRecord`).
pub(crate) fn certificate(asset: &Hash32) -> Vec<u8> {
    shuquan_proto::state::certificate_row(asset)
}
/// The asset a registration number names (value: the 32-byte asset id).
pub(crate) fn registration_number(number: &str) -> Vec<u8> {
    key("reg", &[b"no:", number.as_bytes()])
}
/// The last serial of registration numbers issued in `year` (value: u64 big-endian).
pub(crate) fn registration_serial(year: i32) -> Vec<u8> {
    key("reg", &[b"serial:", &year.to_be_bytes()])
}
/// Prefix of the notices by the time they end: the queue the block start certifies from.
pub(crate) const NOTICE_DUE: &[u8] = b"reg:due:";
/// A notice ending at `ends_ms` (value empty).
pub(crate) fn notice_due(ends_ms: u64, asset: &Hash32) -> Vec<u8> {
    key("reg", &[b"due:", &ends_ms.to_be_bytes(), asset.as_bytes()])
}
/// An objection (`pb::ObjectionRecord`).
pub(crate) fn objection(id: &Hash32) -> Vec<u8> {
    key("obj", &[id.as_bytes()])
}
/// Prefix of an asset's objections.
pub(crate) fn objections_of(asset: &Hash32) -> Vec<u8> {
    key("reg", &[b"obj:", asset.as_bytes()])
}
/// One objection to an asset (value empty).
pub(crate) fn objection_of(asset: &Hash32, objection: &Hash32) -> Vec<u8> {
    key("reg", &[b"obj:", asset.as_bytes(), objection.as_bytes()])
}
/// Prefix of the attestations whose subject is `subject`.
pub(crate) fn attestations_of(subject: &[u8]) -> Vec<u8> {
    key("attsub", &[subject])
}
/// One attestation of `subject` (value empty).
pub(crate) fn attestation_of(subject: &[u8], attestation: &Hash32) -> Vec<u8> {
    key("attsub", &[subject, attestation.as_bytes()])
}

/// An access request (`pb::RequestRecord`).
pub(crate) fn request(id: &Hash32) -> Vec<u8> {
    key("req", &[id.as_bytes()])
}
/// A listing (`pb::ListingRecord`).
pub(crate) fn listing(id: &Hash32) -> Vec<u8> {
    key("lst", &[id.as_bytes()])
}
/// An order (`pb::OrderRecord`).
pub(crate) fn order(id: &Hash32) -> Vec<u8> {
    key("ord", &[id.as_bytes()])
}
/// A voucher by its number (`pb::VoucherRecord`).
pub(crate) fn voucher(number: &str) -> Vec<u8> {
    shuquan_proto::state::voucher_row(number)
}
/// Prefix of every voucher.
pub(crate) const VOUCHERS: &[u8] = shuquan_proto::state::VOUCHER_TAG;
/// The last serial of voucher numbers issued in `year` (value: u64 big-endian).
pub(crate) fn voucher_serial(year: i32) -> Vec<u8> {
    key("mkt", &[b"vserial:", &year.to_be_bytes()])
}
/// Prefix of the requests addressed to `member` (its asset's Operate holder then).
pub(crate) fn requests_to(member: &[u8]) -> Vec<u8> {
    key("rqto", &[member])
}
/// One request addressed to `member` (value empty).
pub(crate) fn request_to(member: &[u8], request: &Hash32) -> Vec<u8> {
    key("rqto", &[member, request.as_bytes()])
}
/// Prefix of the requests for an asset.
pub(crate) fn requests_of(asset: &[u8]) -> Vec<u8> {
    key("rqa", &[asset])
}
/// One request for an asset (value empty).
pub(crate) fn request_of(asset: &[u8], request: &Hash32) -> Vec<u8> {
    key("rqa", &[asset, request.as_bytes()])
}
/// Prefix of the listings of an asset.
pub(crate) fn listings_of(asset: &[u8]) -> Vec<u8> {
    key("lsa", &[asset])
}
/// One listing of an asset (value empty).
pub(crate) fn listing_of(asset: &[u8], listing: &Hash32) -> Vec<u8> {
    key("lsa", &[asset, listing.as_bytes()])
}
/// Prefix of the orders on a listing.
pub(crate) fn orders_on(listing: &[u8]) -> Vec<u8> {
    key("odl", &[listing])
}
/// One order on a listing (value empty).
pub(crate) fn order_on(listing: &[u8], order: &Hash32) -> Vec<u8> {
    key("odl", &[listing, order.as_bytes()])
}
/// Prefix of the orders a member is party to (as buyer or seller).
pub(crate) fn orders_of_member(member: &[u8]) -> Vec<u8> {
    key("odm", &[member])
}
/// One order a member is party to (value empty).
pub(crate) fn order_of_member(member: &[u8], order: &Hash32) -> Vec<u8> {
    key("odm", &[member, order.as_bytes()])
}

pub(crate) fn asset(id: &Hash32) -> Vec<u8> {
    shuquan_proto::state::asset_row(id)
}
/// Prefix of the assets registered with fingerprint `fp`.
pub(crate) fn fingerprint(fp: &[u8]) -> Vec<u8> {
    key("fp", &[fp])
}
pub(crate) fn fingerprint_asset(fp: &[u8], asset: &Hash32) -> Vec<u8> {
    key("fp", &[fp, asset.as_bytes()])
}
pub(crate) fn grant(id: &Hash32) -> Vec<u8> {
    shuquan_proto::state::grant_row(id)
}
pub(crate) fn filing(id: &Hash32) -> Vec<u8> {
    key("filing", &[id.as_bytes()])
}
pub(crate) fn attestation(id: &Hash32) -> Vec<u8> {
    key("att", &[id.as_bytes()])
}
pub(crate) fn latest_attestation(issuer: &[u8], subject: &[u8], kind: i32) -> Vec<u8> {
    key("attl", &[issuer, subject, &kind.to_be_bytes()])
}
pub(crate) fn counter(member: &str, year: i32) -> Vec<u8> {
    key("ctr", &[&year.to_be_bytes(), member.as_bytes()])
}
/// The assets whose record or certificate block `height` wrote (value: their 32-byte ids,
/// concatenated): what the node's catalogue re-indexes after the block. An index, not
/// state: a node that joined by snapshot has none below its snapshot.
pub(crate) fn changed_assets(height: u64) -> Vec<u8> {
    key("chg", &[&height.to_be_bytes()])
}
/// Prefix of the [`changed_assets`] rows.
pub(crate) const CHANGED_ASSETS: &[u8] = b"chg:";
pub(crate) fn tx(id: &Hash32) -> Vec<u8> {
    key("tx", &[id.as_bytes()])
}
pub(crate) fn header(height: u64) -> Vec<u8> {
    key("hdr", &[&height.to_be_bytes()])
}
/// Where block `height` is in the block files (`blocks::Loc`).
pub(crate) fn block_loc(height: u64) -> Vec<u8> {
    key("bloc", &[&height.to_be_bytes()])
}
pub(crate) fn block_time(ts: u64, height: u64) -> Vec<u8> {
    key("time", &[&ts.to_be_bytes(), &height.to_be_bytes()])
}
pub(crate) fn history(asset: &Hash32, height: u64, index: u32) -> Vec<u8> {
    key(
        "hist",
        &[
            asset.as_bytes(),
            &height.to_be_bytes(),
            &index.to_be_bytes(),
        ],
    )
}
/// A node of the state tree, by its version (big-endian) and borsh-encoded jmt node key.
pub(crate) fn state_node(node_key: &[u8]) -> Vec<u8> {
    key("jmtn", &[node_key])
}
/// The tree nodes that became stale at `version` (no longer part of that version's tree):
/// one row per version listing their row keys. (Data written before that was one row per
/// node: `stale_nodes(version)` + the node's row key; pruning reads both.)
pub(crate) fn stale_nodes(version: u64) -> Vec<u8> {
    key("jmts", &[&version.to_be_bytes()])
}
/// A state row's value as of `version` (a height), by the row's key hash.
pub(crate) fn state_value(key_hash: &[u8; 32], version: u64) -> Vec<u8> {
    key("jmtv", &[key_hash, &version.to_be_bytes()])
}
pub(crate) fn rights(asset: &Hash32, right: i32, height: u64, index: u32) -> Vec<u8> {
    key(
        "rights",
        &[
            asset.as_bytes(),
            &[right as u8],
            &height.to_be_bytes(),
            &index.to_be_bytes(),
        ],
    )
}
pub(crate) fn grant_by_asset(asset: &Hash32, grant: &Hash32) -> Vec<u8> {
    key("gasset", &[asset.as_bytes(), grant.as_bytes()])
}
pub(crate) fn grant_by_grantee(grantee: &[u8], grant: &Hash32) -> Vec<u8> {
    key("ggrantee", &[grantee, grant.as_bytes()])
}
pub(crate) fn grant_by_grantor(grantor: &[u8], grant: &Hash32) -> Vec<u8> {
    key("ggrantor", &[grantor, grant.as_bytes()])
}
pub(crate) fn child(parent: &Hash32, child: &Hash32) -> Vec<u8> {
    key("child", &[parent.as_bytes(), child.as_bytes()])
}
pub(crate) fn filing_by_asset(asset: &Hash32, filing: &Hash32) -> Vec<u8> {
    key("fasset", &[asset.as_bytes(), filing.as_bytes()])
}
pub(crate) fn by_signer(pk: &[u8], height: u64, index: u32) -> Vec<u8> {
    key("signer", &[pk, &height.to_be_bytes(), &index.to_be_bytes()])
}
/// Prefix of the grants of an asset.
pub(crate) fn grants_of_asset(asset: &Hash32) -> Vec<u8> {
    key("gasset", &[asset.as_bytes()])
}
/// Prefix of the grants to a grantee.
pub(crate) fn grants_to(grantee: &[u8]) -> Vec<u8> {
    key("ggrantee", &[grantee])
}
