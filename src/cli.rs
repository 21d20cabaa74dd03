//! The command line: `run`, `dev`, `parse`, `check-config`.
//!
//! Exit status: 0 on success; 1 on a runtime failure (or, for `parse`, when any item failed);
//! 2 on a configuration error, with a message naming the key to fix.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, ConfigError, LogFormat, Sources};
use crate::ninjs::{self, NinjsVersion, RenderOptions};
use crate::pipeline::{self, ParseOptions, RawInput};

/// wirefeed: news wire feeds in, deduplicated IPTC ninjs articles out, over Kafka.
#[derive(Debug, Parser)]
#[command(name = "wirefeed", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run both stages against the configured Kafka cluster until SIGINT/SIGTERM.
    Run(ConfigArgs),
    /// Run everything on an embedded broker with a bundled sample feed and print the articles.
    Dev(DevArgs),
    /// Re-run a bounded range of the raw topic through the pipeline (backfill) and print a summary.
    Replay(ReplayArgs),
    /// Parse files (or stdin) and print one ninjs article per line; failures go to stderr.
    Parse(ParseArgs),
    /// Load and validate the configuration, then print it with secrets redacted.
    CheckConfig(ConfigArgs),
}

/// Where configuration comes from.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML configuration file (keys not in it keep their defaults).
    #[arg(long, short, env = "WIREFEED_CONFIG")]
    pub config: Option<PathBuf>,
    /// Shorthand for --set kafka.bootstrap_servers=...
    #[arg(long)]
    pub bootstrap_servers: Option<String>,
    /// Override any key: --set dedup.window=24h (repeatable; wins over file and environment).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

impl ConfigArgs {
    /// Loads the configuration from file, environment and flags.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key.
    pub fn load(&self) -> Result<Config, ConfigError> {
        let mut sets = Vec::new();
        if let Some(b) = &self.bootstrap_servers {
            sets.push(format!("kafka.bootstrap_servers={b}"));
        }
        sets.extend(self.sets.iter().cloned());
        Config::load(&Sources {
            file: self.config.as_deref(),
            env: std::env::vars().collect(),
            sets,
        })
    }
}

/// `wirefeed dev` options.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// Exit once the sample feed is fully processed instead of waiting for more input.
    #[arg(long)]
    pub once: bool,
    /// Print each article as its full ninjs JSON instead of a one-line summary.
    #[arg(long)]
    pub json: bool,
    /// Configuration overrides, as for `run` (the broker is always the embedded one).
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `wirefeed replay` options.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Start: an RFC 3339 time, `beginning`, or PARTITION:OFFSET[,PARTITION:OFFSET...].
    #[arg(long)]
    pub from: crate::replay::Bound,
    /// End (exclusive), in the same forms; default: the end of each partition at start.
    #[arg(long)]
    pub to: Option<crate::replay::Bound>,
    /// Consumer group of the replay (running again with the same group resumes it).
    #[arg(long)]
    pub group: Option<String>,
    /// Do not join the dedup group: rely on running `wirefeed run` instances to dedup.
    #[arg(long)]
    pub no_dedup: bool,
    /// How long to wait for the dedup stage to process the replayed records.
    #[arg(long, default_value = "300s", value_parser = humantime::parse_duration)]
    pub wait: std::time::Duration,
    /// Configuration, as for `run`.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `wirefeed parse` options.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files, one item each; stdin when none.
    pub paths: Vec<PathBuf>,
    /// Force the input format instead of detecting it (e.g. json-envelope, scraped-text).
    #[arg(long)]
    pub format: Option<String>,
    /// ninjs version of the output.
    #[arg(long, default_value = "2.2", value_parser = parse_ninjs_version)]
    pub ninjs: NinjsVersion,
    /// Also write the wirefeed extension object (valid against wirefeed's extension schema, not
    /// the official one).
    #[arg(long, conflicts_with = "no_extension")]
    pub extension: bool,
    /// Leave out the extension object: the default, accepted for scripts written when it was not.
    #[arg(long, hide = true)]
    pub no_extension: bool,
    /// Pretty-print the JSON.
    #[arg(long)]
    pub pretty: bool,
}

