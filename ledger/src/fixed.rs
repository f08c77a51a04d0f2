//! Reads the fixed-width values the ledger keeps beside its rows (a block's location, the
//! end of the block files, a transaction's location, the gap): big-endian fields in a
//! value of one exact length, so a damaged value is a `Corrupt` error naming what it is,
//! never a panic.

use crate::error::{Error, Result};

/// The fields of one fixed-width value, read front to back.
pub(crate) struct Fields<'a> {
    rest: &'a [u8],
    what: &'static str,
    whole: &'a [u8],
    len: usize,
}

impl<'a> Fields<'a> {
    /// `value`, which must be exactly `len` bytes, as the `what` it holds.
    pub(crate) fn exact(value: &'a [u8], len: usize, what: &'static str) -> Result<Self> {
        let f = Fields {
            rest: value,
            what,
            whole: value,
            len,
        };
        if value.len() != len {
            return Err(f.damaged());
        }
        Ok(f)
    }

    fn damaged(&self) -> Error {
        Error::Corrupt(format!(
            "{} {} is damaged: {} bytes where {} are written",
            self.what,
            hex::encode(self.whole),
            self.whole.len(),
            self.len
        ))
    }

    /// The next `N` bytes.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let (head, rest) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or_else(|| self.damaged())?;
        self.rest = rest;
        Ok(*head)
    }

    /// The next big-endian u32.
    pub(crate) fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_be_bytes)
    }

    /// The next big-endian u64.
    pub(crate) fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_be_bytes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn fields_come_front_to_back_and_a_wrong_length_is_corrupt() {
        let v = [0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 1, 0, 9];
        let mut f = Fields::exact(&v, 13, "a value").unwrap();
        assert_eq!(f.u32().unwrap(), 7);
        assert_eq!(f.u64().unwrap(), 256);
        assert_eq!(f.array::<1>().unwrap(), [9]);
        assert!(matches!(f.u32(), Err(Error::Corrupt(_))));
        let short = Fields::exact(&v[..12], 13, "a value");
        assert!(
            matches!(short, Err(Error::Corrupt(m)) if m.contains("a value") && m.contains("12 bytes where 13"))
        );
    }
}
