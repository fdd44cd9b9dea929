//! The HTTP front door of `lambda-sim serve`, with real clients: curl against API Gateway
//! routes and function URLs of SAM templates, boto3's `invoke_with_response_stream`.

mod routes;
mod streaming;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `lambda-sim serve --template` with its API and function URL ports, on free ports.
pub(crate) struct FrontDoor {
    child: Child,
    /// The Lambda API's endpoint.
    pub(crate) lambda: String,
    /// The API routes' endpoint, when the template has routes.
    pub(crate) api: Option<String>,
    /// Each function URL, by function.
    pub(crate) urls: Vec<(String, String)>,
    stderr: PathBuf,
    pub(crate) dir: tempfile::TempDir,
}

impl FrontDoor {
    /// Serves `template` (written into a temp dir) with `extra` flags.
    pub(crate) fn serve(template: &str, extra: &[&str]) -> FrontDoor {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, template).expect("writes the template");
        let stderr = dir.path().join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .arg("serve")
            .arg("--template")
            .arg(&path)
            .args(["--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"])
            .args(extra)
            .env(
                "LAMBDA_SIM_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
            )
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("a log file"))
            .spawn()
            .expect("lambda-sim serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut door = FrontDoor {
            child,
            lambda: String::new(),
            api: None,
            urls: Vec::new(),
            stderr,
            dir,
        };
        // The Lambda API's line, then the front door's, then nothing until the server stops:
        // read while lines come within the start-up.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.by_ref().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        // Starting may build a lambda_runtime crate for the sandbox first: minutes on a loaded
        // two-core machine with a cold cache. Once started, the lines come at once.
        let wait = |started: bool| std::time::Duration::from_secs(if started { 1 } else { 300 });
        while let Ok(line) = rx.recv_timeout(wait(!door.lambda.is_empty())) {
            if let Some(endpoint) = line.strip_prefix("listening on ") {
                door.lambda = endpoint.to_owned();
            } else if let Some(endpoint) = line.strip_prefix("api listening on ") {
                door.api = Some(endpoint.to_owned());
            } else if let Some(rest) = line.strip_prefix("function url ") {
                let (name, rest) = rest.split_once(" listening on ").expect("a url line");
                let url = rest.split_whitespace().next().expect("a url");
                door.urls.push((name.to_owned(), url.to_owned()));
            }
        }
        assert!(
            !door.lambda.is_empty(),
            "serve did not start:\n{}",
            door.log()
        );
        door
    }

    /// The API routes' endpoint.
    pub(crate) fn api(&self) -> &str {
        self.api.as_deref().expect("the template has API routes")
    }

    /// The function URL of `function`.
    pub(crate) fn url(&self, function: &str) -> &str {
        self.urls
            .iter()
            .find(|(name, _)| name == function)
            .map(|(_, url)| url.as_str())
            .expect("the function has a URL")
    }

    /// What the server printed on stderr so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for FrontDoor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fixture's component path, for a template's `CodeUri`.
pub(crate) fn code(fixture: &str) -> &'static str {
    lambda_sim_fixtures::path(fixture).expect("a fixture")
}

/// `curl` with `args`: (status, headers lower-cased, body).
pub(crate) fn curl(args: &[&str]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let headers = dir.path().join("headers");
    let body = dir.path().join("body");
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "120", "-D"])
        .arg(&headers)
        .arg("-o")
        .arg(&body)
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&headers).expect("curl wrote the headers");
    let mut lines = text.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, std::fs::read(&body).unwrap_or_default())
}

/// The value of `name` among `headers`.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
