//! The function's lifecycle on lambda-sim's handler world. `init` polls `main`'s body (handed
//! over by lambda-sim's tokio-macros as `__lambda_sim_main_body`) on a current-thread tokio
//! runtime until the body awaits [`run`](crate::run): that registers the service, and Init is
//! over. Each `handle` then calls the service on the same runtime, so tasks `main` spawned
//! go on running during invocations, as they do on Lambda while a request is being served.
//!
//! The service may borrow what `main` created (`service_fn(|e| handler(&client, e))`): the
//! body's future stays suspended in `run` for the environment's whole life, never polled
//! again and never dropped, so what the service borrows stays where it is.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::future::{Future, poll_fn};
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::task::Poll;

use bytes::Bytes;
use futures_core::Stream;
use lambda_sim_guest::__private::{HandlerError, WitContext, install_panic_hook};
use serde::{Deserialize, Serialize};
use tower::Service;

use crate::{
    Config, Context, Diagnostic, Error, FunctionResponse, IntoFunctionResponse, LambdaEvent,
    deserializer,
};

unsafe extern "Rust" {
    /// `main`'s body as a future, emitted next to `#[tokio::main] async fn main` by lambda-sim's
    /// tokio-macros. A binary without it fails to link with this name in the error, which
    /// `lambda-sim build` explains.
    fn __lambda_sim_main_body() -> Pin<Box<dyn Future<Output = ExitCode>>>;
}

/// One invocation of the registered service: the response's bytes or the function error.
type Invocation<'s> = Pin<Box<dyn Future<Output = Result<Vec<u8>, Diagnostic>> + 's>>;

/// The registered service, with its payload and response types erased.
trait Invoke {
    fn invoke(&mut self, event: Vec<u8>, context: Context) -> Invocation<'_>;
}

/// What lives as long as the execution environment.
struct Environment {
    service: Box<dyn Invoke>,
    /// `main`'s body, suspended in `run`: the service may borrow from it.
    _main: Pin<Box<dyn Future<Output = ExitCode>>>,
    runtime: tokio::runtime::Runtime,
}

thread_local! {
    static INITIALIZING: Cell<bool> = const { Cell::new(false) };
    static REGISTERED: RefCell<Option<Box<dyn Invoke>>> = const { RefCell::new(None) };
    static ENVIRONMENT: RefCell<Option<ManuallyDrop<Environment>>> = const { RefCell::new(None) };
}

struct Function;

impl lambda_sim_guest::bindings::Guest for Function {
    fn init() -> Result<(), HandlerError> {
        init()
    }

    fn handle(event: Vec<u8>, ctx: WitContext) -> Result<Vec<u8>, HandlerError> {
        handle(event, ctx)
    }
}

lambda_sim_guest::bindings::export!(Function with_types_in lambda_sim_guest::bindings);

/// The Init phase: `main`'s body up to `run`.
fn init() -> Result<(), HandlerError> {
    install_panic_hook();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| handler_error("Runtime.InitError", format!("tokio: {err}")))?;
    // SAFETY: the symbol is the function lambda-sim's tokio-macros emits, of this signature.
    let mut main = unsafe { __lambda_sim_main_body() };
    INITIALIZING.set(true);
    let exited = runtime.block_on(poll_fn(|cx| match main.as_mut().poll(cx) {
        Poll::Ready(code) => Poll::Ready(Some(code)),
        Poll::Pending if REGISTERED.with_borrow(Option::is_some) => Poll::Ready(None),
        Poll::Pending => Poll::Pending,
    }));
    INITIALIZING.set(false);
    if let Some(code) = exited {
        // `main` returned without `run`: the process ends, as it would on Lambda
        // (`Runtime.ExitError`, with the exit status `main`'s result reports).
        std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 1 });
    }
    let service = REGISTERED
        .take()
        .expect("the body stopped with a service registered");
    ENVIRONMENT.set(Some(ManuallyDrop::new(Environment {
        service,
        _main: main,
        runtime,
    })));
    Ok(())
}

/// One invocation: the registered service called with the event.
fn handle(event: Vec<u8>, ctx: WitContext) -> Result<Vec<u8>, HandlerError> {
    install_panic_hook();
    ENVIRONMENT.with_borrow_mut(|environment| {
        let Some(environment) = environment.as_mut() else {
            return Err(handler_error(
                "Runtime.InvalidState",
                "an invocation arrived before Init registered a service".into(),
            ));
        };
        let Environment {
            service, runtime, ..
        } = &mut **environment;
        runtime
            .block_on(service.invoke(event, context(ctx)))
            .map_err(|diagnostic| handler_error(&diagnostic.error_type, diagnostic.error_message))
    })
}

