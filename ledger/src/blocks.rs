//! The chain's blocks out of sled: append-only segment files of checksummed frames, each
//! frame one block as stored ([`pb::RawBlock`]: header bytes, transactions, receipts).
//! sled keeps, per height, where the frame is ([`Loc`], in the same batch as the block's
//! state), so the index and the state never disagree; this store only appends, reads and
//! syncs.
//!
//! Files: `blocks/NNNNNNNN.seg`, at most [`SEGMENT_BYTES`] each. A frame is
//! `len (u32 LE) ‖ crc32 of the bytes (u32 LE) ‖ bytes`. Durability: frames are written at
//! apply and fsynced before the sled batch that names them is written ([`BlockFiles::sync`]),
//! so sled never points past the durable end. On open, whatever lies past the end sled
//! knows (a crash between the two) is cut off.
//!
//! Written here rather than taken from a crate: the job is an append-only file with a CRC
//! per frame and a truncate on open (the pattern of Bitcoin's `blk*.dat` and reth's static
//! files); the candidates (`redb`, `fjall`, `commonware-storage`) bring a second database
//! or a runtime for what is ~200 lines.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::fixed::Fields;

/// Largest segment file.
pub(crate) const SEGMENT_BYTES: u64 = 128 << 20;
/// Largest frame (a block of `max_block_txs` transactions of `max_tx_bytes` fits many
/// times over; more means a damaged length).
const MAX_FRAME: u32 = 1 << 30;
const HEAD: u64 = 8;

/// Where a frame is: segment number, offset of its head, length of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Loc {
    pub(crate) segment: u32,
    pub(crate) offset: u64,
    pub(crate) len: u32,
}

impl Loc {
    /// 16 bytes: segment, offset, length, big-endian.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        out.extend_from_slice(&self.segment.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
        out.extend_from_slice(&self.len.to_be_bytes());
        out
    }

    pub(crate) fn decode(b: &[u8]) -> Result<Self> {
        let mut f = Fields::exact(b, 16, "block location")?;
        Ok(Loc {
            segment: f.u32()?,
            offset: f.u64()?,
            len: f.u32()?,
        })
    }

    /// The position right after this frame.
    pub(crate) fn end(&self) -> End {
        End {
            segment: self.segment,
            offset: self.offset + HEAD + u64::from(self.len),
        }
    }
}

/// The end of the written frames: segment number and length of that segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct End {
    pub(crate) segment: u32,
    pub(crate) offset: u64,
}

impl End {
    pub(crate) fn encode(&self) -> Vec<u8> {
        [&self.segment.to_be_bytes()[..], &self.offset.to_be_bytes()].concat()
    }

    pub(crate) fn decode(b: &[u8]) -> Result<Self> {
        let mut f = Fields::exact(b, 12, "block store end")?;
        Ok(End {
            segment: f.u32()?,
            offset: f.u64()?,
        })
    }
}

struct Writer {
    file: File,
    end: End,
    /// Segments written since the last sync.
    unsynced: Vec<u32>,
}

/// The segment files of one ledger.
pub(crate) struct BlockFiles {
    dir: PathBuf,
    writer: Mutex<Writer>,
    /// Read handles of sealed segments and the current one, by number.
    readers: Mutex<std::collections::BTreeMap<u32, std::sync::Arc<File>>>,
}

