//! The parse stage's worker pool: parser threads that turn raw records into keyed outputs.
//!
//! The stage's loop hands each consumed record to the pool as a [`Job`] (bounded queue) and gets
//! its [`Parsed`] result back on the job's own channel, so results can arrive in any order while
//! the loop produces them in consumption order. A parser that panics costs one record (a
//! `parser-panic` dead letter), not the thread.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use crossbeam_channel::Sender;

use crate::config::KeyedLayout;
use crate::kafka::{RECORD_OVERHEAD, keyed};
use crate::pipeline::{self, ParseOptions, RawInput, RejectReason, Rejection};
use crate::telemetry;

/// A keyed output ready to send.
pub(super) struct Keyed {
    pub(super) key: String,
    pub(super) value: Vec<u8>,
}

/// What a parser thread returns for one record.
pub(super) struct Parsed {
    pub(super) payload: Vec<u8>,
    pub(super) outcome: Result<Outputs, Rejection>,
}

/// One record handed to the parser threads.
pub(super) struct Job {
    pub(super) payload: Vec<u8>,
    pub(super) hint: Option<String>,
    pub(super) record_time: Option<DateTime<Utc>>,
    /// The raw record's partition and offset, for the keyed records' origin.
    pub(super) partition: i32,
    pub(super) offset: i64,
    pub(super) reply: Sender<Parsed>,
}

/// The outputs of one successfully parsed record.
pub(super) struct Outputs {
    /// The record's input format.
    format: crate::model::SourceFormat,
    /// Articles for the keyed topic.
    pub(super) keyed: Vec<Keyed>,
    /// Items of the record that were rejected, summarised as one rejection (a dead letter of the
    /// whole record, marked with the count), when any.
    pub(super) partial: Option<(Rejection, usize)>,
}

/// Parses one record and encodes its keyed outputs: the work each parser thread does.
fn parse_job(job: &Job, options: &WorkerOptions) -> Result<Outputs, Rejection> {
    let max_output = options.max_output;
    let parsed = pipeline::parse_record_detailed(
        RawInput {
            payload: &job.payload,
            format_hint: job.hint.as_deref(),
            record_time: job.record_time,
        },
        &options.parse,
    )?;
    if parsed.clamped_updates > 0 {
        telemetry::FutureUpdatesClamped {
            items: parsed.clamped_updates,
        }
        .emit();
    }
    let format = parsed.articles[0].format;
    let mut rejected = parsed.rejected_items;
    let mut keyed = Vec::with_capacity(parsed.articles.len());
    let origin = keyed::Origin {
        partition: job.partition,
        offset: job.offset,
        record_time_ms: job.record_time.map(|t| t.timestamp_millis()),
        replay: options.replay.clone(),
    };
    for article in parsed.articles {
        match keyed::encode_as(&origin, &article, options.layout) {
            Ok(value) if value.len() + article.dedup_key.len() + RECORD_OVERHEAD <= max_output => keyed.push(Keyed {
                key: article.dedup_key,
                value,
            }),
            Ok(value) => rejected.push(Rejection::new(
                RejectReason::OutputTooLarge,
                format!(
                    "article of {} bytes (with key and headers) exceeds message.max.bytes {max_output}",
                    value.len() + article.dedup_key.len() + RECORD_OVERHEAD
                ),
            )),
            Err(e) => rejected.push(Rejection::new(
                RejectReason::Malformed,
                format!("cannot encode article: {e}"),
            )),
        }
    }
    if keyed.is_empty() {
        return Err(rejected
            .into_iter()
            .next()
            .unwrap_or_else(|| Rejection::new(RejectReason::NotNews, "no items")));
    }
    let partial = (!rejected.is_empty()).then(|| {
        let count = rejected.len();
        let detail = rejected
            .iter()
            .take(5)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        (
            Rejection::new(
                rejected[0].reason,
                format!(
                    "{count} of {} items rejected: {detail}",
                    count + keyed.len()
                ),
            ),
            count,
        )
    });
    Ok(Outputs {
        format,
        keyed,
        partial,
    })
}

/// What each parser thread needs to turn a record into its outputs.
#[derive(Clone)]
pub(super) struct WorkerOptions {
    pub(super) parse: ParseOptions,
    /// The producers' `message.max.bytes`.
    pub(super) max_output: usize,
    /// The layout keyed records are written in.
    pub(super) layout: KeyedLayout,
    /// The replay's id, when the stage reads for one.
    pub(super) replay: Option<String>,
}

/// Starts `n` parser threads reading from a bounded job queue.
pub(super) fn start_workers(
    n: usize,
    options: WorkerOptions,
) -> anyhow::Result<(Sender<Job>, Vec<std::thread::JoinHandle<()>>)> {
    let (tx, rx) = crossbeam_channel::bounded::<Job>(n * 64);
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let rx = rx.clone();
        let options = options.clone();
        let handle = std::thread::Builder::new()
            .name(format!("wirefeed-parse-{i}"))
            .spawn(move || {
                for job in rx {
                    let started = std::time::Instant::now();
                    // A panic in a parser is a bug, but it must cost one record, not the worker:
                    // the record becomes a `parser-panic` dead letter with its raw bytes.
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        crate::faults::get().maybe_panic(&job.payload);
                        parse_job(&job, &options)
                    }))
                    .unwrap_or_else(|panic| {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        tracing::error!(cause = %what, "A parser panicked; the record becomes a dead letter");
                        Err(Rejection::new(
                            RejectReason::ParserPanic,
                            format!("parser panicked: {what}"),
                        ))
                    });
                    telemetry::RecordParsed {
                        elapsed: started.elapsed(),
                        format: outcome.as_ref().ok().map(|o| o.format),
                        items: outcome.as_ref().map_or(0, |o| o.keyed.len() as u64),
                    }
                    .emit();
                    // The stage may have dropped the result (partition revoked): nothing to do.
                    job.reply
                        .send(Parsed {
                            payload: job.payload,
                            outcome,
                        })
                        .ok();
                }
            })
            .context("starting a parser thread")?;
        handles.push(handle);
    }
    Ok((tx, handles))
}
