//! Extension methods for `Request` types (upstream's `ext/mod.rs`).

pub mod extensions;
pub mod request;

pub use extensions::RequestExt;
pub use request::{PayloadError, RequestPayloadExt};
