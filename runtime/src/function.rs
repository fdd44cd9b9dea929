//! A loaded function: its compiled component, its configuration, and its warm environments.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::bindings::lambda_sim::handler::types;
use crate::environment::{Ending, Environment};
use crate::invocation::{FunctionError, InitPhase, Invocation};
use crate::report::{Report, Status, billed_ms};
use crate::runtime::RuntimeInner;
use crate::{FunctionConfig, Payload, Result, bindings};

/// A function loaded into a [`Runtime`](crate::Runtime); cheap to clone.
///
/// Each invocation runs on a warm environment if one is idle, else on a new one (a cold
/// start); one environment serves one invocation at a time.
#[derive(Clone)]
pub struct Function {
    inner: Arc<FunctionInner>,
}

pub(crate) struct FunctionInner {
    pub(crate) runtime: Arc<RuntimeInner>,
    pub(crate) pre: bindings::FunctionPre<crate::host::Host>,
    pub(crate) config: FunctionConfig,
    pub(crate) arn: String,
    /// Lambda's standard variables and the function's own, in the order the guest sees them.
    pub(crate) env: Vec<(String, String)>,
    pub(crate) memory_limit: usize,
    idle: Mutex<Vec<Environment>>,
}

impl Function {
    pub(crate) fn new(
        runtime: Arc<RuntimeInner>,
        pre: bindings::FunctionPre<crate::host::Host>,
        config: FunctionConfig,
    ) -> Self {
        let arn = config.arn();
        let env = standard_env(&config);
        let memory_limit =
            usize::try_from(u64::from(config.memory_size_mb) << 20).unwrap_or(usize::MAX);
        Function {
            inner: Arc::new(FunctionInner {
                runtime,
                pre,
                config,
                arn,
                env,
                memory_limit,
                idle: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The function's configuration.
    pub fn config(&self) -> &FunctionConfig {
        &self.inner.config
    }

    /// How many environments are warm and idle.
    pub fn warm_environments(&self) -> usize {
        self.inner.idle().len()
    }

    /// Destroys every idle environment: the next invocation is a cold start. Returns how many
    /// were destroyed.
    pub fn evict_all(&self) -> usize {
        let evicted: Vec<Environment> = std::mem::take(&mut *self.inner.idle());
        let count = evicted.len();
        for env in evicted {
            env.destroy(&self.inner);
        }
        count
    }

    /// Invokes the function with a checked payload (see [`Payload::json`]).
    ///
    /// `Err` only when no environment could be had (the sandbox pool is full); everything the
    /// function does, including failing, is in the [`Invocation`].
    pub async fn invoke(&self, payload: &Payload) -> Result<Invocation> {
        let inner = &*self.inner;
        let request_id = uuid::Builder::from_random_bytes(rand::random())
            .into_uuid()
            .to_string();
        let warm = inner.idle().pop();
        let (mut env, init) = match warm {
            Some(env) => (env, None),
            None => {
                let started_at = SystemTime::now();
                let start = Instant::now();
                let mut env = Environment::create(inner).await?;
                let outcome = env.init(&request_id).await;
                let init = InitPhase {
                    duration: start.elapsed(),
                    log: env.take_log(),
                    error: outcome.result.err(),
                    started_at,
                };
                if init.error.is_some() || outcome.kind != Ending::Returned {
                    return Ok(self.failed_init(env, init, request_id));
                }
                (env, Some(init))
            }
        };

        let started_at = SystemTime::now();
        let deadline = started_at + inner.config.timeout;
        let context = types::Context {
            request_id,
            deadline_ms: deadline
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            invoked_function_arn: inner.arn.clone(),
            xray_trace_id: None,
            client_context: None,
            identity: None,
        };
        let outcome = env
            .invoke(payload.as_bytes(), &context, inner.config.timeout)
            .await;
        let mut log = env.take_log();
        let mut result = outcome.result;
        if let Ok(bytes) = &result
            && bytes.len() > crate::config::MAX_SYNC_PAYLOAD
        {
            result = Err(FunctionError::new(
                "Function.ResponseSizeTooLarge",
                format!(
                    "Response payload size exceeded maximum allowed payload size ({} bytes).",
                    crate::config::MAX_SYNC_PAYLOAD
                ),
            ));
        }
        let status = match (outcome.kind, &result) {
            (Ending::Returned, Ok(_)) => Status::Success,
            (Ending::Returned, Err(_)) => Status::Error,
            (Ending::Failed, _) if is_panic(&result) => Status::Error,
            (Ending::Failed, _) => Status::Failure,
            (Ending::TimedOut, _) => Status::Timeout,
        };
        if status == Status::Timeout {
            let line = format!(
                "{} {} Task timed out after {:.2} seconds\n",
                crate::report::timestamp(started_at + outcome.duration),
                context.request_id,
                inner.config.timeout.as_secs_f64()
            );
            log.bytes.extend_from_slice(line.as_bytes());
        }
        let init_duration = init.as_ref().map(|init| init.duration);
        let report = Report {
            request_id: context.request_id.clone(),
            duration: outcome.duration,
            billed_duration_ms: billed_ms(
                outcome.duration,
                init_duration,
                inner.runtime.config.bill_init,
            ),
            memory_size_mb: inner.config.memory_size_mb,
            max_memory_used_mb: mb_used(env.peak_memory()),
            init_duration,
            status,
            error_type: match status {
                Status::Failure => result.as_ref().err().map(|e| e.error_type.clone()),
                _ => None,
            },
        };
        let log_stream = env.log_stream.clone();
        if outcome.kind == Ending::Returned {
            inner.idle().push(env);
        } else {
            env.destroy(inner);
        }
        Ok(Invocation {
            request_id: context.request_id,
            result,
            report,
            init,
            log,
            log_stream,
            region: inner.config.region.clone(),
            started_at,
        })
    }

    /// The invocation of a cold start whose init failed: Lambda answers with the init's error
    /// and the environment is not kept.
    fn failed_init(&self, env: Environment, init: InitPhase, request_id: String) -> Invocation {
        let inner = &*self.inner;
        let error = init
            .error
            .clone()
            .unwrap_or_else(|| FunctionError::new("Runtime.InitError", "init failed"));
        let report = Report {
            request_id: request_id.clone(),
            duration: std::time::Duration::ZERO,
            billed_duration_ms: billed_ms(
                std::time::Duration::ZERO,
                Some(init.duration),
                inner.runtime.config.bill_init,
            ),
            memory_size_mb: inner.config.memory_size_mb,
            max_memory_used_mb: mb_used(env.peak_memory()),
            init_duration: Some(init.duration),
            status: Status::Failure,
            error_type: Some(error.error_type.clone()),
        };
        let log_stream = env.log_stream.clone();
        env.destroy(inner);
        let started_at = init.started_at + init.duration;
        Invocation {
            request_id,
            result: Err(error),
            report,
            init: Some(init),
            log: Default::default(),
            log_stream,
            region: inner.config.region.clone(),
            started_at,
        }
    }
}

impl FunctionInner {
    fn idle(&self) -> MutexGuard<'_, Vec<Environment>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A panic reported by the guest is a function error to the caller (as `lambda_runtime`
/// reports it), even though the sandbox is reset.
fn is_panic(result: &Result<Vec<u8>, FunctionError>) -> bool {
    matches!(result, Err(err) if err.error_message.starts_with("Lambda panicked"))
}

/// Bytes to MB (MiB, as Lambda counts), rounded up.
fn mb_used(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(1 << 20)
}

/// Lambda's standard environment variables, then the function's own.
fn standard_env(config: &FunctionConfig) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_FUNCTION_NAME", config.name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            config.memory_size_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", config.name),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_lambda-sim".to_owned()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
        ("TZ", ":UTC".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    env.extend(
        config
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    env
}
