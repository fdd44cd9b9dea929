//! The first invoke after `lambda-sim serve` starts: the real binary, started fresh each time,
//! answering its first request (the cold start that follows the eager load) on a connection
//! opened beforehand, next to the warm invoke that follows it on the same server.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::json;

use super::{Figure, median};

const NAME: &str = "first invoke after serve starts";
const TARGET: &str = "<= 1 ms (median)";
/// Fresh starts of the server.
const STARTS: usize = 10;
/// How long the server is left to accept the connection before the request is written.
const SETTLE: Duration = Duration::from_millis(20);

/// The figure: `STARTS` fresh servers, the first request's time on each from writing it on a
/// connected socket to the last byte of the answer; REPORT's Init Duration read from the
/// server's log. Skipped (and said so) when `lambda-sim` is not built next to this binary.
pub fn figure(wasm: &Path, event: &[u8]) -> anyhow::Result<Figure> {
    let binary = std::env::current_exe()
        .context("failed to find the running executable")?
        .with_file_name(format!("lambda-sim{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        let reason = format!(
            "skipped: no `{}` (cargo build --release -p lambda-sim)",
            binary.display()
        );
        return Ok(Figure {
            name: NAME,
            simulator: "skipped: no lambda-sim".to_owned(),
            baseline: "-".to_owned(),
            ratio: "-".to_owned(),
            target: TARGET,
            pass: true,
            values: json!({ "skipped": reason }),
        });
    }
    let name = lambda_sim_build::function_name(wasm);
    let request = request(&name, event);
    let (mut first, mut warm, mut init) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let start = start_once(&binary, wasm, &request)?;
        first.push(start.first_ms);
        warm.push(start.warm_ms);
        init.extend(start.init_ms);
    }
    let (min, max) = (
        first.iter().copied().fold(f64::INFINITY, f64::min),
        first.iter().copied().fold(0.0, f64::max),
    );
    let (first, warm) = (median(first), median(warm));
    let init = (!init.is_empty()).then(|| median(init));
    Ok(Figure {
        name: NAME,
        simulator: match init {
            Some(init) => format!("{first:.2} ms (Init {init:.2})"),
            None => format!("{first:.2} ms"),
        },
        baseline: format!("{warm:.2} ms warm"),
        ratio: format!("{:+.2} ms", first - warm),
        target: TARGET,
        pass: first <= 1.0,
        values: json!({
            "starts": STARTS,
            "first_ms": first,
            "first_min_ms": min,
            "first_max_ms": max,
            "warm_ms": warm,
            "init_duration_ms": init,
        }),
    })
}

/// What one fresh server measured.
struct Start {
    first_ms: f64,
    warm_ms: f64,
    init_ms: Option<f64>,
}

/// Starts `lambda-sim serve` on a free port, invokes it twice on one connection, stops it.
fn start_once(binary: &Path, wasm: &Path, request: &[u8]) -> anyhow::Result<Start> {
    let mut child = Command::new(binary)
        .arg("serve")
        .arg(wasm)
        .args(["--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("failed to start `{}`", binary.display()))?;
    let measured = invoke_twice(&mut child, request);
    stop(&mut child);
    let mut log = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut log);
    }
    let (first_ms, warm_ms) = measured.with_context(|| format!("the server said: {log}"))?;
    Ok(Start {
        first_ms,
        warm_ms,
        init_ms: init_duration(&log),
    })
}

/// The two requests' times, in milliseconds: the first (a cold start) and the next (warm).
fn invoke_twice(child: &mut Child, request: &[u8]) -> anyhow::Result<(f64, f64)> {
    let stdout = child.stdout.take().context("the server has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("failed to read the server's address")?;
    let Some(addr) = line.trim().strip_prefix("listening on http://") else {
        bail!("the server printed no address");
    };
    let mut socket =
        TcpStream::connect(addr).with_context(|| format!("failed to connect to {addr}"))?;
    socket.set_nodelay(true)?;
    socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    std::thread::sleep(SETTLE);
    let first = round_trip(&mut socket, request)?;
    let warm = round_trip(&mut socket, request)?;
    Ok((first, warm))
}

/// Writes `request` and reads the whole answer; its time in milliseconds.
fn round_trip(socket: &mut TcpStream, request: &[u8]) -> anyhow::Result<f64> {
    let started = Instant::now();
    socket.write_all(request)?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let read = socket.read(&mut buffer)?;
        if read == 0 {
            bail!("the server closed the connection");
        }
        answer.extend_from_slice(&buffer[..read]);
        if is_complete(&answer) {
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    if !answer.starts_with(b"HTTP/1.1 200") {
        bail!(
            "the invoke failed: {}",
            String::from_utf8_lossy(&answer)
                .lines()
                .next()
                .unwrap_or("")
        );
    }
    Ok(elapsed)
}

/// Whether `answer` holds a whole response: its head and `content-length` bytes of body.
fn is_complete(answer: &[u8]) -> bool {
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    answer.len() >= end + 4 + length
}

/// A `RequestResponse` invoke of `function` with `event`.
fn request(function: &str, event: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST /2015-03-31/functions/{function}/invocations HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        event.len()
    )
    .into_bytes();
    request.extend_from_slice(event);
    request
}

/// Stops the server as Ctrl-C does (it removes its `/tmp` directories), or kills it.
fn stop(child: &mut Child) {
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .is_ok_and(|status| status.success());
    if !interrupted {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// The first REPORT's Init Duration in the server's log, in milliseconds.
fn init_duration(log: &str) -> Option<f64> {
    log.lines()
        .filter(|l| l.starts_with("REPORT "))
        .find_map(|l| l.split("Init Duration: ").nth(1))
        .and_then(|rest| rest.split(" ms").next())
        .and_then(|ms| ms.trim().parse().ok())
}
