//! `tracing` and `tracing-subscriber`, re-exported, and the subscriber upstream installs:
//! lines to stdout (the function's log), no time or target, `AWS_LAMBDA_LOG_LEVEL` (or
//! `RUST_LOG`, INFO by default) as the level and `AWS_LAMBDA_LOG_FORMAT=json` for JSON lines.

use std::{env, str::FromStr};

use subscriber::filter::{EnvFilter, LevelFilter};
pub use tracing::*;
pub use tracing_subscriber as subscriber;
use tracing_subscriber::fmt::MakeWriter;

const DEFAULT_LOG_LEVEL: &str = "INFO";

/// Installs the default subscriber, writing to stdout.
pub fn init_default_subscriber() {
    init_default_subscriber_with_writer(std::io::stdout);
}

/// Installs the default subscriber with a writer of your choice.
pub fn init_default_subscriber_with_writer<Writer>(writer: Writer)
where
    Writer: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let log_format = env::var("AWS_LAMBDA_LOG_FORMAT").unwrap_or_default();
    let log_level_str = env::var("AWS_LAMBDA_LOG_LEVEL").or_else(|_| env::var("RUST_LOG"));
    let log_level = LevelFilter::from_str(log_level_str.as_deref().unwrap_or(DEFAULT_LOG_LEVEL))
        .unwrap_or(LevelFilter::INFO);

    let collector = tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::builder()
                .with_default_directive(log_level.into())
                .from_env_lossy(),
        )
        .with_writer(writer);

    if log_format.eq_ignore_ascii_case("json") {
        collector.json().init()
    } else {
        collector.init()
    }
}
