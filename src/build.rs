//! `lambda-sim build`: compile a handler crate, or package a Python handler, to a component.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

/// Arguments of `lambda-sim build`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// The handler's directory: a Rust crate, or with `--python` a directory of `.py` files.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The directory holds a Python handler (packaged with componentize-py).
    #[arg(long, requires = "handler")]
    python: bool,
    /// The Python handler, `module.function` (as Lambda's `Handler` setting).
    #[arg(long, requires = "python")]
    handler: Option<String>,
    /// Where to write the component (Python; default `DIR/.lambda-sim/MODULE.wasm`).
    #[arg(long, short = 'o', requires = "python")]
    output: Option<PathBuf>,
    /// The binary to build, in a crate with several (a `lambda_runtime` function).
    #[arg(long, conflicts_with = "python")]
    bin: Option<String>,
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let wasm = match (&args.handler, args.python) {
        (Some(handler), true) => {
            let module = handler
                .rsplit_once('.')
                .map_or(handler.as_str(), |(m, _)| m);
            let output = args
                .output
                .clone()
                .unwrap_or_else(|| args.dir.join(".lambda-sim").join(format!("{module}.wasm")));
            lambda_sim_build::build_python(&args.dir, handler, &output)?
        }
        _ => {
            let mut options = lambda_sim_build::BuildOptions::default();
            options.bin = args.bin.clone();
            lambda_sim_build::build_handler_with(&args.dir, &options).with_context(|| {
                format!("failed to build the handler crate `{}`", args.dir.display())
            })?
        }
    };
    println!("{}", wasm.display());
    Ok(ExitCode::SUCCESS)
}
