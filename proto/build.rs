//! Generates the prost types from `proto/` with protox (pure Rust: no system `protoc`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(
        [
            "shuquan/gov.proto",
            "shuquan/tx.proto",
            "shuquan/chain.proto",
            "shuquan/market.proto",
            "shuquan/p2p.proto",
            "shuquan/audit.proto",
        ],
        ["proto"],
    )?;
    let mut cfg = prost_build::Config::new();
    cfg.btree_map(["."]);
    cfg.compile_fds(fds)?;
    Ok(())
}
