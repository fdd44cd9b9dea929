//! The function's lifecycle on lambda-sim's handler world, as `lambda_runtime` runs on Lambda:
//! `main`'s body (handed over by lambda-sim's tokio-macros as `__lambda_sim_main_body`) is
//! polled on a current-thread tokio runtime, and [`run`](crate::run) loops inside it, taking
//! each event from a mailbox and leaving the response there, as the real one loops over the
//! Runtime API's `/next` and `/response`. `init` polls the body until `run` waits for its first
//! event (Init ends, as with the first `/next`); `handle` puts the event in the mailbox and
//! polls the body until the response is back. The service stays where `run` keeps it, inside
//! the body's future, so what it borrows from `main` needs nothing unsafe; tasks `main` spawned
//! run while the body is polled.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::future::{Future, poll_fn};
use std::marker::PhantomData;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::task::{Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use lambda_sim_guest::__private::{HandlerError, WitContext, install_panic_hook_as};
use serde::{Deserialize, Serialize};
use tower::Service;
use tracing::Instrument as _;

use crate::{
    Config, Context, Diagnostic, Error, FunctionResponse, IntoFunctionResponse, LambdaEvent,
    StreamResponse, deserializer,
};

unsafe extern "Rust" {
    /// `main`'s body as a future, emitted next to `#[tokio::main] async fn main` by lambda-sim's
    /// tokio-macros. A binary without it fails to link with this name in the error, which
    /// `lambda-sim build` explains.
    fn __lambda_sim_main_body() -> Pin<Box<dyn Future<Output = ExitCode>>>;
}

/// The `errorType` of a panic, as upstream's `build_panic_diagnostic` names it.
const PANIC_TYPE: &str = "&alloc::boxed::Box<dyn core::any::Any + core::marker::Send>";

/// What passes between the host's calls and `run`'s loop.
#[derive(Default)]
struct Mailbox {
    /// The event of the invocation being served, until `run` takes it.
    event: Option<(Vec<u8>, Context)>,
    /// Its response, until `handle` takes it.
    response: Option<Result<Vec<u8>, Diagnostic>>,
    /// `run`, waiting for an event (Init is over once it is).
    run: Option<Waker>,
    /// `init` or `handle`, waiting for `run` to wait or to answer.
    host: Option<Waker>,
}

impl Mailbox {
    fn wake_host(&mut self) {
        if let Some(waker) = self.host.take() {
            waker.wake();
        }
    }
}

/// What lives as long as the execution environment: `main`'s body and its runtime.
struct Environment {
    main: Pin<Box<dyn Future<Output = ExitCode>>>,
    runtime: tokio::runtime::Runtime,
}

thread_local! {
    static MAILBOX: RefCell<Mailbox> = RefCell::new(Mailbox::default());
    /// Whether a `run` loop is alive (a second one is an error).
    static SERVING: Cell<bool> = const { Cell::new(false) };
    static ENVIRONMENT: RefCell<Option<Environment>> = const { RefCell::new(None) };
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

impl lambda_sim_guest::bindings::exports::lambda_sim::handler::snap_start::Guest for Function {
    fn before_snapshot() -> Result<(), HandlerError> {
        lambda_sim_guest::__private::run_before_snapshot()
    }

    fn after_restore() -> Result<(), HandlerError> {
        lambda_sim_guest::__private::run_after_restore()
    }
}

lambda_sim_guest::bindings::export!(Function with_types_in lambda_sim_guest::bindings);

/// The Init phase: `main`'s body up to `run`'s first wait for an event.
fn init() -> Result<(), HandlerError> {
    install_panic_hook_as(PANIC_TYPE);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| handler_error("Runtime.InitError", format!("tokio: {err}")))?;
    // SAFETY: the symbol is the function lambda-sim's tokio-macros emits, of this signature.
    let mut main = unsafe { __lambda_sim_main_body() };
    drive(&runtime, &mut main, || {
        match MAILBOX.with_borrow(|mailbox| mailbox.run.is_some()) {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    });
    ENVIRONMENT.set(Some(Environment { main, runtime }));
    Ok(())
}

/// One invocation: the event handed to `run`'s loop, `main`'s body polled until it answers.
fn handle(event: Vec<u8>, ctx: WitContext) -> Result<Vec<u8>, HandlerError> {
    install_panic_hook_as(PANIC_TYPE);
    let response = ENVIRONMENT.with_borrow_mut(|environment| {
        let Some(Environment { main, runtime }) = environment.as_mut() else {
            return Err(Diagnostic {
                error_type: "Runtime.InvalidState".into(),
                error_message: "an invocation arrived before Init".into(),
            });
        };
        MAILBOX.with_borrow_mut(|mailbox| {
            mailbox.event = Some((event, context(ctx)));
            if let Some(run) = mailbox.run.take() {
                run.wake();
            }
        });
        drive(runtime, main, || {
            if let Some(response) = MAILBOX.with_borrow_mut(|mailbox| mailbox.response.take()) {
                return Poll::Ready(response);
            }
            if !SERVING.get() {
                // The `run` future was dropped (a `select!` that let it go): nothing serves.
                MAILBOX.with_borrow_mut(|mailbox| mailbox.event = None);
                return Poll::Ready(Err(Diagnostic {
                    error_type: "Runtime.InvalidState".into(),
                    error_message:
                        "lambda_runtime::run is no longer running: its future was dropped".into(),
                }));
            }
            Poll::Pending
        })
    });
    response.map_err(|diagnostic| handler_error(&diagnostic.error_type, diagnostic.error_message))
}

/// Polls `main`'s body (and the tasks it spawned) until `done` says what the host waits for
/// has come; `run` wakes the host when it waits for an event or leaves a response.
fn drive<T>(
    runtime: &tokio::runtime::Runtime,
    main: &mut Pin<Box<dyn Future<Output = ExitCode>>>,
    mut done: impl FnMut() -> Poll<T>,
) -> T {
    runtime.block_on(poll_fn(|cx| {
        MAILBOX.with_borrow_mut(|mailbox| mailbox.host = Some(cx.waker().clone()));
        if let Poll::Ready(code) = main.as_mut().poll(cx) {
            exit(code);
        }
        done()
    }))
}

/// `main` returned: the process ends, as it would on Lambda (`Runtime.ExitError`, with the
/// exit status `main`'s result reports, after `Error: ...` on stderr for an `Err`).
fn exit(code: ExitCode) -> ! {
    if !SERVING.get() && code == ExitCode::SUCCESS {
        eprintln!("lambda-sim: `main` returned without calling `lambda_runtime::run`");
    }
    std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 1 });
}

