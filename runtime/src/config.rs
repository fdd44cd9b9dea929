//! Function and runtime settings: plain structs with Lambda's defaults, validated in one place.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::billing::Architecture;
use crate::clock::ClockMode;
use crate::coldstart::{ColdStartModel, VpcModel};
use crate::cpu::{CpuMode, DEFAULT_FUEL_PER_SECOND};
use crate::{Error, Result};

/// The smallest memory size Lambda accepts, in MB.
pub const MIN_MEMORY_MB: u32 = 128;
/// The largest memory size Lambda accepts, in MB.
pub const MAX_MEMORY_MB: u32 = 10_240;
/// The smallest ephemeral storage (`/tmp`) Lambda accepts, in MB: the default.
pub const MIN_EPHEMERAL_STORAGE_MB: u32 = 512;
/// The largest ephemeral storage (`/tmp`) Lambda accepts, in MB.
pub const MAX_EPHEMERAL_STORAGE_MB: u32 = 10_240;
/// The longest timeout Lambda accepts.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(900);
/// Lambda's limit on the Init phase of an on-demand environment.
pub const INIT_LIMIT: Duration = Duration::from_secs(10);
/// The largest synchronous request or response payload, in bytes.
pub const MAX_SYNC_PAYLOAD: usize = 6_291_456;

/// Environment variables Lambda sets itself and refuses in a function's configuration.
pub const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// One function's configuration, as in `aws lambda create-function`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunctionConfig {
    /// The function's name: 1-64 letters, digits, hyphens or underscores. Default `function`.
    pub name: String,
    /// Memory size in MB, 128 to 10,240. Default 128. The guest's linear memory is capped
    /// there (and at 4,096 MB, the most a 32-bit WebAssembly memory can address).
    pub memory_size_mb: u32,
    /// The size of `/tmp` in MB, 512 to 10,240. Default 512. A guest's write past it fails
    /// with "No space left on device", as on Lambda.
    pub ephemeral_storage_mb: u32,
    /// The invocation timeout, 1 to 900 s. Default 3 s.
    #[serde(with = "seconds")]
    pub timeout: Duration,
    /// The function's own environment variables (Lambda's standard ones are added).
    pub environment: BTreeMap<String, String>,
    /// The region in ARNs and `AWS_REGION`. Default `us-east-1`.
    pub region: String,
    /// The account id in ARNs. Default `123456789012`.
    pub account_id: String,
    /// The instruction set, for the price. Default `x86_64`.
    pub architecture: Architecture,
    /// Whether the function is attached to a VPC (its cold starts then pay the simulation's
    /// VPC model). Default `false`.
    pub vpc: bool,
    /// Reserved concurrency: the most environments the function may use at once, and a
    /// share of the account's limit no other function can take. Default none.
    pub reserved_concurrency: Option<u32>,
    /// Provisioned concurrency: environments initialised before the first invocation, so that
    /// up to this many concurrent invocations see no cold start. Default 0.
    pub provisioned_concurrency: u32,
    /// Active tracing (X-Ray): each invocation gets a trace id, passed to the handler in its
    /// context and printed on the REPORT line. Default `false` (PassThrough).
    pub tracing: bool,
    /// SnapStart (`ApplyOn: PublishedVersions`): `init` runs once when the function is
    /// published (its first cold start here), the environment is snapshotted, and every cold
    /// start restores that snapshot instead of running `init`. Default `false`.
    pub snap_start: bool,
}

impl Default for FunctionConfig {
    fn default() -> Self {
        FunctionConfig {
            name: "function".to_owned(),
            memory_size_mb: MIN_MEMORY_MB,
            ephemeral_storage_mb: MIN_EPHEMERAL_STORAGE_MB,
            timeout: Duration::from_secs(3),
            environment: BTreeMap::new(),
            region: "us-east-1".to_owned(),
            account_id: "123456789012".to_owned(),
            architecture: Architecture::X86_64,
            vpc: false,
            reserved_concurrency: None,
            provisioned_concurrency: 0,
            tracing: false,
            snap_start: false,
        }
    }
}

impl FunctionConfig {
    /// A configuration with Lambda's defaults and the given name.
    pub fn named(name: impl Into<String>) -> Self {
        FunctionConfig {
            name: name.into(),
            ..FunctionConfig::default()
        }
    }

    /// Sets the memory size in MB (default 128).
    pub fn memory_size_mb(mut self, mb: u32) -> Self {
        self.memory_size_mb = mb;
        self
    }

    /// Sets the size of `/tmp` in MB (default 512).
    pub fn ephemeral_storage_mb(mut self, mb: u32) -> Self {
        self.ephemeral_storage_mb = mb;
        self
    }

