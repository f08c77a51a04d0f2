//! Registration: certificates by asset or registration number, objections, and what the
//! block producer needs to know of the notice queue.

use shuquan_proto::views::{self as v, registration_status_word};
use shuquan_proto::Hash32;

use super::{tail_id, Queries};
use crate::error::Result;
use crate::keys;
use crate::rules::status::registration_status;

impl Queries<'_> {
    /// An asset's registration certificate, with the asset's status now.
    pub fn certificate(&self, asset: &Hash32) -> Result<Option<v::RegistrationView>> {
        let now = self.now()?;
        let d = self.directory()?;
        self.reader(|st| {
            let (Some(c), Some(a)) = (st.certificate(asset)?, st.asset(asset)?) else {
                return Ok(None);
            };
            let status = registration_status_word(registration_status(&a, now) as i32);
            let name = a.registration.unwrap_or_default().name;
            Ok(Some(v::RegistrationView::of(&c, name, status, &d)))
        })
    }

    /// The asset a registration number names.
    pub fn asset_of_number(&self, number: &str) -> Result<Option<Hash32>> {
        self.reader(|st| {
            Ok(st
                .get(&keys::registration_number(number))?
                .and_then(|b| Hash32::from_slice(&b).ok()))
        })
    }

    /// Every objection filed against the asset's applications, oldest first by id order.
    pub fn objections(&self, asset: &Hash32) -> Result<Vec<v::ObjectionView>> {
        let d = self.directory()?;
        let mut out = Vec::new();
        for (key, _) in self.scan(&keys::objections_of(asset), usize::MAX)? {
            if let Some(o) = self.reader(|st| st.objection(&tail_id(&key)))? {
                out.push(v::ObjectionView::of(&o, &d));
            }
        }
        out.sort_by_key(|o| o.filed_height);
        Ok(out)
    }

    /// One objection.
    pub fn objection(&self, id: &Hash32) -> Result<Option<v::ObjectionView>> {
        let d = self.directory()?;
        self.reader(|st| Ok(st.objection(id)?.map(|o| v::ObjectionView::of(&o, &d))))
    }

    /// The assets block `height` changed (their record or certificate); `None` when this
    /// node holds no such index for the height (it joined by a snapshot above it).
    pub fn changed_assets(&self, height: u64) -> Result<Option<Vec<Hash32>>> {
        // A node that joined by a snapshot at S executed no block up to S.
        if height == 0 || height <= self.ledger.state_from()? {
            return Ok(None);
        }
        let ids = crate::view::StateView::get(&self.ledger.store, &keys::changed_assets(height))?
            .unwrap_or_default();
        Ok(Some(
            ids.chunks_exact(32)
                .filter_map(|c| Hash32::from_slice(c).ok())
                .collect(),
        ))
    }

    /// Asset ids in id order after `after` (at most `limit`): for rebuilding an index of
    /// every asset without holding them all at once.
    pub fn asset_ids(&self, after: Option<&Hash32>, limit: usize) -> Result<Vec<Hash32>> {
        let prefix = b"asset:";
        let after = after.map(keys::asset);
        let rows = crate::view::StateView::rows_with_prefix(
            &self.ledger.store,
            prefix,
            after.as_deref(),
            limit,
        )?;
        Ok(rows.iter().map(|(k, _)| tail_id(k)).collect())
    }

    /// When the earliest public notice under way ends (block time): the block after that
    /// certifies it, so a producer with nothing else to do proposes an empty block then.
    pub fn next_notice_end(&self) -> Result<Option<u64>> {
        let first = self.scan(keys::NOTICE_DUE, 1)?;
        Ok(first.first().and_then(|(k, _)| {
            k.get(keys::NOTICE_DUE.len()..keys::NOTICE_DUE.len() + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
        }))
    }
}
