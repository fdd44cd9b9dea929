//! A function written for `lambda_runtime` (the README's basic example, built unchanged with
//! the stand-ins) against our SDK's `hello`, warm, at the same memory size, in one run:
//! criterion's time per warm invocation, then each side's mean REPORT Duration (the time in
//! the handler, what Lambda bills) and their ratio (target: the stand-in within 2x).
//! `cargo bench -p lambda-sim-benches --bench compat`.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lambda_sim_runtime::{
    Function, FunctionConfig, InvokeOptions, Payload, Runtime, RuntimeConfig,
};

const MEMORY_MB: u32 = 1769;
const REPORTS: u32 = 2_000;

fn main() {
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/lambda-runtime/basic");
    let basic = lambda_sim_build::build_handler(&basic)
        .unwrap_or_else(|err| panic!("the lambda_runtime example builds: {err}"));
    let runtime = Runtime::new(RuntimeConfig::default()).expect("the runtime starts");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let sides = [
        (
            "sdk-hello",
            Path::new(lambda_sim_fixtures::HELLO),
            r#"{"name": "Ada"}"#,
        ),
        (
            "lambda_runtime-basic",
            basic.as_path(),
            r#"{"firstName": "Ada"}"#,
        ),
    ];
    let functions: Vec<(&str, Function, Payload)> = sides
        .iter()
        .map(|(name, wasm, event)| {
            let config = FunctionConfig::named(*name).memory_size_mb(MEMORY_MB);
            let function = runtime.load_file(wasm, config).expect("the function loads");
            (*name, function, Payload::json(event).expect("JSON"))
        })
        .collect();

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("compat");
    for (name, function, payload) in &functions {
        tokio.block_on(invoke(function, payload));
        group.bench_function(BenchmarkId::new("warm", name), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(invoke(function, payload).await);
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
    c.final_summary();

    let mut durations = Vec::new();
    for (name, function, payload) in &functions {
        let mut total = Duration::ZERO;
        for _ in 0..REPORTS {
            total += tokio.block_on(invoke(function, payload));
        }
        let mean = total / REPORTS;
        println!(
            "{name:<24} mean REPORT Duration over {REPORTS} warm invocations: {:.2} us",
            mean.as_secs_f64() * 1e6
        );
        durations.push(mean);
    }
    let ratio = durations[1].as_secs_f64() / durations[0].as_secs_f64();
    println!(
        "lambda_runtime-basic / sdk-hello warm Duration: {ratio:.2}x (target <= 2x): {}",
        if ratio <= 2.0 { "pass" } else { "FAIL" }
    );
}

/// One warm invocation; its REPORT Duration.
async fn invoke(function: &Function, payload: &Payload) -> Duration {
    let invocation = function
        .invoke(payload, InvokeOptions::default())
        .await
        .expect("an environment is available");
    assert!(invocation.error().is_none(), "{:?}", invocation.error());
    invocation.report.duration
}
