//! The node's catalogue of assets (`shuquan-catalogue`: tantivy filter indexes and full-text
//! search, not part of consensus). After every applied block the indexer re-indexes the
//! assets the block changed (the ledger records them per block); when the index is missing,
//! damaged or behind in a way the per-block records cannot close (a node that joined by
//! snapshot), it is rebuilt from the ledger's assets. Searches read the last commit through
//! a reader handle: they never wait for the indexer.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use shuquan_catalogue::{Catalogue, Entry, Page, PageRequest, Reader};
use shuquan_ledger::{Ledger, Queries};
use shuquan_proto::Hash32;
use tokio::sync::watch;

use crate::error::{Error, Result};

/// Most heights indexed in one commit.
const MAX_HEIGHTS_PER_COMMIT: u64 = 256;
/// Assets read per step of a rebuild.
const REBUILD_CHUNK: usize = 1000;
/// Least time between two commits: blocks arriving meanwhile share one (a commit syncs
/// the index files, and searches wait for it).
const COMMIT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// The catalogue and the ledger it follows.
pub(crate) struct CatalogueIndex {
    /// The writer: one indexer at a time.
    cat: Mutex<Catalogue>,
    reader: Reader,
    ledger: Arc<Ledger>,
}

impl std::fmt::Debug for CatalogueIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CatalogueIndex")
    }
}

fn cat_err(e: shuquan_catalogue::Error) -> Error {
    Error::Catalogue(e.to_string())
}

impl CatalogueIndex {
    /// Opens (or creates) the index in `dir` and brings it up to the ledger's height,
    /// rebuilding it if it is ahead of the ledger or cannot be caught up block by block. An
    /// index that does not open is deleted and rebuilt: it holds nothing the ledger lacks.
    pub(crate) fn open(dir: &Path, ledger: Arc<Ledger>) -> Result<Arc<Self>> {
        let cat = match Catalogue::open(dir) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, dir = %dir.display(), "the catalogue index does not open; rebuilding it");
                std::fs::remove_dir_all(dir).map_err(|source| Error::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
                Catalogue::open(dir).map_err(cat_err)?
            }
        };
        let index = Arc::new(CatalogueIndex {
            reader: cat.reader(),
            cat: Mutex::new(cat),
            ledger,
        });
        index.catch_up()?;
        Ok(index)
    }

    fn indexed_height(&self) -> u64 {
        self.cat.lock().map_or(0, |c| c.indexed_height())
    }

    /// Indexes every block applied since the last commit (or rebuilds, see [`Self::open`]).
    pub(crate) fn catch_up(&self) -> Result<()> {
        let top = self.ledger.applied()?.height;
        let q = self.ledger.queries();
        loop {
            let from = self.indexed_height();
            if from == top {
                return Ok(());
            }
            if from > top {
                return self.rebuild(top);
            }
            let to = top.min(from + MAX_HEIGHTS_PER_COMMIT);
            let mut ids: Vec<Hash32> = Vec::new();
            for h in from + 1..=to {
                match q.changed_assets(h)? {
                    Some(changed) => ids.extend(changed),
                    None => return self.rebuild(top),
                }
            }
            ids.sort();
            ids.dedup();
            let entries = entries(&q, &ids)?;
            self.cat
                .lock()
                .map_err(|_| Error::Stopped("catalogue"))?
                .apply(&entries, to)
                .map_err(cat_err)?;
        }
    }

    /// Replaces the index with every asset of the ledger at `height`.
    fn rebuild(&self, height: u64) -> Result<()> {
        let q = self.ledger.queries();
        let started = std::time::Instant::now();
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let ids = q.asset_ids(after.as_ref(), REBUILD_CHUNK)?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            all.extend(entries(&q, &ids)?);
            after = Some(last);
            tracing::info!(assets = all.len(), "rebuilding the catalogue index");
        }
        let n = all.len();
        self.cat
            .lock()
            .map_err(|_| Error::Stopped("catalogue"))?
            .rebuild(all.into_iter(), height)
            .map_err(cat_err)?;
        tracing::info!(
            assets = n,
            height,
            ms = started.elapsed().as_millis() as u64,
            "catalogue index rebuilt"
        );
        Ok(())
    }

    /// A page of the catalogue at block time `now_ms`.
    pub(crate) fn search(
        &self,
        req: &PageRequest,
        now_ms: u64,
    ) -> Result<Page, shuquan_catalogue::Error> {
        self.reader.search(req, now_ms)
    }

    /// Follows the ledger: re-indexes after every change of the applied height, until
    /// `shutdown`. A failure is logged and retried with the next block.
    pub(crate) async fn run(
        self: Arc<Self>,
        mut height: watch::Receiver<u64>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                r = height.changed() => if r.is_err() { return },
                _ = shutdown.changed() => return,
            }
            let me = self.clone();
            match tokio::task::spawn_blocking(move || me.catch_up()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "catalogue indexing failed; retrying with the next block")
                }
                Err(_) => return,
            }
            tokio::time::sleep(COMMIT_EVERY).await;
        }
    }
}

/// The catalogue entries of `ids` (assets that no longer exist are skipped).
fn entries(q: &Queries<'_>, ids: &[Hash32]) -> Result<Vec<Entry>> {
    let mut members: HashMap<String, (String, String)> = HashMap::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(a) = q.asset(id)? else {
            continue;
        };
        let cert = match a.registration_number {
            Some(_) => q.certificate(id)?,
            None => None,
        };
        let holder = a.holders.hold.id.clone();
        if !members.contains_key(&holder) {
            let m = q.member(&holder)?;
            let (short, name) = m.map_or((String::new(), String::new()), |m| (m.id, m.name));
            members.insert(holder.clone(), (short, name));
        }
        let (holder_short, holder_name) = members.get(&holder).cloned().unwrap_or_default();
        // The stored status: the catalogue evaluates expiry itself, at search time.
        let status = match (a.status.as_str(), &cert) {
            ("expired", Some(c)) => match c.kind.as_str() {
                "change" => "changed",
                "renewal" => "renewed",
                _ => "registered",
            }
            .to_string(),
            (s, _) => s.to_string(),
        };
        out.push(Entry {
            asset: id.to_hex(),
            number: a.registration_number,
            name: a.name,
            description: a.description,
            sector: a.sector,
            grade: a.grade,
            origin: a.origin,
            jurisdiction: a.jurisdiction,
            holder,
            holder_short,
            holder_name,
            status,
            valid_until_ms: a.valid_until_ms.unwrap_or(0),
            delivery_modes: a.delivery_modes,
            sharing: a.sharing,
            applied_height: a.registered_height,
            applied_at_ms: a.registered_at_ms,
            registered_at_ms: cert.map_or(0, |c| c.first_effective_ms),
            fingerprint: a.fingerprint,
            size_bytes: a.size_bytes,
        });
    }
    Ok(out)
}
