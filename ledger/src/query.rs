//! Read-only queries: the eight auditor questions of DOMAIN.md and the node's status,
//! answered from the sled tree as views for the API.

use shuquan_proto::pb;
use shuquan_proto::tx::decode_canonical;
use shuquan_proto::views::{self as v, opt_hex, ReceiptView};
use shuquan_proto::{block::block_hash, Hash32};

use crate::error::Result;
use crate::exec::overlay::State;
use crate::keys;
use crate::rules::status::{filing_status, grant_status};
use crate::smt;
use crate::store::decode;
use crate::view::Writes;
use crate::Ledger;

fn id32(b: &[u8]) -> Hash32 {
    Hash32::from_slice(b).unwrap_or_default()
}

fn tail_id(key: &[u8]) -> Hash32 {
    id32(&key[key.len().saturating_sub(32)..])
}

/// The read side of a ledger: the auditor's questions and the node's views, answered from
/// the committed rows.
#[derive(Clone, Copy, Debug)]
pub struct Queries<'a> {
    ledger: &'a Ledger,
    tree: &'a sled::Tree,
}

impl<'a> Queries<'a> {
    pub(crate) fn new(ledger: &'a Ledger) -> Self {
        Queries {
            ledger,
            tree: &ledger.store.tree,
        }
    }

    fn reader<R>(&self, f: impl FnOnce(&State<'_>) -> Result<R>) -> Result<R> {
        let mut empty = Writes::new();
        let st = State::new(&self.ledger.store, &mut empty);
        f(&st)
    }

    fn scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.ledger.store.scan(prefix, limit)
    }

    fn applied(&self) -> Result<pb::Applied> {
        self.ledger.applied()
    }

    /// Block time of the last applied block, the clock queries evaluate expiry against.
    fn now(&self) -> Result<u64> {
        Ok(self.applied()?.timestamp_ms)
    }

    /// A block header.
    pub fn header(&self, height: u64) -> Result<Option<pb::BlockHeader>> {
        let key = keys::header(height);
        self.tree.get(&key)?.map(|b| decode(&b, &key)).transpose()
    }

    /// A transaction's stored record.
    pub fn tx_record(&self, id: &Hash32) -> Result<Option<pb::TxRecord>> {
        let key = keys::tx(id);
        self.tree.get(&key)?.map(|b| decode(&b, &key)).transpose()
    }

    /// The receipt of a committed (or failed) transaction.
    pub fn receipt(&self, id: &Hash32) -> Result<Option<ReceiptView>> {
        Ok(self
            .tx_record(id)?
            .map(|r| ReceiptView::new(&r.receipt.unwrap_or_default(), r.height, r.index)))
    }

    /// A transaction with payload and receipt (query 8's input).
    pub fn tx(&self, id: &Hash32) -> Result<Option<v::TxView>> {
        let Some(rec) = self.tx_record(id)? else {
            return Ok(None);
        };
        let receipt = ReceiptView::new(
            &rec.receipt.clone().unwrap_or_default(),
            rec.height,
            rec.index,
        );
        let decoded = decode_canonical::<pb::TxRaw>(&rec.raw, "TxRaw")
            .and_then(|raw| decode_canonical::<pb::TxBody>(&raw.body, "TxBody"));
        let (kind, signer, cosigners, ts, payload) = match decoded {
            Ok(body) => (
                body.payload
                    .as_ref()
                    .map_or("unknown", shuquan_proto::tx::payload_kind)
                    .to_string(),
                hex::encode(&body.signer),
                body.cosigners.iter().map(hex::encode).collect(),
                body.timestamp_ms,
                body.payload
                    .as_ref()
                    .map(v::payload_json)
                    .unwrap_or_default(),
            ),
            Err(_) => (
                "undecodable".into(),
                String::new(),
                vec![],
                0,
                serde_json::Value::Null,
            ),
        };
        Ok(Some(v::TxView {
            tx_id: *id,
            kind,
            signer,
            cosigners,
            timestamp_ms: ts,
            payload,
            receipt,
            raw: hex::encode(&rec.raw),
        }))
    }

    /// The receipts of block `height`, in order.
    pub(crate) fn block_receipts(&self, height: u64) -> Result<Vec<pb::Receipt>> {
        self.scan(&keys::prefix("btx", &[&height.to_be_bytes()]), usize::MAX)?
            .iter()
            .map(|(k, v)| decode(v, k))
            .collect()
    }

