//! What [`handler!`](crate::handler) expands to: payload decoding, error mapping, panics.

use std::sync::Once;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::lambda_sim::handler::runtime_api;
pub use crate::bindings::lambda_sim::handler::types::{Context as WitContext, HandlerError};
use crate::handler::{Handler, Init, StreamHandler};
use crate::stream::ResponseStream;
use crate::{Config, Context, Diagnostic, LambdaEvent};

/// The init used when a handler declares none.
pub fn no_init() -> Result<(), Diagnostic> {
    Ok(())
}

/// Runs the function's init, reporting panics to the host.
pub fn run_init<M, I>(init: &I) -> Result<(), HandlerError>
where
    I: Init<M>,
    I::Error: Into<Diagnostic>,
{
    install_panic_hook();
    init.call().map_err(|err| to_handler_error(err.into()))
}

/// SnapStart's `before-snapshot` export: the registered hooks, then the handles released.
pub fn run_before_snapshot() -> Result<(), HandlerError> {
    crate::snap_start::before_snapshot()
}

/// SnapStart's `after-restore` export: the handles made again, then the registered hooks.
pub fn run_after_restore() -> Result<(), HandlerError> {
    crate::snap_start::after_restore()
}

/// Decodes the event, calls the handler and encodes its response.
pub fn run_handler<M, H>(
    handler: &H,
    event: Vec<u8>,
    ctx: WitContext,
) -> Result<Vec<u8>, HandlerError>
where
    H: Handler<M>,
    H::Payload: DeserializeOwned,
    H::Response: Serialize,
    H::Error: Into<Diagnostic>,
{
    install_panic_hook();
    let payload = decode::<H::Payload>(&event)?;
    let context = context(ctx);
    let response = handler
        .call(LambdaEvent::new(payload, context))
        .map_err(|err| to_handler_error(err.into()))?;
    serde_json::to_vec(&response).map_err(|err| {
        to_handler_error(Diagnostic::new(
            "Runtime.SerializationError",
            format!("failed to serialize the handler's response: {err}"),
        ))
    })
}

/// Decodes the event and calls a streaming handler with the invocation's [`ResponseStream`];
/// what it wrote is the response, so `handle` returns nothing after it.
pub fn run_stream_handler<M, H>(
    handler: &H,
    event: Vec<u8>,
    ctx: WitContext,
) -> Result<Vec<u8>, HandlerError>
where
    H: StreamHandler<M>,
    H::Payload: DeserializeOwned,
    H::Error: Into<Diagnostic>,
{
    install_panic_hook();
    let payload = decode::<H::Payload>(&event)?;
    handler
        .call(LambdaEvent::new(payload, context(ctx)), response_stream())
        .map_err(|err| to_handler_error(err.into()))?;
    Ok(Vec::new())
}

/// The response stream of the invocation being handled, for lambda-sim's `lambda_runtime`.
pub fn response_stream() -> ResponseStream {
    ResponseStream::new()
}

/// The handler's [`Context`] from the host's.
fn context(ctx: WitContext) -> Context {
    Context {
        request_id: ctx.request_id,
        deadline: ctx.deadline_ms,
        invoked_function_arn: ctx.invoked_function_arn,
        xray_trace_id: ctx.xray_trace_id,
        client_context: ctx.client_context,
        identity: ctx.identity,
        env_config: Config::from_env().clone(),
    }
}

/// Deserialises a payload; the error names the JSON path that failed, as `lambda_runtime`.
fn decode<T: DeserializeOwned>(event: &[u8]) -> Result<T, HandlerError> {
    // An empty payload is `{}` on Lambda (boto3 sends no body when there is no payload).
    let event: &[u8] = if event.is_empty() { b"{}" } else { event };
    let mut de = serde_json::Deserializer::from_slice(event);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        to_handler_error(Diagnostic::new(
            "Runtime.DeserializeError",
            format!(
                "failed to deserialize the incoming data into the function's payload type: {err}"
            ),
        ))
    })
}

pub(crate) fn to_handler_error(diagnostic: Diagnostic) -> HandlerError {
    HandlerError {
        error_type: diagnostic.error_type,
        error_message: diagnostic.error_message,
        stack_trace: Vec::new(),
    }
}

/// Tells the host what the guest is dying of before a panic aborts the instance
/// (`wasm32-wasip2` cannot unwind), so the caller gets `lambda_runtime`'s panic error.
pub fn install_panic_hook() {
    install_panic_hook_as(std::any::type_name::<Box<dyn std::any::Any + Send>>());
}

/// [`install_panic_hook`] with the `errorType` a panic reports (`lambda_runtime` 1.x names the
/// payload's type through a reference: `&alloc::boxed::Box<dyn core::any::Any + ...>`).
pub fn install_panic_hook_as(error_type: &'static str) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            default_hook(info);
            let message = if let Some(msg) = info.payload().downcast_ref::<&str>() {
                format!("Lambda panicked: {msg}")
            } else if let Some(msg) = info.payload().downcast_ref::<String>() {
                format!("Lambda panicked: {msg}")
            } else {
                "Lambda panicked".to_owned()
            };
            // Browser code (reqwest's HTTP client on wasm32, for one) panics with wasm-bindgen's
            // words, which do not say why: there is no JavaScript, and no network, here.
            let message = if message.contains("wasm-bindgen imported functions") {
                format!(
                    "{message} (lambda-sim: this is browser code, such as reqwest's HTTP client on \
                     wasm32; a lambda-sim environment has no network)"
                )
            } else {
                message
            };
            runtime_api::fatal_error(&HandlerError {
                error_type: error_type.to_owned(),
                error_message: message,
                stack_trace: Vec::new(),
            });
        }));
    });
}