fn parse_ninjs_version(s: &str) -> Result<NinjsVersion, String> {
    match s {
        "2.2" => Ok(NinjsVersion::V2_2),
        "3.1" => Ok(NinjsVersion::V3_1),
        _ => Err(format!("{s:?}: expected 2.2 or 3.1")),
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => parse_command(&args),
        Command::CheckConfig(args) => match args.load() {
            Ok(config) => {
                print!("{}", config.to_redacted_toml());
                println!("# configuration OK");
                ExitCode::SUCCESS
            }
            Err(e) => config_failure(&e),
        },
        Command::Run(args) => {
            let config = match args.load() {
                Ok(c) => c,
                Err(e) => return config_failure(&e),
            };
            init_logging(&config);
            runtime_result(|| async move { crate::app::run(config).await })
        }
        Command::Replay(args) => {
            let config = match args.config.load() {
                Ok(c) => c,
                Err(e) => return config_failure(&e),
            };
            init_logging(&config);
            let options = crate::replay::ReplayOptions {
                from: args.from,
                to: args.to,
                group: args.group,
                with_dedup: !args.no_dedup,
                wait: args.wait,
                progress: true,
            };
            runtime_result(|| async move {
                let summary = crate::replay::run(config, options).await?;
                println!("{}", summary.line());
                Ok(())
            })
        }
        Command::Dev(args) => {
            let config = match args.config.load() {
                Ok(c) => c,
                Err(e) => return config_failure(&e),
            };
            init_logging(&config);
            runtime_result(|| async move { crate::dev::run(config, args.once, args.json).await })
        }
    }
}

fn config_failure(e: &ConfigError) -> ExitCode {
    eprintln!("wirefeed: configuration error: {e}");
    ExitCode::from(2)
}

fn runtime_result<F, Fut>(f: F) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wirefeed: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(f()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("wirefeed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Installs the tracing subscriber: `RUST_LOG` if set, else `log.level`; text or JSON to stderr.
pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Fails only when a subscriber is already installed (tests): keep that one.
    let installed = match config.log.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    drop(installed);
}

fn parse_command(args: &ParseArgs) -> ExitCode {
    let render = RenderOptions {
        version: args.ninjs,
        extension: args.extension,
    };
    let options = ParseOptions::default();
    let mut inputs: Vec<(String, std::io::Result<Vec<u8>>)> = Vec::new();
    if args.paths.is_empty() {
        let mut buf = Vec::new();
        let read = std::io::stdin().read_to_end(&mut buf).map(|_| buf);
        inputs.push(("-".into(), read));
    } else {
        for p in &args.paths {
            inputs.push((p.display().to_string(), std::fs::read(p)));
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    for (name, bytes) in inputs {
        let result = bytes.map_err(|e| ("io", e.to_string())).and_then(|bytes| {
            pipeline::parse_record(
                RawInput {
                    payload: &bytes,
                    format_hint: args.format.as_deref(),
                    record_time: None,
                },
                &options,
            )
            .map_err(|r| (r.reason.as_str(), r.detail))
        });
        match result {
            Ok(articles) => {
                for article in articles {
                    let text = if args.pretty {
                        serde_json::to_vec_pretty(&ninjs::document(&article, render))
                    } else {
                        ninjs::to_vec(&article, render)
                    };
                    if let Ok(text) = text
                        && out
                            .write_all(&text)
                            .and_then(|()| out.write_all(b"\n"))
                            .is_err()
                    {
                        // stdout closed (e.g. piped into head): nothing more to print.
                        return ExitCode::from(u8::from(failed));
                    }
                }
            }
            Err((reason, detail)) => {
                failed = true;
                eprintln!(
                    "{}",
                    serde_json::json!({ "file": name, "reason": reason, "detail": detail })
                );
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
