//! What execution reads: a [`StateView`] over the ledger's rows, and what it returns: the
//! [`Writes`] to commit. The sled store is one view; [`MemView`] keeps rows in memory (for
//! tests of the rules, and for anything that needs no disk); [`Layered`] reads a view
//! through writes not committed yet (the blocks before this one in the same batch).

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::error::Result;

/// Pending writes, by key: `None` deletes the row.
pub type Writes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Read access to the ledger's rows. Implementations are consistent snapshots for the time
/// a block executes: nothing else writes while a block is executed over them.
pub trait StateView {
    /// The row `key`, if present.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Every key starting with `prefix`, in order.
    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>>;

    /// The last row (key and value) with `from <= key` and `key` within `to`.
    fn last_in_range(&self, from: &[u8], to: Bound<&[u8]>) -> Result<Option<Row>>;

    /// The first `limit` rows whose keys start with `prefix` (and come after `after`, when
    /// given), in order.
    fn rows_with_prefix(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        let keys = self.keys_with_prefix(prefix)?;
        for k in keys
            .into_iter()
            .filter(|k| after.is_none_or(|a| k.as_slice() > a))
            .take(limit)
        {
            if let Some(v) = self.get(&k)? {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}

/// A row: key and value.
pub type Row = (Vec<u8>, Vec<u8>);

fn owned(b: Bound<&[u8]>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(k.to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// Whether the range `from ..to` is empty.
pub(crate) fn empty(from: &[u8], to: Bound<&[u8]>) -> bool {
    match to {
        Bound::Included(t) => from > t,
        Bound::Excluded(t) => from >= t,
        Bound::Unbounded => false,
    }
}

/// Rows in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemView(pub BTreeMap<Vec<u8>, Vec<u8>>);

impl MemView {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `writes` (what [`crate::exec::execute`] returned).
    pub fn commit(&mut self, writes: Writes) {
        for (k, v) in writes {
            match v {
                Some(v) => self.0.insert(k, v),
                None => self.0.remove(&k),
            };
        }
    }
}

/// The range of keys under `prefix` after `after`.
fn start(prefix: &[u8], after: Option<&[u8]>) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    match after {
        Some(a) if a >= prefix => (Bound::Excluded(a.to_vec()), Bound::Unbounded),
        _ => (Bound::Included(prefix.to_vec()), Bound::Unbounded),
    }
}

impl StateView for MemView {
    fn rows_with_prefix(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        Ok(self
            .0
            .range(start(prefix, after))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.0.get(key).cloned())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .0
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    fn last_in_range(&self, from: &[u8], to: Bound<&[u8]>) -> Result<Option<Row>> {
        if empty(from, to) {
            return Ok(None);
        }
        Ok(self
            .0
            .range((Bound::Included(from.to_vec()), owned(to)))
            .next_back()
            .map(|(k, v)| (k.clone(), v.clone())))
    }
}

/// A view read through pending writes: what `base` will hold once `top` is committed.
pub struct Layered<'a> {
    /// The committed rows.
    pub base: &'a dyn StateView,
    /// Writes on top of them.
    pub top: &'a Writes,
}

impl StateView for Layered<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.top.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(key),
        }
    }

    fn rows_with_prefix(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        let top: Vec<_> = self
            .top
            .range(start(prefix, after))
            .take_while(|(k, _)| k.starts_with(prefix))
            .collect();
        if top.is_empty() {
            return self.base.rows_with_prefix(prefix, after, limit);
        }
        // Each top row hides at most one base row.
        let mut out: BTreeMap<Vec<u8>, Vec<u8>> = self
            .base
            .rows_with_prefix(prefix, after, limit.saturating_add(top.len()))?
            .into_iter()
            .collect();
        for (k, v) in top {
            match v {
                Some(v) => out.insert(k.clone(), v.clone()),
                None => out.remove(k),
            };
        }
        Ok(out.into_iter().take(limit).collect())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut out: std::collections::BTreeSet<Vec<u8>> =
            self.base.keys_with_prefix(prefix)?.into_iter().collect();
        for (k, v) in self.top.range(prefix.to_vec()..) {
            if !k.starts_with(prefix) {
                break;
            }
            if v.is_some() {
                out.insert(k.clone());
            } else {
                out.remove(k);
            }
        }
        Ok(out.into_iter().collect())
    }

    fn last_in_range(&self, from: &[u8], to: Bound<&[u8]>) -> Result<Option<Row>> {
        let mut upper = owned(to);
        loop {
            let bound = match &upper {
                Bound::Included(k) => Bound::Included(k.as_slice()),
                Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
                Bound::Unbounded => Bound::Unbounded,
            };
            if empty(from, bound) {
                return Ok(None);
            }
            let top = self
                .top
                .range((Bound::Included(from.to_vec()), upper.clone()))
                .next_back();
            let base = self.base.last_in_range(from, bound)?;
            match (top, base) {
                // A top row at or above the base's last: it decides, unless it deletes,
                // in which case look below it.
                (Some((tk, tv)), b) if b.as_ref().is_none_or(|(bk, _)| tk >= bk) => match tv {
                    Some(v) => return Ok(Some((tk.clone(), v.clone()))),
                    None => upper = Bound::Excluded(tk.clone()),
                },
                (_, b) => return Ok(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_layered_view_reads_through_pending_writes() {
        let mut base = MemView::new();
        base.0.insert(b"a:1".to_vec(), b"x".to_vec());
        base.0.insert(b"a:2".to_vec(), b"y".to_vec());
        base.0.insert(b"b:1".to_vec(), b"z".to_vec());
        let mut top = Writes::new();
        top.insert(b"a:2".to_vec(), None);
        top.insert(b"a:3".to_vec(), Some(b"w".to_vec()));
        let v = Layered {
            base: &base,
            top: &top,
        };
        assert_eq!(v.get(b"a:2").unwrap(), None);
        assert_eq!(v.get(b"b:1").unwrap(), Some(b"z".to_vec()));
        assert_eq!(
            v.keys_with_prefix(b"a:").unwrap(),
            vec![b"a:1".to_vec(), b"a:3".to_vec()]
        );
        let last = |from: &[u8], to: &[u8]| v.last_in_range(from, Bound::Included(to)).unwrap();
        assert_eq!(last(b"a:", b"a:9"), Some((b"a:3".to_vec(), b"w".to_vec())));
        assert_eq!(last(b"b:", b"b:9"), Some((b"b:1".to_vec(), b"z".to_vec())));
        // A deleted last row shows the one below it.
        assert_eq!(last(b"a:", b"a:2"), Some((b"a:1".to_vec(), b"x".to_vec())));
        assert_eq!(last(b"a:2", b"a:2"), None);
        let rows = |p: &[u8], n| v.rows_with_prefix(p, None, n).unwrap();
        assert_eq!(
            rows(b"a:", 9),
            vec![
                (b"a:1".to_vec(), b"x".to_vec()),
                (b"a:3".to_vec(), b"w".to_vec())
            ]
        );
        assert_eq!(rows(b"a:", 1), vec![(b"a:1".to_vec(), b"x".to_vec())]);
        assert_eq!(rows(b"b:", 9), vec![(b"b:1".to_vec(), b"z".to_vec())]);
        let after = |a: &[u8]| v.rows_with_prefix(b"a:", Some(a), 9).unwrap();
        assert_eq!(after(b"a:1"), vec![(b"a:3".to_vec(), b"w".to_vec())]);
        assert_eq!(after(b"a:3"), vec![]);
    }
}
