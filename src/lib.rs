//! # wirefeed
//!
//! A stream processor for news wire feeds: raw syndicated items in any supported format arrive on
//! a Kafka topic; wirefeed parses and enriches each into an IPTC ninjs article, drops duplicates
//! by headline and timestamp across partitions, instances, restarts and replays, and writes the
//! articles to an output topic. What cannot be parsed goes to a dead-letter topic with its reason.
//!
//! # Layout
//!
//! Pure, synchronous code decides; a thin Kafka layer moves bytes. `docs/architecture.md` has the
//! full module map, which module may use which, and one record's way from the consumer to the
//! producer, function by function.
//!
//! ```text
//! raw topic ─► kafka::parse_stage ─► keyed topic ─► kafka::dedup_stage ─► articles topic
//!              (formats, pipeline,    key = dedup    (pipeline::dedup,      ninjs, key = id
//!               enrich; worker pool)  key            ninjs)
//!                   └──────────────► dead-letter topic (raw bytes + reason headers)
//! ```
//!
//! - [`model`]: plain data — [`model::ParsedItem`], [`model::Article`].
//! - [`formats`]: format detection and one parser per input format.
//! - [`enrich`]: language, counts, SimHash fingerprint, named entities.
//! - [`pipeline`]: the pure core: [`pipeline::parse_record`], dedup keys, dedup decisions.
//! - [`ninjs`]: renders articles as ninjs 2.2 or 3.1.
//! - [`offsets`]: contiguous offset tracking (pure).
//! - [`config`]: the TOML configuration, environment and flag overrides, validation.
//! - [`kafka`]: clients, topics, both stages, dead letters.
//! - [`telemetry`]: Prometheus metrics as typed events, which also keep the summary line's counts
//!   ([`telemetry::Stats`]); readiness; `/metrics` `/healthz` `/readyz`.
//! - [`app`]: wiring: runs both stages until shutdown; the summary line.
//! - [`dev`]: `wirefeed dev`: embedded broker and a bundled sample feed.
//! - [`replay`]: `wirefeed replay`: a bounded range of the raw topic through the pipeline again.
//! - [`cli`]: the command line.
//! - [`faults`]: fault injection switches for the test suite (`WIREFEED_FAULTS`).

pub mod app;
pub mod cli;
pub mod config;
pub mod dev;
pub mod enrich;
pub mod faults;
pub mod formats;
pub mod kafka;
pub mod model;
pub mod ninjs;
pub mod offsets;
pub mod pipeline;
pub mod replay;
pub mod telemetry;
