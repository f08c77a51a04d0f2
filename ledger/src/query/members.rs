//! Members, the council, governance proposals, and the transactions a member signed.

use shuquan_proto::views::{self as v, ReceiptView};
use shuquan_proto::{pb, Hash32};

use super::{id32, Queries};
use crate::error::Result;
use crate::keys;
use crate::store::decode;

impl Queries<'_> {
    fn chain_id(&self) -> &str {
        &self.ledger.genesis().chain_id
    }

    /// Query 7: transactions signed or cosigned by a key, oldest first, at most `limit`.
    pub fn txs_by_signer(&self, key: &[u8], limit: usize) -> Result<Vec<ReceiptView>> {
        let mut out = Vec::new();
        for (_, id) in self.scan(&keys::prefix("signer", &[key]), limit)? {
            if let Some(r) = self.receipt(&id32(&id))? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Query 7 by member: transactions signed or cosigned with any key the member has or
    /// had, oldest first, at most `limit`.
    pub fn txs_by_member(&self, member: &pb::Member, limit: usize) -> Result<Vec<ReceiptView>> {
        let mut out = Vec::new();
        for key in member.former_keys.iter().chain(&member.account_keys) {
            out.extend(self.txs_by_signer(key, limit)?);
        }
        out.sort_by_key(|r| (r.height, r.index));
        out.truncate(limit);
        Ok(out)
    }

    /// All members.
    pub fn members(&self) -> Result<Vec<v::MemberView>> {
        let mut out = Vec::new();
        for (k, val) in self.scan(&keys::prefix("mem", &[]), usize::MAX)? {
            out.push(v::MemberView::new(
                self.ledger.hashing(),
                self.chain_id(),
                &decode::<pb::Member>(&val, &k)?,
            ));
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The member a short id (`org1`), a member id or an account key (hex, current or
    /// former) names, with its member id.
    pub fn find_member(&self, name: &str) -> Result<Option<(Hash32, pb::Member)>> {
        let chain_id = self.chain_id().to_string();
        self.reader(|st| {
            let short = self.ledger.hashing().member_id(&chain_id, name);
            if let Some(m) = st.member(short.as_bytes())? {
                return Ok(Some((short, m)));
            }
            let Ok(bytes) = hex::decode(name) else {
                return Ok(None);
            };
            if let Some(m) = st.member(&bytes)? {
                return Ok(Some((id32(&bytes), m)));
            }
            match st.account(&bytes)? {
                Some(a) => Ok(st.member(&a.member)?.map(|m| (id32(&a.member), m))),
                None => Ok(None),
            }
        })
    }

    /// The view of the member [`Queries::find_member`] finds.
    pub fn member(&self, name: &str) -> Result<Option<v::MemberView>> {
        Ok(self
            .find_member(name)?
            .map(|(_, m)| v::MemberView::new(self.ledger.hashing(), self.chain_id(), &m)))
    }

    /// The member an account key belongs to (or belonged to).
    pub fn member_by_key(&self, key: &[u8]) -> Result<Option<v::MemberView>> {
        Ok(self
            .reader(|st| st.member_of_key(key))?
            .map(|m| v::MemberView::new(self.ledger.hashing(), self.chain_id(), &m)))
    }

    /// Whether the member with this member id exists and is active (a node's operator).
    pub fn member_active(&self, id: &[u8]) -> Result<bool> {
        self.reader(|st| {
            Ok(st
                .member(id)?
                .is_some_and(|m| m.status == pb::MemberStatus::Active as i32))
        })
    }

    /// The short id of a member id, when it names a member.
    pub fn member_name(&self, id: &[u8]) -> Result<Option<String>> {
        self.reader(|st| Ok(st.member(id)?.map(|m| m.id)))
    }

    /// The council in force, with its members' short ids.
    pub fn council(&self) -> Result<v::CouncilView> {
        let c = self.reader(|st| st.council())?;
        Ok(v::CouncilView {
            members: self.directory()?.members(&c.members),
            threshold: format!("{}/{}", c.threshold_num, c.threshold_den),
            voting_period_ms: c.voting_period_ms,
        })
    }

    /// The nodes of the chain as governance decided them, by Raft id.
    pub fn nodes(&self) -> Result<Vec<v::NodeView>> {
        let set = self.reader(|st| st.node_set())?;
        let d = self.directory()?;
        let mut out: Vec<_> = set.nodes.iter().map(|n| v::NodeView::new(n, &d)).collect();
        out.sort_by_key(|n| n.id);
        Ok(out)
    }

    /// The chain parameters in force.
    pub fn params(&self) -> Result<pb::Params> {
        self.reader(|st| st.params())
    }

    /// One governance proposal.
    pub fn proposal(&self, id: &Hash32) -> Result<Option<v::ProposalView>> {
        let (now, d) = (self.now()?, self.directory()?);
        Ok(self
            .reader(|st| st.msg::<pb::ProposalRecord>(&keys::proposal(id)))?
            .map(|p| v::ProposalView::new(&p, now, &d)))
    }

    /// Governance proposals, newest first; only those still open with `open`.
    pub fn proposals(&self, open: bool, limit: usize) -> Result<Vec<v::ProposalView>> {
        let (now, d) = (self.now()?, self.directory()?);
        let mut records = Vec::new();
        for (k, val) in self.scan(&keys::prefix("prop", &[]), usize::MAX)? {
            records.push(decode::<pb::ProposalRecord>(&val, &k)?);
        }
        records.sort_by_key(|p| std::cmp::Reverse(p.created_height));
        let mut out = Vec::new();
        for p in records {
            let view = v::ProposalView::new(&p, now, &d);
            if open && view.status != "open" {
                continue;
            }
            out.push(view);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }
}
