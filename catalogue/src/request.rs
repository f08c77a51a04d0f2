//! Page requests ([`Filter`], [`Sort`], [`PageRequest`]), their validation, and [`Page`].

use serde::{Deserialize, Serialize};

use crate::entry::{
    is_hex64, DELIVERY_MODES, EXPIRED, GRADES, IN_FORCE, ORIGINS, SHARING, STATUSES,
};
use crate::{Entry, Error};

/// The largest page.
pub const MAX_LIMIT: usize = 200;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: usize = 20;
/// The longest free-text query, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// The longest free code (sector, jurisdiction) a filter may name, in bytes.
const MAX_CODE_BYTES: usize = 64;

/// What a page must match; every field set narrows it (all are ANDed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Sector code, exact.
    pub sector: Option<String>,
    /// Grade word.
    pub grade: Option<String>,
    /// Origin word.
    pub origin: Option<String>,
    /// Jurisdiction code, exact.
    pub jurisdiction: Option<String>,
    /// Holder member id, 64 hex.
    pub holder: Option<String>,
    /// A stored status word or "expired", evaluated at the search's `now_ms`: "expired"
    /// matches registered/changed/renewed entries whose `0 < valid_until_ms <= now`, and
    /// those three words match only entries that are not expired.
    pub status: Option<String>,
    /// One delivery mode the entry must offer.
    pub delivery_mode: Option<String>,
    /// Sharing class.
    pub sharing: Option<String>,
    /// Certified at or after this time (ms); uncertified entries never match a bound.
    pub registered_from_ms: Option<u64>,
    /// Certified at or before this time (ms, inclusive).
    pub registered_to_ms: Option<u64>,
    /// Free text over name and description: every word (and, in Chinese/Japanese/Korean
    /// runs, every character pair) must occur.
    pub text: Option<String>,
}

/// Page order. Every order ends with the asset id, so it is total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Latest first application first: `applied_height` desc, then asset id desc.
    #[default]
    Newest,
    /// `applied_height` asc, then asset id asc.
    Oldest,
    /// Name asc (by UTF-8 bytes of its first 256 bytes), then asset id asc. An entry whose
    /// name changes between two page fetches may move past the cursor (or behind it).
    Name,
}

/// One page request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageRequest {
    /// What to match.
    pub filter: Filter,
    /// The order.
    pub sort: Sort,
    /// Entries per page, 1..=200.
    pub limit: usize,
    /// `next_cursor` of the previous page, None for the first page.
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            filter: Filter::default(),
            sort: Sort::default(),
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

/// One page of entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page {
    /// The entries, in the requested order, with their stored status (see
    /// [`Entry::effective_status`]).
    pub entries: Vec<Entry>,
    /// The cursor of the next page; None on the last page.
    pub next_cursor: Option<String>,
    /// The block height the catalogue reflects.
    pub indexed_height: u64,
    /// How many entries match the filter (all pages), counted on the first page only
    /// (None on later pages).
    pub total: Option<u64>,
}

impl PageRequest {
    /// Checks the filter words, the free text and the limit.
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(Error::bad_filter(
                "limit",
                format!("{} is outside 1..={MAX_LIMIT}", self.limit),
            ));
        }
        self.filter.validate()
    }
}

impl Filter {
    /// Checks every set field: known words, a 64-hex holder, short codes, a non-empty
    /// text of at most 200 characters, and `registered_from_ms <= registered_to_ms`.
    pub fn validate(&self) -> Result<(), Error> {
        word("grade", &self.grade, GRADES)?;
        word("origin", &self.origin, ORIGINS)?;
        word("delivery_mode", &self.delivery_mode, DELIVERY_MODES)?;
        word("sharing", &self.sharing, SHARING)?;
        if let Some(status) = &self.status {
            if status != EXPIRED && status != IN_FORCE && !STATUSES.contains(&status.as_str()) {
                return Err(Error::bad_filter(
                    "status",
                    format!(
                        "`{status}` is not one of {}, {EXPIRED}, {IN_FORCE}",
                        STATUSES.join(", ")
                    ),
                ));
            }
        }
        code("sector", &self.sector)?;
        code("jurisdiction", &self.jurisdiction)?;
        if let Some(holder) = &self.holder {
            if !is_hex64(holder) {
                return Err(Error::bad_filter(
                    "holder",
                    "not 64 lowercase hex characters",
                ));
            }
        }
        if let (Some(from), Some(to)) = (self.registered_from_ms, self.registered_to_ms) {
            if from > to {
                return Err(Error::bad_filter(
                    "registered_from_ms",
                    format!("{from} is after registered_to_ms {to}"),
                ));
            }
        }
        if let Some(text) = &self.text {
            if text.trim().is_empty() {
                return Err(Error::bad_filter("text", "empty"));
            }
            let chars = text.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(Error::bad_filter(
                    "text",
                    format!("{chars} characters, more than {MAX_TEXT_CHARS}"),
                ));
            }
        }
        Ok(())
    }
}

fn word(field: &'static str, value: &Option<String>, known: &[&str]) -> Result<(), Error> {
    match value {
        Some(v) if !known.contains(&v.as_str()) => Err(Error::bad_filter(
            field,
            format!("`{v}` is not one of {}", known.join(", ")),
        )),
        _ => Ok(()),
    }
}

fn code(field: &'static str, value: &Option<String>) -> Result<(), Error> {
    match value {
        Some(v) if v.is_empty() || v.len() > MAX_CODE_BYTES => Err(Error::bad_filter(
            field,
            format!("must be 1 to {MAX_CODE_BYTES} bytes"),
        )),
        _ => Ok(()),
    }
}
