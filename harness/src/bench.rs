//! Criterion benchmarks of a handler's cold and warm paths, side by side, in one call.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{BenchmarkId, Criterion};
use lambda_sim_runtime::{FunctionConfig, InvokeOptions, Payload, Runtime, RuntimeConfig};
use serde_json::Value;

/// Adds two benchmarks to `c` under the group `name`: `cold/<name>` (destroy the environment,
/// then invoke: instantiate, init, handle) and `warm/<name>` (invoke a warm environment), with
/// `event` as the payload and Lambda's defaults (128 MB, measured CPU).
///
/// ```no_run
/// use criterion::Criterion;
/// use serde_json::json;
///
/// fn main() {
///     let mut c = Criterion::default().configure_from_args();
///     lambda_sim_harness::bench_cold_and_warm(&mut c, "my-handler", "my_handler.wasm", json!({"name": "Ada"}));
///     c.final_summary();
/// }
/// ```
///
/// Panics with a clear message if the component does not load or the event is not accepted,
/// as a benchmark cannot go on without them.
pub fn bench_cold_and_warm(c: &mut Criterion, name: &str, wasm: impl AsRef<Path>, event: Value) {
    let wasm = wasm.as_ref();
    let runtime = Runtime::new(RuntimeConfig::default())
        .unwrap_or_else(|err| panic!("failed to start the runtime: {err}"));
    let function = runtime
        .load_file(wasm, FunctionConfig::named("bench"))
        .unwrap_or_else(|err| panic!("failed to load `{}`: {err}", wasm.display()));
    let payload = Payload::from_value(&event);
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("failed to start tokio: {err}"));
    let mut group = c.benchmark_group(name);
    for path in ["cold", "warm"] {
        group.bench_function(BenchmarkId::new(path, name), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        if path == "cold" {
                            function.evict_all();
                        }
                        let invocation = function.invoke(&payload, InvokeOptions::default()).await;
                        std::hint::black_box(
                            invocation
                                .unwrap_or_else(|err| panic!("the invocation was refused: {err}")),
                        );
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

/// Criterion's median estimate of the benchmark `group/function/parameter` from the current
/// run, in nanoseconds (read from `criterion/` in the target directory, found as criterion
/// finds it: `$CARGO_TARGET_DIR`, else `cargo metadata`'s, else `target`), for benches that
/// print ratios after criterion's own report.
pub fn criterion_median_ns(group: &str, function: &str, parameter: &str) -> Option<f64> {
    let path = target_dir()
        .join("criterion")
        .join(group)
        .join(function)
        .join(parameter)
        .join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// The target directory criterion writes to: a bench runs in its package's directory, which
/// in a workspace is not where `target/` is.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let metadata = std::env::var_os("CARGO").and_then(|cargo| {
        std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()
    });
    metadata
        .and_then(|out| serde_json::from_slice::<serde_json::Value>(&out.stdout).ok())
        .and_then(|json| json["target_directory"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target"))
}
