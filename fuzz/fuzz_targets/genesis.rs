//! Genesis files (TOML or JSON) given to a node: parse and check, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuquan_proto::genesis::GenesisFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(g) = GenesisFile::parse(text) {
            let _ = g.to_pb();
        }
    }
});
