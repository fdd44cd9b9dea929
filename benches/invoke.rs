//! Cold and warm invocations of `hello` through the simulator, next to bare wasmtime doing
//! the same work on the same engine (instantiate the component, call `init`, call `handle`
//! with the same 1 KB event), so the simulator's overhead reads as a ratio.
//!
//! `cargo bench -p lambda-sim-benches --bench invoke` prints criterion's figures, then a table
//! of medians and ratios against the targets (warm: within 1 us of the bare call; cold:
//! within 2x).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lambda_sim_runtime::{
    Function, FunctionConfig, InvokeOptions, Payload, Runtime, RuntimeConfig,
};

use lambda_sim_benches::baseline::Bare;

struct Setup {
    tokio: tokio::runtime::Runtime,
    function: Function,
    payload: Payload,
    bare: Bare,
}

impl Setup {
    fn new() -> Self {
        let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
        let runtime =
            Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
        let function = runtime
            .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named("hello"))
            .expect("hello loads");
        let event = std::fs::read(format!(
            "{}/bench-1kb.json",
            lambda_sim_fixtures::EVENTS_DIR
        ))
        .expect("event");
        let payload = Payload::json(event).expect("JSON");
        let bare =
            Bare::new(runtime.engine(), lambda_sim_fixtures::HELLO).expect("the baseline links");
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio");
        Setup {
            tokio,
            function,
            payload,
            bare,
        }
    }
}

fn warm(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("warm");
    group.bench_function(BenchmarkId::new("simulator", "hello"), |b| {
        b.iter_custom(|iters| {
            setup.tokio.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let invocation = setup
                        .function
                        .invoke(&setup.payload, InvokeOptions::default())
                        .await
                        .expect("invokes");
                    black_box(invocation);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function(BenchmarkId::new("bare-wasmtime", "hello"), |b| {
        b.iter_custom(|iters| {
            setup.tokio.block_on(async {
                let (mut store, instance) =
                    setup.bare.warm_instance().await.expect("a warm instance");
                let start = Instant::now();
                for _ in 0..iters {
                    let response = instance
                        .call_handle(&mut store, setup.payload.as_bytes(), &setup.bare.context)
                        .await
                        .expect("handle");
                    black_box(response.expect("handle ok"));
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

fn cold(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("cold");
    group.bench_function(BenchmarkId::new("simulator", "hello"), |b| {
        b.iter_custom(|iters| {
            setup.tokio.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    setup.function.evict_all();
                    let invocation = setup
                        .function
                        .invoke(&setup.payload, InvokeOptions::default())
                        .await
                        .expect("invokes");
                    assert!(invocation.is_cold());
                    black_box(invocation);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function(BenchmarkId::new("bare-wasmtime", "hello"), |b| {
        b.iter_custom(|iters| {
            setup.tokio.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let (mut store, instance) =
                        setup.bare.warm_instance().await.expect("a warm instance");
                    let response = instance
                        .call_handle(&mut store, setup.payload.as_bytes(), &setup.bare.context)
                        .await
                        .expect("handle");
                    black_box(response.expect("handle ok"));
                    drop(store);
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

/// Criterion's median of one benchmark of `hello`, in nanoseconds.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    lambda_sim_harness::criterion_median_ns(group, id, "hello")
}

fn print_ratios() {
    println!(
        "\n{:<6} {:>14} {:>14} {:>10}   target",
        "path", "simulator", "bare wasmtime", "ratio"
    );
    for (group, target) in [("warm", "overhead <= 1 us"), ("cold", "ratio <= 2x")] {
        let (Some(sim), Some(bare)) = (
            median_ns(group, "simulator"),
            median_ns(group, "bare-wasmtime"),
        ) else {
            println!("{group:<6} (no estimates: run without a filter)");
            continue;
        };
        let overhead = Duration::from_nanos((sim - bare).max(0.0) as u64);
        println!(
            "{group:<6} {:>11.2} us {:>11.2} us {:>9.2}x   {target} (overhead {:.2} us)",
            sim / 1000.0,
            bare / 1000.0,
            sim / bare,
            overhead.as_secs_f64() * 1e6
        );
    }
}

fn main() {
    let setup = Setup::new();
    let mut c = Criterion::default().configure_from_args();
    warm(&mut c, &setup);
    cold(&mut c, &setup);
    c.final_summary();
    print_ratios();
}
