//! Cold and warm invocations of `hello` through the simulator, next to bare wasmtime doing
//! the same work on the same engine (instantiate the component, call `init`, call `handle`
//! with the same 1 KB event), so the simulator's overhead reads as a ratio.
//!
//! `cargo bench --bench invoke` prints criterion's figures, then a table of medians and
//! ratios against the targets (warm: within 1 us of the bare call; cold: within 2x).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lambda_sim_runtime::bindings::lambda_sim::handler::{runtime_api, types};
use lambda_sim_runtime::bindings::{Function as Bindings, FunctionPre};
use lambda_sim_runtime::{Function, FunctionConfig, Payload, Runtime, RuntimeConfig};
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime_wasi::p2::pipe::SinkOutputStream;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The bare host: WASI with output discarded, nothing else.
struct BareHost {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for BareHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for BareHost {}

impl runtime_api::Host for BareHost {
    fn fatal_error(&mut self, _error: types::HandlerError) {}
}

struct Setup {
    tokio: tokio::runtime::Runtime,
    runtime: Runtime,
    function: Function,
    payload: Payload,
    bare: FunctionPre<BareHost>,
    context: types::Context,
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

        let engine = runtime.engine().clone();
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI");
        Bindings::add_to_linker::<BareHost, HasSelf<BareHost>>(&mut linker, |h| h)
            .expect("runtime API");
        let component =
            Component::from_file(&engine, lambda_sim_fixtures::HELLO).expect("compiles");
        let bare =
            FunctionPre::new(linker.instantiate_pre(&component).expect("links")).expect("world");
        let context = types::Context {
            request_id: "8f5b1c2e-8c1d-4e4b-9a51-0d2f6f0e7a11".to_owned(),
            deadline_ms: u64::MAX,
            invoked_function_arn: "arn:aws:lambda:us-east-1:123456789012:function:hello".to_owned(),
            xray_trace_id: None,
            client_context: None,
            identity: None,
        };
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio");
        Setup {
            tokio,
            runtime,
            function,
            payload,
            bare,
            context,
        }
    }

    /// A bare store and instance: the same WASI context as an environment's (output captured
    /// nowhere, the same variables), no temp dir, no limiter.
    async fn bare_instance(&self) -> (Store<BareHost>, Bindings) {
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdout(SinkOutputStream).stderr(SinkOutputStream);
        for (key, value) in bare_env() {
            wasi.env(key, value);
        }
        let host = BareHost {
            wasi: wasi.build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(self.runtime.engine(), host);
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = self
            .bare
            .instantiate_async(&mut store)
            .await
            .expect("instantiates");
        (store, instance)
    }
}

fn bare_env() -> [(&'static str, &'static str); 11] {
    [
        ("AWS_LAMBDA_FUNCTION_NAME", "hello"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_lambda-sim"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
        ("TZ", ":UTC"),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/26/[$LATEST]00000000000000000000000000000000",
        ),
    ]
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
                        .invoke(&setup.payload)
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
                let (mut store, instance) = setup.bare_instance().await;
                instance
                    .call_init(&mut store)
                    .await
                    .expect("init")
                    .expect("init ok");
                let start = Instant::now();
                for _ in 0..iters {
                    let response = instance
                        .call_handle(&mut store, setup.payload.as_bytes(), &setup.context)
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
                        .invoke(&setup.payload)
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
                    let (mut store, instance) = setup.bare_instance().await;
                    instance
                        .call_init(&mut store)
                        .await
                        .expect("init")
                        .expect("init ok");
                    let response = instance
                        .call_handle(&mut store, setup.payload.as_bytes(), &setup.context)
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

/// Reads criterion's median estimate of one benchmark, in nanoseconds.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
    let path = format!("{target}/criterion/{group}/{id}/hello/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
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
