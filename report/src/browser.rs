//! Checking a report in a real browser: Debian's Chromium, headless, opens the file and tells
//! what a person would see: the page's title once its script ran (which counts the drawn
//! charts), whether it holds SVG, the console messages it logged (the page logs none, so any is
//! an error), and a screenshot. The tests use it; a team can use it in its own CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{ReportError, Result};

/// The longest a Chromium run may take before it is killed.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Why [`chromium`] found none, and how to get it.
pub const CHROMIUM_NOT_FOUND: &str = "chromium not found (looked in PATH and /usr/bin/chromium): \
     install Debian's package (`apt-get install chromium`), as .ci/run does";

/// Chromium's binary: `chromium` on the `PATH`, or `/usr/bin/chromium`; `None` when it is not
/// installed ([`CHROMIUM_NOT_FOUND`]).
pub fn chromium() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let usr = PathBuf::from("/usr/bin/chromium");
        usr.is_file().then_some(usr)
    })
}

/// What the browser saw of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCheck {
    /// The document's title after its scripts ran.
    pub title: String,
    /// `<svg` elements in the rendered DOM.
    pub svg_elements: usize,
    /// Console messages and uncaught errors Chromium logged.
    pub console: Vec<String>,
}

/// Opens `page` in headless `chromium` and reads the rendered DOM and the console.
pub fn check(chromium: &Path, page: &Path) -> Result<PageCheck> {
    let (dom, log) = run(chromium, page, &["--dump-dom"])?;
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default()
        .to_owned();
    Ok(PageCheck {
        title,
        svg_elements: dom.matches("<svg").count(),
        console: console_lines(&log),
    })
}

/// Saves a `width` x `height` screenshot of `page` as the PNG `png`; returns the console
/// messages logged meanwhile.
pub fn screenshot(
    chromium: &Path,
    page: &Path,
    png: &Path,
    (width, height): (u32, u32),
) -> Result<Vec<String>> {
    let _ = std::fs::remove_file(png);
    let shot = format!("--screenshot={}", png.display());
    let size = format!("--window-size={width},{height}");
    let (_, log) = run(chromium, page, &[&shot, &size, "--hide-scrollbars"])?;
    let bytes = std::fs::read(png).map_err(|err| browser(format!("no screenshot: {err}")))?;
    if !bytes.starts_with(b"\x89PNG") {
        return Err(browser("the screenshot is not a PNG".to_owned()));
    }
    Ok(console_lines(&log))
}

fn browser(message: String) -> ReportError {
    ReportError::Browser(message)
}

/// Console messages as Chromium logs them (`...:INFO:CONSOLE:1] "Uncaught ..."`).
fn console_lines(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("Uncaught"))
        .map(str::to_owned)
        .collect()
}

/// Runs Chromium headless with a throwaway profile; returns its stdout and stderr.
fn run(chromium: &Path, page: &Path, args: &[&str]) -> Result<(String, String)> {
    let dir =
        tempfile::tempdir().map_err(|err| browser(format!("no temporary directory: {err}")))?;
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let file = |path: &Path| {
        std::fs::File::create(path).map_err(|e| browser(format!("cannot capture output: {e}")))
    };
    let page = std::fs::canonicalize(page).unwrap_or_else(|_| page.to_owned());
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(file(&out)?)
        .stderr(file(&err)?)
        .spawn()
        .map_err(|e| browser(format!("cannot start `{}`: {e}", chromium.display())))?;
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(browser(
                    "chromium did not finish within a minute".to_owned(),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(browser(format!("cannot wait for chromium: {e}"))),
        }
    };
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    let (stdout, stderr) = (read(&out), read(&err));
    if !status.success() {
        return Err(browser(format!("chromium failed ({status}): {stderr}")));
    }
    Ok((stdout, stderr))
}
