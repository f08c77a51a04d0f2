//! Turns a validated [`Filter`] and a page cursor into a tantivy query: term, term-set and
//! range queries on indexed fields only, so nothing is ever scanned document by document.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::cursor::Cursor;
use crate::entry::{CERTIFIED_STATUSES, EXPIRED, IN_FORCE};
use crate::schema::Fields;
use crate::tokenizer::query_terms;
use crate::{Error, Filter, Sort};

type Clauses = Vec<(Occur, Box<dyn Query>)>;

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn u64_range(field: Field, from: Bound<u64>, to: Bound<u64>) -> Box<dyn Query> {
    let t = |b: Bound<u64>| match b {
        Bound::Included(v) => Bound::Included(Term::from_field_u64(field, v)),
        Bound::Excluded(v) => Bound::Excluded(Term::from_field_u64(field, v)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(t(from), t(to)))
}

fn text_range(field: Field, from: Bound<&str>, to: Bound<&str>) -> Box<dyn Query> {
    let t = |b: Bound<&str>| match b {
        Bound::Included(v) => Bound::Included(Term::from_field_text(field, v)),
        Bound::Excluded(v) => Bound::Excluded(Term::from_field_text(field, v)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(t(from), t(to)))
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::intersection(clauses))
}

/// The query of a validated filter at time `now_ms` (see [`Filter::status`] for expiry).
pub(crate) fn filter_query(
    f: &Fields,
    filter: &Filter,
    now_ms: u64,
) -> Result<Box<dyn Query>, Error> {
    let mut must: Vec<Box<dyn Query>> = Vec::new();
    let exact = [
        (f.sector, &filter.sector),
        (f.grade, &filter.grade),
        (f.origin, &filter.origin),
        (f.jurisdiction, &filter.jurisdiction),
        (f.holder, &filter.holder),
        (f.delivery, &filter.delivery_mode),
        (f.sharing, &filter.sharing),
    ];
    for (field, value) in exact {
        if let Some(value) = value {
            must.push(term(field, value));
        }
    }
    if let Some(status) = &filter.status {
        must.push(status_query(f, status, now_ms));
    }
    if filter.registered_from_ms.is_some() || filter.registered_to_ms.is_some() {
        // Uncertified entries have registered_at 0 and never match a time bound.
        let from = filter.registered_from_ms.unwrap_or(1).max(1);
        let to = filter.registered_to_ms.unwrap_or(u64::MAX);
        if from > to {
            return Ok(Box::new(EmptyQuery));
        }
        must.push(u64_range(
            f.registered_at,
            Bound::Included(from),
            Bound::Included(to),
        ));
    }
    if let Some(text) = &filter.text {
        let terms = query_terms(text);
        if terms.is_empty() {
            return Err(Error::bad_filter("text", "contains no searchable word"));
        }
        must.extend(terms.iter().map(|t| term(f.text, t)));
    }
    Ok(match must.len() {
        0 => Box::new(AllQuery),
        1 => must.remove(0),
        _ => all_of(must),
    })
}

/// Stored status, with expiry evaluated at `now_ms`.
fn status_query(f: &Fields, status: &str, now_ms: u64) -> Box<dyn Query> {
    // A live certificate is expired when 1 <= valid_until <= now.
    let expired_range = || u64_range(f.valid_until, Bound::Included(1), Bound::Included(now_ms));
    if status == IN_FORCE {
        let live = TermSetQuery::new(
            CERTIFIED_STATUSES
                .iter()
                .map(|s| Term::from_field_text(f.status, s)),
        );
        if now_ms == 0 {
            return Box::new(live);
        }
        let clauses: Clauses = vec![
            (Occur::Must, Box::new(live)),
            (Occur::MustNot, expired_range()),
        ];
        return Box::new(BooleanQuery::new(clauses));
    }
    if status == EXPIRED {
        if now_ms == 0 {
            return Box::new(EmptyQuery);
        }
        let live = TermSetQuery::new(
            CERTIFIED_STATUSES
                .iter()
                .map(|s| Term::from_field_text(f.status, s)),
        );
        all_of(vec![Box::new(live), expired_range()])
    } else if CERTIFIED_STATUSES.contains(&status) && now_ms > 0 {
        let clauses: Clauses = vec![
            (Occur::Must, term(f.status, status)),
            (Occur::MustNot, expired_range()),
        ];
        Box::new(BooleanQuery::new(clauses))
    } else {
        term(f.status, status)
    }
}

/// The entries strictly after `cursor` in `sort` order.
pub(crate) fn after_query(f: &Fields, sort: Sort, cursor: &Cursor) -> Box<dyn Query> {
    let (beyond, tie): (Box<dyn Query>, Box<dyn Query>) = match (sort, cursor) {
        (Sort::Newest, Cursor::Height { height, asset }) => (
            u64_range(f.applied_height, Bound::Unbounded, Bound::Excluded(*height)),
            all_of(vec![
                u64_range(
                    f.applied_height,
                    Bound::Included(*height),
                    Bound::Included(*height),
                ),
                text_range(f.asset, Bound::Unbounded, Bound::Excluded(asset)),
            ]),
        ),
        (Sort::Oldest, Cursor::Height { height, asset }) => (
            u64_range(f.applied_height, Bound::Excluded(*height), Bound::Unbounded),
            all_of(vec![
                u64_range(
                    f.applied_height,
                    Bound::Included(*height),
                    Bound::Included(*height),
                ),
                text_range(f.asset, Bound::Excluded(asset), Bound::Unbounded),
            ]),
        ),
        (Sort::Name, Cursor::Name { name, asset }) => (
            text_range(f.name_key, Bound::Excluded(name), Bound::Unbounded),
            all_of(vec![
                term(f.name_key, name),
                text_range(f.asset, Bound::Excluded(asset), Bound::Unbounded),
            ]),
        ),
        // `cursor::decode` only yields the variant of the sort it was asked for.
        _ => return Box::new(EmptyQuery),
    };
    Box::new(BooleanQuery::union(vec![beyond, tie]))
}
