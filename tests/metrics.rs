//! The HTTP endpoint: `/metrics` shows exactly what the typed events emitted, `/healthz` answers
//! while the process runs, `/readyz` follows the readiness setters; and `check-config` never
//! prints a secret. No broker needed.

mod common;

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone as _, Utc};
use common::{http_get as get, sample};
use wirefeed::model::SourceFormat;
use wirefeed::pipeline::RejectReason;
use wirefeed::telemetry::{
    self, ArticleKind, ArticleProduced, DeadLettered, DuplicateDropped, InFlightOutputs,
    MetricsServer, NearDuplicateFound, ParsePending, Readiness, RecordConsumed, RecordParsed,
    RestoreFinished, Stage, Stats, names,
};

async fn fetch(addr: SocketAddr, path: &'static str) -> (u16, String, String) {
    tokio::task::spawn_blocking(move || get(addr, path))
        .await
        .unwrap()
}

async fn start(readiness: Arc<Readiness>) -> (MetricsServer, tokio::sync::oneshot::Sender<()>) {
    let handle = telemetry::install();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = telemetry::serve(
        "127.0.0.1:0".parse().unwrap(),
        readiness,
        handle,
        async move {
            stopped.await.ok();
        },
    )
    .await
    .expect("bind an ephemeral port");
    assert_ne!(server.local_addr().port(), 0, "the real port is reported");
    (server, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_what_was_emitted() {
    let (server, stop) = start(Arc::new(Readiness::default())).await;
    let addr = server.local_addr();
    let stats = Stats::default();

    for _ in 0..5 {
        RecordConsumed {
            stage: Stage::Parse,
            topic: "t.raw",
        }
        .emit(&stats);
    }
    for _ in 0..3 {
        RecordConsumed {
            stage: Stage::Dedup,
            topic: "t.keyed",
        }
        .emit(&stats);
    }
    for (ms, format, items) in [
        (2, Some(SourceFormat::ScrapedText), 1),
        (40, Some(SourceFormat::Feed), 4),
        (1, None, 0),
    ] {
        RecordParsed {
            elapsed: Duration::from_millis(ms),
            format,
            items,
        }
        .emit();
    }
    let now = Utc.with_ymd_and_hms(2025, 8, 20, 12, 0, 0).unwrap();
    let produced = |kind, secs: i64, record_secs: Option<i64>| ArticleProduced {
        kind,
        published: now - chrono::Duration::seconds(secs),
        record_time: record_secs.map(|s| now - chrono::Duration::seconds(s)),
    };
    produced(ArticleKind::New, 90, Some(1)).emit_at(&stats, now);
    produced(ArticleKind::New, 600, None).emit_at(&stats, now);
    // A future-dated item: counted, its latency not observed.
    produced(ArticleKind::Update, -30, Some(2)).emit_at(&stats, now);
    DuplicateDropped.emit(&stats);
    DuplicateDropped.emit(&stats);
    NearDuplicateFound { dropped: false }.emit(&stats);
    for (stage, reason) in [
        (Stage::Parse, RejectReason::Empty),
        (Stage::Parse, RejectReason::Empty),
        (Stage::Parse, RejectReason::Binary),
        (Stage::Dedup, RejectReason::BadKeyedRecord),
    ] {
        DeadLettered {
            stage,
            reason,
            partition: 0,
            offset: 7,
            detail: "test",
        }
        .emit(&stats);
    }
    RestoreFinished {
        partition: 4,
        records: 120,
        entries: 100,
        elapsed: Duration::from_millis(1500),
        complete: true,
        ..RestoreFinished::default()
    }
    .emit();
    ParsePending {
        records: 17,
        bytes: 4096,
    }
    .emit();
    InFlightOutputs {
        stage: Stage::Dedup,
        outputs: 9,
    }
    .emit();

    // The events that the summary line counts too counted in the instance's stats.
    assert_eq!(
        stats.summary_line(),
        "summary: records=0 articles=2 duplicates=2 updates=1 dead_letters=4"
    );
    assert_eq!(Stats::get(&stats.keyed_records), 3);
    assert_eq!(Stats::get(&stats.near_duplicates), 1);

    let (status, content_type, text) = fetch(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let s = |name: &str, labels: &[(&str, &str)]| sample(&text, name, labels);
    assert_eq!(
        s(
            names::RECORDS_CONSUMED,
            &[("stage", "parse"), ("topic", "t.raw")]
        ),
        Some(5.0)
    );
    assert_eq!(
        s(
            names::RECORDS_CONSUMED,
            &[("stage", "dedup"), ("topic", "t.keyed")]
        ),
        Some(3.0)
    );
    assert_eq!(
        s(names::ITEMS_PARSED, &[("format", "scraped-text")]),
        Some(1.0)
    );
    assert_eq!(s(names::ITEMS_PARSED, &[("format", "feed")]), Some(4.0));
    let parse_count = format!("{}_count", names::PARSE_DURATION);
    assert_eq!(s(&parse_count, &[]), Some(3.0));
    let parse_bucket = format!("{}_bucket", names::PARSE_DURATION);
    assert_eq!(s(&parse_bucket, &[("le", "0.0025")]), Some(2.0));
    assert_eq!(s(&parse_bucket, &[("le", "+Inf")]), Some(3.0));
    assert_eq!(s(names::ARTICLES_PRODUCED, &[("kind", "new")]), Some(2.0));
    assert_eq!(
        s(names::ARTICLES_PRODUCED, &[("kind", "update")]),
        Some(1.0)
    );
    let publication_count = format!("{}_count", names::PUBLICATION_TO_ARTICLE);
    let publication_sum = format!("{}_sum", names::PUBLICATION_TO_ARTICLE);
    assert_eq!(s(&publication_count, &[]), Some(2.0));
    assert_eq!(s(&publication_sum, &[]), Some(690.0));
    let record_count = format!("{}_count", names::RECORD_TO_ARTICLE);
    assert_eq!(s(&record_count, &[]), Some(2.0));
    assert_eq!(s(names::DUPLICATES, &[]), Some(2.0));
    assert_eq!(
        s(names::NEAR_DUPLICATES, &[("action", "annotated")]),
        Some(1.0)
    );
    assert_eq!(
        s(
            names::DEAD_LETTERS,
            &[("stage", "parse"), ("reason", "empty")]
        ),
        Some(2.0)
    );
    assert_eq!(
        s(
            names::DEAD_LETTERS,
            &[("stage", "parse"), ("reason", "binary")]
        ),
        Some(1.0)
    );
    assert_eq!(
        s(
            names::DEAD_LETTERS,
            &[
                ("stage", "dedup"),
                ("reason", RejectReason::BadKeyedRecord.as_str())
            ]
        ),
        Some(1.0)
    );
    assert_eq!(s(names::RESTORE_DURATION, &[("partition", "4")]), Some(1.5));
    assert_eq!(
        s(names::RESTORE_ENTRIES, &[("partition", "4")]),
        Some(100.0)
    );
    assert_eq!(
        s(names::RESTORE_RECORDS, &[("partition", "4")]),
        Some(120.0)
    );
    assert_eq!(s(names::RESTORES, &[("outcome", "complete")]), Some(1.0));
    assert_eq!(s(names::PARSE_PENDING, &[]), Some(17.0));
    assert_eq!(s(names::PARSE_PENDING_BYTES, &[]), Some(4096.0));
    assert_eq!(
        s(names::IN_FLIGHT_OUTPUTS, &[("stage", "dedup")]),
        Some(9.0)
    );
    assert!(
        text.contains(&format!("# TYPE {} counter", names::DEAD_LETTERS)),
        "{text}"
    );
    assert!(
        text.contains(&format!("# TYPE {} histogram", names::PARSE_DURATION)),
        "{text}"
    );
    assert_eq!(
        s(names::BUILD_INFO, &[("version", env!("CARGO_PKG_VERSION"))]),
        Some(1.0)
    );

    let (status, _, body) = fetch(addr, "/nope").await;
    assert_eq!(status, 404, "{body}");
    stop.send(()).unwrap();
    server.stopped().await;
    assert!(
        TcpStream::connect(addr).is_err(),
        "the listener is closed after shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_readyz_follow_the_stages() {
    let readiness = Arc::new(Readiness::default());
    let (server, stop) = start(readiness.clone()).await;
    let addr = server.local_addr();

    let (status, _, body) = fetch(addr, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));

    let (status, _, body) = fetch(addr, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("parse: waiting for partition assignment"),
        "{body}"
    );
    assert!(body.contains("broker: not contacted yet"), "{body}");

    readiness.stage_assigned(Stage::Parse, 3);
    readiness.stage_restoring(Stage::Dedup);
    readiness.stage_assigned(Stage::Dedup, 3);
    readiness.broker_contact();
    let (status, _, body) = fetch(addr, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("dedup: restoring"), "{body}");

    readiness.stage_ready(Stage::Dedup);
    let (status, _, body) = fetch(addr, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("parse: assigned 3 partitions\ndedup: assigned 3 partitions\nbroker: reachable (last contact"), "{body}");

    readiness.stage_stopped(Stage::Parse);
    let (status, _, body) = fetch(addr, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("parse: stopped"), "{body}");

    let text = fetch(addr, "/metrics").await.2;
    assert_eq!(
        sample(&text, names::PARTITIONS_ASSIGNED, &[("stage", "dedup")]),
        Some(3.0)
    );
    stop.send(()).unwrap();
    server.stopped().await;
}

/// `check-config` shows the configuration with every SASL and SSL secret redacted, whether it
/// came from the environment or a flag.
#[test]
fn check_config_never_prints_secrets() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .args([
            "check-config",
            "--set",
            "kafka.properties.ssl.key.pem=-----BEGIN PRIVATE KEY-----pem-secret",
            "--set",
            "kafka.properties.ssl.key.password=key-secret",
            "--set",
            "kafka.consumer.sasl.oauthbearer.client.secret=oauth-secret",
        ])
        .env("WIREFEED_KAFKA__PROPERTIES__SECURITY_PROTOCOL", "SASL_SSL")
        .env(
            "WIREFEED_KAFKA__PROPERTIES__SASL_MECHANISM",
            "SCRAM-SHA-512",
        )
        .env("WIREFEED_KAFKA__PROPERTIES__SASL_USERNAME", "wirefeed-svc")
        .env("WIREFEED_KAFKA__PROPERTIES__SASL_PASSWORD", "sasl-secret")
        .env(
            "WIREFEED_KAFKA__PRODUCER__SSL_KEYSTORE_PASSWORD",
            "store-secret",
        )
        .output()
        .expect("run wirefeed check-config");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("# configuration OK"), "{stdout}");
    assert!(stdout.contains("wirefeed-svc"), "usernames stay visible");
    assert!(stdout.contains("SCRAM-SHA-512"));
    assert!(stdout.contains("[redacted]"));
    for output in [&stdout, &stderr] {
        for secret in [
            "pem-secret",
            "key-secret",
            "oauth-secret",
            "sasl-secret",
            "store-secret",
        ] {
            assert!(!output.contains(secret), "{secret} leaked:\n{output}");
        }
    }
}

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Grafana dashboard parses, queries only metrics wirefeed exports, and uses the data source
/// the provisioning defines.
#[test]
fn dashboard_queries_exported_metrics() {
    let dashboard: serde_json::Value =
        serde_json::from_str(&repo_file("deploy/grafana/dashboards/wirefeed.json")).unwrap();
    let datasources = repo_file("deploy/grafana/provisioning/datasources/prometheus.yml");
    let mut exprs = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let uid = target["datasource"]["uid"].as_str().unwrap();
            assert!(datasources.contains(&format!("uid: {uid}")), "{uid}");
            exprs.push(target["expr"].as_str().unwrap().to_owned());
        }
    }
    assert!(exprs.len() >= 15, "{} queries", exprs.len());
    let mut used = std::collections::BTreeSet::new();
    for expr in &exprs {
        let mut rest = expr.as_str();
        while let Some(at) = rest.find("wirefeed_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .filter(|b| names::ALL.contains(b))
                .unwrap_or(&name);
            assert!(names::ALL.contains(&base), "{name} in {expr}");
            used.insert(base.to_owned());
        }
    }
    for name in [
        names::RECORDS_CONSUMED,
        names::ARTICLES_PRODUCED,
        names::DUPLICATES,
        names::NEAR_DUPLICATES,
        names::DEAD_LETTERS,
        names::PARSE_DURATION,
        names::RECORD_TO_ARTICLE,
        names::PUBLICATION_TO_ARTICLE,
        names::CONSUMER_LAG,
        names::RESTORE_DURATION,
    ] {
        assert!(used.contains(name), "the dashboard shows {name}");
    }
}