    /// Sets the timeout (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.insert(key.into(), value.into());
        self
    }

    /// Sets the architecture (default x86_64).
    pub fn architecture(mut self, arch: Architecture) -> Self {
        self.architecture = arch;
        self
    }

    /// Attaches the function to a VPC (default not).
    pub fn vpc(mut self, attached: bool) -> Self {
        self.vpc = attached;
        self
    }

    /// Sets reserved concurrency (default none).
    pub fn reserved_concurrency(mut self, limit: u32) -> Self {
        self.reserved_concurrency = Some(limit);
        self
    }

    /// Turns active tracing on (default off).
    pub fn tracing(mut self, active: bool) -> Self {
        self.tracing = active;
        self
    }

    /// Turns SnapStart on (default off).
    pub fn snap_start(mut self, on: bool) -> Self {
        self.snap_start = on;
        self
    }

    /// Sets provisioned concurrency (default 0).
    pub fn provisioned_concurrency(mut self, count: u32) -> Self {
        self.provisioned_concurrency = count;
        self
    }

    /// The function's unqualified ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region, self.account_id, self.name
        )
    }

    /// Checks every setting against Lambda's limits; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(Error::InvalidConfig(format!(
                "function name `{}` must be 1 to 64 letters, digits, hyphens or underscores",
                self.name
            )));
        }
        if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&self.memory_size_mb) {
            return Err(Error::InvalidConfig(format!(
                "memory size {} MB is outside Lambda's range of {MIN_MEMORY_MB} to {MAX_MEMORY_MB} MB",
                self.memory_size_mb
            )));
        }
        if !(MIN_EPHEMERAL_STORAGE_MB..=MAX_EPHEMERAL_STORAGE_MB)
            .contains(&self.ephemeral_storage_mb)
        {
            return Err(Error::InvalidConfig(format!(
                "ephemeral storage {} MB is outside Lambda's range of {MIN_EPHEMERAL_STORAGE_MB} to {MAX_EPHEMERAL_STORAGE_MB} MB",
                self.ephemeral_storage_mb
            )));
        }
        if self.timeout < Duration::from_secs(1) || self.timeout > MAX_TIMEOUT {
            return Err(Error::InvalidConfig(format!(
                "timeout {:.3} s is outside Lambda's range of 1 to 900 seconds",
                self.timeout.as_secs_f64()
            )));
        }
        if let Some(reserved) = self.reserved_concurrency
            && self.provisioned_concurrency > reserved
        {
            return Err(Error::InvalidConfig(format!(
                "provisioned concurrency {} exceeds the reserved concurrency {reserved}",
                self.provisioned_concurrency
            )));
        }
        if self.snap_start && self.provisioned_concurrency > 0 {
            return Err(Error::InvalidConfig(
                "SnapStart cannot be used with provisioned concurrency, as on Lambda".to_owned(),
            ));
        }
        if self.snap_start && self.ephemeral_storage_mb > MIN_EPHEMERAL_STORAGE_MB {
            return Err(Error::InvalidConfig(format!(
                "SnapStart needs ephemeral storage of {MIN_EPHEMERAL_STORAGE_MB} MB at most, as on \
                 Lambda (it is {} MB)",
                self.ephemeral_storage_mb
            )));
        }
        for key in self.environment.keys() {
            let valid = key.len() >= 2
                && key.as_bytes()[0].is_ascii_alphabetic()
                && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(Error::InvalidConfig(format!(
                    "environment variable name `{key}` must start with a letter and hold only \
                     letters, digits and underscores (2 characters at least)"
                )));
            }
            if RESERVED_ENV.contains(&key.as_str()) {
                return Err(Error::InvalidConfig(format!(
                    "environment variable `{key}` is reserved by Lambda"
                )));
            }
        }
        Ok(())
    }
}

