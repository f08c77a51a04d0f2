//! [`Catalogue`]: the tantivy index itself, opened from disk or in RAM, updated once per
//! block (one commit) and searched a page at a time.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use crate::entry::is_hex64;
use crate::schema::Fields;
use crate::search::run_page;
use crate::tokenizer::{TextTokenizer, TOKENIZER};
use crate::{cursor, query, Entry, Error, Page, PageRequest};

/// The indexing memory budget (one indexing thread); a block's upserts stay well below it.
const WRITER_MEMORY_BYTES: usize = 32 * 1024 * 1024;

/// What each commit records besides the documents.
#[derive(Serialize, Deserialize)]
struct Payload {
    indexed_height: u64,
}

/// The node-local catalogue of data assets (not part of consensus: rebuilt from the ledger
/// when missing, damaged, or of another schema).
pub struct Catalogue {
    writer: IndexWriter<TantivyDocument>,
    read: Reader,
}

/// The read side of a [`Catalogue`]: cheap to clone, searched without the writer, so a
/// search never waits for a commit (it sees the last one).
#[derive(Clone)]
pub struct Reader {
    fields: Fields,
    reader: IndexReader,
    /// The height of the last commit the reader was reloaded after.
    indexed_height: Arc<AtomicU64>,
}

impl Catalogue {
    /// Opens the catalogue in `dir`, creating the directory and an empty index if missing.
    /// An index written with another schema (an older release) is replaced by an empty one
    /// whose indexed height is 0, so the caller rebuilds it.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let dir_error = |reason: String| Error::Directory {
            path: dir.to_path_buf(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| dir_error(e.to_string()))?;
        let directory = MmapDirectory::open(dir).map_err(|e| dir_error(e.to_string()))?;
        let (schema, fields) = Fields::schema();
        let exists = Index::exists(&directory).map_err(|e| dir_error(e.to_string()))?;
        let index = match exists {
            true => {
                let index = Index::open(directory.clone())?;
                if index.schema() == schema {
                    index
                } else {
                    Index::create(directory, schema, IndexSettings::default())?
                }
            }
            false => Index::create(directory, schema, IndexSettings::default())?,
        };
        Self::with_index(index, fields)
    }

    /// A catalogue in RAM (tests, benches).
    pub fn in_ram() -> Result<Self, Error> {
        let (schema, fields) = Fields::schema();
        let directory = tantivy::directory::RamDirectory::create();
        let index = Index::create(directory, schema, IndexSettings::default())?;
        Self::with_index(index, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, Error> {
        index
            .tokenizers()
            .register(TOKENIZER, TextAnalyzer::builder(TextTokenizer).build());
        let indexed_height = match index.load_metas()?.payload {
            None => 0,
            Some(json) => {
                serde_json::from_str::<Payload>(&json)
                    .map_err(|e| Error::Corrupt(format!("commit payload: {e}")))?
                    .indexed_height
            }
        };
        let writer = index.writer_with_options(
            IndexWriterOptions::builder()
                .memory_budget_per_thread(WRITER_MEMORY_BYTES)
                .num_worker_threads(1)
                .num_merge_threads(1)
                .build(),
        )?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Catalogue {
            writer,
            read: Reader {
                fields,
                reader,
                indexed_height: Arc::new(AtomicU64::new(indexed_height)),
            },
        })
    }

    /// The height of the last block applied (0 for a new index).
    pub fn indexed_height(&self) -> u64 {
        self.read.indexed_height.load(Ordering::Acquire)
    }

    /// A read handle that searches without this writer (see [`Reader`]).
    pub fn reader(&self) -> Reader {
        self.read.clone()
    }

    /// Replaces the documents of `upserts` (by asset id; the last one wins when an id
    /// repeats), records `height`, and commits once so searches see it. Nothing is changed
    /// when an entry has no valid asset id or the commit fails.
    pub fn apply(&mut self, upserts: &[Entry], height: u64) -> Result<(), Error> {
        let docs = self.documents(upserts.iter())?;
        self.write(docs, height)
    }

    /// Wipes the index and indexes `all` at `height`, in one commit (searches see the old
    /// index until it is done). Nothing is changed when an entry is invalid.
    pub fn rebuild(&mut self, all: impl Iterator<Item = Entry>, height: u64) -> Result<(), Error> {
        self.writer.delete_all_documents()?;
        for entry in all {
            let outcome = self
                .documents(std::iter::once(&entry))
                .and_then(|mut docs| match docs.pop() {
                    Some((term, doc)) => {
                        self.writer.delete_term(term);
                        Ok(self.writer.add_document(doc)?)
                    }
                    None => Ok(0),
                });
            if let Err(e) = outcome {
                self.roll_back();
                return Err(e);
            }
        }
        self.write(Vec::new(), height)
    }

    fn documents<'a>(
        &self,
        entries: impl Iterator<Item = &'a Entry>,
    ) -> Result<Vec<(Term, TantivyDocument)>, Error> {
        entries
            .map(|e| {
                if !is_hex64(&e.asset) {
                    return Err(Error::BadEntry {
                        asset: e.asset.clone(),
                        reason: "asset id is not 64 lowercase hex characters",
                    });
                }
                let term = Term::from_field_text(self.read.fields.asset, &e.asset);
                Ok((term, self.read.fields.document(e)?))
            })
            .collect()
    }

    /// Adds `docs` (each replacing its asset), commits with `height`, reloads the reader;
    /// on failure rolls everything since the last commit back.
    fn write(&mut self, docs: Vec<(Term, TantivyDocument)>, height: u64) -> Result<(), Error> {
        let outcome = (|| -> Result<(), Error> {
            for (term, doc) in docs {
                self.writer.delete_term(term);
                self.writer.add_document(doc)?;
            }
            let payload = serde_json::to_string(&Payload {
                indexed_height: height,
            })
            .map_err(|e| Error::Corrupt(e.to_string()))?;
            let mut commit = self.writer.prepare_commit()?;
            commit.set_payload(&payload);
            commit.commit()?;
            Ok(())
        })();
        if let Err(e) = outcome {
            self.roll_back();
            return Err(e);
        }
        self.read.reader.reload()?;
        self.read.indexed_height.store(height, Ordering::Release);
        Ok(())
    }

    /// Drops everything since the last commit. The caller reports the error that led here;
    /// should the rollback itself fail, the writer's next operation reports that.
    fn roll_back(&mut self) {
        let _ = self.writer.rollback();
    }

    /// One page of the entries matching `req.filter` at time `now_ms`, in `req.sort` order,
    /// after `req.cursor`.
    pub fn search(&self, req: &PageRequest, now_ms: u64) -> Result<Page, Error> {
        self.read.search(req, now_ms)
    }

    /// The entry of one asset, if the catalogue holds it.
    pub fn get(&self, asset: &str) -> Result<Option<Entry>, Error> {
        self.read.get(asset)
    }

    /// The number of entries held.
    pub fn len(&self) -> Result<u64, Error> {
        self.read.len()
    }

    /// Whether the catalogue holds no entry.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }
}