/// Prometheus scrapes every wirefeed service of the compose file on its metrics port, and the
/// compose services mount the deploy files that exist.
#[test]
fn compose_monitoring_matches_the_instances() {
    use yaml_rust2::YamlLoader;
    let compose = YamlLoader::load_from_str(&repo_file("docker-compose.yml"))
        .unwrap()
        .remove(0);
    let prometheus = YamlLoader::load_from_str(&repo_file("deploy/prometheus.yml"))
        .unwrap()
        .remove(0);
    let targets: Vec<&str> = prometheus["scrape_configs"][0]["static_configs"][0]["targets"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let listen = compose["x-wirefeed"]["environment"]["WIREFEED_METRICS__LISTEN"]
        .as_str()
        .unwrap();
    let port = listen.rsplit_once(':').unwrap().1;
    let services = compose["services"].as_hash().unwrap();
    let instances: Vec<&str> = services
        .keys()
        .filter_map(|k| k.as_str())
        .filter(|k| k.starts_with("wirefeed-"))
        .collect();
    assert_eq!(instances.len(), 2);
    for instance in &instances {
        assert!(
            targets.contains(&format!("{instance}:{port}").as_str()),
            "{instance} scraped: {targets:?}"
        );
        let ports = compose["services"][*instance]["ports"].as_vec().unwrap();
        assert!(
            ports
                .iter()
                .any(|p| p.as_str().unwrap().ends_with(&format!(":{port}"))),
            "{instance} publishes its metrics port"
        );
    }
    for (service, image) in [
        ("prometheus", "prom/prometheus:"),
        ("grafana", "grafana/grafana:"),
    ] {
        let s = &compose["services"][service];
        assert!(s["image"].as_str().unwrap().starts_with(image));
        for volume in s["volumes"].as_vec().unwrap() {
            let host = volume.as_str().unwrap().split(':').next().unwrap();
            let path = format!("{}/{host}", env!("CARGO_MANIFEST_DIR"));
            assert!(
                std::path::Path::new(&path).exists(),
                "{service} mounts {host}"
            );
        }
    }
}
