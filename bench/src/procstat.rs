//! What a server process has used, read from `/proc/<pid>/`: CPU time (`stat`), peak
//! resident memory (`status`, `VmHWM`) and bytes it caused to be written to storage
//! (`io`, `write_bytes`, which counts what reaches the block layer: WAL, fsyncs,
//! compaction).

use std::path::Path;

use anyhow::Context;

/// Clock ticks per second of `/proc/<pid>/stat` times (Linux's `USER_HZ`, 100 on every
/// architecture Linux exports it for).
const TICKS_PER_SEC: u64 = 100;

/// One reading of a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// User plus system CPU, µs.
    pub cpu_us: u64,
    /// Bytes written to storage.
    pub write_bytes: u64,
    /// Peak resident set, KiB.
    pub hwm_kib: u64,
}

/// Reads `pid`'s usage so far.
pub fn read(pid: u32) -> anyhow::Result<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("/proc/PID/stat without ')'")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3 of stat(5), so utime (14) and stime (15) are 11 and 12.
    let ticks = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .context("short /proc/PID/stat")?
            .parse::<u64>()
            .context("bad /proc/PID/stat field")
    };
    let cpu_us = (ticks(11)? + ticks(12)?) * 1_000_000 / TICKS_PER_SEC;
    let field = |text: &str, name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    Ok(Usage {
        cpu_us,
        write_bytes: field(&io, "write_bytes:"),
        hwm_kib: field(&status, "VmHWM:"),
    })
}

/// Usage of every process in `pids`, summed (CPU, bytes) and maximised (peak memory).
pub fn read_all(pids: &[u32]) -> anyhow::Result<Vec<Usage>> {
    pids.iter().map(|p| read(*p)).collect()
}

/// From readings before and after: CPU µs and bytes written, summed over processes, and the
/// largest peak memory in MiB.
pub fn delta(before: &[Usage], after: &[Usage]) -> (u64, u64, f64) {
    let mut cpu = 0;
    let mut bytes = 0;
    let mut hwm = 0;
    for (b, a) in before.iter().zip(after) {
        cpu += a.cpu_us.saturating_sub(b.cpu_us);
        bytes += a.write_bytes.saturating_sub(b.write_bytes);
        hwm = hwm.max(a.hwm_kib);
    }
    (cpu, bytes, hwm as f64 / 1024.0)
}

/// Bytes of the files under `dir` (as allocated on disk).
pub fn dir_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.blocks() * 512,
                Err(_) => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_this_process() {
        let me = read(std::process::id()).unwrap();
        // Burn some CPU and memory, then read again.
        let v: Vec<u64> = (0..2_000_000).collect();
        let sum: u64 = v.iter().map(|x| x ^ 7).sum();
        assert!(sum > 0);
        let later = read(std::process::id()).unwrap();
        assert!(later.hwm_kib >= me.hwm_kib && later.hwm_kib > 0);
        assert!(later.cpu_us >= me.cpu_us);
        let (_, _, mib) = delta(&[me], &[later]);
        assert!(mib > 1.0, "{mib}");
    }
}
