//! The deployment files stay valid: `docker-compose.yml` parses, runs the official Apache Kafka
//! image in KRaft mode, and every `WIREFEED_*` variable it sets is a real configuration key with a
//! valid value. (No Docker engine runs here, so the stack itself is not started.)

use wirefeed::config::{Config, Sources};
use yaml_rust2::{Yaml, YamlLoader};

fn compose() -> Yaml {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml"))
        .unwrap();
    YamlLoader::load_from_str(&text)
        .expect("docker-compose.yml is valid YAML")
        .remove(0)
}

/// Applies a YAML merge key (`<<: *anchor`), which the YAML loader leaves as a plain key.
fn with_merge_key(service: &Yaml) -> Yaml {
    let mut merged = match &service["<<"] {
        Yaml::Hash(base) => base.clone(),
        _ => Default::default(),
    };
    for (k, v) in service.as_hash().unwrap() {
        if k.as_str() != Some("<<") {
            merged.insert(k.clone(), v.clone());
        }
    }
    Yaml::Hash(merged)
}

#[test]
fn kafka_service_is_official_image_in_kraft_mode() {
    let doc = compose();
    let kafka = &doc["services"]["kafka"];
    assert!(
        kafka["image"]
            .as_str()
            .unwrap()
            .starts_with("apache/kafka:")
    );
    let roles = kafka["environment"]["KAFKA_PROCESS_ROLES"]
        .as_str()
        .unwrap();
    assert!(
        roles.contains("controller") && roles.contains("broker"),
        "KRaft combined mode"
    );
    let topics = doc["services"]["topics"]["command"][0].as_str().unwrap();
    for t in [
        "wirefeed.raw",
        "wirefeed.keyed",
        "wirefeed.articles",
        "wirefeed.dead-letter",
    ] {
        assert!(topics.contains(t), "topic {t} created");
    }
}

#[test]
fn wirefeed_services_use_real_config_keys() {
    let doc = compose();
    let services = doc["services"].as_hash().unwrap();
    let mut instances = 0;
    for (name, service) in services {
        let service = &with_merge_key(service);
        let Some(image) = service["image"].as_str() else {
            continue;
        };
        if !image.starts_with("wirefeed") {
            continue;
        }
        instances += 1;
        let env: Vec<(String, String)> = service["environment"]
            .as_hash()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => panic!("unexpected value {other:?}"),
                };
                (k.as_str().unwrap().to_owned(), value)
            })
            .collect();
        assert!(
            env.iter()
                .any(|(k, _)| k == "WIREFEED_KAFKA__BOOTSTRAP_SERVERS")
        );
        let config = Config::load(&Sources {
            file: None,
            env,
            sets: Vec::new(),
        })
        .unwrap_or_else(|e| panic!("service {name:?}: {e}"));
        assert_eq!(config.kafka.bootstrap_servers, "kafka:9092");
        assert!(!config.kafka.create_topics);
    }
    assert_eq!(instances, 2, "two wirefeed instances");
}

#[test]
fn dockerfile_is_multi_stage_and_non_root() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile")).unwrap();
    assert_eq!(
        text.matches("\nFROM ").count() + usize::from(text.starts_with("FROM ")),
        2
    );
    assert!(text.contains("\nUSER wirefeed"));
}
