//! A file's fingerprint: the chain's hash (BLAKE3 or SM3) of its bytes, streamed in chunks
//! with a progress bar on large files, so a data set of any size is never loaded whole.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use shuquan_proto::hash::Hashing;
use shuquan_proto::Hash32;

const CHUNK: usize = 1 << 20;
const SHOW_PROGRESS_FROM: u64 = 64 << 20;

/// How to fingerprint files: with the chain's hash, showing progress or not.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fingerprinter {
    /// The chain's hash function.
    pub(crate) hash: Hashing,
    /// Show a progress bar on large files.
    pub(crate) progress: bool,
}

impl Fingerprinter {
    /// The fingerprint and size of `path`.
    pub(crate) fn of_file(&self, path: &Path) -> anyhow::Result<(Hash32, u64)> {
        of_file(self.hash, path, self.progress)
    }

    /// The hash of a text (a payment reference, a receipt number): only the hash goes on
    /// chain, and whoever holds the text can show that it matches.
    pub(crate) fn of_text(&self, text: &str) -> Vec<u8> {
        self.hash.fingerprint(text.as_bytes()).to_vec()
    }
}

/// The hash (`h`'s plain hash) and size of `path`.
pub(crate) fn of_file(h: Hashing, path: &Path, progress: bool) -> anyhow::Result<(Hash32, u64)> {
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
    let mut hasher = h.plain_stream();
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
    Ok((hasher.finish(), total))
}
