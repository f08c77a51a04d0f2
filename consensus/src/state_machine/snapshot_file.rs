//! The current snapshot as one file: written to a temp file, fsynced, renamed over the old
//! one, then the directory fsynced, so a crash leaves either the old or the new snapshot.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::raft_types::{self, SnapshotMeta};

const FILE_NAME: &str = "current.snap";
const TEMP_NAME: &str = "current.snap.tmp";
const MAGIC: &[u8; 8] = b"SQSNAP01";

/// 64-bit FNV-1a: detects a damaged file (not an adversary; the file is local).
fn checksum(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Durably replace the current snapshot in `dir` with `(meta, data)`.
pub(crate) fn write(dir: &Path, meta: &SnapshotMeta, data: &[u8]) -> Result<(), Error> {
    let meta_bytes = raft_types::encode(meta)?;
    let tmp = dir.join(TEMP_NAME);
    {
        let mut f = File::create(&tmp)?;
        f.write_all(MAGIC)?;
        f.write_all(&(meta_bytes.len() as u64).to_le_bytes())?;
        f.write_all(&meta_bytes)?;
        f.write_all(&(data.len() as u64).to_le_bytes())?;
        f.write_all(data)?;
        f.write_all(&checksum(&[&meta_bytes, data]).to_le_bytes())?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path(dir))?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn take<'a>(buf: &mut &'a [u8], n: usize) -> Result<&'a [u8], Error> {
    if buf.len() < n {
        return Err(Error::Codec("snapshot file truncated".into()));
    }
    let (head, tail) = buf.split_at(n);
    *buf = tail;
    Ok(head)
}

fn take_u64(buf: &mut &[u8]) -> Result<u64, Error> {
    let b = take(buf, 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_le_bytes(a))
}

fn take_len(buf: &mut &[u8]) -> Result<usize, Error> {
    usize::try_from(take_u64(buf)?).map_err(|_| Error::Codec("snapshot length overflow".into()))
}

/// Read the current snapshot in `dir`, if there is one.
pub(crate) fn read(dir: &Path) -> Result<Option<(SnapshotMeta, Vec<u8>)>, Error> {
    let mut f = match File::open(path(dir)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut all = Vec::new();
    f.read_to_end(&mut all)?;
    let mut buf = all.as_slice();
    if take(&mut buf, 8)? != MAGIC {
        return Err(Error::Codec("not a snapshot file".into()));
    }
    let meta_len = take_len(&mut buf)?;
    let meta_bytes = take(&mut buf, meta_len)?;
    let data_len = take_len(&mut buf)?;
    let data = take(&mut buf, data_len)?;
    let sum = take_u64(&mut buf)?;
    if sum != checksum(&[meta_bytes, data]) || !buf.is_empty() {
        return Err(Error::Codec("snapshot file checksum mismatch".into()));
    }
    let meta = raft_types::decode(meta_bytes)?;
    Ok(Some((meta, data.to_vec())))
}

/// Remove a temp file left by a crash during `write`.
pub(crate) fn clean(dir: &Path) -> Result<(), Error> {
    match fs::remove_file(dir.join(TEMP_NAME)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn round_trip_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_none());
        let meta = SnapshotMeta {
            snapshot_id: "a".into(),
            ..Default::default()
        };
        write(dir.path(), &meta, b"one").unwrap();
        let meta2 = SnapshotMeta {
            snapshot_id: "b".into(),
            ..Default::default()
        };
        write(dir.path(), &meta2, b"two").unwrap();
        let (m, d) = read(dir.path()).unwrap().unwrap();
        assert_eq!(m.snapshot_id, "b");
        assert_eq!(d, b"two");
    }

    #[test]
    fn damaged_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let meta = SnapshotMeta::default();
        write(dir.path(), &meta, b"payload").unwrap();
        let p = path(dir.path());
        let mut bytes = fs::read(&p).unwrap();
        let n = bytes.len();
        bytes[n - 9] ^= 0xff;
        fs::write(&p, bytes).unwrap();
        assert!(read(dir.path()).is_err());
    }
}
