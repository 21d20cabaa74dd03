//! Metric names, and the HELP text and unit each is registered with.
//!
//! Names follow the Prometheus conventions: a `wirefeed_` prefix, `_total` on counters,
//! `_seconds` on durations, base units. `docs/operations.md` lists them for operators.

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

/// Counter `{stage, topic}`: records consumed by a stage from its input topic.
pub const RECORDS_CONSUMED: &str = "wirefeed_records_consumed_total";
/// Counter `{format}`: items parsed into articles, by input format.
pub const ITEMS_PARSED: &str = "wirefeed_items_parsed_total";
/// Histogram: wall time to parse one raw record (detection, parsing, enrichment, encoding).
pub const PARSE_DURATION: &str = "wirefeed_parse_duration_seconds";
/// Counter `{kind}`: articles written to the articles topic (`kind` = `new` or `update`).
pub const ARTICLES_PRODUCED: &str = "wirefeed_articles_produced_total";
/// Counter: copies dropped as duplicates.
pub const DUPLICATES: &str = "wirefeed_duplicates_total";
/// Counter `{action}`: near-duplicates found (`action` = `annotated` or `dropped`).
pub const NEAR_DUPLICATES: &str = "wirefeed_near_duplicates_total";
/// Counter `{stage, reason}`: records sent to the dead-letter topic.
pub const DEAD_LETTERS: &str = "wirefeed_dead_letters_total";
/// Histogram: item publication (version) time → article produced.
pub const PUBLICATION_TO_ARTICLE: &str = "wirefeed_publication_to_article_seconds";
/// Histogram: raw record timestamp → article produced.
pub const RECORD_TO_ARTICLE: &str = "wirefeed_record_to_article_seconds";
/// Gauge `{stage, partition}`: committed consumer lag in records, from librdkafka statistics.
pub const CONSUMER_LAG: &str = "wirefeed_consumer_lag_records";
/// Gauge `{partition}`: duration of the partition's last dedup state restore.
pub const RESTORE_DURATION: &str = "wirefeed_restore_duration_seconds";
/// Gauge `{partition}`: stories in the partition's state after its last restore.
pub const RESTORE_ENTRIES: &str = "wirefeed_restore_entries";
/// Counter `{partition}`: article records read by restores.
pub const RESTORE_RECORDS: &str = "wirefeed_restore_records_total";
/// Counter `{outcome}`: restores finished (`outcome` = `complete` or `incomplete`).
pub const RESTORES: &str = "wirefeed_restores_total";
/// Gauge: raw records consumed by the parse stage and not yet produced (parsing or queued).
pub const PARSE_PENDING: &str = "wirefeed_parse_pending_records";
/// Gauge: raw bytes of those records, bounded by `pipeline.max_in_flight_bytes`.
pub const PARSE_PENDING_BYTES: &str = "wirefeed_parse_pending_bytes";
/// Gauge `{stage}`: outputs handed to the producer and not yet acknowledged by the broker.
pub const IN_FLIGHT_OUTPUTS: &str = "wirefeed_in_flight_outputs";
/// Gauge `{stage}`: partitions assigned to the stage in this instance.
pub const PARTITIONS_ASSIGNED: &str = "wirefeed_partitions_assigned";
/// Gauge `{version}`: always 1; carries the build version.
pub const BUILD_INFO: &str = "wirefeed_build_info";
/// Counter: items whose last-update time lay far after their record's timestamp (clamped).
pub const FUTURE_UPDATES_CLAMPED: &str = "wirefeed_future_updates_clamped_total";
/// Counter `{stage}`: outputs the producer reported delivered without an offset. librdkafka does so
/// for a batch whose retry the broker called a duplicate, or that a later batch's success proved
/// written: sound on a broker that checks idempotent producers' sequence numbers (Kafka does), a
/// sign of lost outputs on one that does not.
pub const ACKED_WITHOUT_OFFSET: &str = "wirefeed_outputs_acked_without_offset_total";

