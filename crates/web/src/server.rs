//! The HTTP/1.1 server: our own accept loop over hyper, so a client that sends slowly cannot hold
//! a connection forever. Headers must arrive within [`ServerLimits::header_read_timeout`] (the
//! same clock runs while a kept-alive connection waits for its next request, so it is also the
//! idle timeout), a body within [`ServerLimits::body_read_timeout`] in all, and at most
//! [`ServerLimits::max_connections`] connections are served at once (a connection over the
//! limit waits [`ServerLimits::queue_wait`] for a free slot, then is closed). Every request
//! carries the peer address as axum's `ConnectInfo<SocketAddr>`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http_body::Frame;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long a client may take, and how many may be served at once.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Time to send a request's headers, counted from the connection's opening or from the end
    /// of the previous response (so also the idle keep-alive timeout).
    pub header_read_timeout: Duration,
    /// Time to send a request's whole body, counted from the end of its headers.
    pub body_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a connection over the limit waits for a slot before it is closed.
    pub queue_wait: Duration,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            // A filing with three 5 MiB photos over a slow office line still fits.
            body_read_timeout: Duration::from_secs(120),
            max_connections: 1024,
            queue_wait: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` under `limits` until `shutdown` completes, then lets requests
/// in flight finish (up to [`ServerLimits::shutdown_grace`]).
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slots = slots.clone();
        let router = router.clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let permit = match tokio::time::timeout(limits.queue_wait, slots.acquire_owned()).await
            {
                Ok(Ok(permit)) => permit,
                _ => {
                    tracing::warn!(%peer, "connection limit reached; connection closed");
                    return;
                }
            };
            let _ = stream.set_nodelay(true);
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let router = router.clone();
                let deadline = tokio::time::Instant::now() + limits.body_read_timeout;
                async move {
                    let mut request =
                        request.map(|body| Body::new(DeadlineBody::new(body, deadline)));
                    request.extensions_mut().insert(ConnectInfo(peer));
                    Ok::<_, Infallible>(
                        router.oneshot(request).await.unwrap_or_else(|e| match e {}),
                    )
                }
            });
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("requests still in flight at shutdown were cut off");
        }
    }
    Ok(())
}

/// A request body that fails once its deadline passes (a client trickling its body).
struct DeadlineBody<B> {
    body: Pin<Box<B>>,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl<B> DeadlineBody<B> {
    fn new(body: B, deadline: tokio::time::Instant) -> Self {
        DeadlineBody {
            body: Box::pin(body),
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
        }
    }
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("请求正文发送超时")]
pub struct BodyTimeout;

impl<B> http_body::Body for DeadlineBody<B>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = B::Data;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = self.body.as_mut().poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
