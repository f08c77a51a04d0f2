//! Membership faults for chaos runs: between the other faults, the council adds a node (a
//! fresh `shuquan devnet add-node` process), promotes it to voter, then removes one of the
//! original nodes and stops it, over and over. Every governance step goes through the CLI
//! with bounded retries, since the leader may be killed or cut off meanwhile.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::cluster::Cluster;

/// How long one governance step may take before the run gives up on it.
const STEP: Duration = Duration::from_secs(40);

/// Where the cycle is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// Next: add a node.
    Add,
    /// Next: promote the node added (index, node key).
    Promote(usize, String),
    /// Next: remove an original node.
    Remove,
}

/// Drives the council through add, promote, remove.
#[derive(Debug)]
pub(crate) struct Governor {
    stage: Stage,
}

impl Governor {
    pub(crate) fn new() -> Self {
        Governor { stage: Stage::Add }
    }

    /// One step of the cycle through a node that runs (not in `down`); returns the fault's
    /// name. `leader` is spared from removal (openraft 0.9 cannot hand leadership over).
    pub(crate) fn step(
        &mut self,
        c: &mut Cluster,
        netns: Option<&crate::netns::Netns>,
        leader: Option<usize>,
        down: &[usize],
    ) -> anyhow::Result<&'static str> {
        let via = (1..=c.nodes.len())
            .find(|i| !c.node(*i).retired && !down.contains(i) && Some(*i) == leader)
            .or_else(|| (1..=c.nodes.len()).find(|i| !c.node(*i).retired && !down.contains(i)))
            .context("no node runs")?;
        match self.stage.clone() {
            Stage::Add => {
                let (index, key, addr) = c.add_node_in(&[], netns)?;
                decide(
                    c,
                    via,
                    &[
                        "add-node",
                        "--key",
                        &key,
                        "--addr",
                        &addr,
                        "--operator",
                        "org1",
                    ],
                )?;
                self.stage = Stage::Promote(index, key);
                Ok("add_node")
            }
            Stage::Promote(_, key) => {
                decide(c, via, &["promote-node", &key])?;
                self.stage = Stage::Remove;
                Ok("promote_node")
            }
            Stage::Remove => {
                let victim = (1..=c.nodes.len())
                    .find(|i| {
                        !c.node(*i).retired && Some(*i) != leader && !down.contains(i) && *i != via
                    })
                    .context("no node to remove")?;
                let st = c.node(victim).status();
                let key = st["node_key"].as_str().context("no node key")?.to_string();
                let id = st["node_id"].as_u64().context("no node id")?;
                decide(c, via, &["remove-node", &key])?;
                // Raft drops it, then it stops by itself (or is stopped here).
                let deadline = Instant::now() + STEP;
                while Instant::now() < deadline {
                    let (_, s) = c.node(via).get("/v1/status");
                    let listed = s["raft_voters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .chain(s["raft_learners"].as_array().into_iter().flatten())
                        .any(|x| x.as_u64() == Some(id));
                    if !listed && s["leader_id"].is_u64() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                c.nodes[victim - 1].stop();
                c.nodes[victim - 1].retired = true;
                self.stage = Stage::Add;
                Ok("remove_node")
            }
        }
    }
}

/// org1 proposes `action` through node `via`; org2 and the regulator vote yes. Each CLI
/// call is retried (a new proposal if the first never committed) within [`STEP`].
fn decide(c: &Cluster, via: usize, action: &[&str]) -> anyhow::Result<()> {
    let deadline = Instant::now() + STEP;
    let key = |who: &str| c.key_file(who).display().to_string();
    let cli = c.cli(via);
    let run = |args: &[&str]| -> Option<Value> {
        let out = cli.run(args);
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        (out.status.success() && v["status"] == "committed").then_some(v)
    };
    let org1 = key("org1");
    let mut propose = vec!["--output", "json", "--key", &org1, "gov", "propose"];
    propose.extend_from_slice(action);
    propose.push("--wait");
    let id = loop {
        if let Some(v) = run(&propose) {
            break v["proposal"].as_str().unwrap_or_default().to_string();
        }
        if Instant::now() > deadline {
            bail!("proposing {action:?} did not commit in {STEP:?}");
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    for who in ["org2", "regulator"] {
        let k = key(who);
        loop {
            if run(&[
                "--output", "json", "--key", &k, "gov", "vote", &id, "--yes", "--wait",
            ])
            .is_some()
            {
                break;
            }
            // A vote that committed but whose answer was lost is refused as a second vote.
            let (_, p) = c.node(via).get(&format!("/v1/proposals/{id}"));
            if p["status"] == "executed" {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("votes on {action:?} did not commit in {STEP:?}: {p}");
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    let (_, p) = c.node(via).get(&format!("/v1/proposals/{id}"));
    if p["status"] != "executed" {
        bail!("proposal {action:?} is {}, not executed: {p}", p["status"]);
    }
    Ok(())
}
