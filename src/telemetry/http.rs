//! The HTTP endpoint: `/metrics` (the Prometheus text format), `/healthz` (the process runs) and
//! `/readyz` (asks [`Readiness`]).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use metrics_exporter_prometheus::PrometheusHandle;

use super::{LOG_TARGET, Readiness};

/// The running HTTP endpoint.
#[derive(Debug)]
pub struct MetricsServer {
    local_addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MetricsServer {
    /// The address actually bound (the real port when `metrics.listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Waits until the server has stopped accepting (after its shutdown future completed).
    pub async fn stopped(self) {
        if let Err(e) = self.task.await {
            tracing::warn!(
                target: LOG_TARGET,
                cause = %e,
                "The metrics endpoint task ended abnormally"
            );
        }
    }
}

/// What the request handler needs.
struct Endpoint {
    readiness: Arc<Readiness>,
    handle: PrometheusHandle,
}

/// Binds `listen` and serves `/metrics`, `/healthz` and `/readyz` on the current tokio runtime
/// until `shutdown` completes. Also runs the recorder's upkeep every 5 s, so histogram samples do
/// not pile up when nobody scrapes.
///
/// # Errors
/// Fails when the address cannot be bound (in use, not local, no permission).
pub async fn serve<F>(
    listen: SocketAddr,
    readiness: Arc<Readiness>,
    handle: PrometheusHandle,
    shutdown: F,
) -> anyhow::Result<MetricsServer>
where
    F: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the metrics endpoint to {listen} (metrics.listen)"))?;
    let local_addr = listener
        .local_addr()
        .context("reading the metrics endpoint's address")?;
    tracing::info!(target: LOG_TARGET, address = %local_addr, "Metrics endpoint listening");
    let endpoint = Arc::new(Endpoint { readiness, handle });
    let task = tokio::spawn(accept_loop(listener, endpoint, shutdown));
    Ok(MetricsServer { local_addr, task })
}

async fn accept_loop<F>(listener: tokio::net::TcpListener, endpoint: Arc<Endpoint>, shutdown: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut upkeep = tokio::time::interval(Duration::from_secs(5));
    upkeep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = upkeep.tick() => endpoint.handle.run_upkeep(),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let endpoint = endpoint.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| {
                            let endpoint = endpoint.clone();
                            async move { Ok::<_, Infallible>(respond(&req, &endpoint)) }
                        });
                        let conn = http1::Builder::new()
                            .keep_alive(false)
                            .serve_connection(TokioIo::new(stream), service);
                        // A client that stalls mid-request is cut off.
                        match tokio::time::timeout(Duration::from_secs(30), conn).await {
                            Ok(Ok(())) | Err(_) => {}
                            Ok(Err(e)) => tracing::debug!(
                                target: LOG_TARGET,
                                cause = %e,
                                "Metrics endpoint connection error"
                            ),
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(
                        target: LOG_TARGET,
                        cause = %e,
                        "Metrics endpoint cannot accept a connection"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    tracing::info!(target: LOG_TARGET, "Metrics endpoint stopped");
}

/// Answers one request.
fn respond(req: &Request<Incoming>, endpoint: &Endpoint) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n".into());
    }
    let mut response = match req.uri().path() {
        "/metrics" => {
            let mut r = text(StatusCode::OK, endpoint.handle.render());
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        "/healthz" => text(StatusCode::OK, "ok\n".into()),
        "/readyz" => {
            let report = endpoint.readiness.report();
            let status = if report.ready {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            text(status, report.text)
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found; try /metrics, /healthz or /readyz\n".into(),
        ),
    };
    if req.method() == Method::HEAD {
        *response.body_mut() = Full::new(Bytes::new());
    }
    response
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
