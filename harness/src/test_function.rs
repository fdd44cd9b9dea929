//! A handler under test: load a component (or build a handler crate), invoke it with typed or
//! raw JSON events, and assert what a Lambda user would notice.

use std::path::Path;
use std::time::Duration;

use lambda_sim_runtime::{
    Function, FunctionConfig, Invocation, InvokeOptions, Payload, Runtime, RuntimeConfig,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Error, Result};

/// A function loaded for a test, with its own runtime.
///
/// ```no_run
/// # async fn test() -> Result<(), lambda_sim_harness::Error> {
/// use lambda_sim_harness::TestFunction;
/// use serde_json::json;
///
/// let hello = TestFunction::from_crate("path/to/my-handler")?.memory(512).build()?;
/// let first = hello.invoke_json(json!({"name": "Ada"})).await?;
/// first.assert_cold().assert_response_eq(json!({"greeting": "hello, Ada"}));
/// hello.invoke_json(json!({"name": "Ada"})).await?.assert_warm().assert_log_contains("greeting Ada");
/// # Ok(())
/// # }
/// ```
pub struct TestFunction {
    function: Function,
    _runtime: Runtime,
}

/// Settings of a [`TestFunction`] before it is loaded.
pub struct TestFunctionBuilder {
    wasm: std::path::PathBuf,
    config: FunctionConfig,
    runtime: RuntimeConfig,
}

impl TestFunction {
    /// A function from a `.wasm` component.
    pub fn from_wasm(path: impl AsRef<Path>) -> TestFunctionBuilder {
        let wasm = path.as_ref().to_owned();
        let name = lambda_sim_build::function_name(&wasm);
        TestFunctionBuilder {
            wasm,
            config: FunctionConfig::named(name),
            runtime: RuntimeConfig::default().max_environments(64),
        }
    }

    /// A function from a handler crate, built to a component first (`cargo build --release
    /// --target wasm32-wasip2`; incremental after the first time).
    pub fn from_crate(dir: impl AsRef<Path>) -> Result<TestFunctionBuilder> {
        Ok(Self::from_wasm(lambda_sim_build::build_handler(
            dir.as_ref(),
        )?))
    }

    /// The underlying function (for the runtime's whole API).
    pub fn function(&self) -> &Function {
        &self.function
    }

    /// Invokes with any serde type as the event (for example an `aws_lambda_events` type).
    pub async fn invoke<E: Serialize>(&self, event: &E) -> Result<TestInvocation> {
        self.invoke_json(serde_json::to_value(event)?).await
    }

    /// Invokes with a JSON value as the event.
    pub async fn invoke_json(&self, event: Value) -> Result<TestInvocation> {
        let invocation = self
            .function
            .invoke(&Payload::from_value(&event), InvokeOptions::default())
            .await?;
        Ok(TestInvocation(invocation))
    }

    /// Invokes from a plain `#[test]` (no tokio runtime needed).
    pub fn invoke_blocking(&self, event: Value) -> Result<TestInvocation> {
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| {
                Error::Runtime(lambda_sim_runtime::Error::Io {
                    action: "start a tokio runtime",
                    source,
                })
            })?;
        tokio.block_on(self.invoke_json(event))
    }

    /// Destroys the idle environments: the next invocation is a cold start.
    pub fn evict(&self) -> usize {
        self.function.evict_all()
    }
}

impl TestFunctionBuilder {
    /// Sets the memory size in MB (default 128).
    pub fn memory(mut self, mb: u32) -> Self {
        self.config.memory_size_mb = mb;
        self
    }

    /// Sets the timeout (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.environment.insert(key.into(), value.into());
        self
    }

    /// Sets the whole function configuration.
    pub fn config(mut self, config: FunctionConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the simulation's settings (clock, CPU mode, cold-start model, ...).
    pub fn runtime(mut self, config: RuntimeConfig) -> Self {
        self.runtime = config;
        self
    }

    /// Loads the function.
    pub fn build(self) -> Result<TestFunction> {
        let runtime = Runtime::new(self.runtime)?;
        let function = runtime.load_file(&self.wasm, self.config)?;
        Ok(TestFunction {
            function,
            _runtime: runtime,
        })
    }
}

/// An invocation's outcome, with assertions that read as what they check. Each assertion
/// panics with the invocation's log lines when it fails, and returns `self` to chain.
#[derive(Clone, Debug)]
pub struct TestInvocation(pub Invocation);

impl TestInvocation {
    fn fail(&self, what: String) -> ! {
        panic!(
            "{what}\nthe invocation's log:\n{}",
            self.0.log_lines().join("\n")
        );
    }

    /// The response as JSON (panics if the function failed).
    pub fn json(&self) -> Value {
        match &self.0.result {
            Ok(bytes) => serde_json::from_slice(bytes)
                .unwrap_or_else(|err| self.fail(format!("the response is not JSON: {err}"))),
            Err(err) => self.fail(format!(
                "the function failed: {} {}",
                err.error_type, err.error_message
            )),
        }
    }

    /// The response as a serde type.
    pub fn response_as<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.json())
            .unwrap_or_else(|err| self.fail(format!("the response does not deserialize: {err}")))
    }

    /// Asserts the response equals `expected`.
    pub fn assert_response_eq(&self, expected: Value) -> &Self {
        let actual = self.json();
        if actual != expected {
            self.fail(format!("response {actual} is not {expected}"));
        }
        self
    }

    /// Asserts the function failed with `error_type` (`Sandbox.Timedout`, `Runtime.OutOfMemory`,
    /// the handler's own type).
    pub fn assert_error_type(&self, error_type: &str) -> &Self {
        match &self.0.result {
            Err(err) if err.error_type == error_type => self,
            Err(err) => self.fail(format!("error type {} is not {error_type}", err.error_type)),
            Ok(_) => self.fail(format!("the function succeeded; expected {error_type}")),
        }
    }

    /// Asserts this invocation was a cold start.
    pub fn assert_cold(&self) -> &Self {
        if !self.0.is_cold() {
            self.fail("the invocation was warm; expected a cold start".to_owned());
        }
        self
    }

    /// Asserts this invocation ran on a warm environment.
    pub fn assert_warm(&self) -> &Self {
        if self.0.is_cold() {
            self.fail("the invocation was a cold start; expected a warm environment".to_owned());
        }
        self
    }

    /// Asserts the Init Duration (of a cold start) is below `limit`.
    pub fn assert_init_below(&self, limit: Duration) -> &Self {
        match self.0.report.init_duration {
            Some(init) if init < limit => self,
            Some(init) => self.fail(format!("Init Duration {init:?} is not below {limit:?}")),
            None => self.fail("no Init Duration: the invocation was warm".to_owned()),
        }
    }

    /// Asserts the Billed Duration is below `ms` milliseconds.
    pub fn assert_billed_below(&self, ms: u64) -> &Self {
        if self.0.report.billed_duration_ms >= ms {
            self.fail(format!(
                "Billed Duration {} ms is not below {ms} ms",
                self.0.report.billed_duration_ms
            ));
        }
        self
    }

    /// Asserts a line the handler printed contains `text`.
    pub fn assert_log_contains(&self, text: &str) -> &Self {
        if !self.0.log.lines().iter().any(|line| line.contains(text)) {
            self.fail(format!("no log line contains {text:?}"));
        }
        self
    }
}
