//! Running an operation on both chains: a block of market transactions on A and their
//! direct equivalents on B, an export approval on both, or the passing of time; then the
//! checks.

use proptest::prelude::*;
use shuquan_proto::pb;
use shuquan_proto::Keypair;

use super::gen::{Kind, Op, HOMES, HOUR, RIGHTS};
use super::model::{created, GrantPair, Mark, Meta};
use super::twin::Twin;
use crate::harness::{Chain, DAY};

impl Twin {
    /// One block of market transactions on A and, at the same time, their direct
    /// equivalents on B.
    pub(super) fn step(&mut self, metas: &[Meta]) -> Result<(), TestCaseError> {
        prop_assert_eq!(self.a.now, self.b.now);
        self.t = self.a.now;
        self.moved.clear();
        let raws: Vec<Vec<u8>> = metas
            .iter()
            .map(|m| {
                let (s, p) = self.payload(m);
                let k = self.keys[s].clone();
                self.a.tx(&k, &[], p)
            })
            .collect();
        let ba = self.a.block(raws);
        let mut equivs = Vec::new();
        for (i, m) in metas.iter().enumerate() {
            let r = &ba.receipts[i];
            let e = self.stats.entry(m.word()).or_default();
            if r.code == 0 {
                e.0 += 1;
            } else {
                e.1 += 1;
                if std::env::var("MARKET_PROPS_WHY").is_ok() {
                    eprintln!("WHY {} {:?}", m.word(), Chain::outcome(r));
                }
            }
            if let Some(eq) = self.judge(m, r)? {
                equivs.push((i, eq));
            }
        }
        let raws: Vec<Vec<u8>> = equivs
            .iter()
            .map(|(_, e)| {
                let k = self.keys[e.signer].clone();
                let cos: Vec<Keypair> = e.cosigner.iter().map(|c| self.keys[*c].clone()).collect();
                let cos: Vec<&Keypair> = cos.iter().collect();
                self.b.tx(&k, &cos, e.payload.clone())
            })
            .collect();
        let bb = self.b.block(raws);
        for ((i, e), rb) in equivs.into_iter().zip(&bb.receipts) {
            let ra = &ba.receipts[i];
            prop_assert_eq!(
                ra.code == 0,
                rb.code == 0,
                "{:?} at {}: {:?} on the market, its direct equivalent {:?}",
                metas[i],
                self.t,
                Chain::outcome(ra),
                Chain::outcome(rb)
            );
            if let (0, Some((asset, grantee, terms))) = (ra.code, e.grant) {
                self.grants.push(GrantPair {
                    a: created(ra).unwrap(),
                    b: created(rb).unwrap(),
                    asset,
                    grantee,
                    terms,
                });
            }
        }
        Ok(())
    }

    /// An export approval on both chains: a filing of a grant or of a right's transfer
    /// abroad, and the regulator's approval.
    pub(super) fn export(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let (f, x) = (op.faithful, op.x);
        let declare = |req: &mut pb::FileCrossBorder, destination: &str| {
            req.destination = destination.into();
            req.path = pb::ExportPath::SecurityAssessment as i32;
            req.declared = Some(pb::Declared {
                important: true,
                ..Default::default()
            });
        };
        let (fa, fb) = if x[2] % 2 == 0 && !self.grants.is_empty() {
            let g = self.grants[usize::from(x[0]) % self.grants.len()].clone();
            let home = self.assets[g.asset].home;
            let abroad: Vec<&String> = g
                .terms
                .jurisdictions
                .iter()
                .filter(|j| *j != home)
                .collect();
            let destination = abroad
                .get(usize::from(x[3]) % abroad.len().max(1))
                .map_or("VN".to_string(), |j| j.to_string());
            let exporter = self.keys[self.signer(f, self.operator(g.asset), x[4])].clone();
            let fa = self
                .a
                .file(&exporter, &[g.a], |req| declare(req, &destination));
            let fb = self
                .b
                .file(&exporter, &[g.b], |req| declare(req, &destination));
            (fa, fb)
        } else {
            let asset = usize::from(x[0]) % self.assets.len();
            let right = RIGHTS[usize::from(x[3]) % 3];
            let receiver = if f { 1 } else { usize::from(x[1]) % 3 };
            let exporter = self.signer(f, self.holder(asset, right as i32), x[4]);
            let (k, to, id) = (
                self.keys[exporter].clone(),
                self.keys[receiver].clone(),
                self.assets[asset].id,
            );
            let fa = self
                .a
                .file_transfer(&k, id, right, &to, |req| declare(req, HOMES[receiver]));
            let fb = self
                .b
                .file_transfer(&k, id, right, &to, |req| declare(req, HOMES[receiver]));
            (fa, fb)
        };
        let e = self.stats.entry("file").or_default();
        if fa.is_ok() {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        prop_assert_eq!(
            fa.is_ok(),
            fb.is_ok(),
            "{:?}: filed {:?} and {:?}",
            op,
            fa,
            fb
        );
        if let (Ok(Some(fa)), Ok(Some(fb))) = (fa, fb) {
            let until = self.a.now + 200 * DAY;
            let da = self.a.decide(fa, pb::Decision::Approve, until);
            let db = self.b.decide(fb, pb::Decision::Approve, until);
            prop_assert_eq!(
                da.is_ok(),
                db.is_ok(),
                "{:?}: decided {:?} and {:?}",
                op,
                da,
                db
            );
        }
        Ok(())
    }

    pub(super) fn run(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let frozen: Vec<(usize, Mark)> = (0..self.assets.len())
            .filter(|i| self.frozen[*i])
            .map(|i| (i, self.mark(i)))
            .collect();
        match op.kind {
            Kind::Wait => {
                let d = [1_000, HOUR, 2 * DAY, 40 * DAY, 200 * DAY][usize::from(op.x[0]) % 5];
                self.a.now += d;
                self.b.now += d;
                self.a.block(vec![]);
                self.b.block(vec![]);
            }
            Kind::Export => self.export(op)?,
            _ => {
                // With nothing to act on yet, make what the operation would act on.
                let mut op = *op;
                let metas = loop {
                    if let Some(metas) = self.build(&op) {
                        break metas;
                    }
                    op.kind = match op.kind {
                        Kind::Answer | Kind::Usage => Kind::Request,
                        Kind::Order | Kind::Cancel if op.x[7].is_multiple_of(3) => Kind::ListRight,
                        Kind::Order | Kind::Cancel => Kind::ListLicence,
                        Kind::Accept | Kind::AcceptTwo => Kind::Order,
                        Kind::Confirm | Kind::Dispute => Kind::Accept,
                        _ => return Ok(()),
                    };
                };
                self.step(&metas)?;
            }
        }
        // 4. Nothing changed on an asset frozen before the block and after it.
        for (i, before) in frozen {
            if self.frozen[i] {
                prop_assert_eq!(
                    &self.mark(i),
                    &before,
                    "{:?} changed frozen asset {}",
                    op,
                    i
                );
            }
        }
        self.check(op)
    }
}
