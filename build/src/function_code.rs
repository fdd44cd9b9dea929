//! A function's code as a template gives it (`CodeUri`, `Runtime`, `Handler`) turned into a
//! component: a `.wasm` as it is, a directory built by the builder its runtime names (a
//! Node.js or Python handler packaged into `DIR/.lambda-sim/`, anything else a Rust crate).

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The component of a function whose code is `code`, for the Lambda runtime `runtime`
/// (`nodejs22.x`, `python3.13`, `provided.al2023`, ...) and handler setting `handler`.
pub fn component_for_function(
    code: &Path,
    runtime: Option<&str>,
    handler: Option<&str>,
) -> Result<PathBuf> {
    let Some(runtime) = runtime.filter(|_| code.is_dir()) else {
        return crate::component_for(code);
    };
    let needs_handler = || Error::NoHandlerSetting {
        dir: code.to_owned(),
        runtime: runtime.to_owned(),
    };
    if runtime.starts_with("nodejs") {
        let handler = handler.ok_or_else(needs_handler)?;
        let out = default_output(code, handler);
        Ok(crate::build_node(code, handler, Some(runtime), &out)?.path)
    } else if runtime.starts_with("python") {
        let handler = handler.ok_or_else(needs_handler)?;
        crate::build_python(code, handler, &default_output(code, handler))
    } else if runtime.starts_with("provided") || code.join("Cargo.toml").is_file() {
        crate::component_for(code)
    } else {
        Err(Error::UnsupportedRuntime(runtime.to_owned()))
    }
}

/// Where a Node.js or Python handler's component goes by default: `DIR/.lambda-sim/`, named
/// after the whole handler setting (`index.handler.wasm`), so that two functions of one file
/// (`app.create`, `app.delete`) keep a component each.
pub fn default_output(dir: &Path, handler: &str) -> PathBuf {
    dir.join(".lambda-sim")
        .join(format!("{}.wasm", handler.replace(['/', '\\'], "-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_of_a_runtime_without_builder_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let err = component_for_function(dir.path(), Some("java21"), Some("a.B::handle"));
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some(
                "the runtime `java21` cannot be built by lambda-sim: it builds Rust crates \
                 (provided.al2023), Node.js (nodejs20.x, nodejs22.x) and Python (python3.x) handlers, \
                 or takes a .wasm component"
            )
        );
        let err = component_for_function(dir.path(), Some("nodejs22.x"), None);
        assert!(
            matches!(err, Err(Error::NoHandlerSetting { .. })),
            "{err:?}"
        );
    }
}