/// Counts a `run` loop as alive while it is; wakes the host when it ends, so that an
/// invocation waiting for it fails instead of waiting for ever.
struct Serving;

impl Serving {
    fn start() -> Serving {
        SERVING.set(true);
        Serving
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        SERVING.set(false);
        MAILBOX.with_borrow_mut(|mailbox| {
            mailbox.run = None;
            mailbox.wake_host();
        });
    }
}

/// `run`'s loop: each event from the mailbox through the service, its response back.
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
    if SERVING.get() {
        return Err("lambda_runtime::run is already running: a function serves one".into());
    }
    let _serving = Serving::start();
    let mut adapter = Adapter {
        service: handler,
        types: Types::<A, R, B, S, D, E>::default(),
    };
    loop {
        let (event, context) = poll_fn(|cx| {
            MAILBOX.with_borrow_mut(|mailbox| match mailbox.event.take() {
                Some(event) => {
                    mailbox.run = None;
                    Poll::Ready(event)
                }
                None => {
                    mailbox.run = Some(cx.waker().clone());
                    mailbox.wake_host();
                    Poll::Pending
                }
            })
        })
        .await;
        let response = adapter.invoke(event, context).await;
        MAILBOX.with_borrow_mut(|mailbox| {
            mailbox.response = Some(response);
            mailbox.wake_host();
        });
    }
}

