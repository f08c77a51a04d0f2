//! Request-response frames between member nodes (`/shuquan/rpc/1`), as the codec decodes
//! them after its size limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use shuquan_proto::pb;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = pb::P2pRequest::decode(data) {
        let _ = req.encode_to_vec();
    }
    if let Ok(resp) = pb::P2pResponse::decode(data) {
        let _ = resp.encode_to_vec();
    }
});
