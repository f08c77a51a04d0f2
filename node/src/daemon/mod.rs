//! A running node, assembled: the ledger as a Raft state machine, Raft over the libp2p
//! network, the mempool fed by the API and by gossip, the block producer, the follower's
//! forwarder, the metrics watcher and the HTTP API. `shuquand` and the tests start nodes
//! through [`Daemon::start`]; a dev node is the same thing with one member.

mod inbound;
mod keys;
mod tasks;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use shuquan_consensus::{Node as RaftNode, NodeId, NodeInfo};
use shuquan_ledger::Ledger;
use shuquan_proto::{pb, Keypair, PublicKey};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, Api};
use crate::clock::Clock;
use crate::config::{parse_peer, NodeConfig};
use crate::error::{Error, Result};
use crate::mempool::Mempool;
use crate::metrics::Metrics;
use crate::p2p::{self, P2p};
use crate::pipeline::Pipeline;
use crate::producer;
use crate::replica::{Applied, OnBlocks, Replica};
use crate::waiters::Waiters;

/// A member node of the cluster, as genesis names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterMember {
    /// Raft id: its place among the genesis members that run a node, from 1.
    pub id: NodeId,
    /// The member's id in genesis.
    pub member: String,
    /// Its node key.
    pub node_key: PublicKey,
    /// Its p2p address (genesis `node_addr`, or the config's `p2p.peers`).
    pub addr: String,
    /// It starts as a Raft voter (genesis nodes marked `learner` do not).
    pub voter: bool,
}

/// The genesis members that run nodes, with Raft ids and addresses (`p2p.peers` entries
/// override genesis addresses).
pub fn cluster(genesis: &pb::Genesis, peers: &[String]) -> Result<Vec<ClusterMember>> {
    let mut overrides = BTreeMap::new();
    for p in peers {
        let (key, addr) = parse_peer(p)?;
        overrides.insert(key, addr);
    }
    let mut out = Vec::new();
    for m in genesis.members.iter().filter(|m| !m.node_key.is_empty()) {
        let node_key = PublicKey::from_slice(&m.node_key)?;
        let addr = overrides
            .get(&node_key)
            .cloned()
            .unwrap_or_else(|| m.node_addr.clone());
        out.push(ClusterMember {
            id: out.len() as NodeId + 1,
            member: m.id.clone(),
            node_key,
            addr,
            voter: !m.node_learner,
        });
    }
    Ok(out)
}

/// How often a node signs what it applied and collects the other nodes' signatures.
const CERTIFY_EVERY: Duration = Duration::from_millis(50);