    /// A block with its receipts.
    pub fn block(&self, height: u64) -> Result<Option<v::BlockView>> {
        let Some(h) = self.header(height)? else {
            return Ok(None);
        };
        let txs = self
            .block_receipts(height)?
            .iter()
            .zip(0u32..)
            .map(|(r, index)| ReceiptView::new(r, height, index))
            .collect();
        Ok(Some(v::BlockView {
            height,
            hash: block_hash(&h),
            prev_hash: id32(&h.prev_hash),
            timestamp_ms: h.timestamp_ms,
            proposer: hex::encode(&h.proposer),
            tx_root: id32(&h.tx_root),
            results_root: id32(&h.results_root),
            txs,
        }))
    }

    /// Query 8: the inclusion proof of a transaction into its block's transaction root.
    pub fn inclusion_proof(&self, id: &Hash32) -> Result<Option<v::InclusionProofView>> {
        let Some(rec) = self.tx_record(id)? else {
            return Ok(None);
        };
        let Some(header) = self.header(rec.height)? else {
            return Ok(None);
        };
        let leaves: Vec<Hash32> = self
            .block_receipts(rec.height)?
            .iter()
            .map(|r| shuquan_proto::merkle::leaf_hash(&id32(&r.tx_id).0))
            .collect();
        let Some(path) = shuquan_proto::merkle::proof(&leaves, rec.index as usize) else {
            return Ok(None);
        };
        use prost::Message;
        Ok(Some(v::InclusionProofView {
            tx_id: *id,
            height: rec.height,
            index: rec.index,
            tx_count: header.tx_count,
            path,
            tx_root: id32(&header.tx_root),
            block_hash: block_hash(&header),
            header: hex::encode(header.encode_to_vec()),
        }))
    }

    /// The height of the last block at or before time `ts` (0 if none).
    pub fn height_at_time(&self, ts: u64) -> Result<u64> {
        let start = keys::prefix("time", &[]);
        let end = keys::block_time(ts, u64::MAX);
        Ok(match self.tree.range(start..=end).next_back() {
            Some(item) => {
                let (k, _) = item?;
                u64::from_be_bytes(k[k.len() - 8..].try_into().unwrap_or([0; 8]))
            }
            None => 0,
        })
    }

