//! Page cursors: the sort key of the last entry of a page, so the next page is the
//! entries strictly after it (a range query), never an offset.
//!
//! Encoding (hex of): version byte 1, the sort's tag byte (`n` newest, `o` oldest, `a`
//! name), then for newest/oldest the applied height (8 bytes big-endian) and the asset id
//! (32 bytes), for name the asset id (32 bytes) and the name key's UTF-8 bytes.

use crate::schema::name_key;
use crate::{Entry, Error, Sort};

const VERSION: u8 = 1;
const ASSET_BYTES: usize = 32;

/// A decoded cursor: the position of the last entry of the previous page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// After (`height`, `asset`) in newest or oldest order.
    Height { height: u64, asset: String },
    /// After (`name`, `asset`) in name order.
    Name { name: String, asset: String },
}

fn tag(sort: Sort) -> u8 {
    match sort {
        Sort::Newest => b'n',
        Sort::Oldest => b'o',
        Sort::Name => b'a',
    }
}

/// The cursor of the page that ends with `last`.
pub(crate) fn encode(sort: Sort, last: &Entry) -> Result<String, Error> {
    let asset = hex::decode(&last.asset).map_err(|_| Error::Corrupt("a stored asset id".into()))?;
    let mut bytes = vec![VERSION, tag(sort)];
    match sort {
        Sort::Newest | Sort::Oldest => {
            bytes.extend_from_slice(&last.applied_height.to_be_bytes());
            bytes.extend_from_slice(&asset);
        }
        Sort::Name => {
            bytes.extend_from_slice(&asset);
            bytes.extend_from_slice(name_key(&last.name).as_bytes());
        }
    }
    Ok(hex::encode(bytes))
}

/// Decodes a cursor handed out for `sort`.
pub(crate) fn decode(cursor: &str, sort: Sort) -> Result<Cursor, Error> {
    let bytes = hex::decode(cursor).map_err(|_| Error::BadCursor("not a cursor (not hex)"))?;
    let [version, found_tag, rest @ ..] = bytes.as_slice() else {
        return Err(Error::BadCursor("too short"));
    };
    if *version != VERSION {
        return Err(Error::BadCursor("unknown cursor version"));
    }
    if *found_tag != tag(sort) {
        return Err(Error::BadCursor("made for another sort order"));
    }
    match sort {
        Sort::Newest | Sort::Oldest => {
            if rest.len() != 8 + ASSET_BYTES {
                return Err(Error::BadCursor("wrong length"));
            }
            let (height, asset) = rest.split_at(8);
            let mut be = [0u8; 8];
            be.copy_from_slice(height);
            Ok(Cursor::Height {
                height: u64::from_be_bytes(be),
                asset: hex::encode(asset),
            })
        }
        Sort::Name => {
            if rest.len() < ASSET_BYTES {
                return Err(Error::BadCursor("wrong length"));
            }
            let (asset, name) = rest.split_at(ASSET_BYTES);
            let name =
                std::str::from_utf8(name).map_err(|_| Error::BadCursor("name key is not UTF-8"))?;
            Ok(Cursor::Name {
                name: name.to_owned(),
                asset: hex::encode(asset),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_rejects() {
        let entry = Entry {
            asset: "ab".repeat(32),
            applied_height: 77,
            name: "公交 GPS".into(),
            ..Entry::default()
        };
        let c = encode(Sort::Newest, &entry).unwrap();
        assert_eq!(
            decode(&c, Sort::Newest).unwrap(),
            Cursor::Height {
                height: 77,
                asset: entry.asset.clone()
            }
        );
        assert!(matches!(decode(&c, Sort::Name), Err(Error::BadCursor(_))));
        let c = encode(Sort::Name, &entry).unwrap();
        assert_eq!(
            decode(&c, Sort::Name).unwrap(),
            Cursor::Name {
                name: entry.name.clone(),
                asset: entry.asset.clone()
            }
        );
        for bad in ["", "zz", "01", "016e00", &c[..c.len() - 70]] {
            assert!(
                matches!(decode(bad, Sort::Newest), Err(Error::BadCursor(_))),
                "{bad}"
            );
        }
    }
}
