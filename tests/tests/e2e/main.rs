//! End-to-end tests: the real `shuquand` and `shuquan` binaries on 127.0.0.1, one module per
//! concern. One test binary (not one per file) so the suite links once and its tests share
//! one pool of threads and one register of ports handed out.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod api_auth;
mod architecture;
mod audit;
mod catalogue;
mod chaos;
mod clock;
mod cluster;
mod cluster_p2p;
mod explorer;
mod explorer_signin;
mod gov;
mod hostile;
mod keys;
mod market;
mod membership;
mod offline;
mod ops;
mod ops_files;
mod registration;
mod restart;
mod walkthrough;
