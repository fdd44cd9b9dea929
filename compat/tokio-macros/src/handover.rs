//! lambda-sim's one change to tokio-macros: next to `#[tokio::main] fn main`, a function that
//! hands `main`'s body to the `lambda_runtime` stand-in, which runs it as the Init phase.

use proc_macro2::TokenStream;
use quote::quote;

use crate::entry::Body;

/// Next to `main`, `__lambda_sim_main_body`: `main`'s body as a boxed future, which
/// `lambda_runtime`'s stand-in polls as the function's Init phase until `lambda_runtime::run`
/// waits for its first event, and again for each invocation. The body's output is reported
/// as a process's `main` reports it (`Error: ...` on stderr and exit status 1 for an `Err`).
pub(crate) fn lambda_handover(body: &Body<'_>, output: &syn::ReturnType) -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(clippy::all, non_snake_case)]
        #[unsafe(no_mangle)]
        fn __lambda_sim_main_body() -> ::std::pin::Pin<::std::boxed::Box<
            dyn ::core::future::Future<Output = ::std::process::ExitCode>,
        >> {
            async fn __lambda_sim_main() #output #body
            ::std::boxed::Box::pin(async move {
                ::std::process::Termination::report(__lambda_sim_main().await)
            })
        }
    }
}
