//! t70: the log's durability claim — an entry acknowledged to the leader is still in the
//! follower's log after the follower is killed (losing unsynced writes) and reopened; and
//! every write acknowledged by a node whose process got SIGKILL is there after restart.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use shuquan_consensus::{Config, MemNetwork, MemStateMachine, Node, Transport};

use crate::common::{info, payload, Cluster, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t70_acknowledged_entry_survives_follower_crash() {
    let mut c = Cluster::new(3, Config::for_tests(), 70).await;
    let leader = c.leader().await;
    let others: Vec<u64> = c.ids().into_iter().filter(|i| *i != leader).collect();
    let (follower, other) = (others[0], others[1]);
    // With `other` cut off, a commit needs `follower`'s acknowledgement.
    c.net.isolate(other, &c.ids());
    let mut acked = 0;
    for i in 0..20 {
        acked = c.nodes[&leader].write(payload(i)).await.unwrap().index;
    }
    c.crash(follower).await;
    // Reopen it cut off from everyone: whatever it has now came from its own disk.
    c.restart(follower, true).await;
    c.net.isolate(follower, &c.ids());
    // Metrics appear once the restarted Raft core has loaded its state.
    let st = c.nodes[&follower]
        .wait_until(WAIT, |s| !s.membership.nodes.is_empty())
        .await
        .unwrap();
    assert!(
        st.last_log_index >= Some(acked),
        "acknowledged entry {acked} lost on follower {follower}: {st:?}"
    );
    c.shutdown().await;
}

const CHILD_ENV: &str = "SHUQUAN_T71_CHILD_DIR";

/// The child side of t71: a single-node cluster that writes until it is killed, printing
/// each acknowledged write. Does nothing unless started by t71.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs only as t71's child process"]
async fn t71_child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let net = MemNetwork::new(71);
    let transport: Arc<dyn Transport> = Arc::new(net.clone());
    let node = Node::start(
        1,
        &Config::for_tests(),
        dir.as_ref(),
        MemStateMachine::new(),
        transport,
    )
    .await
    .unwrap();
    net.register(&node);
    node.initialize([(1, info(1))].into_iter().collect())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut i = 0u64;
    while Instant::now() < deadline {
        if node.write(payload(i)).await.is_ok() {
            println!("ACK {i}");
            i += 1;
        } else {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t71_acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "t70_durability::t71_child_writer",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read acknowledgements on a thread; kill the child once enough have been seen.
    let reader = std::thread::spawn(move || {
        let mut acked = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line.strip_prefix("ACK ") {
                acked.push(n.trim().parse::<u64>().unwrap());
            }
            if acked.len() >= 200 {
                break;
            }
        }
        acked
    });
    let acked = tokio::task::spawn_blocking(move || reader.join().unwrap())
        .await
        .unwrap();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        acked.len() >= 50,
        "child acknowledged only {} writes",
        acked.len()
    );

    let net = MemNetwork::new(72);
    let transport: Arc<dyn Transport> = Arc::new(net.clone());
    let sm = MemStateMachine::new();
    let node = Node::start(1, &Config::for_tests(), dir.path(), sm.clone(), transport)
        .await
        .unwrap();
    net.register(&node);
    node.wait_until(WAIT, |s| s.role == shuquan_consensus::Role::Leader)
        .await
        .unwrap();
    let last = node.write(b"barrier".to_vec()).await.unwrap().index;
    node.wait_until(WAIT, |s| s.last_applied >= Some(last))
        .await
        .unwrap();
    let applied = sm.payloads();
    for i in acked {
        assert_eq!(
            applied.get(i as usize),
            Some(&payload(i)),
            "acknowledged write {i} lost"
        );
    }
    net.clear();
    node.shutdown().await.unwrap();
}
