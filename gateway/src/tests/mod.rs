//! Unit tests of the gateway, one module per concern, asserting what a client or a function
//! would notice.

mod cors;
mod events;
mod failures;
mod media;
mod prelude;
mod responses;
mod routing;
mod support;