impl Reader {
    /// One page of the entries matching `req.filter` at time `now_ms`, in `req.sort` order,
    /// after `req.cursor`, as of the last commit.
    pub fn search(&self, req: &PageRequest, now_ms: u64) -> Result<Page, Error> {
        req.validate()?;
        let after = match &req.cursor {
            Some(c) => Some(cursor::decode(c, req.sort)?),
            None => None,
        };
        let filter = query::filter_query(&self.fields, &req.filter, now_ms)?;
        let q: Box<dyn Query> = match &after {
            None => filter,
            Some(after) => Box::new(BooleanQuery::intersection(vec![
                filter,
                query::after_query(&self.fields, req.sort, after),
            ])),
        };
        let searcher = self.reader.searcher();
        let (mut entries, total) = run_page(&searcher, &self.fields, &*q, req, after.is_none())?;
        let next_cursor = if entries.len() > req.limit {
            entries.truncate(req.limit);
            match entries.last() {
                Some(last) => Some(cursor::encode(req.sort, last)?),
                None => None,
            }
        } else {
            None
        };
        Ok(Page {
            entries,
            next_cursor,
            indexed_height: self.indexed_height.load(Ordering::Acquire),
            total,
        })
    }

    /// The entry of one asset, if the catalogue holds it.
    pub fn get(&self, asset: &str) -> Result<Option<Entry>, Error> {
        if !is_hex64(asset) {
            return Err(Error::bad_filter(
                "asset",
                "not 64 lowercase hex characters",
            ));
        }
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.asset, asset),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match hits.first() {
            Some((_, address)) => Ok(Some(self.fields.entry(&searcher.doc(*address)?)?)),
            None => Ok(None),
        }
    }

    /// The number of entries held.
    pub fn len(&self) -> Result<u64, Error> {
        let searcher = self.reader.searcher();
        Ok(searcher.search(&tantivy::query::AllQuery, &Count)? as u64)
    }

    /// Whether the catalogue holds no entry.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }
}
