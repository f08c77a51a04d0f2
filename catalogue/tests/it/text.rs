//! Free text finds Latin words and any part of a Chinese name, every word must occur, and
//! query syntax in user input is just text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crate::common::*;
use shuquan_catalogue::{Filter, Sort};

fn text_hits(cat: &shuquan_catalogue::Catalogue, text: &str) -> BTreeSet<String> {
    let filter = Filter {
        text: some(text),
        ..Default::default()
    };
    set(&all_pages(cat, &filter, Sort::Newest, 50))
}

#[test]
fn free_text_finds_words_and_chinese() {
    let entries = samples(40);
    let cat = catalogue_with(&entries);
    let with = |pred: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
        entries
            .iter()
            .filter(|e| pred(&e.name))
            .map(|e| e.asset.clone())
            .collect()
    };
    assert_eq!(text_hits(&cat, "gps"), with(&|n| n.contains("GPS")));
    assert_eq!(
        text_hits(&cat, "BUS  Traces"),
        with(&|n| n.starts_with("Bus"))
    );
    assert_eq!(text_hits(&cat, "公交"), with(&|n| n.contains("公交")));
    assert_eq!(
        text_hits(&cat, "南宁公交数据"),
        with(&|n| n.contains("南宁公交数据"))
    );
    assert_eq!(text_hits(&cat, "负"), with(&|n| n.contains('负')));
    assert_eq!(text_hits(&cat, "电网 curve"), with(&|n| n.contains("电网")));
    assert_eq!(text_hits(&cat, "13"), with(&|n| n.ends_with(" 13")));
    assert!(
        text_hits(&cat, "数据 clinic").is_empty(),
        "every word must occur"
    );
    // Description text is searched too; query syntax is just text.
    assert_eq!(text_hits(&cat, "sample").len(), 40);
    assert_eq!(
        text_hits(&cat, "\"sample\" AND (catalogue) OR -tests*").len(),
        0
    );
    assert_eq!(text_hits(&cat, "sample: catalogue? tests!").len(), 40);
}

#[test]
fn text_combines_with_filters() {
    let entries = samples(40);
    let cat = catalogue_with(&entries);
    let filter = Filter {
        text: some("公交"),
        grade: some("general"),
        ..Default::default()
    };
    let found = all_pages(&cat, &filter, Sort::Name, 5);
    let expected: BTreeSet<_> = entries
        .iter()
        .filter(|e| e.name.contains("公交") && e.grade == "general")
        .map(|e| e.asset.clone())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(set(&found), expected);
}