/// Settings of the simulator itself, shared by every function it runs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RuntimeConfig {
    /// How many execution environments (sandboxes) may exist at once, warm or busy, across
    /// all functions. Default 1,000 (Lambda's default account concurrency).
    pub max_environments: u32,
    /// Where compiled components are cached; `None` compiles every time. Default: the
    /// `LAMBDA_SIM_CACHE_DIR` variable, else `$XDG_CACHE_HOME/lambda-sim`, else
    /// `~/.cache/lambda-sim`.
    pub cache_dir: Option<PathBuf>,
    /// The most log bytes kept for one invocation; past it the log is cut with a note.
    /// Default 1 MiB.
    pub max_log_bytes: usize,
    /// How many empty `/tmp` directories are kept ready for cold starts. Default 64: the
    /// background thread that refills them is woken when half are used, and fewer wakes
    /// leave the cores to the guests.
    pub ready_tmp_dirs: usize,
    /// Whether the Init phase is billed (the rule since 1 August 2025; `false` for the old
    /// rule where on-demand init was free). Default `true`.
    pub bill_init: bool,
    /// The seed of every random draw (cold-start delays, request ids, log stream names);
    /// `None` draws one. Default `None`.
    pub seed: Option<u64>,
    /// Where the object store (S3 buckets, Firehose's deliveries) keeps its files; `None`
    /// uses a temporary directory removed with the runtime. Default `None`.
    pub objects_dir: Option<PathBuf>,
    /// Real or virtual time. Default real.
    pub clock: ClockMode,
    /// Measured or deterministic CPU. Default measured.
    pub cpu: CpuMode,
    /// Fuel one vCPU burns per second in deterministic mode. Default 10^9.
    pub fuel_per_second: u64,
    /// Delays added to each cold start. Default the `none` preset.
    pub cold_start: ColdStartModel,
    /// What a VPC costs functions attached to one. Default none.
    pub vpc: VpcModel,
    /// When warm environments are reclaimed.
    pub eviction: EvictionPolicy,
    /// The account's concurrency limit across all functions. Default 1,000.
    pub account_concurrency: u32,
    /// How fast each function may add environments.
    pub scaling: ScalingRate,
    /// The waits before an asynchronous (`Event`) invocation's retries: Lambda retries a
    /// failed event twice, after about 1 and 2 minutes. Default `[60 s, 120 s]`.
    pub event_retry_delays: Vec<Duration>,
}

/// How fast a function's concurrency may grow: Lambda's 1,000 environments every 10 seconds
/// per function. An environment that replaces a destroyed one (evicted, killed, reset) does
/// not count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScalingRate {
    /// New environments a function may add at once. Default 1,000.
    pub burst: u32,
    /// New environments a function may add per second after that. Default 100.
    pub per_second: f64,
}

impl Default for ScalingRate {
    fn default() -> Self {
        ScalingRate {
            burst: 1_000,
            per_second: 100.0,
        }
    }
}

/// When idle environments are reclaimed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvictionPolicy {
    /// An environment idle this long is destroyed. Lambda does not document it: measured at
    /// 5 minutes before 2017 and 45-60 minutes in 2017. Default 45 minutes.
    #[serde(with = "seconds")]
    pub idle_timeout: Duration,
    /// An environment older than this is destroyed when it next falls idle (Lambda recycles
    /// environments after some hours; undocumented). Default none.
    #[serde(with = "option_seconds")]
    pub max_lifetime: Option<Duration>,
    /// The most idle environments a function keeps; past it the least recently used goes.
    /// Default none.
    pub max_warm: Option<usize>,
}

impl Default for EvictionPolicy {
    fn default() -> Self {
        EvictionPolicy {
            idle_timeout: Duration::from_secs(45 * 60),
            max_lifetime: None,
            max_warm: None,
        }
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            max_environments: 1_000,
            cache_dir: default_cache_dir(),
            max_log_bytes: 1 << 20,
            ready_tmp_dirs: 64,
            bill_init: true,
            seed: None,
            objects_dir: None,
            clock: ClockMode::Real,
            cpu: CpuMode::Measured,
            fuel_per_second: DEFAULT_FUEL_PER_SECOND,
            cold_start: ColdStartModel::default(),
            vpc: VpcModel::None,
            eviction: EvictionPolicy::default(),
            account_concurrency: 1_000,
            scaling: ScalingRate::default(),
            event_retry_delays: vec![Duration::from_secs(60), Duration::from_secs(120)],
        }
    }
}

impl RuntimeConfig {
    /// Sets how many environments may exist at once (default 1,000).
    pub fn max_environments(mut self, count: u32) -> Self {
        self.max_environments = count;
        self
    }

