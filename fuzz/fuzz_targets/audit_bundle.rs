//! Audit bundles handed to `shuquan audit verify`: a node serves them, so they are
//! untrusted. Verify against a genesis with three member nodes, on BLAKE3 or (the first
//! byte chooses) on SM3 with SM2 members and certificate keys; never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::hash::HashFunction;
use shuquan_proto::keys::Scheme;
use shuquan_proto::{pb, Keypair};

fn genesis(sm: bool) -> &'static pb::Genesis {
    static G: [OnceLock<pb::Genesis>; 2] = [OnceLock::new(), OnceLock::new()];
    G[usize::from(sm)].get_or_init(|| {
        let sm2 = |n: u8| Keypair::from_secret(Scheme::Sm2, [n; 32]).unwrap().public();
        let member = |i: u8| MemberFile {
            id: format!("org{i}"),
            name: format!("org{i}"),
            org_code: String::new(),
            jurisdiction: "CN".into(),
            roles: vec!["member".into()],
            account_keys: vec![if sm && i % 2 == 1 {
                sm2(i)
            } else {
                Keypair::from_seed([i; 32]).unwrap().public()
            }],
            node_key: Some(Keypair::from_seed([i + 20; 32]).unwrap().public()),
            cert_key: sm.then(|| sm2(i + 40)),
            node_addr: format!("127.0.0.1:{}", 9000 + u16::from(i)),
            is_ciio: false,
            learner: false,
        };
        GenesisFile {
            council: Default::default(),
            chain_id: "fuzz".into(),
            genesis_time_ms: 1_767_225_600_000,
            hash: if sm {
                HashFunction::Sm3
            } else {
                HashFunction::Blake3
            },
            params: ParamsFile::default(),
            members: (1..=3).map(member).collect(),
        }
        .to_pb()
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let _ = verify_bundle(data, genesis(pick & 1 == 1));
});
