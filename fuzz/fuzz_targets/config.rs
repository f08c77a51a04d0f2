//! Node configuration: a TOML file, `SHUQUAN_*` variables and `--set` flags; loading and
//! validating never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuquan_node::config::NodeConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (file, rest) = text.split_once('\0').unwrap_or((text, ""));
    let dir = std::env::temp_dir().join(format!("shuquan-fuzz-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("node.toml");
    if std::fs::write(&path, file).is_err() {
        return;
    }
    let env = vec![("SHUQUAN_MEMPOOL_SIZE".to_string(), rest.to_string())];
    let sets = vec![rest.to_string()];
    for (e, s) in [(&env[..], &[][..]), (&[][..], &sets[..]), (&[][..], &[][..])] {
        if let Ok(cfg) = NodeConfig::load(Some(&path), e.iter().cloned(), s) {
            let _ = cfg.validate();
        }
    }
});
