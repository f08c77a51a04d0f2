//! The README walkthrough, run with the real binaries against a dev node (see
//! `shuquan_tests::walkthrough`).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use shuquan_tests::DevNode;

#[test]
fn readme_walkthrough() {
    let node = DevNode::start_reviewing().unwrap();
    shuquan_tests::walkthrough::run(&node.shuquan(), |who| node.key_file(who));
    let text = node.cli(&["status"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("height"));
}
