//! The HTTP front door in a browser: `lambda-sim serve --template` serves the to-do app
//! (`fixtures/lambda-runtime/todo`, a `lambda_http` function, unchanged) on its HttpApi routes,
//! and headless Chromium, driven by Playwright (tests/clients/browser_todo.py), uses it as a
//! person would: adds two to-dos with the form, marks one done, reloads, opens it in a second
//! browser. Its full-page screenshot is kept at `target/todo-screenshot.png`.
//!
//! Playwright comes from the virtual environment `.ci/run` makes (`target/py-venv`, or
//! `LAMBDA_SIM_PYTHON`), Chromium from Debian; without either the test fails naming it (or
//! skips, with `LAMBDA_SIM_ALLOW_SKIP=1`).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lambda_sim_report::browser;
use serde_json::{Value, json};

/// How long `serve` may take to build the function and print its addresses (the first build
/// of the stand-ins on a clean target directory takes a minute on two cores).
const STARTUP: Duration = Duration::from_secs(600);

/// The requests the script makes, each one invocation: three page loads (the first, the
/// reload, the second browser) and ten API calls (the list on each load and after each
/// change, two adds, one done, and the list the script reads itself).
const REQUESTS: usize = 13;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Python with Playwright, or why there is none.
fn playwright() -> Result<PathBuf, String> {
    let python = match std::env::var_os("LAMBDA_SIM_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => root().join("target/py-venv/bin/python"),
    };
    let missing = |what: String| {
        format!(
            "playwright not found: {what}: run .ci/run's install steps (a venv at target/py-venv \
             with playwright==1.63.0; Chromium is Debian's, no `playwright install`), or set \
             LAMBDA_SIM_PYTHON to a Python that has it"
        )
    };
    match Command::new(&python)
        .args(["-c", "import playwright.sync_api"])
        .output()
    {
        Ok(out) if out.status.success() => Ok(python),
        Ok(out) => Err(missing(format!(
            "{} cannot import it ({})",
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

/// `lambda-sim serve --template` with its API routes on a free port.
struct FrontDoor {
    child: Child,
    /// The API routes' base URL, from `api listening on ...`.
    api: String,
    stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl FrontDoor {
    fn start(template: &Path) -> FrontDoor {
        let dir = tempfile::tempdir().expect("a temp dir");
        let stderr = dir.path().join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .arg("serve")
            .arg("--template")
            .arg(template)
            .args(["--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"])
            .env(
                "LAMBDA_SIM_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
            )
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("a log file"))
            .spawn()
            .expect("lambda-sim serve starts");
        // Every stdout line, read on a thread that keeps reading (and so keeps the pipe open)
        // until serve exits.
        let stdout = child.stdout.take().expect("serve's stdout");
        let (lines, seen) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + STARTUP;
        let mut printed = Vec::new();
        let api = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match seen.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("api listening on ") {
                    Some(url) => break url.trim().to_owned(),
                    None => printed.push(line),
                },
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "serve printed no `api listening on` line ({why:?}); stdout: {printed:?}\n{}",
                        std::fs::read_to_string(&stderr).unwrap_or_default()
                    );
                }
            }
        };
        assert!(
            printed
                .iter()
                .any(|l| l.starts_with("listening on http://")),
            "the Lambda API's address comes first: {printed:?}"
        );
        FrontDoor {
            child,
            api,
            stderr,
            _dir: dir,
        }
    }

    /// Stops serve with SIGTERM (SIGKILL if it has not exited in 10 s) and returns its stderr.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for FrontDoor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PNG's width and height, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR"),
        "not a PNG: {:?}",
        &bytes[..bytes.len().min(16)]
    );
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (number(16), number(20))
}

#[test]
fn a_browser_keeps_its_todos_through_the_front_door() {
    let Some(python) = crate::require(playwright()) else {
        return;
    };
    let Some(chromium) = crate::require(browser::chromium().ok_or(browser::CHROMIUM_NOT_FOUND))
    else {
        return;
    };
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir");
    let screenshot = target.join("todo-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);

    let front_door = FrontDoor::start(&root().join("fixtures/lambda-runtime/todo/template.yaml"));
    let page = format!("{}/", front_door.api.trim_end_matches('/'));
    let out = Command::new(&python)
        .arg(root().join("tests/clients/browser_todo.py"))
        .arg(&page)
        .arg(&screenshot)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("python runs");
    let stderr = front_door.stop();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser_todo.py failed: {}{stdout}\nserve's log:\n{stderr}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The list as the page showed it after a reload, as the API answered it, and as a second
    // browser showed it: the same two items, the first one done.
    let summary: Value = serde_json::from_str(&stdout).expect("a JSON summary on stdout");
    let items = json!([
        {"id": 1, "title": "Buy oat milk", "done": true},
        {"id": 2, "title": "Write the front door test", "done": false},
    ]);
    assert_eq!(summary["before"], json!([]), "a fresh serve starts empty");
    assert_eq!(summary["items"], items, "{summary}");
    assert_eq!(summary["api"], items, "{summary}");
    assert_eq!(summary["second_browser"], items, "{summary}");

    let png = std::fs::read(&screenshot).expect("the screenshot under target/");
    let (width, height) = png_size(&png);
    assert!(png.len() > 10_000, "a blank page? {} bytes", png.len());
    assert!(width >= 800 && height >= 600, "{width}x{height}");

    // Each request was one invocation of the function, at the template's memory size.
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("REPORT RequestId: "))
        .collect();
    assert_eq!(reports.len(), REQUESTS, "{stderr}");
    assert!(
        reports.iter().all(|l| l.contains("Memory Size: 512 MB")),
        "{stderr}"
    );
    assert!(
        reports[0].contains("Init Duration: "),
        "the first is a cold start: {stderr}"
    );
}
