//! A file's fingerprint: BLAKE3 of its bytes, streamed in chunks with a progress bar on
//! large files, so a data set of any size is never loaded whole.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use shuquan_proto::Hash32;

const CHUNK: usize = 1 << 20;
const SHOW_PROGRESS_FROM: u64 = 64 << 20;

/// The BLAKE3 hash and size of `path`.
pub(crate) fn of_file(path: &Path, progress: bool) -> anyhow::Result<(Hash32, u64)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = (progress && len >= SHOW_PROGRESS_FROM).then(|| {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "fingerprinting {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
        if let Some(b) = &bar {
            b.set_position(total);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((Hash32(*hasher.finalize().as_bytes()), total))
}
