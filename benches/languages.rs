//! The three languages' hellos side by side, in one run: our SDK's Rust `hello`, the Python
//! `hello` (componentize-py) and the Node.js documentation `hello` (ComponentizeJS). Criterion
//! times a cold and a warm invocation of each at 1,769 MB (one vCPU); then each side's mean
//! REPORT figures at 128 and 1,769 MB: Init Duration over cold starts, Duration over warm
//! invocations (real clock, measured CPU: the throttle of small memory sizes applies).
//! `cargo bench --workspace --bench languages`.
//!
//! Needs componentize-py (`LAMBDA_SIM_COMPONENTIZE_PY`, `target/py-venv`, or the `PATH`) and
//! node with `npm ci` run in guest-node/; a language whose tools are missing is left out, said.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lambda_sim_benches::tools::{componentize_py, workspace};
use lambda_sim_runtime::{
    Function, FunctionConfig, InvokeOptions, Payload, Runtime, RuntimeConfig,
};

const COLD_REPORTS: u32 = 20;
const WARM_REPORTS: u32 = 500;

/// The hellos that build here: (name, component).
fn components() -> Vec<(&'static str, PathBuf)> {
    let out = std::env::temp_dir().join("lambda-sim-bench-languages");
    let mut sides = vec![("rust", PathBuf::from(lambda_sim_fixtures::HELLO))];
    match componentize_py() {
        Some(program) => {
            let wasm = out.join("python-hello.wasm");
            let dir = workspace().join("fixtures/python/hello");
            lambda_sim_build::build_python_with(&program, &dir, "app.handler", &wasm)
                .expect("the Python hello builds");
            sides.push(("python", wasm));
        }
        None => println!("componentize-py not found: the Python hello is left out"),
    }
    match lambda_sim_build::NodeTools::with_adapter(workspace().join("guest-node")) {
        Ok(tools) => {
            let started = Instant::now();
            let built = lambda_sim_build::build_node_with(
                &tools,
                &workspace().join("fixtures/node/hello"),
                "index.handler",
                None,
                &out.join("node-hello.wasm"),
            )
            .expect("the Node.js hello builds");
            let size = std::fs::metadata(&built.path).map_or(0, |m| m.len());
            println!(
                "node hello: {} in {:.2} s, {:.1} MB",
                if built.cached { "unchanged" } else { "built" },
                started.elapsed().as_secs_f64(),
                size as f64 / 1e6
            );
            sides.push(("node", built.path));
        }
        Err(err) => println!("the Node.js hello is left out: {err}"),
    }
    sides
}

fn main() {
    let sides = components();
    let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
    let runtime = Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let payload = Payload::json(r#"{"name": "Ada", "key1": "value1"}"#).expect("JSON");
    let load = |name: &str, wasm: &Path, memory: u32| {
        let config = FunctionConfig::named(format!("{name}-{memory}")).memory_size_mb(memory);
        runtime.load_file(wasm, config).expect("the hello loads")
    };

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("languages");
    group.sample_size(20);
    for (name, wasm) in &sides {
        let function = load(name, wasm, 1769);
        group.bench_function(BenchmarkId::new("cold", name), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        function.evict_all();
                        assert!(invoke(&function, &payload).await.1.is_some());
                    }
                    start.elapsed()
                })
            })
        });
        group.bench_function(BenchmarkId::new("warm", name), |b| {
            b.iter_custom(|iters| {
                tokio.block_on(async {
                    invoke(&function, &payload).await;
                    let start = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(invoke(&function, &payload).await);
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
    c.final_summary();

    println!("mean REPORT figures (real clock, measured CPU):");
    for memory in [128, 1769] {
        for (name, wasm) in &sides {
            let function = load(name, wasm, memory);
            let mut init = Duration::ZERO;
            for _ in 0..COLD_REPORTS {
                function.evict_all();
                init += tokio
                    .block_on(invoke(&function, &payload))
                    .1
                    .expect("a cold start");
            }
            let mut warm = Duration::ZERO;
            for _ in 0..WARM_REPORTS {
                warm += tokio.block_on(invoke(&function, &payload)).0;
            }
            println!(
                "{name:<7} {memory:>5} MB: Init Duration {:>8.2} ms (mean of {COLD_REPORTS}), warm Duration {:>8.3} ms (mean of {WARM_REPORTS})",
                (init / COLD_REPORTS).as_secs_f64() * 1e3,
                (warm / WARM_REPORTS).as_secs_f64() * 1e3,
            );
        }
    }
}

/// One invocation: its REPORT Duration and, on a cold start, Init Duration.
async fn invoke(function: &Function, payload: &Payload) -> (Duration, Option<Duration>) {
    let invocation = function
        .invoke(payload, InvokeOptions::default())
        .await
        .expect("an environment is available");
    assert!(invocation.error().is_none(), "{:?}", invocation.error());
    (invocation.report.duration, invocation.report.init_duration)
}
