//! Write AWS Lambda handlers in Rust that run as WebAssembly components in lambda-sim.
//!
//! The API follows the `lambda_runtime` crate that Rust Lambda users already know: a handler
//! takes a [`LambdaEvent<T>`] (the deserialised payload and its [`Context`]) and returns
//! `Result<R, E>` where `R` is any serde type and `E` anything that displays (or a
//! [`Diagnostic`] to choose the `errorType`). One macro, [`handler!`], exports it.
//!
//! ```no_run
//! use lambda_sim_guest::{Error, LambdaEvent};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize)]
//! struct Request { name: String }
//!
//! #[derive(Serialize)]
//! struct Response { greeting: String, request_id: String }
//!
//! fn handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
//!     Ok(Response {
//!         greeting: format!("hello, {}", event.payload.name),
//!         request_id: event.context.request_id,
//!     })
//! }
//!
//! lambda_sim_guest::handler!(handler);
//! ```
//!
//! Build with `lambda-sim build` (or `cargo build --release --target wasm32-wasip2`) as a
//! `cdylib`. An optional init function runs once per execution environment, at cold start:
//! `lambda_sim_guest::handler!(handler, init = init)` with `fn init() -> Result<(), E>`.
//!
//! A panic does not unwind on `wasm32-wasip2`: the SDK reports it to the host as
//! `{"errorType": "alloc::boxed::Box<dyn core::any::Any + core::marker::Send>",
//! "errorMessage": "Lambda panicked: ..."}` (what `lambda_runtime` returns) before the
//! instance aborts, and the host resets the execution environment.

mod context;
mod diagnostic;
mod event;
#[doc(hidden)]
pub mod __private;

pub use context::{Config, Context};
pub use diagnostic::Diagnostic;
pub use event::LambdaEvent;

/// The error type most handlers return, as in `lambda_runtime`.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Bindings generated from the handler world (`wit/handler.wit`); used by [`handler!`].
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "function",
        pub_export_macro: true,
        default_bindings_module: "lambda_sim_guest::bindings",
    });
}

/// Exports a handler function (and optionally an init function) as the component's
/// `handle` (and `init`) exports.
///
/// ```no_run
/// # use lambda_sim_guest::{Error, LambdaEvent};
/// # use serde_json::Value;
/// fn init() -> Result<(), Error> {
///     Ok(())
/// }
///
/// fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
///     Ok(event.payload)
/// }
///
/// lambda_sim_guest::handler!(handler, init = init);
/// ```
#[macro_export]
macro_rules! handler {
    ($handler:path) => {
        $crate::handler!($handler, init = $crate::__private::no_init);
    };
    ($handler:path, init = $init:path) => {
        #[doc(hidden)]
        struct __LambdaSimFunction;

        impl $crate::bindings::Guest for __LambdaSimFunction {
            fn init() -> ::core::result::Result<(), $crate::__private::HandlerError> {
                $crate::__private::run_init($init)
            }

            fn handle(
                event: ::std::vec::Vec<u8>,
                ctx: $crate::__private::WitContext,
            ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::__private::HandlerError> {
                $crate::__private::run_handler(&$handler, event, ctx)
            }
        }

        $crate::bindings::export!(__LambdaSimFunction with_types_in $crate::bindings);
    };
}