/// The types `run` was called with, which the service's bounds need and it does not hold.
type Types<A, R, B, S, D, E> = PhantomData<fn(A) -> (R, B, S, D, E)>;

struct Adapter<F, A, R, B, S, D, E> {
    service: F,
    types: Types<A, R, B, S, D, E>,
}

impl<A, F, R, B, S, D, E> Adapter<F, A, R, B, S, D, E>
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
    /// One invocation of the service: its response's bytes or the function error, in
    /// upstream's `Lambda runtime invoke{requestId=...}` span, with its error lines.
    async fn invoke(&mut self, event: Vec<u8>, context: Context) -> Result<Vec<u8>, Diagnostic> {
        let span = request_span(&context);
        trace_env(&context);
        async move {
            let event = deserializer::deserialize::<A>(&event, context).map_err(|err| {
                tracing::error!(error = ?err, "Request payload deserialization into LambdaEvent<T> failed. The handler will not be called. Log at TRACE level to see the payload.");
                err
            })?;
            poll_fn(|cx| self.service.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            let response = self.service.call(event).await.map_err(|error| {
                tracing::error!("{error:?}");
                error.into()
            })?;
            respond(response.into_response()).await
        }
        .instrument(span)
        .await
    }
}

/// The response's bytes: a buffered response as JSON; a streamed one goes to the response
/// stream as upstream sends it (see [`stream`]), and nothing is returned after it.
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
        FunctionResponse::StreamingResponse(response) => {
            stream(response).await?;
            Ok(Vec::new())
        }
    }
}

/// A streamed response as upstream's runtime client posts it: the content type
/// `application/vnd.awslambda.http-integration-response`, the metadata prelude as JSON (its
/// `content-type` header `application/octet-stream` unless set), eight null bytes, then each
/// chunk of the body as the stream yields it, written through the handler world's response
/// stream. An error from the stream ends the invocation with `Runtime.StreamError` (the error
/// trailer upstream sends).
async fn stream<S, D, E>(mut response: StreamResponse<S>) -> Result<(), Diagnostic>
where
    S: Stream<Item = Result<D, E>> + Unpin,
    D: Into<Bytes>,
    E: Into<Error>,
{
    let mut out = lambda_sim_guest::__private::response_stream();
    response
        .metadata_prelude
        .headers
        .entry(http::header::CONTENT_TYPE)
        .or_insert(http::HeaderValue::from_static("application/octet-stream"));
    out.start_http(&response.metadata_prelude)
        .map_err(stream_error)?;
    while let Some(chunk) = poll_fn(|cx| Pin::new(&mut response.stream).poll_next(cx)).await {
        match chunk {
            Ok(data) => out.write(&data.into()).map_err(stream_error)?,
            Err(err) => {
                return Err(Diagnostic {
                    error_type: "Runtime.StreamError".into(),
                    error_message: err.into().to_string(),
                });
            }
        }
    }
    Ok(())
}

/// A write the host refused (the response's size limit, a caller gone), as the invocation's
/// error.
fn stream_error(err: lambda_sim_guest::stream::StreamError) -> Diagnostic {
    Diagnostic {
        error_type: "Runtime.StreamError".into(),
        error_message: err.to_string(),
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

/// Upstream's span around an invocation (`layers/trace.rs`).
fn request_span(context: &Context) -> tracing::Span {
    match &context.xray_trace_id {
        Some(trace_id) => tracing::info_span!(
            "Lambda runtime invoke",
            requestId = &context.request_id,
            xrayTraceId = trace_id
        ),
        None => tracing::info_span!("Lambda runtime invoke", requestId = &context.request_id),
    }
}

/// `_X_AMZN_TRACE_ID`, set for each invocation as the runtime sets it (the X-Ray SDK reads it).
fn trace_env(context: &Context) {
    // SAFETY: the sandbox runs one thread; nothing reads the environment concurrently.
    unsafe {
        match &context.xray_trace_id {
            Some(trace_id) => std::env::set_var("_X_AMZN_TRACE_ID", trace_id),
            None => std::env::remove_var("_X_AMZN_TRACE_ID"),
        }
    }
}
