//! A bounded chaos run against a devnet of real `shuquand` processes: steady load from
//! several clients while nodes are SIGKILLed and restarted (the leader often) and paused
//! with SIGSTOP/SIGCONT; then a heal phase and a check. Every transaction a client saw
//! acknowledged as committed must be on every node's chain exactly once, all chains must
//! be identical, and no node may have panicked. `scripts/chaos` runs it for minutes;
//! `tests/tests/chaos.rs` runs a short version in the suite.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{json, Value};

use crate::cluster::{sign, Cluster};
use crate::{now_ms, register};

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
        })
    }

    /// Whether the run kept every promise.
    pub fn ok(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.panicked == 0 && self.acked > 0
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

/// Starts the load: each client posts registrations to a node in turn, waiting for commit.
fn load(
    c: &Cluster,
    clients: usize,
    stop: &Arc<AtomicBool>,
    acked: &Arc<Mutex<Vec<String>>>,
    last_ack: &Arc<AtomicU64>,
    paused: &Arc<Mutex<Option<u16>>>,
) -> Vec<std::thread::JoinHandle<()>> {
    let org1 = c.key("org1");
    let ports: Vec<u16> = c.nodes.iter().map(|n| n.api_port).collect();
    let next = Arc::new(AtomicU64::new(1));
    (0..clients)
        .map(|w| {
            let (stop, acked, last_ack, next, key, ports, paused) = (
                stop.clone(),
                acked.clone(),
                last_ack.clone(),
                next.clone(),
                org1.clone(),
                ports.clone(),
                paused.clone(),
            );
            std::thread::spawn(move || {
                let agent = crate::agent();
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let raw = sign(&key, &[], register(1_000_000 + n), now_ms());
                    i += 1;
                    let port = ports[i % ports.len()];
                    // A paused process would hold the request until it resumes.
                    if *paused.lock().unwrap_or_else(|p| p.into_inner()) == Some(port) {
                        continue;
                    }
                    let url = format!("http://127.0.0.1:{port}/v1/tx?wait=commit&timeout_ms=3000");
                    let Ok(mut resp) = agent
                        .post(&url)
                        .header("content-type", "application/x-protobuf")
                        .send(&raw[..])
                    else {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    };
                    let body = resp.body_mut().read_to_string().unwrap_or_default();
                    let v: Value = serde_json::from_str(&body).unwrap_or_default();
                    if resp.status().as_u16() == 200 && v["status"] == "committed" {
                        if let Some(id) = v["tx_id"].as_str() {
                            acked
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(id.to_string());
                            last_ack.store(now_ms(), Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect()
}

/// Runs the plan and checks the outcome.
pub fn run(plan: &Plan) -> anyhow::Result<Report> {
    let mut c = Cluster::start(plan.nodes, &[])?;
    let mut report = Report::default();
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let last_ack = Arc::new(AtomicU64::new(now_ms()));
    let paused_port: Arc<Mutex<Option<u16>>> = Arc::default();
    let workers = load(&c, plan.clients, &stop, &acked, &last_ack, &paused_port);
    let mut rng = Rng(plan.seed | 1);
    let majority = usize::from(plan.nodes) / 2 + 1;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(plan.secs);
    let mut paused: Option<(usize, u32)> = None;
    let mut down: Vec<usize> = Vec::new();
    let mut stall = 0u64;
    // One fault decision a second; stalls are sampled every 100 ms.
    let mut next_fault = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        let running = usize::from(plan.nodes) - down.len() - usize::from(paused.is_some());
        if running >= majority {
            stall = stall.max(now_ms().saturating_sub(last_ack.load(Ordering::Relaxed)));
        } else {
            last_ack.store(now_ms(), Ordering::Relaxed);
        }
        if Instant::now() < next_fault {
            continue;
        }
        next_fault = Instant::now() + Duration::from_millis(1000 + rng.next(1500));
        // Heal what is broken first, then break something new.
        if let Some((_, pid)) = paused.take() {
            signal(pid, "-CONT");
            *paused_port.lock().unwrap_or_else(|p| p.into_inner()) = None;
            continue;
        }
        if let Some(i) = down.pop() {
            c.restart(i)?;
            *report.faults.entry("restart").or_default() += 1;
            continue;
        }
        let leader = c.wait_leader(Duration::from_secs(10)).ok();
        let victim = match (leader, rng.next(3)) {
            (Some(l), 0 | 1) => l,
            _ => 1 + rng.next(u64::from(plan.nodes)) as usize,
        };
        if plan.pauses && rng.next(3) == 0 {
            if let Some(pid) = c.node(victim).pid() {
                *paused_port.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(c.node(victim).api_port);
                signal(pid, "-STOP");
                paused = Some((victim, pid));
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
            *report.faults.entry(kind).or_default() += 1;
        }
    }
    // Heal: resume, restart, stop the load, let everyone catch up.
    if let Some((_, pid)) = paused.take() {
        signal(pid, "-CONT");
    }
    for i in down.drain(..) {
        c.restart(i)?;
    }
    c.wait_leader(Duration::from_secs(30))?;
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    report.longest_stall_ms = stall;
    report.height = c.wait_same_height(Duration::from_secs(60))?;
    c.assert_same_chain(report.height);
    let acked = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    report.acked = acked.len();
    check(&c, &acked, &mut report)?;
    Ok(report)
}

/// Counts lost, duplicated and panicked.
fn check(c: &Cluster, acked: &[String], report: &mut Report) -> anyhow::Result<()> {
    for n in &c.nodes {
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
