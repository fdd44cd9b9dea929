//! `lambda-sim build`: compile a handler crate, or package a Python or Node.js handler, to a
//! component; the component's path on stdout, the build time and size on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;

/// Arguments of `lambda-sim build`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// The handler's directory: a Rust crate, or with `--python` / `--node` a directory of
    /// `.py` files / of `.js` files and their `node_modules`.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The directory holds a Python handler (packaged with componentize-py).
    #[arg(long, requires = "handler", conflicts_with = "node")]
    python: bool,
    /// The directory holds a Node.js handler (bundled with esbuild, packaged with
    /// ComponentizeJS: SpiderMonkey without JIT, see the README).
    #[arg(long, requires = "handler")]
    node: bool,
    /// The handler, as Lambda's `Handler` setting: `module.function` (Python), `file.export`
    /// (Node.js, `index.handler` for index.mjs / index.js / index.cjs).
    #[arg(long)]
    handler: Option<String>,
    /// The Node.js runtime to declare (`nodejs20.x`, `nodejs22.x`; default nodejs22.x).
    #[arg(long, requires = "node")]
    runtime: Option<String>,
    /// Where to write the component (Python, Node.js; default `DIR/.lambda-sim/HANDLER.wasm`,
    /// `index.handler.wasm` for `--handler index.handler`).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// The binary to build, in a crate with several (a `lambda_runtime` function).
    #[arg(long, conflicts_with_all = ["python", "node"])]
    bin: Option<String>,
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (wasm, cached) = match (&args.handler, args.python, args.node) {
        (Some(handler), true, _) => {
            let output = output(&args, handler);
            let built = lambda_sim_build::package_python(
                &args.dir,
                handler,
                &output,
                &lambda_sim_build::PythonOptions::default(),
            )?;
            (built.path, built.cached)
        }
        (Some(handler), _, true) => {
            let output = output(&args, handler);
            let built =
                lambda_sim_build::build_node(&args.dir, handler, args.runtime.as_deref(), &output)?;
            (built.path, built.cached)
        }
        (Some(_), false, false) => {
            anyhow::bail!(
                "`--handler` is for a Python or Node.js handler: add `--python` or `--node`"
            )
        }
        (None, _, _) => {
            if args.output.is_some() {
                anyhow::bail!(
                    "`--output` is for a Python or Node.js handler: cargo decides a crate's output"
                );
            }
            let mut options = lambda_sim_build::BuildOptions::default();
            options.bin = args.bin.clone();
            let wasm =
                lambda_sim_build::build_handler_with(&args.dir, &options).with_context(|| {
                    format!("failed to build the handler crate `{}`", args.dir.display())
                })?;
            (wasm, false)
        }
    };
    eprintln!(
        "{}",
        summary(&wasm, started.elapsed().as_secs_f64(), cached)
    );
    println!("{}", wasm.display());
    Ok(ExitCode::SUCCESS)
}

fn output(args: &BuildArgs, handler: &str) -> PathBuf {
    args.output
        .clone()
        .unwrap_or_else(|| lambda_sim_build::default_output(&args.dir, handler))
}

/// `lambda-sim: built index.wasm (12.5 MB) in 9.81 s`, or `unchanged` for a cached build.
fn summary(wasm: &Path, seconds: f64, cached: bool) -> String {
    let size = std::fs::metadata(wasm).map_or(0, |m| m.len());
    let name = wasm.file_name().map_or_else(
        || wasm.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let what = if cached { "unchanged" } else { "built" };
    format!(
        "lambda-sim: {what} {name} ({:.1} MB) in {seconds:.2} s",
        size as f64 / 1e6
    )
}
