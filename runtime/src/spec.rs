//! What every environment of a function is made from, computed once when the function is
//! loaded: the pre-instantiated component, the guest's variables, its limits and CPU model,
//! and the shared resources an environment takes from (the `/tmp` pool, the stores, the clock).

use std::sync::Arc;

use tempfile::TempDir;
use wasmtime::component::{Component, ComponentExportIndex, InstancePre, Linker};

use crate::bindings::FunctionIndices;
use crate::clock::Clock;
use crate::config::{FunctionConfig, RuntimeConfig};
use crate::host::Host;
use crate::invocation::Publication;
use crate::meter::Meter;
use crate::tmp::TmpDirs;
use crate::{Error, Result};

/// What an environment is instantiated from: the function's component, or the snapshot
/// SnapStart took of it after init.
pub(crate) struct Image {
    /// The component, type-checked against the linker (a pooled slot per instance).
    pub(crate) pre: InstancePre<Host>,
    /// Where its `init` and `handle` exports are.
    pub(crate) indices: FunctionIndices,
    /// Its SnapStart hooks, when it exports them.
    pub(crate) hooks: Option<Hooks>,
    /// The files a new environment's `/tmp` starts with (a snapshot's), if any.
    pub(crate) tmp: Option<TempDir>,
}

impl Image {
    /// The image of a component, checked against the handler world.
    pub(crate) fn new(pre: InstancePre<Host>) -> Result<Self> {
        let indices =
            FunctionIndices::new(&pre).map_err(|err| Error::WrongWorld(format!("{err:#}")))?;
        let hooks = Hooks::of(pre.component());
        Ok(Image {
            pre,
            indices,
            hooks,
            tmp: None,
        })
    }
}

/// The name under which a guest exports its hooks.
const HOOKS_EXPORT: &str = "lambda-sim:handler/snap-start@0.1.0";

/// Where a component's SnapStart hooks are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hooks {
    pub(crate) before_snapshot: ComponentExportIndex,
    pub(crate) after_restore: ComponentExportIndex,
}

impl Hooks {
    /// The component's hooks, if it exports the `snap-start` interface.
    pub(crate) fn of(component: &Component) -> Option<Hooks> {
        let (_, interface) = component.get_export(None, HOOKS_EXPORT)?;
        let (_, before_snapshot) = component.get_export(Some(&interface), "before-snapshot")?;
        let (_, after_restore) = component.get_export(Some(&interface), "after-restore")?;
        Some(Hooks {
            before_snapshot,
            after_restore,
        })
    }
}

/// What publishing needs besides the function's own image: the component's bytes, to
/// instrument and snapshot, and how to compile and link the result.
pub(crate) struct SnapSource {
    pub(crate) bytes: Arc<[u8]>,
    pub(crate) linker: Linker<Host>,
    pub(crate) cache_dir: Option<std::path::PathBuf>,
}

/// A published SnapStart function: the snapshot environments are restored from.
pub(crate) struct Snapshot {
    pub(crate) image: Image,
    pub(crate) publication: Publication,
}

/// The recipe of a function's environments.
pub(crate) struct EnvironmentSpec {
    /// The function's component.
    pub(crate) image: Image,
    /// What SnapStart snapshots, when it is on.
    pub(crate) snap_start: Option<SnapSource>,
    /// Lambda's standard variables and the function's own, in the order the guest sees them.
    pub(crate) variables: Vec<(String, String)>,
    /// The memory size in bytes: the cap on the guest's linear memories.
    pub(crate) memory_limit: usize,
    /// `/tmp`'s size (the function's ephemeral storage).
    pub(crate) ephemeral_storage_mb: u32,
    /// The most log bytes kept per invocation.
    pub(crate) max_log_bytes: usize,
    /// The sandboxes the engine's pool holds (named when none is left).
    pub(crate) max_environments: u32,
    /// Whether the guest's random sources are seeded from the run.
    pub(crate) seeded: bool,
    /// How phases are limited and timed.
    pub(crate) meter: Meter,
    /// The simulation's clock (a virtual one fixes the guest's clocks to the phase's start).
    pub(crate) clock: Clock,
    /// Where `/tmp` directories come from and go back to.
    pub(crate) tmp: Arc<TmpDirs>,
    /// The stores guests reach.
    pub(crate) services: lambda_sim_services::Services,
    /// What answers the guest's requests to the sandbox's AWS endpoint.
    pub(crate) endpoints: crate::outgoing::EndpointCell,
    /// The Lambda runtime the component declares (`nodejs22.x`), if any.
    pub(crate) declared_runtime: Option<String>,
}

impl EnvironmentSpec {
    pub(crate) fn new(
        image: Image,
        function: &FunctionConfig,
        runtime: &RuntimeConfig,
        clock: Clock,
        tmp: Arc<TmpDirs>,
        services: lambda_sim_services::Services,
        endpoints: crate::outgoing::EndpointCell,
    ) -> Self {
        EnvironmentSpec {
            image,
            snap_start: None,
            variables: standard_variables(function),
            memory_limit: usize::try_from(u64::from(function.memory_size_mb) << 20)
                .unwrap_or(usize::MAX),
            ephemeral_storage_mb: function.ephemeral_storage_mb,
            max_log_bytes: runtime.max_log_bytes,
            max_environments: runtime.max_environments,
            seeded: runtime.seed.is_some(),
            meter: Meter::new(
                runtime.cpu,
                clock.is_virtual(),
                function.memory_size_mb,
                runtime.fuel_per_second,
            ),
            clock,
            tmp,
            services,
            endpoints,
            declared_runtime: None,
        }
    }
}

/// Lambda's standard environment variables, then the function's own.
fn standard_variables(config: &FunctionConfig) -> Vec<(String, String)> {
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
        (
            "AWS_LAMBDA_INITIALIZATION_TYPE",
            if config.snap_start {
                "snap-start"
            } else {
                "on-demand"
            }
            .to_owned(),
        ),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_lambda-sim".to_owned()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
        // The execution role's temporary credentials, which the SDKs read first: lambda-sim's
        // AWS endpoints accept any signature, so these are placeholders, never real keys.
        ("AWS_ACCESS_KEY_ID", "ASIALAMBDASIM0000000".to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "lambda-sim/placeholder/secret/key/000000".to_owned(),
        ),
        (
            "AWS_SESSION_TOKEN",
            "lambda-sim-placeholder-session-token".to_owned(),
        ),
        // The SDKs' endpoint: the simulator's AWS APIs, answered in process (outgoing.rs).
        (
            "AWS_ENDPOINT_URL",
            crate::outgoing::SANDBOX_ENDPOINT.to_owned(),
        ),
        ("TZ", ":UTC".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if config.snap_start {
        // Lambda does not set it under SnapStart: it would be cloned into every restore.
        env.retain(|(key, _)| key != "AWS_LAMBDA_LOG_GROUP_NAME");
    }
    env.extend(
        config
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    env
}
