//! What the swarm task does with gossip and requests from peers: checks membership, spawns
//! the node's [`Inbound`](super::Inbound) work off the swarm task (bounded by
//! [`MAX_IN_FLIGHT`]), and applies the results when they come back as [`Done`].

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use libp2p::request_response::{self, Message, OutboundFailure, ResponseChannel};
use libp2p::{gossipsub, identify, PeerId};
use shuquan_proto::pb;
use shuquan_proto::PublicKey;

use super::behaviour::PROTOCOL_VERSION;
use super::codec::{decode_request, decode_response, encode_response};
use super::event_loop::{EventLoop, MAX_IN_FLIGHT};
use super::{Counters, RequestError, Response, Verdict};

/// Work a spawned task finished, sent back to the swarm task.
pub(super) enum Done {
    /// A gossiped message was checked.
    Validated {
        msg_id: gossipsub::MessageId,
        source: PeerId,
        author: PublicKey,
        verdict: Verdict,
    },
    /// A request was served.
    Respond {
        channel: ResponseChannel<pb::P2pResponse>,
        resp: Response,
    },
}

impl EventLoop {
    pub(super) fn on_gossip(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => self.on_gossip_message(propagation_source, message_id, message),
            gossipsub::Event::GossipsubNotSupported { peer_id } => {
                tracing::warn!(peer = %peer_id, "member does not speak gossipsub");
            }
            gossipsub::Event::SlowPeer {
                peer_id,
                failed_messages,
            } => {
                tracing::debug!(peer = %peer_id, ?failed_messages, "slow gossip peer");
            }
            other => tracing::debug!(event = ?other, "gossip"),
        }
    }

    fn on_gossip_message(
        &mut self,
        source: PeerId,
        msg_id: gossipsub::MessageId,
        msg: gossipsub::Message,
    ) {
        // Anonymous gossip: the member accountable for a message is the one that handed
        // it on (Noise-authenticated; the allow list admits only member nodes).
        let Some(author) = self.members.get(&source).copied() else {
            tracing::warn!(peer = %source, "rejected gossip from a node that is not a member");
            self.report(&msg_id, &source, gossipsub::MessageAcceptance::Reject);
            Counters::inc(&self.stats.gossip_rejected);
            return;
        };
        if self.in_flight >= MAX_IN_FLIGHT {
            tracing::warn!(peer = %source, "ignored gossip: too many checks in flight");
            self.report(&msg_id, &source, gossipsub::MessageAcceptance::Ignore);
            Counters::inc(&self.stats.gossip_ignored);
            return;
        }
        self.in_flight += 1;
        let inbound = self.inbound.clone();
        let done = self.done_tx.clone();
        tokio::spawn(async move {
            let data = msg.data;
            // On a runtime worker, not the blocking pool: the check is quick (see
            // `Inbound::check_gossip`), and a hand-off per message cost more than it.
            let verdict = inbound.check_gossip(&author, &data);
            let _ = done
                .send(Done::Validated {
                    msg_id,
                    source,
                    author,
                    verdict,
                })
                .await;
        });
    }

    fn report(
        &mut self,
        id: &gossipsub::MessageId,
        source: &PeerId,
        acc: gossipsub::MessageAcceptance,
    ) {
        let gossip = &mut self.swarm.behaviour_mut().gossip;
        // false: the message left the cache meanwhile (too slow a check); nothing to do.
        let _ = gossip.report_message_validation_result(id, source, acc);
    }

    pub(super) fn on_done(&mut self, done: Done) {
        self.in_flight = self.in_flight.saturating_sub(1);
        match done {
            Done::Validated {
                msg_id,
                source,
                author,
                verdict,
            } => {
                let acceptance = match verdict {
                    Verdict::Accept => {
                        Counters::inc(&self.stats.gossip_accepted);
                        gossipsub::MessageAcceptance::Accept
                    }
                    Verdict::Ignore => {
                        Counters::inc(&self.stats.gossip_ignored);
                        gossipsub::MessageAcceptance::Ignore
                    }
                    Verdict::Reject(reason) => {
                        Counters::inc(&self.stats.gossip_rejected);
                        tracing::warn!(peer = %source, %author, %reason, "rejected gossip");
                        gossipsub::MessageAcceptance::Reject
                    }
                };
                self.report(&msg_id, &source, acceptance);
            }
            Done::Respond { channel, resp } => self.respond(channel, resp),
        }
    }

    fn respond(&mut self, channel: ResponseChannel<pb::P2pResponse>, resp: Response) {
        let mut frame = encode_response(resp);
        let len = prost::Message::encoded_len(&frame);
        if len > self.max_response_bytes {
            tracing::warn!(
                bytes = len,
                limit = self.max_response_bytes,
                "response too large"
            );
            frame = encode_response(Response::Error(format!(
                "response of {len} bytes over the limit of {}",
                self.max_response_bytes
            )));
        }
        if self
            .swarm
            .behaviour_mut()
            .rpc
            .send_response(channel, frame)
            .is_err()
        {
            tracing::debug!("response not sent: the request timed out or its connection closed");
        }
    }

    pub(super) fn on_rpc(
        &mut self,
        event: request_response::Event<pb::P2pRequest, pb::P2pResponse>,
    ) {
        use request_response::Event;
        match event {
            Event::Message {
                peer,
                message:
                    Message::Request {
                        request, channel, ..
                    },
                ..
            } => self.on_request(peer, request, channel),
            Event::Message {
                message:
                    Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => self.answer(request_id, Ok(decode_response(response))),
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %error, "request failed");
                let error = match error {
                    OutboundFailure::DialFailure => {
                        RequestError::Unreachable(format!("cannot dial {peer}"))
                    }
                    OutboundFailure::UnsupportedProtocols => {
                        RequestError::Unreachable(format!("{peer} does not speak /shuquan/rpc/1"))
                    }
                    OutboundFailure::Timeout => RequestError::Timeout,
                    OutboundFailure::ConnectionClosed => {
                        RequestError::Network("connection closed before the answer".into())
                    }
                    OutboundFailure::Io(e) => RequestError::Network(e.to_string()),
                };
                self.answer(request_id, Err(error));
            }
            Event::InboundFailure { peer, error, .. } => {
                tracing::warn!(%peer, %error, "refused or failed request from a peer");
            }
            Event::ResponseSent { .. } => {}
        }
    }

    fn on_request(
        &mut self,
        peer: PeerId,
        frame: pb::P2pRequest,
        channel: ResponseChannel<pb::P2pResponse>,
    ) {
        Counters::inc(&self.stats.requests_in);
        let Some(from) = self.members.get(&peer).copied() else {
            tracing::warn!(%peer, "refused request from a node that is not a member");
            return self.respond(channel, Response::Error("not a member".into()));
        };
        let Some(req) = decode_request(frame) else {
            return self.respond(channel, Response::Error("empty request".into()));
        };
        if self.in_flight >= MAX_IN_FLIGHT {
            return self.respond(channel, Response::Error("busy, retry later".into()));
        }
        self.in_flight += 1;
        let inbound = self.inbound.clone();
        let done = self.done_tx.clone();
        let timeout = self.request_timeout;
        tokio::spawn(async move {
            // Calling and polling the node inside `catch_unwind`: a panic becomes an answer.
            let serve = AssertUnwindSafe(async move { inbound.request(from, req).await });
            let resp = match tokio::time::timeout(timeout, serve.catch_unwind()).await {
                Ok(Ok(resp)) => resp,
                Ok(Err(_)) => {
                    tracing::error!(%peer, "serving a request panicked");
                    Response::Error("internal error".into())
                }
                Err(_) => Response::Error("timed out".into()),
            };
            let _ = done.send(Done::Respond { channel, resp }).await;
        });
    }
}

/// Logs a peer that announces another protocol version.
pub(super) fn on_identify(event: identify::Event) {
    match event {
        identify::Event::Received { peer_id, info, .. }
            if info.protocol_version != PROTOCOL_VERSION =>
        {
            tracing::warn!(peer = %peer_id, theirs = %info.protocol_version,
                ours = PROTOCOL_VERSION, "peer speaks another protocol version");
        }
        identify::Event::Error { peer_id, error, .. } => {
            tracing::debug!(peer = %peer_id, %error, "identify failed");
        }
        _ => {}
    }
}
