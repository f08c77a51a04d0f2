//! The `/shuquan/rpc/1` wire format: one prost frame per stream direction, read to the end
//! of the stream with a hard size limit, and conversions between the frames and
//! [`Request`]/[`Response`].
//!
//! The request-response handler closes the writing half after each frame, so a reader needs no
//! length prefix: it reads at most `limit + 1` bytes and refuses the frame if it got more than
//! `limit`, or nothing at all. A peer that never closes its half is cut off by the request timeout.

use std::io;

use futures::prelude::*;
use libp2p::StreamProtocol;
use prost::Message;
use shuquan_proto::pb;

use super::{Request, Response};

/// The request-response protocol name.
pub(super) const PROTOCOL: StreamProtocol = StreamProtocol::new("/shuquan/rpc/1");

/// Prost frames with explicit size limits.
#[derive(Debug, Clone, Copy)]
pub(super) struct Codec {
    /// Largest request frame, in bytes.
    pub(super) max_request: usize,
    /// Largest response frame, in bytes.
    pub(super) max_response: usize,
}

/// Reads the rest of `io`, refusing more than `limit` bytes.
async fn read_limited<T>(io: &mut T, limit: usize) -> io::Result<Vec<u8>>
where
    T: AsyncRead + Unpin + Send,
{
    let mut buf = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    io.take(cap).read_to_end(&mut buf).await?;
    if buf.is_empty() {
        // Every frame we write has its `oneof` set, so it is never empty: the peer closed the
        // stream without answering.
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "stream closed without a frame",
        ));
    }
    if buf.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame larger than the limit of {limit} bytes"),
        ));
    }
    Ok(buf)
}

fn decode<M: Message + Default>(buf: &[u8]) -> io::Result<M> {
    M::decode(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Writes one frame, refusing to send more than `limit` bytes (the peer would refuse it).
async fn write_frame<T, M>(io: &mut T, msg: &M, limit: usize) -> io::Result<()>
where
    T: AsyncWrite + Unpin + Send,
    M: Message,
{
    let bytes = msg.encode_to_vec();
    if bytes.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("frame of {} bytes over the limit of {limit}", bytes.len()),
        ));
    }
    io.write_all(&bytes).await?;
    io.flush().await
}

impl libp2p::request_response::Codec for Codec {
    type Protocol = StreamProtocol;
    type Request = pb::P2pRequest;
    type Response = pb::P2pResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Self::Request>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode(&read_limited(io, self.max_request).await?)
    }

    async fn read_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Self::Response>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode(&read_limited(io, self.max_response).await?)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Self::Request,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &req, self.max_request).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Self::Response,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &res, self.max_response).await
    }
}

/// The frame of a request.
pub(super) fn encode_request(req: Request) -> pb::P2pRequest {
    use pb::p2p_request::Kind;
    let kind = match req {
        Request::Raft(bytes) => Kind::Raft(bytes),
        Request::Txs(txs) => Kind::Txs(pb::TxBatch { txs }),
        Request::Signatures { after, max } => Kind::Signatures(pb::SignaturesWanted { after, max }),
        Request::Time => Kind::Time(pb::TimeWanted {}),
        Request::Nodes => Kind::Nodes(pb::NodesWanted {}),
        Request::Blocks { to, count } => Kind::Blocks(pb::BlocksWanted { to, count }),
    };
    pb::P2pRequest { kind: Some(kind) }
}

/// The request in a frame; `None` if the frame carries none (an empty or unknown `oneof`).
pub(super) fn decode_request(frame: pb::P2pRequest) -> Option<Request> {
    use pb::p2p_request::Kind;
    match frame.kind? {
        Kind::Raft(bytes) => Some(Request::Raft(bytes)),
        Kind::Txs(batch) => Some(Request::Txs(batch.txs)),
        Kind::Signatures(w) => Some(Request::Signatures {
            after: w.after,
            max: w.max,
        }),
        Kind::Time(_) => Some(Request::Time),
        Kind::Nodes(_) => Some(Request::Nodes),
        Kind::Blocks(w) => Some(Request::Blocks {
            to: w.to,
            count: w.count,
        }),
    }
}

/// The frame of a response.
pub(super) fn encode_response(resp: Response) -> pb::P2pResponse {
    use pb::p2p_response::Kind;
    let kind = match resp {
        Response::Raft(bytes) => Kind::Raft(bytes),
        Response::Queued(n) => Kind::Queued(n),
        Response::Error(e) => Kind::Error(e),
        Response::Signatures(signatures) => Kind::Signatures(pb::Signatures { signatures }),
        Response::Time(ms) => Kind::TimeMs(ms),
        Response::Blocks(blocks) => Kind::Blocks(pb::Blocks { blocks }),
        Response::Nodes(set) => Kind::Nodes(set),
    };
    pb::P2pResponse { kind: Some(kind) }
}

/// The response in a frame; a frame without one reads as an error answer.
pub(super) fn decode_response(frame: pb::P2pResponse) -> Response {
    use pb::p2p_response::Kind;
    match frame.kind {
        Some(Kind::Raft(bytes)) => Response::Raft(bytes),
        Some(Kind::Queued(n)) => Response::Queued(n),
        Some(Kind::Error(e)) => Response::Error(e),
        Some(Kind::Signatures(s)) => Response::Signatures(s.signatures),
        Some(Kind::TimeMs(ms)) => Response::Time(ms),
        Some(Kind::Blocks(b)) => Response::Blocks(b.blocks),
        Some(Kind::Nodes(set)) => Response::Nodes(set),
        None => Response::Error("empty response frame".into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use futures::io::Cursor;
    use libp2p::request_response::Codec as _;

    use super::*;

    fn codec() -> Codec {
        Codec {
            max_request: 1024,
            max_response: 2048,
        }
    }

    #[tokio::test]
    async fn frames_roundtrip_within_limits() {
        let mut c = codec();
        let req = encode_request(Request::Txs(vec![vec![1, 2, 3], vec![]]));
        let mut out = Cursor::new(Vec::new());
        c.write_request(&PROTOCOL, &mut out, req.clone())
            .await
            .unwrap();
        let mut input = Cursor::new(out.into_inner());
        let back = c.read_request(&PROTOCOL, &mut input).await.unwrap();
        assert_eq!(back, req);
        assert_eq!(
            decode_request(back),
            Some(Request::Txs(vec![vec![1, 2, 3], vec![]]))
        );
    }

    #[tokio::test]
    async fn oversized_or_garbage_frames_are_invalid_data() {
        let mut c = codec();
        let big = encode_request(Request::Raft(vec![7; 1100])).encode_to_vec();
        let err = c
            .read_request(&PROTOCOL, &mut Cursor::new(big))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);

        let err = c
            .read_response(&PROTOCOL, &mut Cursor::new(Vec::new()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);

        let err = c
            .read_response(&PROTOCOL, &mut Cursor::new(vec![0xff; 64]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);

        let mut out = Cursor::new(Vec::new());
        let err = c
            .write_request(
                &PROTOCOL,
                &mut out,
                encode_request(Request::Raft(vec![0; 2000])),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn empty_frames_decode_to_nothing_or_an_error() {
        assert_eq!(decode_request(pb::P2pRequest { kind: None }), None);
        assert!(matches!(
            decode_response(pb::P2pResponse { kind: None }),
            Response::Error(_)
        ));
        let r = Response::Queued(3);
        assert_eq!(decode_response(encode_response(r.clone())), r);
    }
}
