//! Block certification. Every `every` (50 ms by default) this task:
//!
//! 1. signs, with the node's certificate key (its node key unless the chain names another,
//!    as SM chains do), each block applied here that it has not signed yet
//!    (`shuquan_proto::cert::sign_block`) and stores the signature;
//! 2. asks every other member node for its own signatures of the blocks after the
//!    certified height (pull, so a node that was down or partitioned catches up by itself),
//!    checks each against this node's block at that height and stores the valid ones;
//! 3. moves the certified height over every block that now has signatures from a majority
//!    of its voters (the voter set in force at its height, as governance changed the
//!    genesis's), and records how long after the block's timestamp that happened.
//!
//! Who is asked follows the chain: the voters of the blocks to certify. Every node signs,
//! learners too (their signatures count once they are voters).
//!
//! The ledger serves the result (`GET /v1/blocks/{h}/certificate`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use shuquan_proto::cert::{sign_block, verify_signature};
use shuquan_proto::{Keypair, PublicKey};
use tokio::sync::watch;

use crate::error::Result;
use crate::metrics::Metrics;
use crate::p2p::{P2p, Request, Response};
use crate::producer::now_ms;
use shuquan_ledger::Ledger;

/// Signatures asked of one peer at a time.
const BATCH: u32 = 512;

/// What the certifier needs.
pub(crate) struct Certifier {
    /// The ledger (blocks and the `certs` tree).
    pub(crate) ledger: Arc<Ledger>,
    /// The key this node signs block certificates with.
    pub(crate) key: Keypair,
    /// This node's node key (whose record in the chain's node set names `key`).
    pub(crate) node_key: PublicKey,
    /// The network.
    pub(crate) p2p: P2p,
    /// Metrics.
    pub(crate) metrics: Arc<Metrics>,
    /// Time between rounds.
    pub(crate) every: Duration,
}

impl Certifier {
    /// Runs until `stop` turns true. Errors are logged and the next round tries again.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut signed = self.ledger.certs().certified_height().unwrap_or(0);
        let mut told = false;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.every) => {}
                _ = stop.changed() => return,
            }
            if let Err(e) = self.round(&mut signed, &mut told).await {
                tracing::warn!(error = %e, "certification round failed");
            }
        }
    }

    /// Whether the chain's record of this node names the key it signs with (a node the
    /// chain does not know yet signs, and its signatures count once it is added). `nodes`
    /// maps the chain's certificate keys to node keys.
    fn signs_with_its_named_key(
        &self,
        nodes: &BTreeMap<PublicKey, PublicKey>,
        told: &mut bool,
    ) -> bool {
        let named = nodes.iter().find(|(_, n)| **n == self.node_key);
        let Some((named, _)) = named.filter(|(c, _)| **c != self.key.public()) else {
            return true;
        };
        if !*told {
            tracing::error!(
                named = %named,
                signing_with = %self.key.public(),
                "the chain names another certificate key for this node: it signs no block \
                 until cert_key (--cert-key) is that key's file"
            );
            *told = true;
        }
        false
    }

    async fn round(&self, signed: &mut u64, told: &mut bool) -> Result<()> {
        let ledger = self.ledger.clone();
        let applied = ledger.applied()?.height;
        // 1. Sign what this node applied, with the key the chain names for it.
        let me = self.key.public();
        // Bounded, so a node catching up on a long chain still answers in between.
        let nodes = ledger.certs().nodes()?;
        let mut until = applied.min(*signed + 4096);
        if !self.signs_with_its_named_key(&nodes, told) {
            until = *signed;
        }
        while *signed < until {
            let h = *signed + 1;
            if !ledger.certs().has_signature(h, &me)? {
                let Some(hash) = ledger.certs().block_hash(h)? else {
                    break;
                };
                let sig = sign_block(&self.key, ledger.hashing(), ledger.chain_id(), h, &hash)?;
                ledger.certs().store_signature(h, &me, &sig.signature)?;
            }
            *signed = h;
        }
        // 2. Ask the others for theirs.
        let certified = ledger.certs().certified_height()?;
        if certified >= applied {
            return Ok(());
        }
        let history = ledger.certs().voter_history()?;
        // Only voters' signatures certify: ask the voters of the next block to certify (and
        // of the chain's set now, which a change may have grown).
        let mut voters = history.at(certified + 1);
        voters.extend(history.at(applied));
        // Voters are named by their certificate keys; the network knows nodes by node key.
        let asks = voters
            .iter()
            .filter(|k| **k != me)
            .filter_map(|v| nodes.get(v))
            .map(|peer| {
                let req = Request::Signatures {
                    after: certified,
                    max: BATCH,
                };
                // Short: a node that is down or cut off must not hold up the others' rounds.
                self.p2p.request(*peer, req, Duration::from_millis(500))
            });
        for answer in futures::future::join_all(asks).await {
            let Ok(Response::Signatures(sigs)) = answer else {
                continue;
            };
            for sig in sigs {
                if sig.height > applied {
                    break;
                }
                let Some(hash) = ledger.certs().block_hash(sig.height)? else {
                    break;
                };
                // A node of the chain now, or a voter of that block (since removed).
                let mut signers = history.at(sig.height);
                signers.extend(nodes.keys().copied());
                match verify_signature(
                    ledger.hashing(),
                    ledger.chain_id(),
                    &signers,
                    sig.height,
                    &hash,
                    &sig,
                ) {
                    Ok(node) => {
                        ledger
                            .certs()
                            .store_signature(sig.height, &node, &sig.signature)?;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "refused a block signature");
                        break;
                    }
                }
            }
        }
        // 3. Move the certified height.
        let mut h = certified;
        while h < applied {
            if !ledger.certs().is_certified_by(h + 1, &history.at(h + 1))? {
                break;
            }
            h += 1;
            if let Some(header) = ledger.queries().header(h)? {
                let lag_ms = now_ms().saturating_sub(header.timestamp_ms);
                self.metrics
                    .certificate_lag_seconds
                    .observe(lag_ms as f64 / 1000.0);
            }
        }
        if h > certified {
            ledger.certs().set_certified_height(h)?;
            self.metrics.certified_height.set(h as i64);
        }
        Ok(())
    }
}
