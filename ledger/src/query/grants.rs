//! Grants, filings and attestations, with their statuses at a time read from the state of
//! that time.

use shuquan_proto::pb;
use shuquan_proto::views::{self as v, opt_hex};
use shuquan_proto::Hash32;

use super::{id32, tail_id, GrantsOf, Page, Queries};
use crate::error::Result;
use crate::keys;
use crate::rules::status::{filing_status, grant_status};
use crate::smt;
use crate::store::decode;
use crate::view::StateView;

impl Queries<'_> {
    /// Where and when a grant query reads: the time statuses are evaluated at, and the
    /// height whose state answers (`None`: the latest). A time before the last block reads
    /// the state of the last block at or before it, so a grant shows what it was then and a
    /// grant issued later does not show at all.
    fn as_of(&self, at: Option<u64>) -> Result<(u64, Option<u64>)> {
        let applied = self.applied()?;
        match at {
            Some(t) if t < applied.timestamp_ms => {
                let height = self.height_at_time(t)?;
                let from = self.ledger.state_from()?;
                if height < from {
                    return Err(crate::Error::Unavailable(format!(
                        "this node joined the chain by a state snapshot of height {from} and \
                         holds no state before it; ask a node that applied every block"
                    )));
                }
                Ok((t, Some(height)))
            }
            Some(t) => Ok((t, None)),
            None => Ok((applied.timestamp_ms, None)),
        }
    }

    /// A state row now (`None`) or as of a height.
    fn row<M: prost::Message + Default>(
        &self,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<M>> {
        let bytes = match height {
            None => self.ledger.store.get(key)?,
            Some(h) => smt::row_at(self.ledger.hashing(), &self.ledger.store, key, h)?,
        };
        bytes.map(|b| decode(&b, key)).transpose()
    }

    fn grant_view(
        &self,
        g: &pb::GrantRecord,
        at: u64,
        height: Option<u64>,
        d: &v::Directory,
    ) -> Result<v::GrantView> {
        let t = g.terms.clone().unwrap_or_default();
        let status = grant_status(g, at, |f| self.row(&keys::filing(f), height))?;
        Ok(v::GrantView {
            id: id32(&g.id),
            asset: hex::encode(&t.asset),
            grantor: d.member(&g.grantor),
            grantee: d.member(&t.grantee),
            actions: t.actions.iter().map(|a| v::action_word(*a)).collect(),
            purposes: t.purposes.clone(),
            not_before_ms: t.not_before_ms,
            not_before: d.time(t.not_before_ms),
            not_after_ms: t.not_after_ms,
            not_after: d.time(t.not_after_ms),
            jurisdictions: t.jurisdictions.clone(),
            max_uses: t.max_uses,
            uses: g.uses,
            recipient_systems: t.recipient_systems.clone(),
            status: v::grant_status_word(status as i32),
            status_at_ms: at,
            status_at: d.time(at),
            as_of_height: match height {
                Some(h) => h,
                None => self.applied()?.height,
            },
            covers: g
                .covers
                .iter()
                .map(|c| format!("{}={}", c.jurisdiction, hex::encode(&c.filing)))
                .collect(),
            frozen: g.frozen,
            issued_height: g.issued_height,
            tx_id: id32(&g.tx_id),
        })
    }

    /// One grant, with its status at `at` (default: the last block's time) read from the
    /// state of that time; `None` if it did not exist then.
    pub fn grant(&self, id: &Hash32, at: Option<u64>) -> Result<Option<v::GrantView>> {
        let (at, height) = self.as_of(at)?;
        let d = self.directory()?;
        self.row::<pb::GrantRecord>(&keys::grant(id), height)?
            .map(|g| self.grant_view(&g, at, height, &d))
            .transpose()
    }

    /// Query 4: grants on an asset (or to / from a member key) as they were at `at`
    /// (default: the last block's time), in id order, one page at a time: grants issued
    /// later are left out.
    pub fn grants(
        &self,
        prefix_of: GrantsOf<'_>,
        at: Option<u64>,
        page: Page,
    ) -> Result<Vec<v::GrantView>> {
        let (at, height) = self.as_of(at)?;
        let prefix = match prefix_of {
            GrantsOf::Asset(a) => keys::grants_of_asset(a),
            GrantsOf::Grantee(k) => keys::grants_to(k),
            GrantsOf::Grantor(k) => keys::prefix("ggrantor", &[k]),
        };
        let after = page.after.map(|id| [&prefix[..], id.as_bytes()].concat());
        let limit = page.limit.min(Page::MAX_LIMIT);
        let d = self.directory()?;
        let mut out = Vec::new();
        for (k, _) in self
            .ledger
            .store
            .rows_with_prefix(&prefix, after.as_deref(), limit)?
        {
            if let Some(g) = self.row::<pb::GrantRecord>(&keys::grant(&tail_id(&k)), height)? {
                out.push(self.grant_view(&g, at, height, &d)?);
            }
        }
        Ok(out)
    }

    fn filing_view(f: &pb::FilingRecord, at: u64, d: &v::Directory) -> v::FilingView {
        let req = f.request.clone().unwrap_or_default();
        let declared = req.declared.unwrap_or_default();
        v::FilingView {
            id: id32(&f.id),
            exporter: d.member(&f.exporter),
            exporter_member: f.exporter_member.clone(),
            grants: req.grants.iter().map(hex::encode).collect(),
            transfer: req
                .transfer
                .as_ref()
                .map(|t| v::TransferExportView::new(t, d)),
            destination: req.destination,
            path: v::path_word(req.path),
            exempt_reason: req.exempt_reason,
            pi_subjects: declared.pi_subjects,
            spi_subjects: declared.spi_subjects,
            important: declared.important,
            evidence_hash: hex::encode(&req.evidence_hash),
            status: v::filing_status_word(filing_status(f, at) as i32),
            status_at_ms: at,
            status_at: d.time(at),
            valid_until_ms: f.valid_until_ms,
            valid_until: d.time(f.valid_until_ms),
            filed_height: f.filed_height,
            decided_by: d.opt_member(&f.decided_by),
            frozen: f.frozen,
            tx_id: id32(&f.tx_id),
        }
    }

    /// One filing.
    pub fn filing(&self, id: &Hash32) -> Result<Option<v::FilingView>> {
        let at = self.now()?;
        let d = self.directory()?;
        Ok(self
            .reader(|st| st.filing(id))?
            .map(|f| Self::filing_view(&f, at, &d)))
    }

    /// Query 6: the cross-border filings that cover grants of an asset.
    pub fn filings_of_asset(&self, asset: &Hash32) -> Result<Vec<v::FilingView>> {
        let at = self.now()?;
        let d = self.directory()?;
        let mut out = Vec::new();
        for (k, _) in self.scan(&keys::prefix("fasset", &[asset.as_bytes()]), usize::MAX)? {
            if let Some(f) = self.reader(|st| st.filing(&tail_id(&k)))? {
                out.push(Self::filing_view(&f, at, &d));
            }
        }
        Ok(out)
    }

    /// An attestation, with its status at the last block's time.
    pub fn attestation(&self, id: &Hash32) -> Result<Option<v::AttestationView>> {
        let at = self.now()?;
        let d = self.directory()?;
        let rec = self.reader(|st| st.msg::<pb::AttestationRecord>(&keys::attestation(id)))?;
        Ok(rec.map(|r| {
            let a = r.attest.unwrap_or_default();
            let status = if !r.superseded_by.is_empty() {
                "superseded"
            } else if a.valid_until_ms != 0 && at >= a.valid_until_ms {
                "expired"
            } else {
                "valid"
            };
            v::AttestationView {
                status: status.into(),
                status_at_ms: at,
                status_at: d.time(at),
                id: *id,
                issuer: d.member(&r.issuer),
                subject: hex::encode(&a.subject),
                kind: v::attest_kind_word(a.kind),
                result: v::attest_result_word(a.result),
                report_hash: hex::encode(&a.report_hash),
                valid_until_ms: a.valid_until_ms,
                valid_until: d.time(a.valid_until_ms),
                superseded_by: opt_hex(&r.superseded_by),
                height: r.height,
            }
        }))
    }
}
