//! The current snapshot on disk: the state machine's bytes in a data file (streamed in and
//! out, never whole in memory) and a small meta file that names it.
//!
//! - `snap-<id>.data`: what [`crate::StateMachine::snapshot`] wrote; Raft sends it in
//!   chunks as it is.
//! - `current.meta`: [`MAGIC`] ‖ bincode([`FileMeta`]) ‖ FNV-1a 64 of the bincode bytes. It
//!   names the data file, its length and its Raft metadata (last log id, membership).
//!
//! Publishing fsyncs the data file, writes the meta to a temp file, fsyncs it, renames it
//! over `current.meta` and fsyncs the directory, so a crash leaves the old snapshot or the
//! new one; data files no meta names are removed on open.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::raft_types::{self, SnapshotMeta};

const META: &str = "current.meta";
const META_TMP: &str = "current.meta.tmp";
/// The meta file's first bytes; the `02` is the format (01 held the data inline).
pub(crate) const MAGIC: &[u8; 8] = b"SQSNAP02";

/// What `current.meta` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct FileMeta {
    pub(crate) meta: SnapshotMeta,
    /// The data file's name, in the same directory.
    pub(crate) data: String,
    /// Its length, bytes.
    pub(crate) len: u64,
}

/// The current snapshot: its Raft metadata and where its data is.
#[derive(Clone, Debug)]
pub(crate) struct Current {
    pub(crate) meta: SnapshotMeta,
    pub(crate) data: PathBuf,
}

/// 64-bit FNV-1a: detects a damaged meta file (not an adversary; the file is local).
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The meta file's bytes.
pub(crate) fn encode_meta(m: &FileMeta) -> Result<Vec<u8>, Error> {
    let body = raft_types::encode(m)?;
    let mut out = Vec::with_capacity(MAGIC.len() + body.len() + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&body);
    out.extend_from_slice(&checksum(&body).to_le_bytes());
    Ok(out)
}

fn decode_meta(bytes: &[u8]) -> Result<FileMeta, Error> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| Error::Codec("not a snapshot meta file (or an older format)".into()))?;
    if rest.len() < 8 {
        return Err(Error::Codec("snapshot meta file truncated".into()));
    }
    let (body, sum) = rest.split_at(rest.len() - 8);
    let mut s = [0u8; 8];
    s.copy_from_slice(sum);
    if u64::from_le_bytes(s) != checksum(body) {
        return Err(Error::Codec("snapshot meta file checksum mismatch".into()));
    }
    raft_types::decode(body)
}

/// A file name for snapshot `id` (openraft's ids hold digits and dashes).
fn data_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("snap-{safe}.data")
}

/// A fresh temp file name in `dir` for data being built or received.
pub(crate) fn temp_path(dir: &Path, what: &str, seq: u64) -> PathBuf {
    dir.join(format!("{what}-{seq}.tmp"))
}

