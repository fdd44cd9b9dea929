//! Builds a handler crate to a `wasm32-wasip2` component with cargo, adding the target with
//! rustup when it is missing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::compat::{self, LockGuard};
use crate::metadata::{self, CrateInfo};
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

/// How to build a handler crate.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct BuildOptions {
    /// The binary to build, for a `lambda_runtime` crate with several (`cargo lambda build
    /// --bin NAME`). Default: none, the crate's only binary.
    pub bin: Option<String>,
}

impl BuildOptions {
    /// Builds the binary `name`.
    pub fn bin(&mut self, name: impl Into<String>) -> &mut Self {
        self.bin = Some(name.into());
        self
    }
}

/// Builds the handler crate in `dir` in release mode and returns its component's path.
pub fn build_handler(dir: &Path) -> Result<PathBuf> {
    build_handler_with(dir, &BuildOptions::default())
}

/// Builds the handler crate in `dir`: a `cdylib` written with our guest SDK as it is, a
/// binary written for `lambda_runtime` or `lambda_http` with lambda-sim's stand-ins swapped in
/// (its sources, `Cargo.toml` and `Cargo.lock` stay as they are).
pub fn build_handler_with(dir: &Path, options: &BuildOptions) -> Result<PathBuf> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(Error::NotACrate(dir.to_owned()));
    }
    let manifest = manifest.canonicalize().map_err(Error::Cargo)?;
    check_cargo()?;
    ensure_wasm_target()?;
    let lock = LockGuard::save(&manifest);
    let info = metadata::read(&manifest)?;
    if !info.browser_only.is_empty() {
        eprintln!(
            "lambda-sim: warning: {} built for wasm32 as browser code (it calls JavaScript \
             through wasm-bindgen, as reqwest does for HTTP): a call to it fails in a lambda-sim \
             environment, which has no network",
            info.browser_only
                .iter()
                .map(|name| format!("`{name}` is"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut args = Vec::new();
    let stand_ins = info.uses_lambda_runtime();
    if stand_ins {
        args.extend(["--bin".to_owned(), choose_bin(dir, &info, options)?]);
        args.extend(compat::patch_args(&info)?);
    } else {
        lock.keep();
        if !info.cdylib && !info.bins.is_empty() {
            return Err(Error::NoHandler(dir.to_owned()));
        }
        if let Some(bin) = &options.bin {
            return Err(Error::BinOfACdylib {
                dir: dir.to_owned(),
                bin: bin.clone(),
            });
        }
    }
    run_cargo(dir, &manifest, &args, stand_ins)
}

/// The binary to build: the one asked for, or the crate's only one.
fn choose_bin(dir: &Path, info: &CrateInfo, options: &BuildOptions) -> Result<String> {
    match (&options.bin, info.bins.as_slice()) {
        (Some(bin), bins) if bins.contains(bin) => Ok(bin.clone()),
        (Some(bin), bins) => Err(Error::NoSuchBin {
            dir: dir.to_owned(),
            bin: bin.clone(),
            bins: bins.join(", "),
        }),
        (None, [bin]) => Ok(bin.clone()),
        (None, []) => Err(Error::NoHandler(dir.to_owned())),
        (None, bins) => Err(Error::SeveralBins {
            dir: dir.to_owned(),
            bins: bins.join(", "),
        }),
    }
}

/// Runs `cargo build`, showing the compiler's messages, and returns the component built.
fn run_cargo(dir: &Path, manifest: &Path, args: &[String], stand_ins: bool) -> Result<PathBuf> {
    let mut command = Command::new(cargo());
    command
        .args([
            "build",
            "--release",
            "--target",
            TARGET,
            "--message-format=json",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .args(args)
        // In the crate's directory, so that its `.cargo/config.toml` applies, as with cargo-lambda.
        .current_dir(manifest.parent().unwrap_or(Path::new(".")))
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(flags) = compat::rustflags().filter(|_| stand_ins) {
        command.env("RUSTFLAGS", flags);
    }
    let mut child = command.spawn().map_err(Error::Cargo)?;
    let mut component = None;
    let mut no_tokio_main = false;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(path) = wasm_artifact(&line) {
                component = Some(path);
            } else if let Some((level, rendered)) = compiler_message(&line) {
                no_tokio_main |=
                    stand_ins && level == "error" && rendered.contains("__lambda_sim_main_body");
                eprint!("{rendered}");
            }
        }
    }
    let status = child.wait().map_err(Error::Cargo)?;
    if !status.success() {
        return Err(if no_tokio_main {
            Error::NoTokioMain(dir.to_owned())
        } else {
            Error::CargoFailed(dir.to_owned())
        });
    }
    component.ok_or_else(|| Error::NoComponent(dir.to_owned()))
}

/// The level (`error`, `warning`, ...) and rendered text of a `compiler-message`, to show as
/// cargo would.
fn compiler_message(line: &str) -> Option<(String, String)> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-message" {
        return None;
    }
    let message = message.get("message")?;
    Some((
        message.get("level")?.as_str()?.to_owned(),
        message.get("rendered")?.as_str()?.to_owned(),
    ))
}

/// The cargo to run: the one running us (`CARGO`), else `cargo` on the `PATH`.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
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
        Err(err) => Err(Error::MissingTarget(crate::error::not_run(
            Path::new("rustup"),
            &err,
        ))),
    }
}

/// Checks that cargo runs, so that a machine without Rust is told what to install.
fn check_cargo() -> Result<()> {
    crate::error::tool_version(&PathBuf::from(cargo()))
        .map(drop)
        .map_err(Error::NoCargo)
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