/// Registers `handler` as the service of every invocation, then waits for ever.
pub(crate) async fn serve<A, F, R, B, S, D, E>(handler: F) -> Result<(), Error>
where
    F: Service<LambdaEvent<A>, Response = R>,
    F::Future: Future<Output = Result<R, F::Error>>,
    F::Error: Into<Diagnostic> + Debug,
    A: for<'de> Deserialize<'de>,
    R: IntoFunctionResponse<B, S>,
    B: Serialize,
    S: Stream<Item = Result<D, E>> + Unpin + Send + 'static,
    D: Into<Bytes> + Send,
    E: Into<Error> + Send + Debug,
{
    if !INITIALIZING.get() || REGISTERED.with_borrow(Option::is_some) {
        return Err(
            "lambda-sim serves `lambda_runtime::run` once, awaited in `#[tokio::main] async fn main`"
                .into(),
        );
    }
    let adapter = Adapter {
        service: handler,
        types: Types::<A, R, B, S, D, E>::default(),
    };
    REGISTERED.set(Some(erase(adapter)));
    std::future::pending().await
}

/// Erases the service's lifetime.
fn erase<'a, T: Invoke + 'a>(service: T) -> Box<dyn Invoke> {
    let service: Box<dyn Invoke + 'a> = Box::new(service);
    // SAFETY: what the service borrows lives in `main`'s body, which is suspended in `serve`
    // and kept, never dropped nor polled again, in `Environment` next to the service for the
    // rest of the instance's life (see the module's documentation).
    unsafe { std::mem::transmute::<Box<dyn Invoke + 'a>, Box<dyn Invoke + 'static>>(service) }
}

/// The types `run` was called with, which the service's bounds need and it does not hold.
type Types<A, R, B, S, D, E> = PhantomData<fn(A) -> (R, B, S, D, E)>;

struct Adapter<F, A, R, B, S, D, E> {
    service: F,
    types: Types<A, R, B, S, D, E>,
}

impl<A, F, R, B, S, D, E> Invoke for Adapter<F, A, R, B, S, D, E>
where
    F: Service<LambdaEvent<A>, Response = R>,
    F::Future: Future<Output = Result<R, F::Error>>,
    F::Error: Into<Diagnostic> + Debug,
    A: for<'de> Deserialize<'de>,
    R: IntoFunctionResponse<B, S>,
    B: Serialize,
    S: Stream<Item = Result<D, E>> + Unpin + Send + 'static,
    D: Into<Bytes> + Send,
    E: Into<Error> + Send + Debug,
{
    fn invoke(&mut self, event: Vec<u8>, context: Context) -> Invocation<'_> {
        Box::pin(async move {
            let event = deserializer::deserialize::<A>(&event, context)?;
            poll_fn(|cx| self.service.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            let response = self.service.call(event).await.map_err(Into::into)?;
            respond(response.into_response()).await
        })
    }
}

/// The response's bytes: a buffered response as JSON, a streamed one's chunks in order.
async fn respond<B, S, D, E>(response: FunctionResponse<B, S>) -> Result<Vec<u8>, Diagnostic>
where
    B: Serialize,
    S: Stream<Item = Result<D, E>> + Unpin,
    D: Into<Bytes>,
    E: Into<Error>,
{
    match response {
        FunctionResponse::BufferedResponse(body) => {
            serde_json::to_vec(&body).map_err(|err| Diagnostic {
                error_type: std::any::type_name::<serde_json::Error>().into(),
                error_message: err.to_string(),
            })
        }
        FunctionResponse::StreamingResponse(mut response) => {
            let mut body = Vec::new();
            while let Some(chunk) = poll_fn(|cx| Pin::new(&mut response.stream).poll_next(cx)).await
            {
                match chunk {
                    Ok(data) => body.extend_from_slice(&data.into()),
                    Err(err) => {
                        return Err(Diagnostic {
                            error_type: "Runtime.StreamError".into(),
                            error_message: err.into().to_string(),
                        });
                    }
                }
            }
            Ok(body)
        }
    }
}

/// The handler's `Context` from the host's.
fn context(ctx: WitContext) -> Context {
    static CONFIG: OnceLock<Arc<Config>> = OnceLock::new();
    Context {
        request_id: ctx.request_id,
        deadline: ctx.deadline_ms,
        invoked_function_arn: ctx.invoked_function_arn,
        xray_trace_id: ctx.xray_trace_id,
        client_context: ctx
            .client_context
            .and_then(|json| serde_json::from_str(&json).ok()),
        identity: ctx
            .identity
            .and_then(|json| serde_json::from_str(&json).ok()),
        tenant_id: None,
        env_config: CONFIG.get_or_init(|| Arc::new(Config::from_env())).clone(),
    }
}

fn handler_error(error_type: &str, error_message: String) -> HandlerError {
    HandlerError {
        error_type: error_type.to_owned(),
        error_message,
        stack_trace: Vec::new(),
    }
}
