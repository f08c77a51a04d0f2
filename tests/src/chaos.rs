//! A bounded chaos run against a devnet of real `shuquand` processes: steady load from
//! several clients while nodes are SIGKILLed and restarted (the leader often) and paused
//! with SIGSTOP/SIGCONT, (with nodes in network namespaces) partitioned, and replaced by
//! governance — a node added, promoted, an original one removed; then a heal
//! phase and a check. Every transaction a client saw acknowledged as committed must be on
//! every node's chain exactly once, all chains and ledger digests must be identical, and
//! no node may have panicked. `scripts/chaos` runs it for minutes;
//! `tests/tests/e2e/chaos.rs` runs a short version in the suite.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{json, Value};
use shuquan_ledger::Ledger;

use crate::cluster::Cluster;
use crate::load::{Load, LoadPlan};
use crate::netns::Netns;
use crate::now_ms;

/// What a run does.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Member nodes (3 or 5).
    pub nodes: u16,
    /// Length of the fault phase.
    pub secs: u64,
    /// Load clients.
    pub clients: usize,
    /// Also pause nodes with SIGSTOP/SIGCONT (not only kill and restart).
    pub pauses: bool,
    /// Seed of the fault schedule.
    pub seed: u64,
    /// Run node `i` in namespace `NETNS-nI` (see [`crate::netns`]) and add partitions to
    /// the faults.
    pub netns: Option<String>,
    /// Also change the membership by governance: add a node, promote it, remove an original
    /// node, in turn (with namespaces, an added node runs in the next spare namespace).
    pub membership: bool,
}

/// What a run saw.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Faults injected, by kind.
    pub faults: HashMap<&'static str, u64>,
    /// Transactions acknowledged as committed.
    pub acked: usize,
    /// Acknowledged but missing on some node.
    pub lost: usize,
    /// Committed successfully more than once on a chain.
    pub duplicated: usize,
    /// Nodes whose log shows a panic.
    pub panicked: usize,
    /// Final height (all nodes agree).
    pub height: u64,
    /// Longest time without an acknowledgement while a majority ran, ms.
    pub longest_stall_ms: u64,
    /// The fault in force (or `none`) when the longest stall ended.
    pub stall_during: &'static str,
    /// Whether every node's ledger digest (chain, state, indexes) was the same.
    pub digests_agree: bool,
}

impl Report {
    /// The summary as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "faults": self.faults,
            "acked": self.acked,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "panicked": self.panicked,
            "height": self.height,
            "longest_stall_ms": self.longest_stall_ms,
            "stall_during": self.stall_during,
            "digests_agree": self.digests_agree,
        })
    }

    /// Whether the run kept every promise.
    pub fn ok(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.panicked == 0
            && self.acked > 0
            && self.digests_agree
    }
}

/// A small deterministic generator for the fault schedule (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn signal(pid: u32, sig: &str) {
    let _ = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status();
}

/// A partition in force: the pairs of nodes that cannot reach each other.
struct Partition {
    cuts: Vec<(usize, usize)>,
}

/// Cuts every node of `side` from every node of `other`.
fn split(ns: &Netns, side: &[usize], other: &[usize]) -> anyhow::Result<Partition> {
    let mut cuts = Vec::new();
    for &a in side {
        for &b in other {
            ns.cut(a, b)?;
            cuts.push((a, b));
        }
    }
    Ok(Partition { cuts })
}

