//! Where a Python handler's cold start goes: instantiating the componentize-py snapshot
//! (CPython already initialised in it), then `init` (the adapter and the handler's import),
//! on bare wasmtime; and the simulator's cold and warm invocations of the same component.
//! `hello` imports nothing heavy; `slow_import` builds a table at import, so the difference of
//! their `init` is the handler's own import.
//!
//! Needs componentize-py (`LAMBDA_SIM_COMPONENTIZE_PY`, `target/py-venv`, or the `PATH`);
//! without it the bench says so and measures nothing.

use std::time::Instant;

use criterion::{BenchmarkId, Criterion};
use lambda_sim_benches::tools::{componentize_py, workspace};
use lambda_sim_runtime::{
    FULL_VCPU_MB, FunctionConfig, InvokeOptions, Payload, Runtime, RuntimeConfig,
};

fn main() {
    let Some(program) = componentize_py() else {
        println!("componentize-py not found: nothing measured (pip install componentize-py)");
        return;
    };
    let out = std::env::temp_dir().join("lambda-sim-bench-python");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
    let runtime = Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
    let mut c = Criterion::default().configure_from_args();
    let payload = Payload::json("{}").expect("JSON");
    for fixture in ["hello", "slow_import"] {
        let dir = workspace().join("fixtures/python").join(fixture);
        let wasm = out.join(format!("{fixture}.wasm"));
        lambda_sim_build::build_python_with(&program, &dir, "app.handler", &wasm).expect("builds");
        let path = wasm.to_str().expect("a UTF-8 path");
        let bare = lambda_sim_benches::baseline::Bare::new(runtime.engine(), path)
            .expect("the baseline links");
        let config = FunctionConfig::named(fixture.replace('_', "-")).memory_size_mb(FULL_VCPU_MB);
        let function = runtime.load_file(path, config).expect("loads");

        let mut group = c.benchmark_group(format!("python-{fixture}"));
        group.sample_size(20);
        group.bench_function(BenchmarkId::new("bare-instantiate", fixture), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(bare.instance().await.expect("an instance"));
                    }
                    start.elapsed()
                })
            })
        });
        group.bench_function(BenchmarkId::new("bare-instantiate-init", fixture), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(bare.warm_instance().await.expect("a warm instance"));
                    }
                    start.elapsed()
                })
            })
        });
        group.bench_function(BenchmarkId::new("simulator-cold", fixture), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        function.evict_all();
                        let invocation = function
                            .invoke(&payload, InvokeOptions::default())
                            .await
                            .expect("invokes");
                        assert!(invocation.is_cold());
                    }
                    start.elapsed()
                })
            })
        });
        group.bench_function(BenchmarkId::new("simulator-warm", fixture), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let _ = function.invoke(&payload, InvokeOptions::default()).await;
                    let start = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(
                            function
                                .invoke(&payload, InvokeOptions::default())
                                .await
                                .expect("invokes"),
                        );
                    }
                    start.elapsed()
                })
            })
        });
        group.finish();
    }
    c.final_summary();
}
