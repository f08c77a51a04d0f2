//! The node-local catalogue of the ledger's data assets (not part of consensus).
//!
//! A [tantivy](https://docs.rs/tantivy) index holds one document per asset: exact-term
//! fields for every filter, range fields for heights and times, a free-text field over
//! name and description, fast fields for the sort keys, and the [`Entry`] itself as stored
//! JSON. The node calls [`Catalogue::apply`] after every applied block with the assets that
//! block changed, and [`Catalogue::rebuild`] when the index is missing or behind. [`Catalogue::search`] answers
//! a page: filters are term and range queries, pages are the top documents by fast-field
//! sort keys, and cursors continue strictly after the last key of the previous page, so
//! commits between two page fetches neither repeat nor skip entries.
//!
//! Free text: name and description are cut into lowercased words (letters and digits
//! outside CJK scripts) plus every single character and every pair of neighbouring
//! characters of CJK runs (Han, kana, Hangul), so "交数" finds "公交数据" without a word
//! dictionary. A query is cut the same way (CJK runs of two or more characters into pairs)
//! and every term must occur; the terms are looked up directly, so no user input can be a
//! query-syntax error.
//!
//! [`dcat`] renders the certified entries as a W3C DCAT 3 / DCAT-AP 3 JSON-LD catalogue.

mod catalogue;
mod cursor;
mod dcat;
mod dcat_vocab;
mod entry;
mod error;
mod query;
mod request;
mod schema;
mod search;
mod tokenizer;

pub use catalogue::{Catalogue, Reader};
pub use dcat::{dcat, CatalogMeta};
pub use dcat_vocab::iri_segment;
pub use entry::{
    is_hex64, Entry, CERTIFIED_STATUSES, DELIVERY_MODES, EXPIRED, GRADES, IN_FORCE, ORIGINS,
    SHARING, STATUSES,
};
pub use error::Error;
pub use request::{Filter, Page, PageRequest, Sort, DEFAULT_LIMIT, MAX_LIMIT, MAX_TEXT_CHARS};
