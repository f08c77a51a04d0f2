//! t80: seeded fault runs. A 3- or 5-node cluster takes a stream of client writes while a
//! nemesis crashes nodes (losing unsynced writes, sometimes the state machine too),
//! restarts them, partitions and isolates nodes, drops and delays messages, and triggers
//! snapshots; then everything heals. Checked per seed: at most one leader per term; every
//! acknowledged write is applied exactly once, at its acknowledged index, on every node;
//! all state machines hold the same sequence.
//!
//! The seed drives every fault decision, so a failing seed replays the same schedule
//! (timing still varies with the OS scheduler). Reproduce with
//! `SHUQUAN_SEED_START=<seed> SHUQUAN_SEEDS=1 cargo test -p shuquan-consensus --test it t80`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use shuquan_consensus::{Config, Error, NetFaults, Node, NodeId, Role, WriteAck};

use crate::common::Cluster;

/// Seeds run by the CI test (override with `SHUQUAN_SEEDS`).
const CI_SEEDS: u64 = 200;
/// Seeds run at once (override with `SHUQUAN_PARALLEL`).
const PARALLEL: u64 = 8;
const FAULT_PHASE: Duration = Duration::from_millis(900);
const CLIENTS: u64 = 3;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

type Live = Arc<Mutex<BTreeMap<NodeId, Node>>>;
type Acked = Arc<Mutex<Vec<(Vec<u8>, WriteAck)>>>;

fn live_nodes(live: &Live) -> Vec<(NodeId, Node)> {
    live.lock()
        .unwrap()
        .iter()
        .map(|(i, n)| (*i, n.clone()))
        .collect()
}

