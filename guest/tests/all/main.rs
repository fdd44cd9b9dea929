//! The guest SDK's integration tests, one module per area.

mod bindings;
