//! Unmodified AWS clients against the `lambda-sim serve` binary: boto3 (tests/clients/
//! boto3_e2e.py) and the AWS CLI. They come from a Python virtual environment that `.ci/run`
//! makes (`target/py-venv`, or `LAMBDA_SIM_PYTHON`); without one the tests fail, naming what is
//! missing (or skip, with `LAMBDA_SIM_ALLOW_SKIP=1`).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The Python with boto3 and the AWS CLI, or why there is none.
pub(crate) fn python() -> Result<PathBuf, String> {
    let python = match std::env::var_os("LAMBDA_SIM_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv/bin/python"),
    };
    let missing = |what: String| {
        format!(
            "boto3 and the AWS CLI not found: {what}: run .ci/run's install steps (a venv at \
             target/py-venv with boto3 and awscli), or set LAMBDA_SIM_PYTHON to a Python that has them"
        )
    };
    match Command::new(&python)
        .args(["-c", "import boto3, awscli"])
        .output()
    {
        Ok(out) if out.status.success() => Ok(python),
        Ok(out) => Err(missing(format!(
            "{} cannot import them ({})",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ))),
        Err(err) => Err(missing(format!(
            "no Python at {} ({err})",
            python.display()
        ))),
    }
}

/// `lambda-sim serve` on a free port, with `hello`, `panic`, `spin` (1 s timeout, reserved
/// concurrency 1) and `closed` (reserved concurrency 0).
pub(crate) struct Serve {
    child: Child,
    pub(crate) endpoint: String,
    stderr: PathBuf,
    pub(crate) dir: tempfile::TempDir,
}

impl Serve {
    fn start() -> Serve {
        let dir = tempfile::tempdir().expect("a temp dir");
        let fixture = |name: &str| lambda_sim_fixtures::path(name).expect("a fixture");
        let config = format!(
            r#"
[[function]]
name = "hello"
path = "{hello}"

[[function]]
name = "panic"
path = "{panic}"

[[function]]
name = "spin"
path = "{spin}"
timeout = 1
reserved_concurrency = 1

[[function]]
name = "closed"
path = "{hello}"
reserved_concurrency = 0
"#,
            hello = fixture("hello"),
            panic = fixture("panic"),
            spin = fixture("spin-forever"),
        );
        let config_path = dir.path().join("lambda-sim.toml");
        std::fs::write(&config_path, config).expect("writes the config");
        Serve::launch(dir, "--config", &config_path)
    }

    /// `lambda-sim serve <flag> <file>` on a free port, its stderr in `dir`.
    pub(crate) fn launch(dir: tempfile::TempDir, flag: &str, file: &Path) -> Serve {
        let stderr = dir.path().join("stderr.log");
        let (child, endpoint) = start_serving("serve", flag, file, &stderr);
        Serve {
            endpoint,
            child,
            stderr,
            dir,
        }
    }

