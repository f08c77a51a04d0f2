//! Runs one page query: top `limit + 1` documents by fast-field sort keys (never a full
//! sort of the matches), optionally counting all matches in the same pass.

use tantivy::collector::sort_key::{SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

use crate::schema::{Fields, APPLIED_HEIGHT, ASSET, NAME_KEY};
use crate::{Entry, Error, PageRequest, Sort};

/// The first `req.limit + 1` entries matching `q` in `req.sort` order (one more than a page,
/// to know whether another page follows), and the number of matches when `count`.
pub(crate) fn run_page(
    searcher: &Searcher,
    fields: &Fields,
    q: &dyn Query,
    req: &PageRequest,
    count: bool,
) -> Result<(Vec<Entry>, Option<u64>), Error> {
    let top = TopDocs::with_limit(req.limit + 1);
    let counter = count.then_some(Count);
    let by_height = |order: Order| {
        (
            (
                SortByStaticFastValue::<u64>::for_field(APPLIED_HEIGHT),
                order,
            ),
            (SortByString::for_field(ASSET), order),
        )
    };
    let (total, addresses): (Option<usize>, Vec<DocAddress>) = match req.sort {
        Sort::Newest | Sort::Oldest => {
            let order = match req.sort {
                Sort::Oldest => Order::Asc,
                _ => Order::Desc,
            };
            let (n, hits) = searcher.search(q, &(counter, top.order_by(by_height(order))))?;
            (n, hits.into_iter().map(|(_, a)| a).collect())
        }
        Sort::Name => {
            let key = (
                (SortByString::for_field(NAME_KEY), Order::Asc),
                (SortByString::for_field(ASSET), Order::Asc),
            );
            let (n, hits) = searcher.search(q, &(counter, top.order_by(key)))?;
            (n, hits.into_iter().map(|(_, a)| a).collect())
        }
    };
    let entries = addresses
        .into_iter()
        .map(|address| fields.entry(&searcher.doc::<TantivyDocument>(address)?))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok((entries, total.map(|n| n as u64)))
}