/// A started node.
#[derive(Debug)]
pub struct Daemon {
    api: Arc<Api>,
    limits: api::ServeLimits,
    stop: watch::Sender<bool>,
    producer: JoinHandle<Result<()>>,
    background: Vec<JoinHandle<()>>,
    /// Turns true when governance removed this node (see `membership`).
    removed: watch::Receiver<bool>,
    /// HTTPS for the API (`api.tls_cert`, `api.tls_key`).
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// What applying blocks tells the rest of the node: the mempool forgets their
/// transactions, their waiters get their receipts, the height moves, metrics count.
fn on_blocks(
    mempool: Arc<Mempool>,
    waiters: Arc<Waiters>,
    height: watch::Sender<u64>,
    metrics: Arc<Metrics>,
) -> OnBlocks {
    Arc::new(move |applied| match applied {
        Applied::Blocks(blocks, took) => {
            if !blocks.is_empty() {
                metrics.apply_seconds.observe(took.as_secs_f64());
            }
            for b in blocks {
                let ids: Vec<_> = b
                    .receipts
                    .iter()
                    .filter_map(|r| shuquan_proto::Hash32::from_slice(&r.tx_id).ok())
                    .collect();
                mempool.remove(&ids);
                metrics.blocks.inc();
                metrics.committed_txs.inc_by(b.receipts.len() as u64);
            }
            if let Some(last) = blocks.last() {
                height.send_replace(last.header.height);
                metrics.height.set(last.header.height as i64);
            }
            // Last: a client told of its receipt finds the node's height and metrics moved.
            for b in blocks {
                waiters.resolve(b);
            }
        }
        Applied::Installed(h) => {
            height.send_replace(h);
            metrics.height.set(h as i64);
        }
    })
}

impl Daemon {
    /// Opens the ledger and starts the network, Raft, the producer and the helpers.
    pub async fn start(
        cfg: &NodeConfig,
        genesis: pb::Genesis,
        node_key: Keypair,
        cert_key: Option<Keypair>,
    ) -> Result<Daemon> {
        cfg.validate()?;
        let cert_key = keys::certificate_key(&genesis, &node_key, cert_key)?;
        // Before anything starts: a bad certificate or key stops the node at once.
        let tls = match cfg.api.tls() {
            Some((cert, key)) => Some(api::tls::config(cert, key)?),
            None => None,
        };
        let members = cluster(&genesis, &cfg.p2p.peers)?;
        // A genesis node, or a node governance added (or is to add): its Raft id follows
        // from its key, and it waits, refused by the members, until an add-node passes.
        let genesis_node = members
            .iter()
            .find(|m| m.node_key == node_key.public())
            .cloned();
        let me = genesis_node.clone().unwrap_or_else(|| ClusterMember {
            id: shuquan_proto::gov::node_id(node_key.public().as_bytes()),
            member: "(added by governance)".into(),
            node_key: node_key.public(),
            addr: cfg.p2p.listen.clone(),
            voter: false,
        });
        if genesis_node.is_none() {
            tracing::info!(
                node_key = %node_key.public(),
                raft_id = me.id,
                "this node is not in the genesis: it joins once the council adds it (`shuquan gov propose add-node`)"
            );
        }
        let chain_id = genesis.chain_id.clone();
        let ledger_dir = cfg.data_dir.join("ledger");
        let tuning = cfg.storage.tuning();
        let ledger =
            tokio::task::spawn_blocking(move || Ledger::open_tuned(&ledger_dir, genesis, &tuning))
                .await
                .map_err(|_| Error::Stopped("ledger open"))??;
        let ledger = Arc::new(ledger);
        let params = ledger.genesis_params().clone();
        if (cfg.block.max_bytes as u64) < params.max_tx_bytes {
            return Err(Error::Config {
                key: "block.max_bytes".into(),
                message: format!(
                    "must hold one transaction of the chain's max_tx_bytes ({})",
                    params.max_tx_bytes
                ),
            });
        }
        let applied = ledger.applied()?;
        tracing::info!(height = applied.height, chain = %chain_id, node = me.id, member = %me.member, "ledger opened");

        let catalogue = {
            let dir = cfg.data_dir.join("catalogue");
            let ledger = ledger.clone();
            tokio::task::spawn_blocking(move || {
                crate::catalogue::CatalogueIndex::open(&dir, ledger)
            })
            .await
            .map_err(|_| Error::Stopped("catalogue open"))??
        };
        let operator_name = ledger
            .queries()
            .member(&me.member)?
            .map_or_else(|| "a Shuquan member".to_string(), |m| m.name);

        let metrics = Arc::new(Metrics::new());
        metrics.height.set(applied.height as i64);
        let mempool = Arc::new(Mempool::new(cfg.mempool.size, cfg.mempool.per_signer));
        let waiters = Arc::new(Waiters::default());
        let (height_tx, height) = watch::channel(applied.height);
        let clock = Arc::new(Clock::new(cfg.clock.skew_ms));
        if cfg.clock.skew_ms != 0 {
            tracing::warn!(
                skew_ms = cfg.clock.skew_ms,
                "clock.skew_ms is set: this node reads the host clock shifted (fault injection)"
            );
        }
        let (pipeline, gossip_queue) =
            Pipeline::new(ledger.clone(), mempool.clone(), clock.clone());
        let pipeline = Arc::new(pipeline);
        let (inbound, work) = inbound::NodeInbound::new(pipeline.clone(), clock.clone());
        let frame = cfg.p2p.max_frame_bytes;
        let p2p = P2p::start(
            p2p::Config {
                key: node_key.clone(),
                listen: cfg.p2p.listen.clone(),
                peers: members
                    .iter()
                    .filter(|m| m.id != me.id && !m.addr.is_empty())
                    .map(|m| p2p::Peer {
                        node_key: m.node_key,
                        addr: m.addr.clone(),
                    })
                    .collect(),
                members: {
                    // The genesis nodes, the chain's nodes now, and the config's peers.
                    let mut keys: Vec<PublicKey> = members.iter().map(|m| m.node_key).collect();
                    for n in ledger.node_set().map(|s| s.nodes).unwrap_or_default() {
                        keys.extend(PublicKey::from_slice(&n.node_key).ok());
                    }
                    for p in &cfg.p2p.peers {
                        keys.extend(parse_peer(p).ok().map(|(k, _)| k));
                    }
                    keys.sort();
                    keys.dedup();
                    keys
                },
                topic: format!("shuquan/{chain_id}/tx/1"),
                max_gossip_bytes: api::body_limit(params.max_tx_bytes as usize),
                max_request_bytes: frame,
                max_response_bytes: frame,
                request_timeout: Duration::from_millis(cfg.p2p.request_timeout_ms),
                max_pending_incoming: cfg.p2p.max_pending_incoming,
                max_established_per_peer: cfg.p2p.max_established_per_peer,
                redial_every: Duration::from_millis(cfg.p2p.redial_ms),
            },
            Arc::new(inbound),
        )
        .await?;

        let replica = Replica::new(
            ledger.clone(),
            on_blocks(mempool.clone(), waiters.clone(), height_tx, metrics.clone()),
        );
        let transport = Arc::new(p2p::RaftTransport::new(p2p.clone()));
        let raft_dir = cfg.data_dir.join("raft");
        let raft = RaftNode::start(
            me.id,
            &cfg.consensus(&chain_id),
            &raft_dir,
            replica,
            transport,
        )
        .await?;
        // The genesis voters form the cluster; genesis learners and nodes added later are
        // brought in by the leader (see `membership`).
        if genesis_node.as_ref().is_some_and(|m| m.voter) {
            let initial: BTreeMap<NodeId, NodeInfo> = members
                .iter()
                .filter(|m| m.voter)
                .map(|m| (m.id, NodeInfo::new(m.node_key.to_hex(), m.addr.clone())))
                .collect();
            raft.initialize(initial).await?;
        }

        let (stop, stop_rx) = watch::channel(false);
        let (removed_tx, removed) = watch::channel(false);
        let producer = tokio::spawn(producer::run(
            producer::Config {
                linger: Duration::from_millis(cfg.block.linger_ms),
                eager: cfg.block.eager,
                max_block_txs: {
                    // The parameter in force: governance may change it.
                    let ledger = ledger.clone();
                    let genesis = params.max_block_txs;
                    Arc::new(move || ledger.params().map_or(genesis, |p| p.max_block_txs) as usize)
                },
                max_block_bytes: cfg.block.max_bytes,
                max_in_flight: cfg.block.max_in_flight,
                proposer: node_key.public(),
                clock: clock.clone(),
                notice_due: {
                    let ledger = ledger.clone();
                    Arc::new(move || ledger.queries().next_notice_end().ok().flatten())
                },
            },
            mempool.clone(),
            raft.clone(),
            metrics.clone(),
            stop_rx.clone(),
        ));
        let helpers = tasks::Helpers {
            raft: raft.clone(),
            node_id: me.id,
            p2p: p2p.clone(),
            mempool,
            metrics: metrics.clone(),
            max_frame_bytes: frame,
        };
        let server = inbound::Server {
            raft: raft.clone(),
            pipeline: pipeline.clone(),
            ledger: ledger.clone(),
            clock: clock.clone(),
            cert_key: cert_key.public(),
            max_blocks_bytes: frame.saturating_sub(1 << 20).max(1),
        };
        let background = vec![
            tokio::spawn(inbound::serve(server, work, stop_rx.clone())),
            tokio::spawn(crate::pipeline::gossip(
                gossip_queue,
                p2p.clone(),
                stop_rx.clone(),
            )),
            tokio::spawn(clock.clone().sync(
                p2p.clone(),
                node_key.public(),
                members.iter().map(|m| m.node_key).collect(),
                stop_rx.clone(),
            )),
            tokio::spawn(tasks::forward_stale(
                helpers.clone(),
                Duration::from_millis(cfg.mempool.forward_after_ms),
                stop_rx.clone(),
            )),
            tokio::spawn(tasks::watch_raft(helpers, stop_rx.clone())),
            tokio::spawn(
                crate::membership::Reconciler {
                    ledger: ledger.clone(),
                    raft: raft.clone(),
                    p2p: p2p.clone(),
                    me: node_key.public(),
                    overrides: cfg
                        .p2p
                        .peers
                        .iter()
                        .filter_map(|p| parse_peer(p).ok())
                        .collect(),
                    removed: removed_tx,
                }
                .run(stop_rx.clone()),
            ),
            tokio::spawn(
                crate::sync::Syncer {
                    ledger: ledger.clone(),
                    source: Arc::new(p2p.clone()),
                    peers: members
                        .iter()
                        .filter(|m| m.id != me.id)
                        .map(|m| m.node_key)
                        .collect(),
                    me: Some(node_key.public()),
                    metrics: metrics.clone(),
                }
                .run(stop_rx.clone()),
            ),
            tokio::spawn(catalogue.clone().run(height.clone(), stop_rx.clone())),
            tokio::spawn(
                crate::certify::Certifier {
                    ledger: ledger.clone(),
                    key: cert_key.clone(),
                    node_key: node_key.public(),
                    p2p: p2p.clone(),
                    metrics: metrics.clone(),
                    every: CERTIFY_EVERY,
                }
                .run(stop_rx),
            ),
        ];
        let genesis_hash = ledger.genesis_hash().to_hex();
        let api = Arc::new(Api {
            ledger,
            pipeline,
            waiters,
            height,
            node_key: node_key.public(),
            node_id: me.id,
            raft,
            p2p,
            clock,
            metrics,
            max_wait: Duration::from_millis(cfg.request_timeout_ms.saturating_sub(1_000))
                .min(Duration::from_secs(30)),
            request_timeout: Duration::from_millis(cfg.request_timeout_ms),
            catalogue,
            operator_name,
            public_url: (!cfg.public_url.is_empty()).then(|| cfg.public_url.clone()),
            access: api::auth::Access::new(
                &cfg.api,
                genesis_hash,
                (!cfg.public_url.is_empty()).then_some(cfg.public_url.as_str()),
            ),
        });
        Ok(Daemon {
            limits: api::ServeLimits {
                header_timeout: Duration::from_millis(cfg.header_timeout_ms),
                max_connections: cfg.max_connections,
            },
            api,
            stop,
            producer,
            background,
            removed,
            tls,
        })
    }