/// Every metric name above.
pub const ALL: &[&str] = &[
    RECORDS_CONSUMED,
    ITEMS_PARSED,
    PARSE_DURATION,
    ARTICLES_PRODUCED,
    DUPLICATES,
    NEAR_DUPLICATES,
    DEAD_LETTERS,
    PUBLICATION_TO_ARTICLE,
    RECORD_TO_ARTICLE,
    CONSUMER_LAG,
    RESTORE_DURATION,
    RESTORE_ENTRIES,
    RESTORE_RECORDS,
    RESTORES,
    PARSE_PENDING,
    PARSE_PENDING_BYTES,
    IN_FLIGHT_OUTPUTS,
    PARTITIONS_ASSIGNED,
    BUILD_INFO,
    FUTURE_UPDATES_CLAMPED,
    ACKED_WITHOUT_OFFSET,
];

/// Registers HELP text and units.
pub(super) fn describe() {
    describe_counter!(
        RECORDS_CONSUMED,
        Unit::Count,
        "Records consumed by a stage from its input topic."
    );
    describe_counter!(
        ITEMS_PARSED,
        Unit::Count,
        "Items parsed into articles, by input format."
    );
    describe_histogram!(
        PARSE_DURATION,
        Unit::Seconds,
        "Time to parse one raw record (detection, parsing, enrichment, encoding)."
    );
    describe_counter!(
        ARTICLES_PRODUCED,
        Unit::Count,
        "Articles written to the articles topic: kind=new or update."
    );
    describe_counter!(DUPLICATES, Unit::Count, "Copies dropped as duplicates.");
    describe_counter!(
        ACKED_WITHOUT_OFFSET,
        Unit::Count,
        "Outputs reported delivered without an offset (a retry the broker called a duplicate, or implied by a later batch): sound only on a broker that checks idempotent sequence numbers."
    );
    describe_counter!(
        FUTURE_UPDATES_CLAMPED,
        Unit::Count,
        "Items whose last-update time lay over an hour after their record's timestamp, clamped to it."
    );
    describe_counter!(
        NEAR_DUPLICATES,
        Unit::Count,
        "Near-duplicates found (same body, reworked headline): action=annotated or dropped."
    );
    describe_counter!(
        DEAD_LETTERS,
        Unit::Count,
        "Records sent to the dead-letter topic, by stage and reason."
    );
    describe_histogram!(
        PUBLICATION_TO_ARTICLE,
        Unit::Seconds,
        "Item publication (version) time to article produced."
    );
    describe_histogram!(
        RECORD_TO_ARTICLE,
        Unit::Seconds,
        "Raw record timestamp to article produced."
    );
    describe_gauge!(
        CONSUMER_LAG,
        Unit::Count,
        "Committed consumer lag in records, per stage and partition (librdkafka statistics)."
    );
    describe_gauge!(
        RESTORE_DURATION,
        Unit::Seconds,
        "Duration of the partition's last dedup state restore."
    );
    describe_gauge!(
        RESTORE_ENTRIES,
        Unit::Count,
        "Stories in the partition's dedup state after its last restore."
    );
    describe_counter!(
        RESTORE_RECORDS,
        Unit::Count,
        "Article records read by dedup state restores."
    );
    describe_counter!(
        RESTORES,
        Unit::Count,
        "Dedup state restores: outcome=complete or incomplete (timed out)."
    );
    describe_gauge!(
        PARSE_PENDING,
        Unit::Count,
        "Raw records consumed by the parse stage and not yet produced."
    );
    describe_gauge!(
        PARSE_PENDING_BYTES,
        Unit::Bytes,
        "Raw bytes of the records consumed by the parse stage and not yet produced."
    );
    describe_gauge!(
        IN_FLIGHT_OUTPUTS,
        Unit::Count,
        "Outputs handed to the producer and not yet acknowledged, per stage."
    );
    describe_gauge!(
        PARTITIONS_ASSIGNED,
        Unit::Count,
        "Partitions assigned to the stage in this instance."
    );
    describe_gauge!(BUILD_INFO, "Always 1; the version label names the build.");
}
