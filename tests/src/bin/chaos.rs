//! `chaos`: a bounded fault run against a devnet of real nodes (see `scripts/chaos`, which
//! creates the network namespaces for `--netns PREFIX` and runs this inside the hub).

use anyhow::Context;
use shuquan_tests::chaos::{run, Plan};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let num = |name: &str, default: u64| -> anyhow::Result<u64> {
        arg(&args, name).map_or(Ok(default), |v| {
            v.parse()
                .with_context(|| format!("{name} {v}: not a number"))
        })
    };
    let plan = Plan {
        nodes: u16::try_from(num("--nodes", 3)?).context("--nodes")?,
        secs: num("--secs", 300)?,
        clients: usize::try_from(num("--clients", 8)?).context("--clients")?,
        pauses: !args.iter().any(|a| a == "--kill-only"),
        seed: num("--seed", shuquan_tests::now_ms())?,
        netns: arg(&args, "--netns"),
        membership: !args.iter().any(|a| a == "--no-membership"),
    };
    eprintln!("chaos: {plan:?}");
    let report = run(&plan)?;
    println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    if !report.ok() {
        anyhow::bail!(
            "the run broke a promise (lost, duplicated, panicked or nothing acknowledged)"
        );
    }
    eprintln!("chaos: ok (seed {})", plan.seed);
    Ok(())
}