    /// Serves the API on `listener` until `stop` resolves or block production fails, then
    /// stops everything in order.
    pub async fn serve(
        mut self,
        listener: tokio::net::TcpListener,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let router = api::router(self.api.clone());
        let server = api::serve(listener, router, self.limits, self.tls.take(), stop);
        let outcome = tokio::select! {
            r = server => r.map_err(|e| Error::Io { path: "API server".into(), source: e }),
            r = &mut self.producer => match r {
                Ok(r) => r,
                Err(_) => Err(Error::Stopped("block producer")),
            },
            _ = self.removed.wait_for(|r| *r) => {
                tracing::warn!("removed from the chain by governance: this node stops (its data directory stays, its key is never admitted again)");
                Ok(())
            }
        };
        self.shutdown().await;
        outcome
    }

    /// Stops the producer and helpers, Raft and the network, and flushes the ledger.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        for t in &self.background {
            t.abort();
        }
        if let Err(e) = self.api.raft.shutdown().await {
            tracing::warn!(error = %e, "raft did not stop cleanly");
        }
        self.api.p2p.shutdown().await;
        if let Err(e) = self.api.ledger.flush() {
            tracing::error!(error = %e, "flushing the ledger at shutdown failed");
        }
        tracing::info!("stopped");
    }
}
