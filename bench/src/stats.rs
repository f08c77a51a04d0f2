//! What one run of one system at one concurrency gives: the latencies of committed
//! operations, errors, and the servers' usage, reduced to the figures of the report.

use std::time::Duration;

use serde::Serialize;

/// The latencies and errors that a closed-loop load saw.
#[derive(Debug, Default)]
pub struct Sample {
    /// One per committed operation.
    pub latencies: Vec<Duration>,
    /// Operations that failed or were not committed.
    pub errors: u64,
    /// Wall time of the measured phase.
    pub elapsed: Duration,
}

impl Sample {
    /// Merges the samples of several clients.
    pub fn merge(parts: impl IntoIterator<Item = Sample>, elapsed: Duration) -> Sample {
        let mut out = Sample {
            elapsed,
            ..Sample::default()
        };
        for p in parts {
            out.latencies.extend(p.latencies);
            out.errors += p.errors;
        }
        out
    }
}

/// The figures of one system at one concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Committed operations per second.
    pub tps: f64,
    /// Latency percentiles, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// 99.9th percentile, ms.
    pub p999_ms: f64,
    /// Failed operations.
    pub errors: u64,
    /// Server CPU (all members) per committed operation, µs.
    pub cpu_us_per_op: f64,
    /// Largest peak resident memory of one server, MiB.
    pub rss_mib: f64,
    /// Bytes the servers wrote to storage per committed operation.
    pub disk_bytes_per_op: f64,
    /// Bytes by which one member's data directory grew per committed operation.
    pub stored_bytes_per_op: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

impl Stats {
    /// The figures from a sample and the servers' CPU µs, bytes written, growth of one
    /// member's data directory and peak MiB.
    pub fn new(
        mut s: Sample,
        cpu_us: u64,
        write_bytes: u64,
        stored_bytes: u64,
        rss_mib: f64,
    ) -> Stats {
        s.latencies.sort_unstable();
        let ops = s.latencies.len() as f64;
        let per_op = |x: u64| if ops > 0.0 { x as f64 / ops } else { 0.0 };
        Stats {
            tps: ops / s.elapsed.as_secs_f64().max(1e-9),
            p50_ms: percentile(&s.latencies, 0.50),
            p99_ms: percentile(&s.latencies, 0.99),
            p999_ms: percentile(&s.latencies, 0.999),
            errors: s.errors,
            cpu_us_per_op: per_op(cpu_us),
            rss_mib,
            disk_bytes_per_op: per_op(write_bytes),
            stored_bytes_per_op: per_op(stored_bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn figures_from_a_sample() {
        let ms = Duration::from_millis;
        let s = Sample {
            latencies: (1..=1000).rev().map(ms).collect(),
            errors: 3,
            elapsed: Duration::from_secs(2),
        };
        let st = Stats::new(s, 4_000_000, 1_000_000, 250_000, 12.5);
        assert_eq!(st.tps, 500.0);
        assert_eq!((st.p50_ms, st.p99_ms, st.p999_ms), (501.0, 990.0, 999.0));
        assert_eq!((st.cpu_us_per_op, st.disk_bytes_per_op), (4000.0, 1000.0));
        assert_eq!(st.stored_bytes_per_op, 250.0);
        assert_eq!(st.errors, 3);
    }
}
