//! Times the dedup state restore of every partition of an articles topic: how long a dedup stage
//! takes to rebuild its state on assignment. `restore_time BOOTSTRAP ARTICLES_TOPIC PARTITIONS`.

use std::time::{Duration, Instant};

use wirefeed::config::{Config, Sources};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (bootstrap, topic, partitions) = (&args[1], &args[2], args[3].parse::<i32>().unwrap());
    let config = Config::load(&Sources {
        file: None,
        env: Vec::new(),
        sets: vec![
            format!("kafka.bootstrap_servers={bootstrap}"),
            format!("kafka.topics.articles={topic}"),
        ],
    })
    .unwrap();
    let started = Instant::now();
    let (mut keys, mut records) = (0, 0);
    for p in 0..partitions {
        let (state, report) = wirefeed::kafka::restore::restore_partition(
            &config.kafka,
            p,
            config.dedup.same_story(),
            config.dedup.restore_lookback,
            Duration::from_secs(600),
            &std::sync::atomic::AtomicBool::new(false),
        )
        .unwrap_or_else(|f| panic!("partition {p}: {}", f.cause));
        assert!(report.complete, "partition {p} incomplete");
        keys += state.len();
        records += report.records;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "restore: {records} article records, {keys} keys in {secs:.2} s ({:.1} s per 1M keys)",
        secs * 1e6 / keys.max(1) as f64
    );
}
