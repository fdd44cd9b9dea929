//! How the simulator scales: cold starts on one and two threads (each thread on a function of
//! its own), next to bare wasmtime doing the same; and a virtual-clock chaos run's invocations
//! per second. Throughput is in elements (cold starts, invocations), so criterion prints rates.
//!
//! `cargo bench -p lambda-sim-benches --bench scale` (targets: two threads give at least 1.7x
//! one thread's cold starts; the chaos run at least a quarter of the bare warm-call rate).

use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use lambda_sim_benches::baseline::Bare;
use lambda_sim_runners::{ChaosOptions, chaos_run};
use lambda_sim_runtime::{
    ClockMode, CpuMode, FULL_VCPU_MB, Function, FunctionConfig, InvokeOptions, Payload, Runtime,
    RuntimeConfig,
};

fn cache() -> std::path::PathBuf {
    std::env::temp_dir().join("lambda-sim-bench-cache")
}

/// Runs `work(thread, iters)` on `threads` threads from a barrier; the wall time.
fn on_threads(threads: usize, iters: u64, work: impl Fn(usize, u64) + Sync) -> Duration {
    let ready = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (ready, work) = (&ready, &work);
                scope.spawn(move || {
                    ready.wait();
                    work(t, iters);
                })
            })
            .collect();
        ready.wait();
        let start = Instant::now();
        for worker in workers {
            worker.join().expect("a bench thread");
        }
        start.elapsed()
    })
}

fn cold_threads(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig::default().cache_dir(Some(cache()))).expect("runtime");
    let functions: Vec<Function> = (0..2)
        .map(|i| {
            let config = FunctionConfig::named(format!("hello-{i}")).memory_size_mb(FULL_VCPU_MB);
            runtime
                .load_file(lambda_sim_fixtures::HELLO, config)
                .expect("hello loads")
        })
        .collect();
    let bare = Bare::new(runtime.engine(), lambda_sim_fixtures::HELLO).expect("the baseline links");
    let payload = Payload::json(r#"{"name": "scale"}"#).expect("JSON");
    let mut group = c.benchmark_group("cold-threads");
    for threads in [1, 2] {
        group.throughput(Throughput::Elements(threads as u64));
        group.bench_function(BenchmarkId::new("simulator", threads), |b| {
            b.iter_custom(|iters| {
                on_threads(threads, iters, |t, iters| {
                    let tokio = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .expect("tokio");
                    tokio.block_on(async {
                        for _ in 0..iters {
                            functions[t].evict_all();
                            let invocation = functions[t]
                                .invoke(&payload, InvokeOptions::default())
                                .await
                                .expect("invokes");
                            std::hint::black_box(invocation);
                        }
                    })
                })
            })
        });
        group.bench_function(BenchmarkId::new("bare-wasmtime", threads), |b| {
            b.iter_custom(|iters| {
                on_threads(threads, iters, |_, iters| {
                    let tokio = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .expect("tokio");
                    tokio.block_on(async {
                        for _ in 0..iters {
                            let (mut store, instance) =
                                bare.warm_instance().await.expect("a warm instance");
                            let out = instance
                                .call_handle(&mut store, payload.as_bytes(), &bare.context)
                                .await
                                .expect("handle");
                            std::hint::black_box(out.ok());
                        }
                    })
                })
            })
        });
    }
    group.finish();
}

fn chaos(c: &mut Criterion) {
    const EVENTS: usize = 20_000;
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .cache_dir(Some(cache()))
            .clock(ClockMode::Virtual)
            .cpu(CpuMode::Deterministic)
            .seed(11),
    )
    .expect("runtime");
    let function = runtime
        .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named("chaos"))
        .expect("hello loads");
    let payload = Payload::json(r#"{"name": "scale"}"#).expect("JSON");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let mut group = c.benchmark_group("chaos");
    group.sample_size(10);
    // About 5% more attempts than events (the retries of killed attempts).
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function(BenchmarkId::new("simulator", "hello"), |b| {
        b.iter(|| {
            let options = ChaosOptions {
                events: EVENTS,
                seed: 11,
                ..ChaosOptions::default()
            };
            let report = tokio
                .block_on(chaos_run(&function, &payload, &options))
                .expect("the run");
            assert!(report.holds());
        })
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    cold_threads(&mut c);
    chaos(&mut c);
    c.final_summary();
}
