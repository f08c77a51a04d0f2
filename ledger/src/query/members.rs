//! Members, and the transactions a key signed.

use shuquan_proto::pb;
use shuquan_proto::views::{self as v, ReceiptView};

use super::{id32, Queries};
use crate::error::Result;
use crate::keys;
use crate::store::decode;

impl Queries<'_> {
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

    /// All members.
    pub fn members(&self) -> Result<Vec<v::MemberView>> {
        let mut out = Vec::new();
        for (k, val) in self.scan(&keys::prefix("mem", &[]), usize::MAX)? {
            out.push(v::MemberView::new(&decode::<pb::Member>(&val, &k)?));
        }
        Ok(out)
    }

    /// The member an account key belongs to.
    pub fn member_by_key(&self, key: &[u8]) -> Result<Option<v::MemberView>> {
        Ok(self
            .reader(|st| st.member_of_key(key))?
            .map(|m| v::MemberView::new(&m)))
    }
}