/// Makes one of three partitions: the leader alone; a minority without the leader; or a
/// bridge, where one node sees both halves and the halves do not see each other (each
/// half with the bridge is a majority, so two majorities overlap in one node).
fn partition(
    ns: &Netns,
    nodes: usize,
    leader: Option<usize>,
    rng: &mut Rng,
) -> anyhow::Result<(&'static str, Partition)> {
    let mut all: Vec<usize> = (1..=nodes).collect();
    // A random order (Fisher-Yates), leader first if known.
    for i in (1..all.len()).rev() {
        all.swap(i, rng.next(i as u64 + 1) as usize);
    }
    if let Some(l) = leader {
        all.retain(|&i| i != l);
        all.insert(0, l);
    }
    let minority = (nodes - 1) / 2;
    Ok(match rng.next(3) {
        0 => ("partition_leader", split(ns, &all[..1], &all[1..])?),
        1 => {
            let (rest, cut) = all.split_at(nodes - minority);
            ("partition_minority", split(ns, cut, rest)?)
        }
        _ => {
            // The bridge is not the leader (when it is known): the leader's half then
            // loses touch with the other half while both still reach a majority.
            let _bridge = all.remove(1.min(all.len() - 1));
            let (a, b) = all.split_at(all.len() / 2);
            ("partition_bridge", split(ns, a, b)?)
        }
    })
}

/// Runs the plan and checks the outcome.
pub fn run(plan: &Plan) -> anyhow::Result<Report> {
    let ns = plan.netns.clone().map(|prefix| Netns { prefix });
    let mut c = Cluster::start_in(plan.nodes, &[], ns.as_ref())?;
    let nodes = usize::from(plan.nodes);
    let mut report = Report::default();
    let load = Load::start(
        LoadPlan {
            urls: c.nodes.iter().map(|n| n.url()).collect(),
            clients: plan.clients,
            wait_ms: 3000,
            first_seed: 1_000_000,
            // The fault phase, the heal phase and room to spare.
            max: Duration::from_secs(plan.secs + 180),
            chain: c.chain(),
        },
        &c.key("org1"),
    );
    let mut rng = Rng(plan.seed | 1);
    let majority = nodes / 2 + 1;
    let deadline = Instant::now() + Duration::from_secs(plan.secs);
    let mut paused: Option<u32> = None;
    let mut down: Vec<usize> = Vec::new();
    let mut cut: Option<Partition> = None;
    let mut stall = 0u64;
    let mut in_force: &'static str = "none";
    let mut governor = crate::chaos_members::Governor::new();
    let membership = plan.membership;
    // Every third new fault is a membership step: add, promote, remove, add, ...
    let mut new_faults = 0u64;
    // A fault decision every 1–2.5 s; stalls are sampled every 100 ms. Every partition
    // leaves a majority connected, so only kills and pauses excuse a stall.
    let mut next_fault = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        let active = c.nodes.iter().filter(|n| !n.retired).count();
        let running = active.saturating_sub(down.len() + usize::from(paused.is_some()));
        if running >= majority {
            let now = now_ms().saturating_sub(load.last_ack_ms());
            if now > stall {
                stall = now;
                report.stall_during = in_force;
            }
        } else {
            load.reset_stall();
        }
        if Instant::now() < next_fault {
            continue;
        }
        next_fault = Instant::now() + Duration::from_millis(1000 + rng.next(1500));
        in_force = "none";
        // Heal what is broken first, then break something new.
        if let Some(pid) = paused.take() {
            signal(pid, "-CONT");
            load.skip(None);
            in_force = "after_pause";
            continue;
        }
        if let Some(i) = down.pop() {
            c.restart(i)?;
            *report.faults.entry("restart").or_default() += 1;
            in_force = "after_restart";
            continue;
        }
        if let (Some(p), Some(ns)) = (cut.take(), &ns) {
            for (a, b) in p.cuts {
                ns.heal(a, b)?;
            }
            *report.faults.entry("heal").or_default() += 1;
            in_force = "after_heal";
            continue;
        }
        let leader = c.wait_leader(Duration::from_secs(10)).ok();
        new_faults += 1;
        if membership && new_faults % 3 == 1 {
            // While the council changes the nodes, no other fault: a step takes seconds.
            load.reset_stall();
            let kind = match governor.step(&mut c, ns.as_ref(), leader, &down) {
                Ok(kind) => kind,
                Err(e) => {
                    eprintln!("chaos: a membership step failed: {e:#}");
                    "membership_step_failed"
                }
            };
            load.reset_stall();
            in_force = kind;
            *report.faults.entry(kind).or_default() += 1;
            continue;
        }
        if let (Some(ns), 0) = (&ns, rng.next(3)) {
            let (kind, p) = partition(ns, nodes, leader, &mut rng)?;
            cut = Some(p);
            in_force = kind;
            *report.faults.entry(kind).or_default() += 1;
            continue;
        }
        let alive: Vec<usize> = (1..=c.nodes.len())
            .filter(|i| !c.node(*i).retired)
            .collect();
        let victim = match (leader, rng.next(3)) {
            (Some(l), 0 | 1) => l,
            _ => alive[rng.next(alive.len() as u64) as usize],
        };
        if plan.pauses && rng.next(3) == 0 {
            if let Some(pid) = c.node(victim).pid() {
                load.skip(Some(c.node(victim).url()));
                signal(pid, "-STOP");
                paused = Some(pid);
                in_force = "pause";
                *report.faults.entry("pause").or_default() += 1;
            }
        } else {
            c.kill9(victim);
            down.push(victim);
            let kind = if Some(victim) == leader {
                "kill_leader"
            } else {
                "kill_follower"
            };
            in_force = kind;
            *report.faults.entry(kind).or_default() += 1;
        }
    }
    // Heal: resume, reconnect, restart, stop the load, let everyone catch up.
    if let Some(pid) = paused.take() {
        signal(pid, "-CONT");
    }
    if let (Some(p), Some(ns)) = (cut.take(), &ns) {
        for (a, b) in p.cuts {
            ns.heal(a, b)?;
        }
    }
    for i in down.drain(..) {
        c.restart(i)?;
    }
    c.wait_leader(Duration::from_secs(30))?;
    std::thread::sleep(Duration::from_secs(2));
    let acked = load.finish();
    report.longest_stall_ms = stall;
    report.height = c.wait_same_height(Duration::from_secs(60))?;
    c.assert_same_chain(report.height);
    report.acked = acked.len();
    check(&c, &acked, &mut report)?;
    report.digests_agree = same_digests(&mut c, report.height)?;
    Ok(report)
}

