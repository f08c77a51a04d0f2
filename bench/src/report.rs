//! The side-by-side report: per concurrency level, both systems' figures and the
//! Shuquan/etcd ratios of throughput and p99 latency, as a Markdown table and as JSON
//! (`{"levels": [{"clients", "shuquan", "etcd", "ratio_tps", "ratio_p99"}]}`); with
//! `--crypto sm` also Shuquan on the national algorithms (`shuquan_sm`) and its ratios to
//! the default (`sm_ratio_tps`, `sm_ratio_p99`, `sm_ratio_cpu`).

use serde::Serialize;

use crate::stats::Stats;

/// One concurrency level.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// Concurrent clients.
    pub clients: usize,
    /// Shuquan's figures (absent with `--only etcd`).
    pub shuquan: Option<Stats>,
    /// etcd's figures (absent with `--only shuquan`).
    pub etcd: Option<Stats>,
    /// Shuquan tps / etcd tps.
    pub ratio_tps: Option<f64>,
    /// Shuquan p99 / etcd p99.
    pub ratio_p99: Option<f64>,
    /// Shuquan on SM3 and SM2 (with `--crypto sm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuquan_sm: Option<Stats>,
    /// SM tps / standard tps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sm_ratio_tps: Option<f64>,
    /// SM p99 / standard p99.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sm_ratio_p99: Option<f64>,
    /// SM server CPU per op / standard server CPU per op.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sm_ratio_cpu: Option<f64>,
}

/// `a / b`, to two decimals, when both are known and `b` is positive.
fn ratio(a: Option<&Stats>, b: Option<&Stats>, f: fn(&Stats) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if f(b) > 0.0 => Some((f(a) / f(b) * 100.0).round() / 100.0),
        _ => None,
    }
}

impl Level {
    /// A level with its ratios.
    pub fn new(clients: usize, shuquan: Option<Stats>, etcd: Option<Stats>) -> Level {
        Level {
            clients,
            ratio_tps: ratio(shuquan.as_ref(), etcd.as_ref(), |s| s.tps),
            ratio_p99: ratio(shuquan.as_ref(), etcd.as_ref(), |s| s.p99_ms),
            shuquan,
            etcd,
            shuquan_sm: None,
            sm_ratio_tps: None,
            sm_ratio_p99: None,
            sm_ratio_cpu: None,
        }
    }

    /// The level with Shuquan's figures on the national algorithms and their ratios to
    /// the default's.
    pub fn with_sm(mut self, sm: Option<Stats>) -> Level {
        self.sm_ratio_tps = ratio(sm.as_ref(), self.shuquan.as_ref(), |s| s.tps);
        self.sm_ratio_p99 = ratio(sm.as_ref(), self.shuquan.as_ref(), |s| s.p99_ms);
        self.sm_ratio_cpu = ratio(sm.as_ref(), self.shuquan.as_ref(), |s| s.cpu_us_per_op);
        self.shuquan_sm = sm;
        self
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// One entry per concurrency level.
    pub levels: Vec<Level>,
}

fn row(system: &str, clients: usize, s: &Stats) -> String {
    format!(
        "| {clients} | {system} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
        s.tps,
        s.p50_ms,
        s.p99_ms,
        s.p999_ms,
        s.errors,
        s.cpu_us_per_op,
        s.rss_mib,
        s.disk_bytes_per_op,
        s.stored_bytes_per_op
    )
}

impl Report {
    /// The Markdown table.
    pub fn markdown(&self) -> String {
        let mut out = vec![
            "| clients | system | ops/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/op | peak RSS MiB | disk B/op | stored B/op |".to_string(),
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|".to_string(),
        ];
        for l in &self.levels {
            if let Some(s) = &l.shuquan {
                out.push(row("shuquan", l.clients, s));
            }
            if let Some(e) = &l.etcd {
                out.push(row("etcd", l.clients, e));
            }
            if let (Some(t), Some(p)) = (l.ratio_tps, l.ratio_p99) {
                out.push(format!(
                    "| {} | **shuquan/etcd** | **{t:.2}×** | | **{p:.2}×** | | | | | | |",
                    l.clients
                ));
            }
            if let Some(s) = &l.shuquan_sm {
                out.push(row("shuquan-sm", l.clients, s));
            }
            if let (Some(t), Some(p), Some(c)) = (l.sm_ratio_tps, l.sm_ratio_p99, l.sm_ratio_cpu) {
                out.push(format!(
                    "| {} | **sm/standard** | **{t:.2}×** | | **{p:.2}×** | | | **{c:.2}×** | | | |",
                    l.clients
                ));
            }
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn stats(tps: f64, p99: f64) -> Stats {
        Stats {
            tps,
            p50_ms: 1.0,
            p99_ms: p99,
            p999_ms: p99 * 2.0,
            errors: 0,
            cpu_us_per_op: 100.0,
            rss_mib: 20.0,
            disk_bytes_per_op: 900.0,
            stored_bytes_per_op: 300.0,
        }
    }

    #[test]
    fn ratios_and_shapes() {
        let r = Report {
            levels: vec![
                Level::new(64, Some(stats(900.0, 30.0)), Some(stats(1000.0, 20.0))),
                Level::new(1, Some(stats(100.0, 3.0)), None),
            ],
        };
        assert_eq!(r.levels[0].ratio_tps, Some(0.9));
        assert_eq!(r.levels[0].ratio_p99, Some(1.5));
        assert_eq!(r.levels[1].ratio_tps, None);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["levels"][0]["clients"], 64);
        assert_eq!(json["levels"][0]["shuquan"]["tps"], 900.0);
        assert_eq!(json["levels"][0]["etcd"]["p999_ms"], 40.0);
        let md = r.markdown();
        assert!(md.contains("| 64 | shuquan | 900 |"), "{md}");
        assert!(md.contains("| 100 | 20 | 900 | 300 |"), "{md}");
        assert_eq!(json["levels"][0]["shuquan"]["stored_bytes_per_op"], 300.0);
        assert!(md.contains("**0.90×**"), "{md}");
        assert_eq!(md.lines().count(), 2 + 3 + 1);
        assert!(json["levels"][0].get("shuquan_sm").is_none());
    }

    #[test]
    fn the_national_algorithms_are_compared_with_the_default() {
        let mut sm = stats(600.0, 45.0);
        sm.cpu_us_per_op = 150.0;
        let l = Level::new(64, Some(stats(900.0, 30.0)), None).with_sm(Some(sm));
        assert_eq!(l.sm_ratio_tps, Some(0.67));
        assert_eq!(l.sm_ratio_p99, Some(1.5));
        assert_eq!(l.sm_ratio_cpu, Some(1.5));
        let md = Report { levels: vec![l] }.markdown();
        assert!(md.contains("| 64 | shuquan-sm | 600 |"), "{md}");
        assert!(
            md.contains("| 64 | **sm/standard** | **0.67×** | | **1.50×** | | | **1.50×** |"),
            "{md}"
        );
    }
}
