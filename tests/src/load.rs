//! Steady load for cluster tests and chaos runs: client threads that each post a fresh
//! registration to the nodes in turn and wait for its commit, recording every transaction
//! a node acknowledged as committed. Bounded: it stops when told, when dropped, or at its
//! deadline, whichever is first.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use shuquan_proto::Keypair;

use crate::sign;
use crate::{now_ms, register};

/// What the client threads share.
#[derive(Debug, Default)]
struct Shared {
    stop: AtomicBool,
    acked: Mutex<Vec<String>>,
    last_ack_ms: AtomicU64,
    /// A node not to send to (e.g. one paused with SIGSTOP, which would hold the request).
    skip: Mutex<Option<String>>,
}

/// Running load.
#[derive(Debug)]
pub struct Load {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

/// How a load runs.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Node API base URLs; client `w` starts at node `w` and moves to the next each time.
    pub urls: Vec<String>,
    /// Concurrent clients.
    pub clients: usize,
    /// `timeout_ms` of each `?wait=commit`.
    pub wait_ms: u64,
    /// Seed of the first registration (each gets a new one), so runs do not collide.
    pub first_seed: u64,
    /// The load stops by itself after this long.
    pub max: Duration,
    /// The chain the transactions are signed for.
    pub chain: shuquan_proto::tx::ChainRef,
}

impl Load {
    /// Starts `plan.clients` threads signing with `key`.
    pub fn start(plan: LoadPlan, key: &Keypair) -> Load {
        let shared = Arc::new(Shared::default());
        shared.last_ack_ms.store(now_ms(), Ordering::Relaxed);
        let next = Arc::new(AtomicU64::new(plan.first_seed));
        let deadline = Instant::now() + plan.max;
        let workers = (0..plan.clients)
            .map(|w| {
                let (shared, next, key, plan) =
                    (shared.clone(), next.clone(), key.clone(), plan.clone());
                std::thread::spawn(move || client(w, &plan, &key, &next, &shared, deadline))
            })
            .collect();
        Load { shared, workers }
    }

    /// Transactions acknowledged so far.
    pub fn acked(&self) -> usize {
        self.shared
            .acked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// When the last acknowledgement arrived (ms since the epoch).
    pub fn last_ack_ms(&self) -> u64 {
        self.shared.last_ack_ms.load(Ordering::Relaxed)
    }

    /// Restarts the stall clock (while no progress is expected).
    pub fn reset_stall(&self) {
        self.shared.last_ack_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// Sends to every node but `url` (or to every node, with `None`).
    pub fn skip(&self, url: Option<String>) {
        *self
            .shared
            .skip
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = url;
    }

    /// Stops the clients and returns the ids of every acknowledged transaction.
    pub fn finish(mut self) -> Vec<String> {
        self.shared.stop.store(true, Ordering::Relaxed);
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        std::mem::take(
            &mut *self
                .shared
                .acked
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

fn client(
    w: usize,
    plan: &LoadPlan,
    key: &Keypair,
    next: &AtomicU64,
    shared: &Shared,
    deadline: Instant,
) {
    let agent = crate::agent();
    let mut i = w;
    while !shared.stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        let url = &plan.urls[i % plan.urls.len()];
        i += 1;
        let skip = shared
            .skip
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if skip.as_ref() == Some(url) {
            continue;
        }
        let seed = next.fetch_add(1, Ordering::Relaxed);
        let raw = sign(&plan.chain, key, &[], register(seed), now_ms());
        let Ok(mut resp) = agent
            .post(&format!(
                "{url}/v1/tx?wait=commit&timeout_ms={}",
                plan.wait_ms
            ))
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
                shared
                    .acked
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(id.to_string());
                shared.last_ack_ms.store(now_ms(), Ordering::Relaxed);
            }
        }
    }
}
