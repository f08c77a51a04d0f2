//! Transaction bytes from the API or gossip, on a BLAKE3 or an SM3 chain (the first byte
//! chooses): the stateless checks and signature verification, ed25519 and SM2, must refuse
//! anything malformed without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuquan_proto::hash::Hashing;
use shuquan_proto::{tx, verify};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let chain = tx::ChainRef {
        id: "shuquan-devnet".into(),
        genesis_hash: shuquan_proto::Hash32([1; 32]),
        hash: if pick & 1 == 0 {
            Hashing::BLAKE3
        } else {
            Hashing::SM3
        },
    };
    if let Ok(t) = tx::decode_tx(data, &chain, tx::DEFAULT_MAX_TX_BYTES) {
        let _ = verify::verify_tx(&t);
        let _ = verify::verify_txs(&[&t]);
    }
});
