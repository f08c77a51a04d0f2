//! The [`Directory`] a query names parties and shows times with: the members registry and
//! the node set as the ledger holds them now, and the chain's time zone.

use shuquan_proto::pb;
use shuquan_proto::views::Directory;

use super::Queries;
use crate::error::Result;
use crate::keys;
use crate::store::decode;

impl Queries<'_> {
    /// Who is who now (every member by its member id, its account keys current and former
    /// and its node key; every node key by its operator) and the chain's time zone
    /// (`law_utc_offset_minutes`): read once per query, so that a view names each party
    /// `{"member": "org2", ...}` and shows each time in RFC 3339.
    pub fn directory(&self) -> Result<Directory> {
        let chain_id = self.ledger.genesis().chain_id.clone();
        let (params, nodes) = self.reader(|st| Ok((st.params()?, st.node_set()?)))?;
        let mut d = Directory::new(params.law_utc_offset_minutes);
        for (k, val) in self.scan(&keys::prefix("mem", &[]), usize::MAX)? {
            d.add_member(
                self.ledger.hashing(),
                &chain_id,
                &decode::<pb::Member>(&val, &k)?,
            );
        }
        for n in &nodes.nodes {
            d.add_node(&n.node_key, &n.operator);
            if !n.cert_key.is_empty() {
                d.add_node(&n.cert_key, &n.operator);
            }
        }
        Ok(d)
    }
}
