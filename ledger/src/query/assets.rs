//! Assets: the record, its history, who held each right at a height, fingerprints, lineage.

use std::ops::Bound;

use crate::view::StateView;
use shuquan_proto::pb;
use shuquan_proto::views::{self as v, opt_hex};
use shuquan_proto::Hash32;

use super::{id32, tail_id, Queries};
use crate::error::Result;
use crate::keys;

impl Queries<'_> {
    /// Query 1 and the asset record.
    pub fn asset(&self, id: &Hash32) -> Result<Option<v::AssetView>> {
        let Some((a, cert)) = self.reader(|st| {
            Ok(match st.asset(id)? {
                Some(a) => Some((a, st.certificate(id)?)),
                None => None,
            })
        })?
        else {
            return Ok(None);
        };
        let status = crate::rules::status::registration_status(&a, self.now()?);
        let d = self.directory()?;
        let reg = a.registration.clone().unwrap_or_default();
        let pi = a.pi.unwrap_or_default();
        Ok(Some(v::AssetView {
            id: *id,
            fingerprint: hex::encode(&reg.fingerprint),
            size_bytes: reg.size_bytes,
            name: reg.name,
            description: reg.description,
            sector: reg.sector,
            grade: v::grade_word(a.grade),
            origin: v::origin_word(reg.origin),
            contains_pi: pi.contains_pi,
            contains_sensitive_pi: pi.contains_sensitive_pi,
            jurisdiction: reg.jurisdiction,
            delivery_modes: reg
                .delivery_modes
                .iter()
                .map(|m| v::delivery_word(*m))
                .collect(),
            evidence_hash: opt_hex(&reg.evidence_hash),
            registrant: d.member(&a.registrant),
            registered_height: a.registered_height,
            registered_at_ms: a.registered_at_ms,
            registered_at: d.time(a.registered_at_ms),
            holders: v::HoldersView {
                hold: d.member(&a.holder_hold),
                use_: d.member(&a.holder_use),
                operate: d.member(&a.holder_operate),
            },
            parents: a.parents.iter().map(edge_parent).collect(),
            frozen: a.frozen,
            history_head: id32(&a.history_head),
            event_count: a.event_count,
            tx_id: id32(&a.tx_id),
            status: v::registration_status_word(status as i32),
            sharing: v::sharing_word(reg.sharing),
            registration_number: cert.map(|c| c.number),
            valid_until_ms: (a.valid_until_ms != 0).then_some(a.valid_until_ms),
            valid_until: d.time(a.valid_until_ms),
            application: a
                .application
                .as_ref()
                .map(|app| v::ApplicationView::of(app, &d)),
            refusal: (a.refusal != 0).then(|| v::review_reason_word(a.refusal)),
        }))
    }

    /// Query 1: every transaction that named the asset, in chain order, with its result.
    pub fn history(&self, asset: &Hash32) -> Result<Vec<v::HistoryEntryView>> {
        let d = self.directory()?;
        let mut out = Vec::new();
        for (seq, (_, id)) in self
            .scan(&keys::prefix("hist", &[asset.as_bytes()]), usize::MAX)?
            .into_iter()
            .enumerate()
        {
            let Some(tx) = self.tx_named(&id32(&id), &d)? else {
                continue;
            };
            let timestamp_ms = self
                .header(tx.receipt.height)?
                .map_or(0, |h| h.timestamp_ms);
            out.push(v::HistoryEntryView {
                seq: seq as u64,
                kind: tx.kind,
                signer: tx.signer,
                timestamp_ms,
                timestamp: d.time(timestamp_ms),
                receipt: tx.receipt,
            });
        }
        Ok(out)
    }

    /// Query 2: who held each right of the asset at `height`.
    pub fn rights_at(&self, asset: &Hash32, height: u64) -> Result<Option<v::RightsView>> {
        let Some(record) = self.reader(|st| st.asset(asset))? else {
            return Ok(None);
        };
        // Transfers are indexed; before a right's first transfer its registrant held it.
        let registrant = if height >= record.registered_height {
            record.registrant.clone()
        } else {
            Vec::new()
        };
        let d = self.directory()?;
        let holder = |right: pb::Right| -> Result<v::MemberRef> {
            let start = keys::rights(asset, right as i32, 0, 0);
            let end = keys::rights(asset, right as i32, height, u32::MAX);
            Ok(
                match self
                    .ledger
                    .store
                    .last_in_range(&start, Bound::Included(&end))?
                {
                    Some((_, holder)) => d.member(&holder),
                    None => d.member(&registrant),
                },
            )
        };
        Ok(Some(v::RightsView {
            asset: *asset,
            height,
            holders: v::HoldersView {
                hold: holder(pb::Right::Hold)?,
                use_: holder(pb::Right::Use)?,
                operate: holder(pb::Right::Operate)?,
            },
        }))
    }

    /// Query 3: assets registered with this fingerprint.
    pub fn assets_by_fingerprint(&self, fp: &Hash32) -> Result<Vec<Hash32>> {
        Ok(self
            .scan(&keys::fingerprint(fp.as_bytes()), usize::MAX)?
            .iter()
            .map(|(k, _)| tail_id(k))
            .collect())
    }

    /// Query 5: parents and children, each edge with what allowed it.
    pub fn lineage(&self, asset: &Hash32) -> Result<Option<v::LineageView>> {
        let Some(a) = self.reader(|st| st.asset(asset))? else {
            return Ok(None);
        };
        let children = self
            .scan(&keys::prefix("child", &[asset.as_bytes()]), usize::MAX)?
            .into_iter()
            .map(|(k, via)| v::EdgeView {
                asset: tail_id(&k),
                via: via_word(&via),
            })
            .collect();
        Ok(Some(v::LineageView {
            asset: *asset,
            parents: a.parents.iter().map(edge_parent).collect(),
            children,
        }))
    }
}

fn via_word(via_grant: &[u8]) -> String {
    if via_grant.is_empty() {
        "use-right".into()
    } else {
        hex::encode(via_grant)
    }
}

fn edge_parent(e: &pb::LineageEdge) -> v::EdgeView {
    v::EdgeView {
        asset: id32(&e.parent),
        via: via_word(&e.via_grant),
    }
}