    /// Sets the compile cache directory, or `None` to disable it.
    pub fn cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }

    /// Sets the per-invocation log cap in bytes (default 1 MiB).
    pub fn max_log_bytes(mut self, bytes: usize) -> Self {
        self.max_log_bytes = bytes;
        self
    }

    /// Sets whether the Init phase is billed (default `true`, the 2025 rule).
    pub fn bill_init(mut self, billed: bool) -> Self {
        self.bill_init = billed;
        self
    }

    /// Sets the object store's directory (default: a temporary one).
    pub fn objects_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.objects_dir = dir;
        self
    }

    /// Sets the seed (default: drawn at random).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets the clock (default real).
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.clock = mode;
        self
    }

    /// Sets the CPU mode (default measured).
    pub fn cpu(mut self, mode: CpuMode) -> Self {
        self.cpu = mode;
        self
    }

    /// Sets the cold-start model (default `none`).
    pub fn cold_start(mut self, model: ColdStartModel) -> Self {
        self.cold_start = model;
        self
    }

    /// Sets the VPC model (default none).
    pub fn vpc(mut self, model: VpcModel) -> Self {
        self.vpc = model;
        self
    }

    /// Sets the eviction policy.
    pub fn eviction(mut self, policy: EvictionPolicy) -> Self {
        self.eviction = policy;
        self
    }

    /// Sets the scaling rate (default 1,000 at once, then 100 per second).
    pub fn scaling(mut self, rate: ScalingRate) -> Self {
        self.scaling = rate;
        self
    }

    /// Sets the waits before an event's retries (default 60 s, then 120 s).
    pub fn event_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.event_retry_delays = delays;
        self
    }

    /// Sets the account's concurrency limit (default 1,000).
    pub fn account_concurrency(mut self, limit: u32) -> Self {
        self.account_concurrency = limit;
        self
    }

    /// Checks every setting; the error names the first bad one. `Runtime::new` calls it.
    pub fn validate(&self) -> Result<()> {
        if self.max_environments == 0 {
            return Err(Error::InvalidConfig(
                "`max_environments` must be at least 1".to_owned(),
            ));
        }
        if self.account_concurrency == 0 {
            return Err(Error::InvalidConfig(
                "the account concurrency limit must be at least 1".to_owned(),
            ));
        }
        if self.fuel_per_second == 0 {
            return Err(Error::InvalidConfig(
                "`fuel_per_second` must be at least 1".to_owned(),
            ));
        }
        self.cold_start.placement.validate("the placement")?;
        self.cold_start.runtime_init.validate("the runtime init")?;
        self.vpc.validate()?;
        if self.scaling.burst == 0
            || !self.scaling.per_second.is_finite()
            || self.scaling.per_second < 0.0
        {
            return Err(Error::InvalidConfig(
                "the scaling rate needs a burst of 1 or more and a rate of 0 or more per second"
                    .to_owned(),
            ));
        }
        if self.eviction.idle_timeout.is_zero() {
            return Err(Error::InvalidConfig(
                "the idle timeout must be more than 0".to_owned(),
            ));
        }
        Ok(())
    }
}

fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LAMBDA_SIM_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("lambda-sim"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("lambda-sim"))
}

/// Durations as seconds (with a fraction) in configuration files, as Lambda's `Timeout`.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(value.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

/// Optional durations as seconds in configuration files.
mod option_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Option::<f64>::deserialize(d)?
            .map(|secs| Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(config: FunctionConfig) -> String {
        match config.validate() {
            Err(err) => err.to_string(),
            Ok(()) => panic!("{config:?} should be rejected"),
        }
    }

    #[test]
    fn defaults_are_lambdas() {
        let config = FunctionConfig::default();
        assert_eq!(config.memory_size_mb, 128);
        assert_eq!(config.timeout, Duration::from_secs(3));
        assert!(config.validate().is_ok());
        assert_eq!(
            config.arn(),
            "arn:aws:lambda:us-east-1:123456789012:function:function"
        );
    }

    #[test]
    fn out_of_range_settings_are_named() {
        assert_eq!(
            error_of(FunctionConfig::default().memory_size_mb(127)),
            "invalid configuration: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
        );
        assert_eq!(
            error_of(FunctionConfig::default().memory_size_mb(10_241)),
            "invalid configuration: memory size 10241 MB is outside Lambda's range of 128 to 10240 MB"
        );
        assert_eq!(
            error_of(FunctionConfig::default().timeout(Duration::ZERO)),
            "invalid configuration: timeout 0.000 s is outside Lambda's range of 1 to 900 seconds"
        );
        assert_eq!(
            error_of(FunctionConfig::default().timeout(Duration::from_secs(901))),
            "invalid configuration: timeout 901.000 s is outside Lambda's range of 1 to 900 seconds"
        );
        assert_eq!(
            error_of(FunctionConfig::named("../etc")),
            "invalid configuration: function name `../etc` must be 1 to 64 letters, digits, hyphens or underscores"
        );
        assert_eq!(
            error_of(FunctionConfig::default().env("AWS_REGION", "eu-west-1")),
            "invalid configuration: environment variable `AWS_REGION` is reserved by Lambda"
        );
    }
}
