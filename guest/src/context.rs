//! The invocation context a handler receives, as `lambda_runtime::Context`.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The function's static configuration, read once from Lambda's standard environment
/// variables (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, ...).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    pub memory: i32,
    /// `AWS_LAMBDA_FUNCTION_VERSION`, `$LATEST` unless published.
    pub version: String,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`.
    pub log_stream: String,
    /// `AWS_LAMBDA_LOG_GROUP_NAME`.
    pub log_group: String,
}

impl Config {
    /// Reads the configuration from the environment (once per environment).
    pub fn from_env() -> &'static Config {
        static CONFIG: OnceLock<Config> = OnceLock::new();
        CONFIG.get_or_init(|| {
            let var = |name: &str| std::env::var(name).unwrap_or_default();
            Config {
                function_name: var("AWS_LAMBDA_FUNCTION_NAME"),
                memory: var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                    .parse()
                    .unwrap_or(128),
                version: var("AWS_LAMBDA_FUNCTION_VERSION"),
                log_stream: var("AWS_LAMBDA_LOG_STREAM_NAME"),
                log_group: var("AWS_LAMBDA_LOG_GROUP_NAME"),
            }
        })
    }
}

/// What a handler knows about the invocation it serves.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The request id, as printed in `START RequestId: ...`.
    pub request_id: String,
    /// The execution deadline, in milliseconds since the Unix epoch.
    pub deadline: u64,
    /// The ARN the caller invoked.
    pub invoked_function_arn: String,
    /// The X-Ray trace header, when tracing is on.
    pub xray_trace_id: Option<String>,
    /// The client context sent by a mobile SDK, as JSON.
    pub client_context: Option<String>,
    /// The caller's Cognito identity, as JSON.
    pub identity: Option<String>,
    /// The function's static configuration.
    pub env_config: Config,
}

impl Context {
    /// The instant the invocation times out.
    pub fn deadline(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.deadline)
    }

    /// The time left before the invocation times out (zero once it has passed), as the
    /// Python runtime's `context.get_remaining_time_in_millis()`.
    pub fn remaining_time(&self) -> Duration {
        self.deadline()
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    }
}
