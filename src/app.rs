//! Wiring: starts both stages on their own threads, stops them on one signal, reports the summary.
//!
//! Shutdown fans out through one flag: each stage stops consuming, finishes what it consumed,
//! waits for its outstanding deliveries (bounded by `pipeline.drain_timeout`), commits, and exits;
//! a stage that cannot finish closing its clients in time is left behind (see [`Pipeline::stop`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};

use crate::config::Config;
use crate::kafka;
use crate::telemetry::{self, MetricsServer, Readiness, Stage, Stats};

/// Both stages, running.
pub struct Pipeline {
    shutdown: Arc<AtomicBool>,
    stats: Arc<Stats>,
    stages: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)>,
    readiness: Arc<Readiness>,
    /// How long [`Pipeline::stop`] waits for the stages to finish.
    stop_limit: Duration,
}

/// What a stopping stage may take beyond `pipeline.drain_timeout`: its final commit (bounded by
/// ten seconds) and closing its clients, which librdkafka does not bound when the group
/// coordinator cannot be found.
const CLOSE_MARGIN: Duration = Duration::from_secs(30);

impl Pipeline {
    /// Starts the parse and dedup stages (topics must exist).
    ///
    /// # Errors
    /// Fails when a stage thread cannot be started.
    pub fn start(config: Arc<Config>) -> anyhow::Result<Pipeline> {
        Pipeline::start_with(config, Arc::default())
    }

    /// Starts both stages, reporting their state to `readiness`.
    ///
    /// # Errors
    /// Fails when a stage thread cannot be started.
    pub fn start_with(config: Arc<Config>, readiness: Arc<Readiness>) -> anyhow::Result<Pipeline> {
        let shutdown = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(Stats::default());
        let mut stages = Vec::new();
        type StageFn = fn(&Config, &Stats, &Arc<Readiness>, &AtomicBool) -> anyhow::Result<()>;
        for (stage_id, stage) in [
            (Stage::Parse, kafka::parse_stage::run as StageFn),
            (Stage::Dedup, kafka::dedup_stage::run as StageFn),
        ] {
            let name = stage_id.as_str();
            let (config, stats, shutdown, readiness) = (
                config.clone(),
                stats.clone(),
                shutdown.clone(),
                readiness.clone(),
            );
            let handle = std::thread::Builder::new()
                .name(format!("wirefeed-{name}"))
                .spawn(move || {
                    let result = stage(&config, &stats, &readiness, &shutdown);
                    readiness.stage_stopped(stage_id);
                    if result.is_err() {
                        // One stage failing stops the other: a half pipeline only piles up work.
                        shutdown.store(true, Ordering::Relaxed);
                    }
                    result
                })
                .with_context(|| format!("starting the {name} stage"))?;
            stages.push((name, handle));
        }
        Ok(Pipeline {
            shutdown,
            stats,
            stages,
            readiness,
            stop_limit: stop_limit(&config),
        })
    }

    /// The readiness both stages report to.
    pub fn readiness(&self) -> Arc<Readiness> {
        self.readiness.clone()
    }

    /// The shared counters.
    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    /// True once a stage has ended on its own (an error).
    pub fn failed(&self) -> bool {
        self.stages.iter().any(|(_, h)| h.is_finished())
    }

    /// Signals shutdown and waits for both stages to drain and commit, at most
    /// `pipeline.drain_timeout` plus `CLOSE_MARGIN`: a stage still closing its clients then is
    /// left behind (logged) so that the process can exit; what it did not commit is read again.
    ///
    /// # Errors
    /// The first stage error, if any.
    pub fn stop(self) -> anyhow::Result<Arc<Stats>> {
        self.readiness.stage_stopped(Stage::Parse);
        self.readiness.stage_stopped(Stage::Dedup);
        self.shutdown.store(true, Ordering::Relaxed);
        let deadline = Instant::now() + self.stop_limit;
        let mut first_error = None;
        for (name, handle) in self.stages {
            let Some(joined) = join_by(handle, deadline, name) else {
                continue;
            };
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    first_error.get_or_insert(e.context(format!("{name} stage")));
                }
                Err(_) => {
                    first_error.get_or_insert(anyhow!("{name} stage panicked"));
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(self.stats),
        }
    }
}

/// How long a stopping stage may take: `drain_timeout` plus `CLOSE_MARGIN`.
pub fn stop_limit(config: &Config) -> Duration {
    config.pipeline.drain_timeout + CLOSE_MARGIN
}

/// Joins the thread of stage `name` if it finishes by `deadline`; else logs that it is left
/// behind (still closing its Kafka clients) and returns `None`.
pub fn join_by<T>(
    handle: JoinHandle<T>,
    deadline: Instant,
    name: &str,
) -> Option<std::thread::Result<T>> {
    while !handle.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if !handle.is_finished() {
        tracing::warn!(
            stage = name,
            "Stage still closing its Kafka clients (no group coordinator?); exiting without it"
        );
        return None;
    }
    Some(handle.join())
}

/// Waits for SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// `wirefeed run`: checks topics, runs both stages until a signal, drains, commits, and logs the
/// summary line.
///
/// # Errors
/// Topic setup failures and stage errors.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let readiness = Arc::new(Readiness::default());
    let (server, stop_server) = start_metrics(&config, &readiness).await?;
    kafka::ensure_topics(&config.kafka).await?;
    let pipeline = Pipeline::start_with(Arc::new(config), readiness)?;
    tokio::select! {
        _ = shutdown_signal() => tracing::info!("Shutdown requested; draining"),
        _ = async {
            while !pipeline.failed() {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        } => tracing::error!("A stage stopped unexpectedly; shutting down"),
    }
    let stats = tokio::task::spawn_blocking(move || pipeline.stop()).await??;
    let line = stats.summary_line();
    tracing::info!("{line}");
    println!("{line}");
    stop_server.send(()).ok();
    if let Some(server) = server {
        server.stopped().await;
    }
    Ok(())
}

/// Starts the `/metrics`, `/healthz`, `/readyz` endpoint when `metrics.listen` is set; the
/// returned sender stops it.
///
/// # Errors
/// When the address cannot be bound.
pub async fn start_metrics(
    config: &Config,
    readiness: &Arc<Readiness>,
) -> anyhow::Result<(Option<MetricsServer>, tokio::sync::oneshot::Sender<()>)> {
    let handle = telemetry::install();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = match config.metrics.listen_addr()? {
        Some(addr) => Some(
            telemetry::serve(addr, readiness.clone(), handle, async move {
                rx.await.ok();
            })
            .await
            .with_context(|| format!("serving metrics on {addr} (metrics.listen)"))?,
        ),
        None => None,
    };
    if let Some(s) = &server {
        tracing::info!(address = %s.local_addr(), "Serving /metrics, /healthz and /readyz");
    }
    Ok((server, tx))
}