    /// Query 1 and the asset record.
    pub fn asset(&self, id: &Hash32) -> Result<Option<v::AssetView>> {
        let Some(a) = self.reader(|st| st.asset(id))? else {
            return Ok(None);
        };
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
            registrant: hex::encode(&a.registrant),
            registered_height: a.registered_height,
            registered_at_ms: a.registered_at_ms,
            holders: v::HoldersView {
                hold: hex::encode(&a.holder_hold),
                use_: hex::encode(&a.holder_use),
                operate: hex::encode(&a.holder_operate),
            },
            parents: a.parents.iter().map(edge_parent).collect(),
            frozen: a.frozen,
            history_head: id32(&a.history_head),
            event_count: a.event_count,
            tx_id: id32(&a.tx_id),
        }))
    }

    /// Query 1: every transaction that named the asset, in chain order, with its result.
    pub fn history(&self, asset: &Hash32) -> Result<Vec<v::HistoryEntryView>> {
        let mut out = Vec::new();
        for (seq, (_, id)) in self
            .scan(&keys::prefix("hist", &[asset.as_bytes()]), usize::MAX)?
            .into_iter()
            .enumerate()
        {
            let Some(tx) = self.tx(&id32(&id))? else {
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
            hex::encode(&record.registrant)
        } else {
            String::new()
        };
        let holder = |right: pb::Right| -> Result<String> {
            let start = keys::rights(asset, right as i32, 0, 0);
            let end = keys::rights(asset, right as i32, height, u32::MAX);
            Ok(match self.tree.range(start..=end).next_back() {
                Some(item) => hex::encode(item?.1),
                None => registrant.clone(),
            })
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

    /// Where and when a grant query reads: the time statuses are evaluated at, and the
    /// height whose state answers (`None`: the latest). A time before the last block reads
    /// the state of the last block at or before it, so a grant shows what it was then and a
    /// grant issued later does not show at all.
    fn as_of(&self, at: Option<u64>) -> Result<(u64, Option<u64>)> {
        let applied = self.applied()?;
        match at {
            Some(t) if t < applied.timestamp_ms => Ok((t, Some(self.height_at_time(t)?))),
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
            None => self.tree.get(key)?.map(|v| v.to_vec()),
            Some(h) => smt::row_at(&self.ledger.store, key, h)?,
        };
        bytes.map(|b| decode(&b, key)).transpose()
    }

    fn grant_view(
        &self,
        g: &pb::GrantRecord,
        at: u64,
        height: Option<u64>,
    ) -> Result<v::GrantView> {
        let t = g.terms.clone().unwrap_or_default();
        let status = grant_status(g, at, |f| self.row(&keys::filing(f), height))?;
        Ok(v::GrantView {
            id: id32(&g.id),
            asset: hex::encode(&t.asset),
            grantor: hex::encode(&g.grantor),
            grantee: hex::encode(&t.grantee),
            actions: t.actions.iter().map(|a| v::action_word(*a)).collect(),
            purposes: t.purposes.clone(),
            not_before_ms: t.not_before_ms,
            not_after_ms: t.not_after_ms,
            jurisdictions: t.jurisdictions.clone(),
            max_uses: t.max_uses,
            uses: g.uses,
            recipient_systems: t.recipient_systems.clone(),
            status: v::grant_status_word(status as i32),
            status_at_ms: at,
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
        self.row::<pb::GrantRecord>(&keys::grant(id), height)?
            .map(|g| self.grant_view(&g, at, height))
            .transpose()
    }

    /// Query 4: grants on an asset (or to / from a member key) as they were at `at`
    /// (default: the last block's time): grants issued later are left out.
    pub fn grants(&self, prefix_of: GrantsOf<'_>, at: Option<u64>) -> Result<Vec<v::GrantView>> {
        let (at, height) = self.as_of(at)?;
        let prefix = match prefix_of {
            GrantsOf::Asset(a) => keys::grants_of_asset(a),
            GrantsOf::Grantee(k) => keys::grants_to(k),
            GrantsOf::Grantor(k) => keys::prefix("ggrantor", &[k]),
        };
        let mut out = Vec::new();
        for (k, _) in self.scan(&prefix, usize::MAX)? {
            if let Some(g) = self.row::<pb::GrantRecord>(&keys::grant(&tail_id(&k)), height)? {
                out.push(self.grant_view(&g, at, height)?);
            }
        }
        Ok(out)
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

    fn filing_view(f: &pb::FilingRecord, at: u64) -> v::FilingView {
        let req = f.request.clone().unwrap_or_default();
        let declared = req.declared.unwrap_or_default();
        v::FilingView {
            id: id32(&f.id),
            exporter: hex::encode(&f.exporter),
            exporter_member: f.exporter_member.clone(),
            grants: req.grants.iter().map(hex::encode).collect(),
            transfer: req.transfer.as_ref().map(v::TransferExportView::new),
            destination: req.destination,
            path: v::path_word(req.path),
            exempt_reason: req.exempt_reason,
            pi_subjects: declared.pi_subjects,
            spi_subjects: declared.spi_subjects,
            important: declared.important,
            evidence_hash: hex::encode(&req.evidence_hash),
            status: v::filing_status_word(filing_status(f, at) as i32),
            status_at_ms: at,
            valid_until_ms: f.valid_until_ms,
            filed_height: f.filed_height,
            decided_by: opt_hex(&f.decided_by),
            frozen: f.frozen,
            tx_id: id32(&f.tx_id),
        }
    }

    /// One filing.
    pub fn filing(&self, id: &Hash32) -> Result<Option<v::FilingView>> {
        let at = self.now()?;
        Ok(self
            .reader(|st| st.filing(id))?
            .map(|f| Self::filing_view(&f, at)))
    }

    /// Query 6: the cross-border filings that cover grants of an asset.
    pub fn filings_of_asset(&self, asset: &Hash32) -> Result<Vec<v::FilingView>> {
        let at = self.now()?;
        let mut out = Vec::new();
        for (k, _) in self.scan(&keys::prefix("fasset", &[asset.as_bytes()]), usize::MAX)? {
            if let Some(f) = self.reader(|st| st.filing(&tail_id(&k)))? {
                out.push(Self::filing_view(&f, at));
            }
        }
        Ok(out)
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

    /// An attestation, with its status at the last block's time.
    pub fn attestation(&self, id: &Hash32) -> Result<Option<v::AttestationView>> {
        let at = self.now()?;
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
                id: *id,
                issuer: hex::encode(&r.issuer),
                subject: hex::encode(&a.subject),
                kind: v::attest_kind_word(a.kind),
                result: v::attest_result_word(a.result),
                report_hash: hex::encode(&a.report_hash),
                valid_until_ms: a.valid_until_ms,
                superseded_by: opt_hex(&r.superseded_by),
                height: r.height,
            }
        }))
    }
}

/// Whose grants to list.
#[derive(Clone, Copy, Debug)]
pub enum GrantsOf<'a> {
    /// Grants on an asset.
    Asset(&'a Hash32),
    /// Grants to a grantee key.
    Grantee(&'a [u8]),
    /// Grants issued by a grantor key.
    Grantor(&'a [u8]),
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