    /// Kills the server and returns what it printed on stderr.
    pub(crate) fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Sends SIGTERM and returns what the server printed on stderr.
    pub(crate) fn terminate(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("serve exits");
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        assert!(
            status.success(),
            "serve exits cleanly on SIGTERM: {status}\n{stderr}"
        );
        stderr
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn boto3_gets_what_aws_answers() {
    let Some(python) = crate::require(python()) else {
        return;
    };
    let serve = Serve::start();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/boto3_e2e.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&serve.endpoint)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.ends_with("all boto3 checks passed\n"), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok: ")).count(), 28);

    // The Event boto3 sent was delivered before the shutdown finished, and logged.
    let stderr = serve.terminate();
    assert!(
        stderr.contains(
            "lambda-sim: stopped; async events: 1 accepted, 1 delivered, 0 failed, 0 still queued"
        ),
        "{stderr}"
    );
    assert!(stderr.lines().any(|l| l == "greeting async"), "{stderr}");
}

#[test]
fn the_aws_cli_writes_the_payload_file() {
    let Some(python) = crate::require(python()) else {
        return;
    };
    let aws = python.with_file_name("aws");
    let serve = Serve::start();
    let invoke = |function: &str, out: &Path| {
        Command::new(&python)
            .arg(&aws)
            .args(["lambda", "invoke", "--endpoint-url", &serve.endpoint])
            .args(["--no-sign-request", "--region", "us-east-1"])
            .args(["--function-name", function])
            .args(["--payload", r#"{"name": "cli"}"#, "--log-type", "Tail"])
            .arg(out)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .expect("aws runs")
    };
    let out_file = serve.dir.path().join("out.json");
    let out = invoke("hello", &out_file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout).expect("the CLI prints JSON");
    assert_eq!(printed["StatusCode"], 200);
    assert_eq!(printed["ExecutedVersion"], "$LATEST");
    assert!(printed["LogResult"].is_string(), "{printed}");
    assert_eq!(
        std::fs::read_to_string(&out_file).expect("the payload file"),
        r#"{"echo":{"name":"cli"},"greeting":"hello, cli"}"#
    );

    // A function error: the CLI still exits 0, prints FunctionError, writes the error.
    let error_file = serve.dir.path().join("error.json");
    let out = invoke("panic", &error_file);
    assert!(out.status.success());
    let printed: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the CLI prints JSON");
    assert_eq!(printed["FunctionError"], "Unhandled");
    let error: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&error_file).expect("the error file"))
            .expect("JSON");
    assert_eq!(error["errorMessage"], "Lambda panicked: boom");
    serve.terminate();
}

/// A GET on a fresh connection; the body.
fn get(endpoint: &str, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("sends");
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    raw.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

#[test]
fn a_sam_template_is_served_with_warnings_for_what_is_not_simulated() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let template = format!(
        r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    MemorySize: 256
    Environment:
      Variables:
        STAGE: test
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: hello-sam
      CodeUri: {hello}
      Timeout: 7
      Tracing: Active
      Events:
        Api:
          Type: Api
          Properties:
            Path: /hello
            Method: get
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
"#,
        hello = lambda_sim_fixtures::HELLO
    );
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).expect("writes the template");
    let serve = Serve::launch(dir, "--template", &path);
    let configuration = get(
        &serve.endpoint,
        "/2015-03-31/functions/hello-sam/configuration",
    );
    let log = serve.kill();
    let configuration: serde_json::Value = serde_json::from_str(&configuration)
        .unwrap_or_else(|err| panic!("GetFunctionConfiguration answers JSON ({err}): {log}"));
    assert_eq!(configuration["FunctionName"], "hello-sam");
    assert_eq!(configuration["MemorySize"], 256, "from Globals");
    assert_eq!(configuration["Timeout"], 7);
    assert_eq!(configuration["Environment"]["Variables"]["STAGE"], "test");
    assert_eq!(configuration["TracingConfig"]["Mode"], "Active");
    let warnings: Vec<&str> = log.lines().filter(|l| l.starts_with("warning: ")).collect();
    let file = path.display();
    assert_eq!(
        warnings,
        [format!(
            "warning: {file}: function `HelloFunction`: event source `Nightly` of type `Schedule` is not simulated by `serve` (invoke the function directly)"
        ),]
    );
}

#[test]
fn serve_refuses_an_address_that_is_not_loopback_unless_asked() {
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .args(["serve", lambda_sim_fixtures::HELLO, "--addr", "0.0.0.0:0"])
        .output()
        .expect("lambda-sim runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: 0.0.0.0:0 is not a loopback address: the simulator runs handlers for anyone who reaches it, without authentication; pass --allow-remote to serve it anyway\n"
    );
}

/// `lambda-sim <subcommand> <flag> <file>` (`serve` or `watch`) on free ports, its stderr to
/// `stderr`: the child, once it printed its address, and that address (`http://...`). Python
/// functions are built with the componentize-py of the tests' environment.
pub(crate) fn start_serving(
    subcommand: &str,
    flag: &str,
    file: &Path,
    stderr: &Path,
) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lambda-sim"));
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv/bin/componentize-py");
    if std::env::var_os("LAMBDA_SIM_COMPONENTIZE_PY").is_none() && venv.is_file() {
        command.env("LAMBDA_SIM_COMPONENTIZE_PY", venv);
    }
    let mut child = command
        .arg(subcommand)
        .arg(flag)
        .arg(file)
        .args(["--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"])
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).expect("a log file"))
        .spawn()
        .unwrap_or_else(|err| panic!("lambda-sim {subcommand} starts: {err}"));
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let Some(endpoint) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        panic!(
            "{subcommand} did not start: {line:?}\n{}",
            std::fs::read_to_string(stderr).unwrap_or_default()
        );
    };
    (child, endpoint.to_owned())
}