impl std::fmt::Debug for BlockFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlockFiles({})", self.dir.display())
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl BlockFiles {
    fn segment_path(&self, n: u32) -> PathBuf {
        self.dir.join(format!("{n:08}.seg"))
    }

    /// Opens the store in `dir` (created if missing) and cuts it back to `end`, the end
    /// sled knows: later segments are removed and the last one truncated. Fails if the
    /// files end before `end` (they lost frames sled names).
    pub(crate) fn open(dir: &Path, end: End) -> Result<Self> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let mut numbers = Vec::new();
        for entry in fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(n) = name
                .strip_suffix(".seg")
                .and_then(|n| n.parse::<u32>().ok())
            {
                numbers.push(n);
            }
        }
        let store = |file: File| BlockFiles {
            dir: dir.to_path_buf(),
            writer: Mutex::new(Writer {
                file,
                end,
                unsynced: Vec::new(),
            }),
            readers: Mutex::new(Default::default()),
        };
        let path = dir.join(format!("{:08}.seg", end.segment));
        for n in numbers.iter().filter(|n| **n > end.segment) {
            let p = dir.join(format!("{n:08}.seg"));
            fs::remove_file(&p).map_err(io(&p))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let len = file.metadata().map_err(io(&path))?.len();
        if len < end.offset {
            return Err(Error::Corrupt(format!(
                "{} holds {len} bytes, but the ledger names blocks up to byte {}: the block \
                 files lost data; move the data directory away and let the node catch up from \
                 its peers",
                path.display(),
                end.offset
            )));
        }
        if len > end.offset {
            file.set_len(end.offset).map_err(io(&path))?;
            file.sync_all().map_err(io(&path))?;
        }
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
        Ok(store(file))
    }

    /// Appends one frame; returns where it is. Not durable until [`BlockFiles::sync`].
    pub(crate) fn append(&self, bytes: &[u8]) -> Result<Loc> {
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|l| *l <= MAX_FRAME)
            .ok_or_else(|| Error::Corrupt(format!("a block of {} bytes", bytes.len())))?;
        let mut w = lock(&self.writer);
        if w.end.offset > 0 && w.end.offset + HEAD + u64::from(len) > SEGMENT_BYTES {
            let next = w.end.segment + 1;
            let path = self.segment_path(next);
            let file = OpenOptions::new()
                .create(true)
                .read(true)
                .append(true)
                .open(&path)
                .map_err(io(&path))?;
            let old = w.end.segment;
            if !w.unsynced.contains(&old) {
                w.unsynced.push(old);
            }
            w.file = file;
            w.end = End {
                segment: next,
                offset: 0,
            };
        }
        let mut frame = Vec::with_capacity(HEAD as usize + bytes.len());
        frame.extend_from_slice(&len.to_le_bytes());
        frame.extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
        frame.extend_from_slice(bytes);
        let path = self.segment_path(w.end.segment);
        w.file.write_all(&frame).map_err(io(&path))?;
        let loc = Loc {
            segment: w.end.segment,
            offset: w.end.offset,
            len,
        };
        w.end = loc.end();
        let seg = w.end.segment;
        if !w.unsynced.contains(&seg) {
            w.unsynced.push(seg);
        }
        Ok(loc)
    }

    /// The end of what was appended.
    pub(crate) fn end(&self) -> End {
        lock(&self.writer).end
    }

    /// Makes every appended frame durable (fdatasync of each segment written since the
    /// last sync, the directory too when a segment was added).
    pub(crate) fn sync(&self) -> Result<()> {
        let mut w = lock(&self.writer);
        let segments = std::mem::take(&mut w.unsynced);
        let current = w.end.segment;
        for n in &segments {
            let path = self.segment_path(*n);
            if *n == current {
                w.file.sync_data().map_err(io(&path))?;
            } else {
                File::open(&path)
                    .and_then(|f| f.sync_data())
                    .map_err(io(&path))?;
            }
        }
        if segments.len() > 1 || segments.iter().any(|n| *n != current) {
            File::open(&self.dir)
                .and_then(|d| d.sync_all())
                .map_err(io(&self.dir))?;
        }
        Ok(())
    }

    fn reader(&self, segment: u32) -> Result<std::sync::Arc<File>> {
        let mut readers = lock(&self.readers);
        if let Some(f) = readers.get(&segment) {
            return Ok(f.clone());
        }
        let path = self.segment_path(segment);
        let f = std::sync::Arc::new(File::open(&path).map_err(io(&path))?);
        readers.insert(segment, f.clone());
        Ok(f)
    }

    /// The bytes of the frame at `loc`, checked against its length and checksum.
    pub(crate) fn read(&self, loc: Loc) -> Result<Vec<u8>> {
        let path = self.segment_path(loc.segment);
        if loc.len > MAX_FRAME {
            // A damaged location row, not a reason to allocate gigabytes.
            return Err(Error::Corrupt(format!(
                "a block frame of {} bytes at {}:{}",
                loc.len,
                path.display(),
                loc.offset
            )));
        }
        let file = self.reader(loc.segment)?;
        let mut buf = vec![0u8; HEAD as usize + loc.len as usize];
        file.read_exact_at(&mut buf, loc.offset)
            .map_err(io(&path))?;
        let (head, bytes) = buf.split_at(HEAD as usize);
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if len != loc.len || crc != crc32fast::hash(bytes) {
            return Err(Error::Corrupt(format!(
                "the block frame at {}:{} fails its checksum",
                path.display(),
                loc.offset
            )));
        }
        buf.drain(..HEAD as usize);
        Ok(buf)
    }

    /// Bytes of every segment file.
    pub(crate) fn size(&self) -> u64 {
        let end = self.end();
        (0..=end.segment)
            .filter_map(|n| fs::metadata(self.segment_path(n)).ok())
            .map(|m| m.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn frames_read_back_and_a_torn_tail_is_cut_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlockFiles::open(dir.path(), End::default()).unwrap();
        let a = store.append(b"first block").unwrap();
        let b = store.append(b"second").unwrap();
        store.sync().unwrap();
        assert_eq!(store.read(a).unwrap(), b"first block");
        assert_eq!(store.read(b).unwrap(), b"second");
        let known = store.end();
        // A frame sled never heard of (a crash before its batch), then half a frame.
        store.append(b"lost").unwrap();
        drop(store);
        let seg = dir.path().join("00000000.seg");
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(&[9, 0, 0]).unwrap();
        let store = BlockFiles::open(dir.path(), known).unwrap();
        assert_eq!(fs::metadata(&seg).unwrap().len(), known.offset);
        assert_eq!(store.read(b).unwrap(), b"second");
        let c = store.append(b"third").unwrap();
        assert_eq!(c.offset, known.offset);
        assert_eq!(store.read(c).unwrap(), b"third");
    }

    #[test]
    fn a_flipped_byte_fails_the_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlockFiles::open(dir.path(), End::default()).unwrap();
        let a = store.append(b"block bytes").unwrap();
        store.sync().unwrap();
        let seg = dir.path().join("00000000.seg");
        let mut bytes = fs::read(&seg).unwrap();
        bytes[10] ^= 1;
        fs::write(&seg, bytes).unwrap();
        let err = store.read(a).unwrap_err().to_string();
        assert!(err.contains("checksum"), "{err}");
    }

    #[test]
    fn files_shorter_than_the_ledger_knows_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlockFiles::open(dir.path(), End::default()).unwrap();
        store.append(b"block").unwrap();
        drop(store);
        let beyond = End {
            segment: 0,
            offset: 1000,
        };
        let err = BlockFiles::open(dir.path(), beyond)
            .unwrap_err()
            .to_string();
        assert!(err.contains("lost data"), "{err}");
    }

    #[test]
    fn locations_round_trip() {
        let l = Loc {
            segment: 3,
            offset: 1 << 40,
            len: 77,
        };
        assert_eq!(Loc::decode(&l.encode()).unwrap(), l);
        assert!(Loc::decode(&l.encode()[..15]).is_err());
        let e = l.end();
        assert_eq!(End::decode(&e.encode()).unwrap(), e);
    }
}
