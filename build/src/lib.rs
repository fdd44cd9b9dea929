//! Builds handlers into components lambda-sim loads: a Rust handler crate with cargo to a
//! `wasm32-wasip2` component (adding the target with rustup when it is missing), a Python
//! handler with componentize-py and the adapter in `guest-python/`, a Node.js handler with
//! esbuild, ComponentizeJS and the adapter in `guest-node/`.
//!
//! ```
//! use std::path::Path;
//!
//! // A function is named after its component or crate, as Lambda accepts names.
//! assert_eq!(lambda_sim_build::function_name(Path::new("target/my handler.wasm")), "my-handler");
//! // A `.wasm` file is taken as it is; a directory is built first.
//! let wasm = lambda_sim_build::component_for(Path::new("hello.wasm"))?;
//! assert_eq!(wasm, Path::new("hello.wasm"));
//! // A crate without a Cargo.toml is refused before cargo runs.
//! let err = lambda_sim_build::build_handler(Path::new("src"));
//! assert!(matches!(err, Err(lambda_sim_build::Error::NotACrate(_))));
//! # Ok::<(), lambda_sim_build::Error>(())
//! ```

mod build_cache;
mod compat;
mod compile;
mod embedded;
mod error;
mod function_code;
mod metadata;
mod node;
mod python;
mod python_deps;
mod turns;
mod wit;

pub use build_cache::Built;
pub use compat::compat_dir;
pub use compile::{
    BuildOptions, TARGET, build_handler, build_handler_with, component_for, ensure_wasm_target,
    function_name,
};
pub use error::{Error, Result};
pub use function_code::{component_for_function, default_output};
pub use node::{
    COMPONENTIZE_JS_VERSION, DEFAULT_NODE_RUNTIME, NodeTools, build_node, build_node_with,
    node_handler_file,
};
pub use python::{COMPONENTIZE_PY_VERSION, build_python, build_python_with, componentize_py};
pub use python::{PythonOptions, package_python};
pub use python_deps::EMBEDDED_PYTHON;
