//! `lambda-sim`: run AWS Lambda handlers compiled to WebAssembly components, locally.

mod build;
mod chaos;
mod check;
mod demo;
mod generate;
mod invoke;
mod load;
mod process;
mod progress;
mod serve;
mod sim_flags;
mod snap_start;
mod soak;
mod tune;
mod watch;

use clap::{Parser, Subcommand};

/// A local simulator and test harness for AWS Lambda functions compiled to WebAssembly.
#[derive(Parser)]
#[command(name = "lambda-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a handler crate (or with `--python` package a Python handler) to a component and
    /// print the `.wasm` path.
    Build(build::BuildArgs),
    /// Send a seeded stream of asynchronous events while killing environments at random;
    /// exit 1 if an event is lost or delivered twice.
    Chaos(chaos::ChaosArgs),
    /// Check that a function is stateless: the same events answered alike in fresh
    /// environments, on one warm environment, and shuffled with evictions (exit 1 if not).
    Check(check::CheckArgs),
    /// Run the serverless analytics pipeline (Kinesis -> Lambda -> Firehose -> S3, and an
    /// aggregating consumer) on the bundled handlers under seeded chaos, on a virtual clock,
    /// and report what was delivered, duplicated and lost (exit 1 if anything was lost).
    Demo(demo::DemoArgs),
    /// Run a function at several memory sizes and recommend one (AWS Lambda Power Tuning,
    /// locally): duration, billed duration and cost per size, for cost, speed or a balance.
    Tune(tune::TuneArgs),
    /// Print a sample event of a common source (API Gateway, S3, SQS, Kinesis, ...).
    GenerateEvent(generate::GenerateArgs),
    /// Run a load (open loop at a rate, or closed-loop clients) and print latency percentiles
    /// per phase: cold start total, init, invoke, warm.
    Load(load::LoadArgs),
    /// Invoke a function (a `.wasm` component or a handler crate) and print its responses on
    /// stdout and Lambda's log lines on stderr.
    Invoke(Box<invoke::InvokeArgs>),
    /// Serve the Lambda Invoke API on a local port for AWS SDKs and the AWS CLI, from a
    /// `lambda-sim.toml`, a SAM `template.yaml`, or components given by path.
    Serve(Box<serve::ServeArgs>),
    /// Run the server under concurrent clients, random kills and throttling for a set time,
    /// then check that no event was lost and nothing leaked (exit 1 if something did).
    Soak(soak::SoakArgs),
    /// Serve as `serve` does, and rebuild a function when its sources change (a Rust crate, a
    /// Python or Node.js directory, the project file): the next invocation is a cold start on
    /// the new code; a failing build keeps the last good code serving.
    Watch(Box<watch::WatchArgs>),
}

/// A runtime error as a client would read it: the message, then Lambda's error type (and a
/// throttle's reason), for example `Rate Exceeded. (TooManyRequestsException: ...)`.
fn lambda_error(err: lambda_sim_runtime::Error) -> anyhow::Error {
    match &err {
        lambda_sim_runtime::Error::Throttled { reason } => {
            anyhow::anyhow!("{err} ({}: {reason})", err.error_type())
        }
        _ => anyhow::anyhow!("{err} ({})", err.error_type()),
    }
}

/// A project file's refusal, with its Lambda error type as [`lambda_error`] writes it.
fn project_error(err: lambda_sim_project::Error) -> anyhow::Error {
    anyhow::anyhow!("{err} ({})", err.error_type())
}

/// The component of a handler given as a `.wasm` file or a crate (built first).
fn component(path: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context as _;
    lambda_sim_build::component_for(path)
        .with_context(|| format!("failed to build the handler `{}`", path.display()))
}

/// The component of a template's or file's function: its `.wasm`, or its directory built for
/// its runtime (a Rust crate, a Node.js or Python handler).
fn function_component(
    spec: &lambda_sim_project::FunctionSpec,
) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context as _;
    lambda_sim_build::component_for_function(
        &spec.code,
        spec.runtime.as_deref(),
        spec.handler.as_deref(),
    )
    .with_context(|| {
        format!(
            "failed to build the function `{}` (`{}`)",
            spec.config.name,
            spec.code.display()
        )
    })
}

/// What to say of a component's durations when its engine is not its runtime's: a Node.js
/// handler runs on SpiderMonkey without JIT, far slower than V8 on CPU-bound code.
fn engine_note(declared_runtime: Option<&str>) -> Option<&'static str> {
    lambda_sim_runtime::is_nodejs(declared_runtime).then_some(
        "lambda-sim: note: this Node.js function runs on SpiderMonkey without JIT (ComponentizeJS), \
         not V8: CPU-bound durations are many times Node's (a 3,000,000-iteration loop took 278 ms \
         here against 8 ms in Node 20); Init, I/O-bound and billing figures compare better",
    )
}

/// A payload given on the command line, checked as the Invoke API checks it.
fn payload(json: &str) -> anyhow::Result<lambda_sim_runtime::Payload> {
    use anyhow::Context as _;
    lambda_sim_runtime::Payload::json(json)
        .map_err(lambda_error)
        .context("the payload was rejected")
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Chaos(args) => chaos::run(args),
        Command::Check(args) => check::run(args),
        Command::Demo(args) => demo::run(args),
        Command::GenerateEvent(args) => generate::run(args),
        Command::Load(args) => load::run(args),
        Command::Invoke(args) => invoke::run(*args),
        Command::Serve(args) => serve::run(*args),
        Command::Soak(args) => soak::run(args),
        Command::Tune(args) => tune::run(args),
        Command::Watch(args) => watch::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn every_command_declares_its_flags_consistently() {
        // Panics on a clash, or on a command's `mut_arg` naming a flag it does not take.
        super::Cli::command().debug_assert();
    }
}