/// Stops every node and compares the digests of their ledgers (every row but Raft's
/// mark): chains, state and indexes must be identical.
fn same_digests(c: &mut Cluster, height: u64) -> anyhow::Result<bool> {
    let genesis = c.genesis()?;
    let mut digests = Vec::new();
    for i in 1..=c.nodes.len() {
        if c.node(i).retired {
            continue;
        }
        c.kill9(i);
        let ledger = Ledger::open(&c.ledger_dir(i), genesis.clone())?;
        let (h, d) = ledger.snapshots().digest()?;
        if h != height {
            bail!("node {i} reopened at height {h}, not {height}");
        }
        digests.push(d);
    }
    Ok(digests.windows(2).all(|w| w[0] == w[1]))
}

/// Counts lost, duplicated and panicked.
fn check(c: &Cluster, acked: &[String], report: &mut Report) -> anyhow::Result<()> {
    for n in c.nodes.iter().filter(|n| !n.retired) {
        let mut committed: HashMap<String, u32> = HashMap::new();
        for h in 1..=report.height {
            let (code, block) = n.get(&format!("/v1/blocks/{h}"));
            if code != 200 {
                bail!("node {} lacks block {h}", n.index);
            }
            for r in block["txs"].as_array().into_iter().flatten() {
                if r["result"] == "committed" {
                    *committed
                        .entry(r["tx_id"].as_str().unwrap_or("").to_string())
                        .or_default() += 1;
                }
            }
        }
        report.lost += acked
            .iter()
            .filter(|id| !committed.contains_key(*id))
            .count();
        report.duplicated += committed.values().filter(|n| **n > 1).count();
        if n.log().contains("panicked") {
            report.panicked += 1;
        }
    }
    Ok(())
}
