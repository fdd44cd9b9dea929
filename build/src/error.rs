//! The build's one error type: why a handler (a Rust crate or a Python directory) could not
//! be built into a component.

use std::path::{Path, PathBuf};

use crate::python::COMPONENTIZE_PY_VERSION;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a handler could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The directory has no `Cargo.toml`.
    #[error(
        "`{0}` is not a cargo crate (no Cargo.toml): a Node.js or Python handler's directory is \
         built with `lambda-sim build --node` or `--python` and `--handler`, then given as its .wasm"
    )]
    NotACrate(PathBuf),
    /// The `wasm32-wasip2` target is missing and rustup could not add it.
    #[error(
        "the `wasm32-wasip2` Rust target is missing and `rustup target add wasm32-wasip2` failed \
         ({0}): run it by hand, then build again"
    )]
    MissingTarget(String),
    /// cargo could not be started.
    #[error("failed to run cargo: {0}")]
    Cargo(#[source] std::io::Error),
    /// There is no Rust toolchain to build a Rust handler with.
    #[error(
        "a Rust toolchain is needed to build a Rust handler and cargo could not be run ({0}): \
         install one with rustup (https://rustup.rs), then `rustup target add wasm32-wasip2`; \
         Python and Node.js handlers, and prebuilt .wasm components, need no Rust toolchain"
    )]
    NoCargo(String),
    /// cargo failed; its messages went to stderr.
    #[error("failed to build `{0}` (cargo's messages are above)")]
    CargoFailed(PathBuf),
    /// The build succeeded but produced no component.
    #[error(
        "`{0}` built no `.wasm` component: is it a `cdylib` using `lambda_sim_guest::handler!`, or a \
         binary calling `lambda_runtime::run`?"
    )]
    NoComponent(PathBuf),
    /// The crate has neither a handler for our SDK nor one for `lambda_runtime`.
    #[error(
        "`{0}` has no handler: lambda-sim builds a `cdylib` using `lambda_sim_guest::handler!`, or a \
         binary whose `#[tokio::main] async fn main` calls `lambda_runtime::run` (or \
         `lambda_http::run`)"
    )]
    NoHandler(PathBuf),
    /// A `lambda_runtime` crate with several binaries, none chosen.
    #[error("`{dir}` has several binaries ({bins}): choose one with `--bin NAME`")]
    SeveralBins {
        /// The crate.
        dir: PathBuf,
        /// Its binaries, comma-separated.
        bins: String,
    },
    /// The binary asked for is not in the crate.
    #[error("`{dir}` has no binary `{bin}` (it has: {bins})")]
    NoSuchBin {
        /// The crate.
        dir: PathBuf,
        /// The binary asked for.
        bin: String,
        /// The crate's binaries, comma-separated.
        bins: String,
    },
    /// `--bin` for a crate written for our SDK, whose handler is its library.
    #[error(
        "`--bin {bin}` names a binary, but `{}` is a `cdylib` written for lambda_sim_guest: its \
         handler is the library (drop `--bin`)",
        dir.display()
    )]
    BinOfACdylib {
        /// The crate.
        dir: PathBuf,
        /// The binary asked for.
        bin: String,
    },
    /// A `lambda_runtime` binary whose `main` is not `#[tokio::main] async fn main`.
    #[error(
        "`{0}`'s `main` is not `#[tokio::main] async fn main`: lambda-sim runs the body of \
         `#[tokio::main]` as the function's Init phase, up to `lambda_runtime::run` (a `main` \
         that builds its own tokio runtime is not supported)"
    )]
    NoTokioMain(PathBuf),
    /// `cargo metadata` failed: the manifest is invalid or a dependency cannot be resolved.
    #[error("failed to read `{}` with `cargo metadata`:\n{output}", manifest.display())]
    Metadata {
        /// The crate's manifest.
        manifest: PathBuf,
        /// What cargo printed.
        output: String,
    },
    /// A stand-in crate is missing from the compatibility directory.
    #[error(
        "lambda-sim's stand-in crate is not at `{0}`: LAMBDA_SIM_COMPAT_DIR must name a directory \
         holding lambda_runtime/, lambda_http/ and tokio-macros/ (unset, lambda-sim uses the \
         ones built into it)"
    )]
    NoStandIn(PathBuf),
    /// Writing the stand-ins' shims failed.
    #[error("failed to prepare the stand-in crates: {0}")]
    PrepareCompat(#[source] std::io::Error),
    /// A Python handler's directory does not exist.
    #[error("`{0}` is not a directory")]
    NotADirectory(PathBuf),
    /// A Python handler setting is not `module.function`.
    #[error(
        "the handler `{0}` must be `module.function` (for example `app.handler` for `def handler` in app.py)"
    )]
    BadHandler(String),
    /// The Python handler's module has no file in the directory.
    #[error("the handler's module `{module}` is not in `{dir}` (no {module_path}.py)")]
    NoModule {
        /// The directory.
        dir: PathBuf,
        /// The module, dotted.
        module: String,
        /// Its expected path, relative.
        module_path: String,
    },
    /// componentize-py cannot be found or started.
    #[error(
        "componentize-py is needed to package Python handlers and was not found ({0}): \
         `pip install componentize-py=={COMPONENTIZE_PY_VERSION}`, or set LAMBDA_SIM_COMPONENTIZE_PY \
         to its path"
    )]
    NoComponentizePy(String),
    /// pip cannot be found or started.
    #[error(
        "pip is needed to install a Python handler's requirements.txt and could not be run ({0}): \
         set LAMBDA_SIM_PIP to its path"
    )]
    NoPip(String),
    /// A requirement has no pure-Python wheel (native code only, or a source distribution).
    #[error(
        "the requirement `{requirement}` has no pure-Python wheel (py3-none-any) for the CPython \
         {embedded} in the sandbox: packages with native code (C extensions) cannot run there \
         unless built for WASI; pip said:\n{output}",
        embedded = crate::EMBEDDED_PYTHON
    )]
    NativeRequirement {
        /// The requirement, as pip names it.
        requirement: String,
        /// What pip printed.
        output: String,
    },
    /// pip failed for another reason (a malformed requirements.txt, no network).
    #[error("failed to install the handler's requirements.txt:\n{0}")]
    PipFailed(String),
    /// Writing the Python build's files failed.
    #[error("failed to prepare the Python build: {0}")]
    PreparePython(#[source] std::io::Error),
    /// componentize-py failed: the handler's import raised, or the sources do not compile.
    #[error("failed to package the Python handler `{handler}`:\n{output}")]
    PythonFailed {
        /// The handler setting.
        handler: String,
        /// What componentize-py printed (the Python traceback).
        output: String,
    },
    /// A template's function names a runtime lambda-sim has no builder for.
    #[error(
        "the runtime `{0}` cannot be built by lambda-sim: it builds Rust crates (provided.al2023), \
         Node.js (nodejs20.x, nodejs22.x) and Python (python3.x) handlers, or takes a .wasm component"
    )]
    UnsupportedRuntime(String),
    /// A Node.js or Python function's directory without a `Handler` setting.
    #[error(
        "the {runtime} function in `{dir}` needs a `Handler` (for example `index.handler` or `app.handler`)"
    )]
    NoHandlerSetting {
        /// The function's code directory.
        dir: PathBuf,
        /// Its runtime.
        runtime: String,
    },
    /// A Node.js handler setting is not `file.export`.
    #[error(
        "the handler `{0}` must be `file.export` (for example `index.handler` for `export const handler` in index.mjs)"
    )]
    BadNodeHandler(String),
    /// The Node.js handler's module has no file in the directory.
    #[error(
        "`{dir}` has no {module}.js, {module}.mjs or {module}.cjs: the handler names the module `{module}`"
    )]
    NoNodeModule {
        /// The directory.
        dir: PathBuf,
        /// The module, as the handler setting names it.
        module: String,
    },
    /// node cannot be found or started.
    #[error(
        "Node.js is needed to build a Node.js handler and could not be run ({0}): install node \
         (18 or later) or set LAMBDA_SIM_NODE to its path"
    )]
    NoNode(String),
    /// The Node.js adapter's directory or its packages are missing.
    #[error(
        "the Node.js adapter is not ready in `{0}`: run `npm ci` there (it installs esbuild and \
         ComponentizeJS {version}), or unset LAMBDA_SIM_GUEST_NODE to use the adapter built into \
         lambda-sim",
        version = crate::node::COMPONENTIZE_JS_VERSION
    )]
    NoNodeAdapter(PathBuf),
    /// npm cannot be run to install the embedded adapter's packages.
    #[error(
        "npm is needed to install the Node.js adapter's packages (esbuild, ComponentizeJS) on \
         the first Node.js build and could not be run ({0}): install Node.js with npm, or set \
         LAMBDA_SIM_NPM to npm's path"
    )]
    NoNpm(String),
    /// `npm ci` of the embedded adapter failed (no network, no registry).
    #[error("failed to install the Node.js adapter's packages with `npm ci` in `{dir}`:\n{output}")]
    NpmFailed {
        /// The adapter's directory under the cache directory.
        dir: PathBuf,
        /// What npm printed.
        output: String,
    },
    /// The temporary WIT directory of a Node.js build could not be written.
    #[error("failed to prepare the Node.js build: {0}")]
    PrepareNode(#[source] std::io::Error),
    /// The bundle or the componentization failed: a syntax error, a module the sandbox lacks,
    /// a native addon.
    #[error("failed to package the Node.js handler `{handler}`:\n{output}")]
    NodeFailed {
        /// The handler setting.
        handler: String,
        /// What the build printed (esbuild's messages name the file and line).
        output: String,
    },
}

/// What `program --version` prints, or why it could not tell (for the variant that names the
/// missing tool).
pub(crate) fn tool_version(program: &Path) -> std::result::Result<String, String> {
    match std::process::Command::new(program)
        .arg("--version")
        .output()
    {
        Ok(out) if out.status.success() => {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        }
        Ok(out) => Err(format!(
            "`{} --version` failed: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(err) => Err(not_run(program, &err)),
    }
}

/// Why `program` could not be run, for a message that says what to install: "not found on the
/// PATH" rather than the system's "No such file or directory".
pub(crate) fn not_run(program: &Path, err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::NotFound {
        format!("`{}` was not found on the PATH", program.display())
    } else {
        format!("`{}`: {err}", program.display())
    }
}
