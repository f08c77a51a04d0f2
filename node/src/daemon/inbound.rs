//! What this node answers to the network. Gossiped transactions go through the pipeline
//! (accepted ones are forwarded by gossipsub; ones invalid on any state are rejected, which
//! costs the sender its score). Requests — Raft RPCs, batches forwarded by followers, asks
//! for this node's block signatures or its clock — are handed to the node through a bounded
//! queue; [`serve`] drains it once Raft runs, so an RPC that arrives while Raft starts waits
//! in the queue instead of failing.

use std::sync::Arc;

use futures::future::BoxFuture;
use shuquan_consensus::Node as RaftNode;
use shuquan_ledger::Ledger;
use shuquan_proto::PublicKey;
use tokio::sync::{mpsc, oneshot, watch};

use crate::clock::Clock;
use crate::p2p::{Inbound, Request, Response, Verdict};
use crate::pipeline::{Admission, Origin, Pipeline};

/// Requests waiting for the node, at most; more are answered "busy".
const QUEUE: usize = 1024;

/// One request from a member node, with where its answer goes.
#[derive(Debug)]
pub(super) struct Work {
    from: PublicKey,
    req: Request,
    reply: oneshot::Sender<Response>,
}

/// The node's side of the network, as the p2p layer sees it.
#[derive(Debug)]
pub(super) struct NodeInbound {
    pipeline: Arc<Pipeline>,
    clock: Arc<Clock>,
    queue: mpsc::Sender<Work>,
}

impl NodeInbound {
    /// The inbound side, and the queue of requests for [`serve`].
    pub(super) fn new(pipeline: Arc<Pipeline>, clock: Arc<Clock>) -> (Self, mpsc::Receiver<Work>) {
        let (queue, work) = mpsc::channel(QUEUE);
        (
            NodeInbound {
                pipeline,
                clock,
                queue,
            },
            work,
        )
    }
}

/// The gossip verdict of an admission.
fn verdict(admission: crate::Result<Admission>) -> Verdict {
    match admission {
        Ok(Admission::Queued { .. }) => Verdict::Accept,
        Ok(Admission::Known { .. }) => Verdict::Ignore,
        // Invalid in any state (encoding, chain, signatures): the sender should have
        // known; reject, which penalises it and stops the message here.
        Ok(Admission::Refused(r)) if r.code.holds_on_any_state() => Verdict::Reject(r.to_string()),
        // Depends on state or a clock this node may see differently than the sender:
        // do not forward, do not penalise.
        Ok(Admission::Refused(r)) => {
            tracing::debug!(
                code = r.code.name(),
                "gossiped transaction not admitted here"
            );
            Verdict::Ignore
        }
        Ok(Admission::Full { .. } | Admission::SignerQuota { .. }) => {
            tracing::warn!("mempool refused a gossiped transaction");
            Verdict::Ignore
        }
        Err(e) => {
            tracing::error!(error = %e, "ledger read failed while admitting gossip");
            Verdict::Ignore
        }
    }
}

impl Inbound for NodeInbound {
    fn check_gossip(&self, from: &PublicKey, raw: &[u8]) -> Verdict {
        let v = verdict(self.pipeline.admit(raw, Origin::Gossip));
        if let Verdict::Reject(reason) = &v {
            tracing::debug!(from = %from, reason, "gossiped transaction refused");
        }
        v
    }

    fn request(&self, from: PublicKey, req: Request) -> BoxFuture<'static, Response> {
        // The clock is read at once: its answer is a time, and a queue would skew it.
        if req == Request::Time {
            let now = self.clock.local_ms();
            return Box::pin(async move { Response::Time(now) });
        }
        let (reply, answer) = oneshot::channel();
        let queued = self.queue.try_send(Work { from, req, reply });
        Box::pin(async move {
            if queued.is_err() {
                return Response::Error("busy: too many requests waiting; retry".into());
            }
            answer
                .await
                .unwrap_or_else(|_| Response::Error("the node is stopping".into()))
        })
    }
}

/// What serving a request needs.
#[derive(Debug, Clone)]
pub(super) struct Server {
    pub(super) raft: RaftNode,
    pub(super) pipeline: Arc<Pipeline>,
    pub(super) ledger: Arc<Ledger>,
    pub(super) clock: Arc<Clock>,
    /// This node's certificate key (whose block signatures it hands out).
    pub(super) cert_key: PublicKey,
    /// Most bytes of blocks in one answer (below the frame limit).
    pub(super) max_blocks_bytes: usize,
}

/// Serves the queued requests, each in its own task, until `stop` turns true.
pub(super) async fn serve(
    server: Server,
    mut work: mpsc::Receiver<Work>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let w = tokio::select! {
            w = work.recv() => match w {
                Some(w) => w,
                None => return,
            },
            _ = stop.changed() => return,
        };
        let server = server.clone();
        tokio::spawn(async move {
            let resp = server.answer(w.from, w.req).await;
            // The asker may have given up (timeout): nothing to do.
            let _ = w.reply.send(resp);
        });
    }
}

impl Server {
    async fn answer(&self, from: PublicKey, req: Request) -> Response {
        match req {
            Request::Raft(bytes) => match self.raft.handle_rpc(&bytes).await {
                Ok(resp) => Response::Raft(resp),
                Err(e) => Response::Error(e.to_string()),
            },
            Request::Txs(txs) => {
                let pipeline = self.pipeline.clone();
                let count = txs.len();
                let queued = tokio::task::spawn_blocking(move || {
                    txs.iter()
                        .filter(|raw| {
                            matches!(
                                pipeline.admit(raw, Origin::Forwarded),
                                Ok(Admission::Queued { .. })
                            )
                        })
                        .count()
                })
                .await
                .unwrap_or(0);
                tracing::debug!(from = %from, count, queued, "forwarded transactions");
                Response::Queued(u32::try_from(queued).unwrap_or(u32::MAX))
            }
            Request::Signatures { after, max } => {
                // A bounded read of cached rows (at most 512 asked by our own nodes).
                match self
                    .ledger
                    .certs()
                    .signatures_by(&self.cert_key, after, max.min(1024))
                {
                    Ok(sigs) => Response::Signatures(sigs),
                    Err(e) => Response::Error(format!("reading block signatures: {e}")),
                }
            }
            Request::Time => Response::Time(self.clock.local_ms()),
            Request::Nodes => match self.ledger.node_set() {
                Ok(set) => Response::Nodes(set),
                Err(e) => Response::Error(format!("reading the node set: {e}")),
            },
            Request::Blocks { to, count } => {
                let ledger = self.ledger.clone();
                let max = self.max_blocks_bytes;
                let read = tokio::task::spawn_blocking(move || {
                    ledger.blocks_for_sync(to, u64::from(count), max)
                })
                .await;
                match read {
                    Ok(Ok(blocks)) => Response::Blocks(blocks),
                    Ok(Err(e)) => Response::Error(format!("reading blocks: {e}")),
                    Err(_) => Response::Error("the node is stopping".into()),
                }
            }
        }
    }
}
