//! What the ledger benchmarks share: the chain id, the clock, keys and a registration.

use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Keypair;

pub(crate) const CHAIN: &str = "bench";
pub(crate) const T0: u64 = 1_767_225_600_000;

pub(crate) fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

/// The registration of data set `n` (a distinct fingerprint per `n`).
pub(crate) fn register(n: u32) -> Payload {
    let mut fp = [7u8; 32];
    fp[..4].copy_from_slice(&n.to_be_bytes());
    Payload::RegisterAsset(pb::RegisterAsset {
        fingerprint: fp.to_vec(),
        size_bytes: 1 << 20,
        name: format!("data set {n}"),
        description: "hourly bus positions in Nanning, anonymised".into(),
        sector: "transport".into(),
        grade: 1,
        origin: 2,
        jurisdiction: "CN".into(),
        delivery_modes: vec![2, 3],
        sharing: pb::SharingClass::Conditional as i32,
        ..Default::default()
    })
}
