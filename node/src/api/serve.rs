//! The API's HTTP/1.1 server: hyper over an accept loop, with the two limits axum's own
//! `serve` lacks. A client must finish sending a request's headers within
//! `header_timeout` (also when it opens a connection and says nothing, and between
//! requests on a kept-alive connection), or the connection is closed; and at most
//! `max_connections` connections are open at once, so a crowd of idle sockets cannot
//! exhaust the node's file descriptors (further clients wait in the listen backlog).
//! Bodies and whole requests are bounded by the router's layers (`request_timeout_ms`,
//! the body limit). With a TLS acceptor (`api.tls_cert`), every connection is HTTPS; its
//! handshake must finish within `header_timeout` too.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

/// Connection limits of the API server.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServeLimits {
    /// Longest time to receive one request's headers.
    pub(crate) header_timeout: Duration,
    /// Most connections open at once.
    pub(crate) max_connections: usize,
}

/// How long open connections (e.g. event streams) may take to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves one connection until it closes, or finishes its request at shutdown.
async fn connection<I>(io: I, router: Router, http: hyper::server::conn::http1::Builder, w: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let conn = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(router));
    // Errors here are the client's (reset, timeout, bad request): nothing to do.
    let _ = w.watch(conn).await;
}

/// Serves `router` on `listener` (over TLS when `tls` is given) until `stop` resolves,
/// then lets open connections finish their current request (for at most a few seconds).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tls = tls.map(TlsAcceptor::from);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Some(limits.header_timeout))
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, or a connection reset while queued: back off a
                    // moment rather than spin.
                    tracing::warn!(error = %e, "accepting an API connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let (router, http, watcher, tls) = (
            router.clone(),
            http.clone(),
            graceful.watcher(),
            tls.clone(),
        );
        let handshake = limits.header_timeout;
        tokio::spawn(async move {
            match tls {
                None => connection(stream, router, http, watcher).await,
                Some(tls) => match tokio::time::timeout(handshake, tls.accept(stream)).await {
                    Ok(Ok(stream)) => connection(stream, router, http, watcher).await,
                    // A failed or slow handshake: the client's problem, logged for its operator.
                    Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                },
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {}
    }
    Ok(())
}
