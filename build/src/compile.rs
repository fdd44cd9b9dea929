//! Builds a handler crate to a `wasm32-wasip2` component with cargo, adding the target with
//! rustup when it is missing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Error, Result};

/// The target handler components are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// The component a command-line argument names: a `.wasm` file as it is, or a handler crate's
/// directory, built first.
pub fn component_for(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        build_handler(path)
    } else {
        Ok(path.to_owned())
    }
}

/// A valid Lambda function name for a component or crate path: its file name's stem, with
/// anything but letters, digits, hyphens and underscores replaced, at most 64 characters.
pub fn function_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if name.is_empty() {
        "function".to_owned()
    } else {
        name
    }
}

/// Builds the handler crate in `dir` in release mode and returns its component's path.
pub fn build_handler(dir: &Path) -> Result<PathBuf> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(Error::NotACrate(dir.to_owned()));
    }
    ensure_wasm_target()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut child = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--target",
            TARGET,
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(Error::Cargo)?;
    let mut component = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(path) = wasm_artifact(&line) {
                component = Some(path);
            }
        }
    }
    let status = child.wait().map_err(Error::Cargo)?;
    if !status.success() {
        return Err(Error::CargoFailed(dir.to_owned()));
    }
    component.ok_or_else(|| Error::NoComponent(dir.to_owned()))
}

/// The `.wasm` file named by a `compiler-artifact` message of the crate being built.
fn wasm_artifact(line: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    message
        .get("filenames")?
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_str)
        .find(|file| file.ends_with(".wasm"))
        .map(PathBuf::from)
}

/// Adds the `wasm32-wasip2` target with rustup if the active toolchain lacks it.
pub fn ensure_wasm_target() -> Result<()> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    if sysroot.is_some_and(|root| root.join("lib/rustlib").join(TARGET).exists()) {
        return Ok(());
    }
    eprintln!("lambda-sim: the `{TARGET}` target is missing: running `rustup target add {TARGET}`");
    match Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
    {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(Error::MissingTarget(format!("rustup exited with {status}"))),
        Err(err) => Err(Error::MissingTarget(format!(
            "rustup could not be run: {err}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_component_in_cargo_messages() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["cdylib"]},"filenames":["/t/wasm32-wasip2/release/hello.wasm"],"fresh":true}"#;
        assert_eq!(
            wasm_artifact(line),
            Some(PathBuf::from("/t/wasm32-wasip2/release/hello.wasm"))
        );
        let lib = r#"{"reason":"compiler-artifact","filenames":["/t/libserde.rlib","/t/libserde.rmeta"]}"#;
        assert_eq!(wasm_artifact(lib), None);
    }
}
