//! The bare baseline the benchmarks compare against: the handler world on plain wasmtime
//! (WASI with output discarded, the same variables as an environment, no limiter, no `/tmp`,
//! no bookkeeping), on an engine the caller gives (the simulator's own, for a fair race).

use lambda_sim_runtime::bindings::lambda_sim::handler::{runtime_api, types};
use lambda_sim_runtime::bindings::{Function as Bindings, FunctionPre};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::SinkOutputStream;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The bare host: WASI with output discarded, nothing else.
pub struct BareHost {
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

/// A component ready to instantiate on bare wasmtime, and the context record its calls get.
pub struct Bare {
    engine: Engine,
    pre: FunctionPre<BareHost>,
    /// The `context` passed to `handle`.
    pub context: types::Context,
}

/// A bare instance: its store and bindings.
pub type Instance = (Store<BareHost>, Bindings);

impl Bare {
    /// Links the component at `path` on `engine`.
    pub fn new(engine: &Engine, path: &str) -> wasmtime::Result<Self> {
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        // The handler world's own imports minus the stores, which a baseline handler does
        // not call.
        runtime_api::add_to_linker::<BareHost, HasSelf<BareHost>>(&mut linker, |h| h)?;
        let component = Component::from_file(engine, path)?;
        let pre = FunctionPre::new(linker.instantiate_pre(&component)?)?;
        let context = types::Context {
            request_id: "8f5b1c2e-8c1d-4e4b-9a51-0d2f6f0e7a11".to_owned(),
            deadline_ms: u64::MAX,
            invoked_function_arn: "arn:aws:lambda:us-east-1:123456789012:function:hello".to_owned(),
            xray_trace_id: None,
            client_context: None,
            identity: None,
        };
        Ok(Bare {
            engine: engine.clone(),
            pre,
            context,
        })
    }

    /// A bare store and instance: the same WASI context as an environment's (output captured
    /// nowhere, the same variables), no temp dir, no limiter.
    pub async fn instance(&self) -> wasmtime::Result<Instance> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdout(SinkOutputStream).stderr(SinkOutputStream);
        for (key, value) in bare_env() {
            wasi.env(key, value);
        }
        let host = BareHost {
            wasi: wasi.build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&self.engine, host);
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = self.pre.instantiate_async(&mut store).await?;
        Ok((store, instance))
    }

    /// A bare instance after its `init`: a warm environment without the simulator.
    pub async fn warm_instance(&self) -> wasmtime::Result<Instance> {
        let (mut store, instance) = self.instance().await?;
        if let Err(err) = instance.call_init(&mut store).await? {
            wasmtime::bail!("init failed: {}: {}", err.error_type, err.error_message);
        }
        Ok((store, instance))
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
