//! Closed-loop clients against etcd: client `c` puts values of the Shuquan transactions'
//! size to member `c mod N` over gRPC (`etcdserverpb.KV/Put`), one HTTP/2 connection per
//! client, and waits for each answer. The two messages are written out here with prost's
//! derive (their field numbers are etcd's `rpc.proto`), so no protoc is needed.

use std::time::{Duration, Instant};

use anyhow::Context;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};

use crate::stats::Sample;

/// etcd's `PutRequest` (fields 1–2 of 6; the rest keep their defaults).
#[derive(Clone, PartialEq, prost::Message)]
struct PutRequest {
    #[prost(bytes = "vec", tag = "1")]
    key: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

/// etcd's `ResponseHeader`.
#[derive(Clone, PartialEq, prost::Message)]
struct ResponseHeader {
    #[prost(uint64, tag = "1")]
    cluster_id: u64,
    #[prost(uint64, tag = "2")]
    member_id: u64,
    #[prost(int64, tag = "3")]
    revision: i64,
    #[prost(uint64, tag = "4")]
    raft_term: u64,
}

/// etcd's `PutResponse` (without `prev_kv`).
#[derive(Clone, PartialEq, prost::Message)]
struct PutResponse {
    #[prost(message, optional, tag = "1")]
    header: Option<ResponseHeader>,
}

async fn put(ch: Channel, key: Vec<u8>, value: Vec<u8>) -> Result<i64, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(ch);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let codec = tonic_prost::ProstCodec::<PutRequest, PutResponse>::default();
    let path = PathAndQuery::from_static("/etcdserverpb.KV/Put");
    let resp = grpc
        .unary(tonic::Request::new(PutRequest { key, value }), path, codec)
        .await?;
    Ok(resp.into_inner().header.map_or(0, |h| h.revision))
}

async fn client(url: String, c: usize, value_bytes: usize, deadline: Instant) -> Sample {
    let mut s = Sample::default();
    let ch = match Endpoint::from_shared(url) {
        Ok(e) => match e.connect().await {
            Ok(ch) => ch,
            Err(_) => {
                s.errors += 1;
                return s;
            }
        },
        Err(_) => {
            s.errors += 1;
            return s;
        }
    };
    let mut n = 0u64;
    while Instant::now() < deadline {
        let key = format!("bench/{c}/{n}").into_bytes();
        let value: Vec<u8> = (0..value_bytes).map(|i| (i as u64 ^ n) as u8).collect();
        n += 1;
        let t = Instant::now();
        match put(ch.clone(), key, value).await {
            Ok(rev) if rev > 0 => s.latencies.push(t.elapsed()),
            _ => s.errors += 1,
        }
    }
    s
}

/// Runs `clients` clients for `secs` on a two-thread runtime.
pub fn run(
    urls: &[String],
    clients: usize,
    value_bytes: usize,
    secs: u64,
) -> anyhow::Result<Sample> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the client runtime")?;
    rt.block_on(async {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(secs);
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                tokio::spawn(client(
                    urls[c % urls.len()].clone(),
                    c,
                    value_bytes,
                    deadline,
                ))
            })
            .collect();
        let mut parts = Vec::new();
        for t in tasks {
            parts.push(t.await.unwrap_or_default());
        }
        Ok(Sample::merge(
            parts,
            started.elapsed().min(Duration::from_secs(secs)),
        ))
    })
}
