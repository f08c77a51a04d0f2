//! Audit bundles handed to `shuquan audit verify`: a node serves them, so they are
//! untrusted. Verify against a genesis with three member nodes; never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::{pb, Keypair};

fn genesis() -> &'static pb::Genesis {
    static G: OnceLock<pb::Genesis> = OnceLock::new();
    G.get_or_init(|| {
        let member = |i: u8| MemberFile {
            id: format!("org{i}"),
            name: format!("org{i}"),
            org_code: String::new(),
            jurisdiction: "CN".into(),
            roles: vec!["member".into()],
            account_keys: vec![Keypair::from_seed([i; 32]).unwrap().public()],
            node_key: Some(Keypair::from_seed([i + 20; 32]).unwrap().public()),
            node_addr: format!("127.0.0.1:{}", 9000 + u16::from(i)),
            is_ciio: false,
            learner: false,
        };
        GenesisFile {
            council: Default::default(),
            chain_id: "fuzz".into(),
            genesis_time_ms: 1_767_225_600_000,
            params: ParamsFile::default(),
            members: (1..=3).map(member).collect(),
        }
        .to_pb()
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = verify_bundle(data, genesis());
});
