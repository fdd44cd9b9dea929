//! `tracing` and `tracing-subscriber`, re-exported, and the subscriber upstream installs:
//! lines to stdout (the function's log), no time or target, `AWS_LAMBDA_LOG_LEVEL` (or
//! `RUST_LOG`, INFO by default) as the level and `AWS_LAMBDA_LOG_FORMAT=json` for JSON lines.
//!
//! One difference: `RUST_LOG`'s directives are read as `target=level` and `level` directives
//! (tracing-subscriber's `Targets`), not with `EnvFilter`, whose regex engine was a third of a
//! function's first build; span and field filters (`[span{field=value}]=debug`) are skipped.

use std::{env, str::FromStr};

use subscriber::filter::{LevelFilter, Targets};
use subscriber::layer::SubscriberExt;
use subscriber::util::SubscriberInitExt;
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

    let filter = directives(&env::var("RUST_LOG").unwrap_or_default())
        .unwrap_or_else(|| Targets::new().with_default(log_level));

    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_writer(writer);

    if log_format.eq_ignore_ascii_case("json") {
        tracing_subscriber::registry()
            .with(layer.json())
            .with(filter)
            .init()
    } else {
        tracing_subscriber::registry()
            .with(layer)
            .with(filter)
            .init()
    }
}

/// `RUST_LOG`'s `target=level` and `level` directives, each parsed on its own and a bad one
/// skipped, as `EnvFilter::from_env_lossy` reads them; `None` when there is none, so that the
/// default directive applies, as `with_default_directive` adds it only then.
fn directives(rust_log: &str) -> Option<Targets> {
    let mut filter = Targets::new();
    let mut any = false;
    for directive in rust_log.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let Ok(parsed) = Targets::from_str(directive) else {
            continue;
        };
        any = true;
        if let Some(level) = parsed.default_level() {
            filter = filter.with_default(level);
        }
        filter = filter.with_targets(
            parsed
                .iter()
                .map(|(target, level)| (target.to_owned(), level)),
        );
    }
    any.then_some(filter)
}