/// The current snapshot in `dir`, if there is one.
pub(crate) fn read(dir: &Path) -> Result<Option<Current>, Error> {
    let mut f = match File::open(dir.join(META)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    let m = decode_meta(&bytes)?;
    let data = dir.join(&m.data);
    let len = fs::metadata(&data)?.len();
    if len != m.len {
        return Err(Error::Codec(format!(
            "snapshot data {} holds {len} bytes, its meta says {}",
            data.display(),
            m.len
        )));
    }
    Ok(Some(Current { meta: m.meta, data }))
}

/// Makes the data at `tmp` (already written) the current snapshot with `meta`, durably.
pub(crate) fn publish(dir: &Path, meta: &SnapshotMeta, tmp: &Path) -> Result<Current, Error> {
    let file = File::open(tmp)?;
    file.sync_all()?;
    let len = file.metadata()?.len();
    drop(file);
    let name = data_name(&meta.snapshot_id);
    let data = dir.join(&name);
    fs::rename(tmp, &data)?;
    let bytes = encode_meta(&FileMeta {
        meta: meta.clone(),
        data: name,
        len,
    })?;
    {
        let mut f = File::create(dir.join(META_TMP))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    fs::rename(dir.join(META_TMP), dir.join(META))?;
    File::open(dir)?.sync_all()?;
    remove_unnamed(dir, Some(&data), false)?;
    Ok(Current {
        meta: meta.clone(),
        data,
    })
}

/// Removes data files other than `keep`, and temp files when `temps` (only at open: while
/// running, a snapshot may be being built or received into one).
fn remove_unnamed(dir: &Path, keep: Option<&Path>, temps: bool) -> Result<(), Error> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let stale = (temps && name.ends_with(".tmp"))
            || (name.ends_with(".data") && Some(path.as_path()) != keep);
        if stale {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// Removes what a crash left: temp files, and data files the meta does not name. A
/// damaged meta file is an error (the operator decides).
pub(crate) fn clean(dir: &Path) -> Result<(), Error> {
    let current = read(dir)?;
    remove_unnamed(dir, current.as_ref().map(|c| c.data.as_path()), true)
}

/// Forgets the current snapshot (one that failed to install): its meta and data go.
pub(crate) fn discard(dir: &Path) -> Result<(), Error> {
    match fs::remove_file(dir.join(META)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    File::open(dir)?.sync_all()?;
    remove_unnamed(dir, None, false)
}

/// The legacy single-file snapshot (format 01), which this version no longer reads.
pub(crate) fn legacy_exists(dir: &Path) -> bool {
    dir.join("current.snap").exists()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn meta(id: &str) -> SnapshotMeta {
        SnapshotMeta {
            snapshot_id: id.into(),
            ..Default::default()
        }
    }

    fn stage(dir: &Path, n: u64, bytes: &[u8]) -> PathBuf {
        let p = temp_path(dir, "building", n);
        fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn publish_replaces_the_current_snapshot_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_none());
        publish(dir.path(), &meta("1-5-0"), &stage(dir.path(), 0, b"one")).unwrap();
        let cur = publish(dir.path(), &meta("1-9-1"), &stage(dir.path(), 1, b"two")).unwrap();
        let got = read(dir.path()).unwrap().unwrap();
        assert_eq!(got.meta.snapshot_id, "1-9-1");
        assert_eq!(fs::read(&got.data).unwrap(), b"two");
        assert_eq!(got.data, cur.data);
        // A crash left a temp file and an unnamed data file: open removes them.
        stage(dir.path(), 2, b"half");
        fs::write(dir.path().join("snap-x.data"), b"old").unwrap();
        clean(dir.path()).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    /// Golden: the meta file that names the current snapshot is a frozen format.
    #[test]
    fn the_snapshot_meta_encoding_is_frozen() {
        let mark = crate::state_machine::tests::golden_mark();
        let m = FileMeta {
            meta: SnapshotMeta {
                last_log_id: mark.last_applied,
                last_membership: mark.membership,
                snapshot_id: "3-42-0".into(),
            },
            data: data_name("3-42-0"),
            len: 1234,
        };
        let bytes = encode_meta(&m).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, GOLDEN_META, "the snapshot meta encoding changed");
        assert_eq!(decode_meta(&bytes).unwrap(), m);
    }

    const GOLDEN_META: &str = concat!(
        "5351534e415030320103000000000000002a00000000000000010100000000000000010000000000",
        "00000100000000000000030000000000000001000000000000000200000000000000030000000000",
        "00000300000000000000010000000000000040000000000000003030303030303030303030303030",
        "30303030303030303030303030303030303030303030303030303030303030303030303030303030",
        "3030303030303030303117000000000000002f6970342f3132372e302e302e312f7463702f373130",
        "31020000000000000040000000000000003030303030303030303030303030303030303030303030",
        "30303030303030303030303030303030303030303030303030303030303030303030303030303030",
        "3217000000000000002f6970342f3132372e302e302e312f7463702f373130320300000000000000",
        "40000000000000003030303030303030303030303030303030303030303030303030303030303030",
        "30303030303030303030303030303030303030303030303030303030303030331700000000000000",
        "2f6970342f3132372e302e302e312f7463702f373130330600000000000000332d34322d30100000",
        "0000000000736e61702d332d34322d302e64617461d20400000000000008e3b63b5968cab7"
    );

    #[test]
    fn a_damaged_meta_or_a_short_data_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let cur = publish(
            dir.path(),
            &meta("1-5-0"),
            &stage(dir.path(), 0, b"payload"),
        )
        .unwrap();
        fs::write(&cur.data, b"pay").unwrap();
        assert!(read(dir.path()).is_err());
        let p = dir.path().join(META);
        let mut bytes = fs::read(&p).unwrap();
        let n = bytes.len();
        bytes[n - 9] ^= 0xff;
        fs::write(&p, bytes).unwrap();
        assert!(read(dir.path()).is_err());
    }
}
