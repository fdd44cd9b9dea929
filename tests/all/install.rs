//! lambda-sim installed as a team installs it: the wheel `packaging/build-wheel.sh` builds,
//! `pip install`ed into a fresh virtual environment beside componentize-py, run from an empty
//! directory whose PATH holds the environment's `bin` and the system's (no cargo, no rustup):
//! the demo runs on its embedded handlers, a prebuilt component is invoked, a Python handler
//! is built and invoked, and a Rust crate's build says what to install.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `program` and returns its output, or why it could not be run or failed.
fn run(command: &mut Command) -> Result<Output, String> {
    let out = command
        .output()
        .map_err(|err| format!("failed to run {command:?}: {err}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{command:?} failed ({}):\n{}{}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        ))
    }
}

/// The wheel, built by the repository's script around the binary these tests run (into
/// target/wheels), and a fresh virtual environment with it and componentize-py installed.
fn install(venv: &Path) -> Result<PathBuf, String> {
    let built = run(Command::new("bash")
        .arg(root().join("packaging/build-wheel.sh"))
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_lambda-sim")))?;
    let wheel = PathBuf::from(text(&built.stdout).trim());
    eprintln!("wheel: {} ({:.1} MB)", wheel.display(), megabytes(&wheel));
    run(Command::new("python3").arg("-m").arg("venv").arg(venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(&wheel)
        .arg(format!(
            "componentize-py=={}",
            lambda_sim_harness::COMPONENTIZE_PY_VERSION
        )))?;
    Ok(wheel)
}

fn megabytes(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}

#[test]
fn the_wheel_gives_a_lambda_sim_that_needs_no_rust_toolchain() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let venv = temp.path().join("venv");
    let Some(_wheel) = crate::require(install(&venv)) else {
        return;
    };
    let lambda_sim = venv.join("bin/lambda-sim");
    assert!(
        lambda_sim.is_file(),
        "the wheel puts lambda-sim on the venv's PATH"
    );
    eprintln!("binary: {:.1} MB", megabytes(&lambda_sim));
    let work = temp.path().join("empty");
    std::fs::create_dir(&work).expect("creates the work dir");
    let path = format!("{}:/usr/bin:/bin", venv.join("bin").display());
    let no_rust = Command::new("bash")
        .args(["-c", "! command -v cargo && ! command -v rustup"])
        .env_clear()
        .env("PATH", &path)
        .output()
        .expect("bash runs");
    assert!(
        no_rust.status.success(),
        "this test needs a PATH without cargo or rustup, found: {}",
        text(&no_rust.stdout)
    );
    let sim = |args: &[&str]| {
        // Nothing of the test's environment: no CARGO, RUSTC or LAMBDA_SIM_* variables.
        Command::new(&lambda_sim)
            .args(args)
            .current_dir(&work)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", temp.path().join("home"))
            .output()
            .expect("lambda-sim runs")
    };

    let demo = sim(&["demo", "--records", "10000"]);
    let out = text(&demo.stdout);
    assert!(demo.status.success(), "{out}{}", text(&demo.stderr));
    assert!(out.starts_with("events: 10000 in (3 poison), "), "{out}");
    assert!(out.contains(" 0 lost\n"), "{out}");
    assert!(
        out.contains("verdict: nothing lost, every shard in order"),
        "{out}"
    );

    std::fs::copy(lambda_sim_fixtures::HELLO, work.join("hello.wasm")).expect("copies hello");
    let invoke = sim(&["invoke", "hello.wasm", "--payload", r#"{"name":"wheel"}"#]);
    assert!(invoke.status.success(), "{}", text(&invoke.stderr));
    assert!(
        text(&invoke.stdout).contains(r#""greeting":"hello, wheel""#),
        "{}",
        text(&invoke.stdout)
    );

    std::fs::create_dir(work.join("py")).expect("creates py/");
    std::fs::copy(
        root().join("fixtures/python/hello/app.py"),
        work.join("py/app.py"),
    )
    .expect("copies app.py");
    let built = sim(&["build", "--python", "py", "--handler", "app.handler"]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let component = text(&built.stdout).trim().to_owned();
    let invoke = sim(&["invoke", &component, "--payload", r#"{"name":"python"}"#]);
    assert!(invoke.status.success(), "{}", text(&invoke.stderr));
    assert!(
        text(&invoke.stdout).contains(r#""greeting": "hello, python""#)
            || text(&invoke.stdout).contains(r#""greeting":"hello, python""#),
        "{}",
        text(&invoke.stdout)
    );

    // A Rust crate: what to install, not the system's "No such file or directory".
    std::fs::create_dir(work.join("rust")).expect("creates rust/");
    std::fs::write(
        work.join("rust/Cargo.toml"),
        "[package]\nname = \"f\"\nversion = \"0.1.0\"\n",
    )
    .expect("writes Cargo.toml");
    let rust = sim(&["build", "rust"]);
    let err = text(&rust.stderr);
    assert!(!rust.status.success(), "{err}");
    assert!(err.contains("rustup target add wasm32-wasip2"), "{err}");
    assert!(err.contains("`cargo` was not found on the PATH"), "{err}");
    assert!(!err.contains("No such file or directory"), "{err}");
}
