//! The byte format of a state snapshot, written and read as a stream (never whole in
//! memory):
//!
//! ```text
//! "SHUQUAN-STATE-1\n"
//! u32 head length ‖ SnapshotHead (protobuf)
//! rows, in strictly increasing key order: u32 key length ‖ key ‖ u32 value length ‖ value
//! u32 0xFFFF_FFFF ‖ u64 row count ‖ u32 CRC-32 of every byte before it
//! ```
//!
//! Integers are big-endian. The CRC catches a damaged or cut transfer before anything is
//! installed; what the rows mean is checked against the certified state root.

use std::io::{Read, Write};

use prost::Message;
use shuquan_proto::pb;

use crate::error::{Error, Result};

pub(crate) const MAGIC: &[u8] = b"SHUQUAN-STATE-1\n";
const END: u32 = u32::MAX;
/// Longest key and value a row may have.
const MAX_KEY: u32 = 1 << 10;
const MAX_VALUE: u32 = 16 << 20;
const MAX_HEAD: u32 = 64 << 20;

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("state snapshot: {what}"))
}

fn io(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        bad("cut short")
    } else {
        Error::Io {
            path: "(state snapshot)".into(),
            source: e,
        }
    }
}

/// Writes a snapshot, counting rows and checksumming as it goes.
pub(crate) struct Writer<'a> {
    out: &'a mut dyn Write,
    crc: crc32fast::Hasher,
    rows: u64,
    last: Vec<u8>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(out: &'a mut dyn Write, head: &pb::SnapshotHead) -> Result<Self> {
        let mut w = Writer {
            out,
            crc: crc32fast::Hasher::new(),
            rows: 0,
            last: Vec::new(),
        };
        let head = head.encode_to_vec();
        w.put(MAGIC)?;
        w.put(&(head.len() as u32).to_be_bytes())?;
        w.put(&head)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.crc.update(bytes);
        self.out.write_all(bytes).map_err(io)
    }

    /// One row; keys must come in increasing order.
    pub(crate) fn row(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        if self.rows > 0 && key <= self.last.as_slice() {
            return Err(bad("rows out of order while writing"));
        }
        let (k, v) = (key.len() as u32, value.len() as u32);
        if k > MAX_KEY || value.len() > MAX_VALUE as usize {
            return Err(bad("a row too large to write"));
        }
        self.put(&k.to_be_bytes())?;
        self.put(key)?;
        self.put(&v.to_be_bytes())?;
        self.put(value)?;
        self.rows += 1;
        self.last.clear();
        self.last.extend_from_slice(key);
        Ok(())
    }

    /// The end marker, the count and the checksum. Returns the row count.
    pub(crate) fn finish(mut self) -> Result<u64> {
        self.put(&END.to_be_bytes())?;
        let rows = self.rows;
        self.put(&rows.to_be_bytes())?;
        let crc = self.crc.clone().finalize();
        self.out.write_all(&crc.to_be_bytes()).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(rows)
    }
}

/// Reads a snapshot: its head, then rows one at a time; the end is checked against the
/// count and the checksum.
pub(crate) struct Reader<'a> {
    input: &'a mut dyn Read,
    crc: crc32fast::Hasher,
    rows: u64,
    last: Vec<u8>,
    done: bool,
}

impl<'a> Reader<'a> {
    /// Reads the magic and the head.
    pub(crate) fn new(input: &'a mut dyn Read) -> Result<(Self, pb::SnapshotHead)> {
        let mut r = Reader {
            input,
            crc: crc32fast::Hasher::new(),
            rows: 0,
            last: Vec::new(),
            done: false,
        };
        let magic = r.take(MAGIC.len())?;
        if magic != MAGIC {
            return Err(bad(
                "not a state snapshot (bad magic; from an older shuquand?)",
            ));
        }
        let len = r.u32()?;
        if len > MAX_HEAD {
            return Err(bad("head too large"));
        }
        let head = pb::SnapshotHead::decode(r.take(len as usize)?.as_slice())
            .map_err(|e| bad(format!("head does not decode: {e}")))?;
        Ok((r, head))
    }

    fn take(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; n];
        self.input.read_exact(&mut buf).map_err(io)?;
        self.crc.update(&buf);
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The next row, or `None` after the last (whose end has then been checked).
    pub(crate) fn next_row(&mut self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        if self.done {
            return Ok(None);
        }
        let k = self.u32()?;
        if k == END {
            let count = self.take(8)?;
            let count = u64::from_be_bytes(count.try_into().map_err(|_| bad("count"))?);
            let want = self.crc.clone().finalize();
            let mut crc = [0u8; 4];
            self.input.read_exact(&mut crc).map_err(io)?;
            if u32::from_be_bytes(crc) != want {
                return Err(bad("checksum mismatch (damaged in transfer or on disk)"));
            }
            if count != self.rows {
                return Err(bad(format!("{} rows, but it says {count}", self.rows)));
            }
            let mut extra = [0u8; 1];
            if self.input.read(&mut extra).map_err(io)? != 0 {
                return Err(bad("bytes after the end"));
            }
            self.done = true;
            return Ok(None);
        }
        if k > MAX_KEY {
            return Err(bad("a key too long"));
        }
        let key = self.take(k as usize)?;
        let v = self.u32()?;
        if v > MAX_VALUE {
            return Err(bad("a value too long"));
        }
        let value = self.take(v as usize)?;
        if self.rows > 0 && key <= self.last {
            return Err(bad("rows out of order"));
        }
        self.rows += 1;
        self.last.clone_from(&key);
        Ok(Some((key, value)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn sample() -> Vec<u8> {
        let mut out = Vec::new();
        let head = pb::SnapshotHead {
            format: 1,
            height: 7,
            ..Default::default()
        };
        let mut w = Writer::new(&mut out, &head).unwrap();
        w.row(b"a:1", b"x").unwrap();
        w.row(b"a:2", b"yy").unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        out
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut input = bytes;
        let (mut r, head) = Reader::new(&mut input)?;
        let mut rows = vec![(b"height".to_vec(), head.height.to_be_bytes().to_vec())];
        while let Some(row) = r.next_row()? {
            rows.push(row);
        }
        Ok(rows)
    }

    #[test]
    fn rows_round_trip() {
        let rows = read_all(&sample()).unwrap();
        assert_eq!(rows[0].1, 7u64.to_be_bytes());
        assert_eq!(rows[2], (b"a:2".to_vec(), b"yy".to_vec()));
    }

    #[test]
    fn every_flipped_byte_and_every_cut_is_refused() {
        let good = sample();
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x20;
            assert!(read_all(&b).is_err(), "flipped byte {i} passed");
            assert!(read_all(&good[..i]).is_err(), "cut at {i} passed");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(read_all(&longer).is_err());
    }

    /// Golden: the framing of a state snapshot (the head's own encoding is frozen in the
    /// proto crate's vectors).
    #[test]
    fn the_state_snapshot_framing_is_frozen() {
        let hex: String = sample().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, GOLDEN_STREAM, "the state snapshot format changed");
    }

    const GOLDEN_STREAM: &str = concat!(
        "5348555155414e2d53544154452d310a000000040801180700000003613a31000000017800000003",
        "613a32000000027979ffffffff00000000000000027417fbfa"
    );

    #[test]
    fn rows_out_of_order_are_not_written() {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out, &pb::SnapshotHead::default()).unwrap();
        w.row(b"b", b"").unwrap();
        assert!(w.row(b"a", b"").is_err());
    }
}
