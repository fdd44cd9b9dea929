//! `lambda-sim build`: compile a handler crate to a component.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

/// Arguments of `lambda-sim build`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// The handler crate's directory.
    #[arg(default_value = ".")]
    crate_dir: PathBuf,
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let wasm = lambda_sim_harness::build_handler(&args.crate_dir).with_context(|| {
        format!(
            "failed to build the handler crate `{}`",
            args.crate_dir.display()
        )
    })?;
    println!("{}", wasm.display());
    Ok(ExitCode::SUCCESS)
}
