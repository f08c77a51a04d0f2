//! The index schema: one document per asset, its filter fields, sort fields and stored entry.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::TantivyDocument;

use crate::tokenizer::TOKENIZER;
use crate::{Entry, Error};

/// Field names of the sort columns (the sort-key computers name columns, not fields).
pub(crate) const ASSET: &str = "asset";
pub(crate) const APPLIED_HEIGHT: &str = "applied_height";
pub(crate) const NAME_KEY: &str = "name_key";
/// The name sort key is the name's first bytes (cut at a character boundary).
const NAME_KEY_BYTES: usize = 256;

/// The fields of the catalogue schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// Asset id: exact term (key for replace and lookup, cursor range) and sort column.
    pub(crate) asset: Field,
    /// [`name_key`] of the name: exact term (cursor range) and sort column.
    pub(crate) name_key: Field,
    pub(crate) sector: Field,
    pub(crate) grade: Field,
    pub(crate) origin: Field,
    pub(crate) jurisdiction: Field,
    pub(crate) holder: Field,
    /// Stored status word (expiry is evaluated at query time on `valid_until`).
    pub(crate) status: Field,
    /// One value per delivery mode.
    pub(crate) delivery: Field,
    pub(crate) sharing: Field,
    /// Name and description through the catalogue tokenizer (no positions).
    pub(crate) text: Field,
    pub(crate) applied_height: Field,
    pub(crate) registered_at: Field,
    pub(crate) valid_until: Field,
    /// The whole [`Entry`] as JSON, the only stored field.
    pub(crate) entry: Field,
}

impl Fields {
    /// The schema and its fields.
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let fields = Fields {
            asset: b.add_text_field(ASSET, STRING | FAST),
            name_key: b.add_text_field(NAME_KEY, STRING | FAST),
            sector: b.add_text_field("sector", STRING),
            grade: b.add_text_field("grade", STRING),
            origin: b.add_text_field("origin", STRING),
            jurisdiction: b.add_text_field("jurisdiction", STRING),
            holder: b.add_text_field("holder", STRING),
            status: b.add_text_field("status", STRING),
            delivery: b.add_text_field("delivery", STRING),
            sharing: b.add_text_field("sharing", STRING),
            text: b.add_text_field("text", text_options),
            applied_height: b.add_u64_field(APPLIED_HEIGHT, INDEXED | FAST),
            registered_at: b.add_u64_field("registered_at", INDEXED | FAST),
            valid_until: b.add_u64_field("valid_until", INDEXED | FAST),
            entry: b.add_bytes_field("entry", STORED),
        };
        (b.build(), fields)
    }

    /// The document of one entry.
    pub(crate) fn document(&self, e: &Entry) -> Result<TantivyDocument, Error> {
        let json = serde_json::to_vec(e).map_err(|err| Error::Corrupt(err.to_string()))?;
        let mut doc = TantivyDocument::new();
        doc.add_text(self.asset, &e.asset);
        doc.add_text(self.name_key, name_key(&e.name));
        doc.add_text(self.sector, &e.sector);
        doc.add_text(self.grade, &e.grade);
        doc.add_text(self.origin, &e.origin);
        doc.add_text(self.jurisdiction, &e.jurisdiction);
        doc.add_text(self.holder, &e.holder);
        doc.add_text(self.status, &e.status);
        for mode in &e.delivery_modes {
            doc.add_text(self.delivery, mode);
        }
        doc.add_text(self.sharing, &e.sharing);
        doc.add_text(self.text, &e.name);
        doc.add_text(self.text, &e.description);
        doc.add_u64(self.applied_height, e.applied_height);
        doc.add_u64(self.registered_at, e.registered_at_ms);
        doc.add_u64(self.valid_until, e.valid_until_ms);
        doc.add_bytes(self.entry, &json);
        Ok(doc)
    }

    /// The entry stored in a document.
    pub(crate) fn entry(&self, doc: &TantivyDocument) -> Result<Entry, Error> {
        let bytes = doc
            .get_first(self.entry)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| Error::Corrupt("a document without its entry".into()))?;
        serde_json::from_slice(bytes).map_err(|err| Error::Corrupt(err.to_string()))
    }
}

/// The name sort key: the name's first 256 bytes, cut at a character boundary.
pub(crate) fn name_key(name: &str) -> &str {
    if name.len() <= NAME_KEY_BYTES {
        return name;
    }
    let mut end = NAME_KEY_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}
