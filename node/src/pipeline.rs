//! The one way a transaction enters a node: [`Pipeline::admit`] runs the ledger's admission
//! (encoding, signatures, signer and role, not committed, timestamp against this node's
//! clock) and queues the transaction in the mempool. The API, gossip and batches forwarded
//! by followers all call it and map its one [`Admission`] at their own edge (HTTP codes,
//! gossip verdicts, counts). A transaction new to this node that came from a client is then
//! handed to the gossip task through a bounded queue — fire and forget: the caller never
//! waits on the network, and a transaction the queue could not take still reaches the
//! leader, because followers forward what waits too long.

use std::sync::Arc;

use shuquan_ledger::Ledger;
use shuquan_proto::codes::Rejection;
use shuquan_proto::{Hash32, PublicKey};
use tokio::sync::{mpsc, watch};

use crate::clock::Clock;
use crate::error::Result;
use crate::mempool::{Mempool, Refused};
use crate::p2p::P2p;

/// Transactions waiting to be gossiped, at most.
const GOSSIP_QUEUE: usize = 4096;

/// Where a transaction came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A client of this node's API: gossiped when new.
    Client,
    /// Gossip from a member node (gossipsub forwards it when accepted).
    Gossip,
    /// A batch a follower forwarded to this node.
    Forwarded,
}

/// What admission decided.
#[derive(Debug)]
pub(crate) enum Admission {
    /// New here and queued.
    Queued {
        /// The transaction's id.
        id: Hash32,
    },
    /// Already waiting here.
    Known {
        /// The transaction's id.
        id: Hash32,
    },
    /// Refused by the rules. [`FailureCode::holds_on_any_state`] tells whether a peer that
    /// sent it should have known.
    ///
    /// [`FailureCode::holds_on_any_state`]: shuquan_proto::FailureCode::holds_on_any_state
    Refused(Rejection),
    /// The mempool holds its limit.
    Full {
        /// The limit.
        capacity: usize,
    },
    /// The signing key holds its quota of waiting transactions.
    SignerQuota {
        /// The key.
        signer: PublicKey,
        /// The quota.
        quota: usize,
    },
}

/// Admission, the mempool and the gossip queue.
#[derive(Debug)]
pub(crate) struct Pipeline {
    ledger: Arc<Ledger>,
    mempool: Arc<Mempool>,
    clock: Arc<Clock>,
    gossip: mpsc::Sender<Vec<u8>>,
}

impl Pipeline {
    /// A pipeline, and the receiving end of its gossip queue (for [`gossip`]).
    pub(crate) fn new(
        ledger: Arc<Ledger>,
        mempool: Arc<Mempool>,
        clock: Arc<Clock>,
    ) -> (Self, mpsc::Receiver<Vec<u8>>) {
        let (gossip, queue) = mpsc::channel(GOSSIP_QUEUE);
        (
            Pipeline {
                ledger,
                mempool,
                clock,
                gossip,
            },
            queue,
        )
    }

    /// Admits `raw` into the mempool. Runs inline on the caller's thread: a signature check
    /// and a few cached reads. An `Err` is a storage failure.
    pub(crate) fn admit(&self, raw: &[u8], origin: Origin) -> Result<Admission> {
        let tx = match self.ledger.admit(raw, self.clock.now_ms())? {
            Ok(tx) => tx,
            Err(r) => return Ok(Admission::Refused(r)),
        };
        let id = tx.id;
        Ok(match self.mempool.insert(id, tx.raw, tx.signer) {
            Ok(true) => {
                if origin == Origin::Client && self.gossip.try_send(raw.to_vec()).is_err() {
                    tracing::debug!(tx = %id, "gossip queue full; followers forward it to the leader later");
                }
                Admission::Queued { id }
            }
            Ok(false) => Admission::Known { id },
            Err(Refused::Full(capacity)) => Admission::Full { capacity },
            Err(Refused::SignerFull(quota)) => Admission::SignerQuota {
                signer: tx.signer,
                quota,
            },
        })
    }

    /// Transactions waiting for a block.
    pub(crate) fn mempool(&self) -> &Mempool {
        &self.mempool
    }
}

/// Publishes the queued transactions on the gossip topic until `stop` turns true.
pub(crate) async fn gossip(
    mut queue: mpsc::Receiver<Vec<u8>>,
    p2p: P2p,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let raw = tokio::select! {
            r = queue.recv() => match r {
                Some(raw) => raw,
                None => return,
            },
            _ = stop.changed() => return,
        };
        if let Err(e) = p2p.publish_tx(raw).await {
            tracing::warn!(error = %e, "could not gossip a transaction; followers forward it to the leader later");
        }
    }
}