/// One client: writes unique payloads, follows redirects, records what was acknowledged.
async fn client(seed: u64, k: u64, live: Live, stop: Arc<AtomicBool>, acked: Acked) {
    let mut rng = StdRng::seed_from_u64(seed ^ (k << 32));
    let mut target: NodeId = 1;
    let mut seq = 0u64;
    while !stop.load(Ordering::Acquire) {
        let node = live.lock().unwrap().get(&target).cloned();
        let Some(node) = node else {
            let ids: Vec<NodeId> = live.lock().unwrap().keys().copied().collect();
            target = ids.choose(&mut rng).copied().unwrap_or(1);
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let p = format!("s{seed}-c{k}-{seq}").into_bytes();
        seq += 1;
        match tokio::time::timeout(Duration::from_secs(1), node.write(p.clone())).await {
            Ok(Ok(ack)) => acked.lock().unwrap().push((p, ack)),
            Ok(Err(Error::ForwardToLeader {
                leader_id: Some(l), ..
            })) => target = l,
            _ => {
                let ids: Vec<NodeId> = live.lock().unwrap().keys().copied().collect();
                target = ids.choose(&mut rng).copied().unwrap_or(1);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Samples every node's role; records a violation if two nodes lead in one term.
async fn leader_monitor(live: Live, stop: Arc<AtomicBool>, violations: Arc<Mutex<Vec<String>>>) {
    let mut leaders: BTreeMap<u64, NodeId> = BTreeMap::new();
    while !stop.load(Ordering::Acquire) {
        for (id, node) in live_nodes(&live) {
            let (role, term) = node.role();
            if role == Role::Leader {
                let first = *leaders.entry(term).or_insert(id);
                if first != id {
                    violations
                        .lock()
                        .unwrap()
                        .push(format!("two leaders in term {term}: {first} and {id}"));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

fn sim_config() -> Config {
    Config {
        snapshot_every: 25,
        keep_after_snapshot: 5,
        ..Config::for_tests()
    }
}

/// What one seed did, for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct SeedStats {
    pub acked: u64,
    pub crashes: u64,
    pub sm_losses: u64,
    pub terms: u64,
    pub snapshots: u64,
}

static STATS: Mutex<SeedStats> = Mutex::new(SeedStats {
    acked: 0,
    crashes: 0,
    sm_losses: 0,
    terms: 0,
    snapshots: 0,
});

/// Run one seed. `Err` explains the first broken property.
pub async fn run_seed(seed: u64) -> Result<(), String> {
    let mut stats = SeedStats::default();
    let n = if seed.is_multiple_of(2) { 3 } else { 5 };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut c = Cluster::new(n, sim_config(), seed).await;
    let live: Live = Arc::new(Mutex::new(c.nodes.clone()));
    let stop_clients = Arc::new(AtomicBool::new(false));
    let stop_monitor = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let violations = Arc::new(Mutex::new(Vec::new()));

    let mut clients = Vec::new();
    for k in 0..CLIENTS {
        clients.push(tokio::spawn(client(
            seed,
            k,
            live.clone(),
            stop_clients.clone(),
            acked.clone(),
        )));
    }
    let monitor = tokio::spawn(leader_monitor(
        live.clone(),
        stop_monitor.clone(),
        violations.clone(),
    ));

    // Safety phase: faults.
    let all: Vec<NodeId> = (1..=n).collect();
    let mut crashed: BTreeSet<NodeId> = BTreeSet::new();
    let end = tokio::time::Instant::now() + FAULT_PHASE;
    while tokio::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(20..120))).await;
        match rng.gen_range(0..11) {
            10 => {
                // Correlated power loss: a majority goes down at once.
                let mut up: Vec<NodeId> = c.ids();
                up.shuffle(&mut rng);
                for id in up.into_iter().take(n as usize / 2 + 1) {
                    live.lock().unwrap().remove(&id);
                    c.crash(id).await;
                    crashed.insert(id);
                    stats.crashes += 1;
                }
            }
            0 | 1 => {
                let up: Vec<NodeId> = c.ids();
                if up.len() > 1 {
                    let id = *up.choose(&mut rng).unwrap_or(&1);
                    live.lock().unwrap().remove(&id);
                    c.crash(id).await;
                    crashed.insert(id);
                    stats.crashes += 1;
                }
            }
            2 | 3 => {
                let down: Vec<NodeId> = crashed.iter().copied().collect();
                let how_many = rng.gen_range(1..=2);
                let back: Vec<NodeId> = down.choose_multiple(&mut rng, how_many).copied().collect();
                for id in back {
                    let keep_sm = rng.gen_bool(0.8);
                    stats.sm_losses += u64::from(!keep_sm);
                    c.restart(id, keep_sm).await;
                    crashed.remove(&id);
                    live.lock().unwrap().insert(id, c.nodes[&id].clone());
                }
            }
            4 => {
                let mut ids = all.clone();
                ids.shuffle(&mut rng);
                let cut = rng.gen_range(1..ids.len());
                c.net.heal();
                c.net.partition(&[&ids[..cut], &ids[cut..]]);
            }
            5 => {
                let id = *all.choose(&mut rng).unwrap_or(&1);
                c.net.isolate(id, &all);
            }
            6 => c.net.heal(),
            7 => {
                let max = rng.gen_range(0..30);
                c.net.set_faults(NetFaults {
                    drop_rate: rng.gen_range(0.0..0.2),
                    min_delay: Duration::ZERO,
                    max_delay: Duration::from_millis(max),
                });
            }
            8 => c.net.set_faults(NetFaults::default()),
            _ => {
                let up = live_nodes(&live);
                if let Some((_, node)) = up.choose(&mut rng) {
                    let _ = node.trigger_snapshot().await;
                }
            }
        }
    }

    // Liveness phase: heal everything, restart every crashed node.
    c.net.heal();
    c.net.set_faults(NetFaults::default());
    for id in std::mem::take(&mut crashed) {
        c.restart(id, true).await;
        live.lock().unwrap().insert(id, c.nodes[&id].clone());
    }
    // Let clients see the healed cluster briefly, then stop them.
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop_clients.store(true, Ordering::Release);
    for t in clients {
        t.await.map_err(|e| format!("client task: {e}"))?;
    }
    let barrier = tokio::time::timeout(
        Duration::from_secs(30),
        c.write(format!("s{seed}-barrier").into_bytes()),
    )
    .await
    .map_err(|_| "no leader after heal".to_string())?;
    for node in c.nodes.values() {
        let caught_up = node
            .wait_until(Duration::from_secs(30), |s| {
                s.last_applied >= Some(barrier.index)
            })
            .await;
        if caught_up.is_err() {
            let st = node.status().await;
            c.shutdown().await;
            return Err(format!(
                "node {} did not catch up to {}: {st:?}",
                st.id, barrier.index
            ));
        }
    }
    stop_monitor.store(true, Ordering::Release);
    monitor.await.map_err(|e| format!("monitor task: {e}"))?;

    // Checks.
    stats.acked = acked.lock().unwrap().len() as u64;
    for node in c.nodes.values() {
        let st = node.status().await;
        stats.terms = stats.terms.max(st.term);
        stats.snapshots += u64::from(st.snapshot.is_some());
    }
    {
        let mut total = STATS.lock().unwrap();
        total.acked += stats.acked;
        total.crashes += stats.crashes;
        total.sm_losses += stats.sm_losses;
        total.terms += stats.terms;
        total.snapshots += stats.snapshots;
    }
    let result = check(&c, &acked.lock().unwrap(), &violations.lock().unwrap());
    c.shutdown().await;
    result
}

fn check(c: &Cluster, acked: &[(Vec<u8>, WriteAck)], violations: &[String]) -> Result<(), String> {
    if let Some(v) = violations.first() {
        return Err(v.clone());
    }
    let lists: BTreeMap<NodeId, Vec<(u64, Vec<u8>)>> = c
        .nodes
        .keys()
        .map(|id| (*id, c.sms[id].entries()))
        .collect();
    let (first_id, first) = lists.iter().next().ok_or("no nodes")?;
    for (id, list) in &lists {
        if list != first {
            return Err(format!(
                "node {id} applied {} entries, node {first_id} {}; sequences differ",
                list.len(),
                first.len()
            ));
        }
    }
    let mut seen = BTreeMap::new();
    let mut prev = 0;
    for (index, p) in first {
        if *index <= prev {
            return Err(format!("indexes not increasing at {index}"));
        }
        prev = *index;
        if seen.insert(p.clone(), *index).is_some() {
            return Err(format!(
                "payload {} applied twice",
                String::from_utf8_lossy(p)
            ));
        }
    }
    for (p, ack) in acked {
        match seen.get(p) {
            Some(i) if *i == ack.index => {}
            Some(i) => {
                return Err(format!(
                    "acked {} at index {} but applied at {i}",
                    String::from_utf8_lossy(p),
                    ack.index
                ))
            }
            None => {
                return Err(format!(
                    "acknowledged write {} lost",
                    String::from_utf8_lossy(p)
                ))
            }
        }
    }
    Ok(())
}

/// Run seeds `start..start+count`, `PARALLEL` at a time, stopping early after `budget`.
/// Returns (seeds run, failures).
pub async fn run_seeds(start: u64, count: u64, budget: Option<Duration>) -> (u64, Vec<String>) {
    let deadline = budget.map(|b| tokio::time::Instant::now() + b);
    let mut failures = Vec::new();
    let mut run = 0;
    let mut next = start;
    let parallel = env_u64("SHUQUAN_PARALLEL").unwrap_or(PARALLEL).max(1) as usize;
    let mut set = tokio::task::JoinSet::new();
    loop {
        let out_of_time = deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
        while set.len() < parallel && next < start + count && !out_of_time {
            let seed = next;
            next += 1;
            set.spawn(async move {
                // A panic inside the seed still reports which seed it was.
                let res = tokio::spawn(run_seed(seed)).await;
                (seed, res.unwrap_or_else(|e| Err(format!("panicked: {e}"))))
            });
        }
        let Some(res) = set.join_next().await else {
            break;
        };
        run += 1;
        match res {
            Ok((_, Ok(()))) => {}
            Ok((seed, Err(e))) => {
                eprintln!("FAILED seed {seed}: {e}\n  reproduce: SHUQUAN_SEED_START={seed} SHUQUAN_SEEDS=1 cargo test -p shuquan-consensus --test it t80");
                failures.push(format!("seed {seed}: {e}"));
            }
            Err(e) => failures.push(format!("seed task panicked: {e}")),
        }
    }
    (run, failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t80_seeded_faults_3_and_5_nodes() {
    crate::common::init_logs();
    let start = env_u64("SHUQUAN_SEED_START").unwrap_or(0);
    let count = env_u64("SHUQUAN_SEEDS").unwrap_or(CI_SEEDS);
    let budget = env_u64("SHUQUAN_SECS").map(Duration::from_secs);
    let (run, failures) = run_seeds(start, count, budget).await;
    let stats = *STATS.lock().unwrap();
    eprintln!(
        "t80: ran {run} seeds from {start}, {} failed; totals {stats:?}",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {run} seeds failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
