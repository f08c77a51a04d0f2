//! What this node answers to the network: gossiped transactions are admitted into the
//! mempool (or rejected, penalising the sender), Raft RPCs go to the Raft member,
//! transactions forwarded by followers join the mempool, and asks for this node's block
//! signatures are answered from the ledger's `certs` tree.

use std::sync::{Arc, OnceLock};

use futures::future::BoxFuture;
use shuquan_consensus::Node as RaftNode;
use shuquan_proto::codes::FailureCode;
use shuquan_proto::PublicKey;

use crate::clock::Clock;
use crate::mempool::Mempool;
use crate::p2p::{Inbound, Request, Response, Verdict};
use shuquan_ledger::Ledger;

/// Whether a rejection holds whatever the ledger's state: the G1 encoding rules and the
/// signature rules of G2 (but not "unknown signer", which depends on membership).
fn invalid_everywhere(code: FailureCode) -> bool {
    matches!(code.rule(), "G1" | "G2") && code != FailureCode::UnknownSigner
}

/// The node's side of the network.
#[derive(Debug)]
pub(crate) struct NodeInbound {
    pub(crate) ledger: Arc<Ledger>,
    pub(crate) mempool: Arc<Mempool>,
    /// This node's key (whose block signatures it hands out).
    pub(crate) node_key: PublicKey,
    /// Set once Raft has started (it needs the network first).
    pub(crate) raft: OnceLock<RaftNode>,
    /// The node's clock (admission checks timestamps against it; peers ask for it).
    pub(crate) clock: Arc<Clock>,
}

/// Admits one transaction from a peer into the mempool.
fn admit(ledger: &Ledger, mempool: &Mempool, raw: &[u8], now_ms: u64) -> Verdict {
    let tx = match ledger.admit(raw, now_ms) {
        Ok(Ok(tx)) => tx,
        // Invalid in any state (encoding, chain, signatures): the sender should have
        // known; reject, which penalises it and stops the message here.
        Ok(Err(r)) if invalid_everywhere(r.code) => {
            return Verdict::Reject(format!(
                "{} ({}): {}",
                r.code.name(),
                r.code.number(),
                r.message()
            ))
        }
        // Depends on state this node may see earlier or later than the sender (already
        // committed, signer's membership or role, the clock): do not forward, do not
        // penalise.
        Ok(Err(r)) => {
            tracing::debug!(
                code = r.code.name(),
                "gossiped transaction not admitted here"
            );
            return Verdict::Ignore;
        }
        Err(e) => {
            tracing::error!(error = %e, "ledger read failed while admitting gossip");
            return Verdict::Ignore;
        }
    };
    match mempool.insert(tx.id, tx.raw, tx.signer) {
        Ok(true) => Verdict::Accept,
        Ok(false) => Verdict::Ignore,
        Err(refused) => {
            tracing::warn!(?refused, signer = %tx.signer, "mempool refused a gossiped transaction");
            Verdict::Ignore
        }
    }
}

impl Inbound for NodeInbound {
    fn check_gossip(&self, from: &PublicKey, raw: &[u8]) -> Verdict {
        let verdict = admit(&self.ledger, &self.mempool, raw, self.clock.now_ms());
        if let Verdict::Reject(reason) = &verdict {
            tracing::debug!(from = %from, reason, "gossiped transaction refused");
        }
        verdict
    }

    fn request(&self, from: PublicKey, req: Request) -> BoxFuture<'static, Response> {
        match req {
            Request::Raft(bytes) => {
                let Some(raft) = self.raft.get().cloned() else {
                    return Box::pin(async { Response::Error("raft is starting".into()) });
                };
                Box::pin(async move {
                    match raft.handle_rpc(&bytes).await {
                        Ok(resp) => Response::Raft(resp),
                        Err(e) => Response::Error(e.to_string()),
                    }
                })
            }
            Request::Txs(txs) => {
                let (ledger, mempool) = (self.ledger.clone(), self.mempool.clone());
                let now = self.clock.now_ms();
                Box::pin(async move {
                    let count = txs.len();
                    let queued = tokio::task::spawn_blocking(move || {
                        txs.iter()
                            .filter(|raw| {
                                matches!(admit(&ledger, &mempool, raw, now), Verdict::Accept)
                            })
                            .count()
                    })
                    .await
                    .unwrap_or(0);
                    tracing::debug!(from = %from, count, queued, "forwarded transactions");
                    Response::Queued(u32::try_from(queued).unwrap_or(u32::MAX))
                })
            }
            Request::Time => {
                let now = self.clock.local_ms();
                Box::pin(async move { Response::Time(now) })
            }
            Request::Signatures { after, max } => {
                let (ledger, me) = (self.ledger.clone(), self.node_key);
                Box::pin(async move {
                    // A bounded read of cached rows (at most 512 asked by our own nodes).
                    match ledger.certs().signatures_by(&me, after, max.min(1024)) {
                        Ok(sigs) => Response::Signatures(sigs),
                        Err(e) => Response::Error(format!("reading block signatures: {e}")),
                    }
                })
            }
        }
    }
}
