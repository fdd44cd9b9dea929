//! Opens a sample report in headless Chromium: the page's script runs without error, counts
//! its three charts, and a screenshot is saved for a human to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lambda_sim_report::{Chart, HtmlReport, Lane, Samples, Section, Series, Span, SpanKind, Table};

/// Power tuning, cold vs warm latencies and a three-environment timeline, as `tune`, `load`
/// and `chaos` would report them.
fn sample() -> HtmlReport {
    let memory = [128.0, 256.0, 512.0, 1024.0, 1536.0, 2048.0, 3008.0, 10240.0];
    // CPU grows with memory up to 1,769 MB: duration falls, then flattens.
    let duration = |mb: f64| 20.0 + 180_000.0 / mb.min(1769.0);
    let cost = |mb: f64| duration(mb).ceil() * mb / 1024.0 * 0.000_016_666_7 / 1000.0 + 2e-7;
    let tuning = Table::new(["memory (MB)", "avg duration (ms)", "cost (USD)"]);
    let tuning = memory.iter().fold(tuning, |table, &mb| {
        table.with_row([
            format!("{mb}"),
            format!("{:.1}", duration(mb)),
            format!("${:.10}", cost(mb)),
        ])
    });
    let latencies = |base: f64, spread: f64, n: usize| {
        (0..n)
            .map(|i| base + spread * ((i * 7919) % 101) as f64 / 100.0)
            .collect::<Vec<_>>()
    };
    let lanes = (0..3)
        .map(|env| {
            let start = env as f64 * 40.0;
            let mut spans = vec![
                Span::new(SpanKind::ColdStart, start, start + 120.0).with_label("cold start"),
                Span::new(SpanKind::Init, start + 120.0, start + 300.0).with_label("init"),
            ];
            let mut t = start + 300.0;
            for i in 0..6 {
                let kind = match (env, i) {
                    (1, 3) => SpanKind::Error,
                    (2, 4) => SpanKind::Throttle,
                    _ => SpanKind::Invoke,
                };
                spans.push(Span::new(kind, t, t + 90.0).with_label(format!("req {i}")));
                spans.push(Span::new(SpanKind::HostCall, t + 30.0, t + 45.0));
                t += 110.0;
            }
            Lane::new(format!("environment {env}"), spans)
        })
        .collect();
    HtmlReport::new("lambda-sim report <sample> & co")
        .with_subtitle("hello.wasm, 8 memory sizes, 3 environments")
        .with_section(
            Section::new("Power tuning")
                .with_paragraph("The cheapest memory size is 128 MB; the fastest is 10240 MB.")
                .with_table(tuning)
                .with_chart(Chart::Lines {
                    title: "Duration and cost by memory size".into(),
                    x_label: "memory (MB)".into(),
                    x_log: true,
                    left_label: "avg duration (ms)".into(),
                    left: vec![Series::new(
                        "avg duration",
                        memory.iter().map(|&mb| (mb, duration(mb))),
                    )],
                    right_label: "cost per invocation (USD)".into(),
                    right: vec![Series::new("cost", memory.iter().map(|&mb| (mb, cost(mb))))],
                }),
        )
        .with_section(Section::new("Latency").with_chart(Chart::Histogram {
            title: "Cold and warm latencies".into(),
            x_label: "latency (ms)".into(),
            bins: 30,
            samples: vec![
                Samples::new("cold", latencies(180.0, 220.0, 40)),
                Samples::new("warm", latencies(2.0, 60.0, 400)),
            ],
        }))
        .with_section(Section::new("Invocations").with_chart(Chart::Timeline {
            title: "Invocations by execution environment".into(),
            x_label: "time (ms)".into(),
            lanes,
        }))
}

fn chromium() -> Option<PathBuf> {
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

/// The target directory: `CARGO_TARGET_DIR`, or the `target` directory above this test's
/// executable, or the directory above the profile's (`target/debug/deps/browser-*`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
        .or_else(|| exe.ancestors().nth(3))
        .expect("a directory above the test executable")
        .to_owned()
}

/// Runs Chromium headless with `args` on `page`, killed after a minute; returns its stdout and
/// stderr.
fn run_chromium(chromium: &Path, profile: &Path, args: &[&str], page: &Path) -> (String, String) {
    let out_dir = profile.with_extension("out");
    std::fs::create_dir_all(&out_dir).expect("create the output directory");
    let stdout_path = out_dir.join("stdout");
    let stderr_path = out_dir.join("stderr");
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
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).expect("create stdout file"))
        .stderr(std::fs::File::create(&stderr_path).expect("create stderr file"))
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            assert!(status.success(), "chromium failed ({status}):\n{stderr}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(&stdout_path).expect("read chromium's stdout"),
        std::fs::read_to_string(&stderr_path).expect("read chromium's stderr"),
    )
}

/// Console messages as Chromium logs them (`...:INFO:CONSOLE:1] "Uncaught ..."`); the page
/// writes none, so any is an error.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("Uncaught"))
        .collect()
}

#[test]
fn the_sample_report_renders_in_chromium() {
    let Some(chromium) = chromium() else {
        println!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let page = dir.join("report.html");
    let report = sample();
    report.write(&page).expect("write the report");
    let size = std::fs::metadata(&page)
        .expect("the report's metadata")
        .len();
    println!("report: {} ({size} bytes)", page.display());

    let (dom, stderr) = run_chromium(&chromium, &dir.join("profile-dom"), &["--dump-dom"], &page);
    assert!(
        dom.contains("<title>lambda-sim report: 3 charts</title>"),
        "the page's script did not count 3 charts; the title is {:?}",
        dom.split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
    );
    assert!(dom.contains("<svg"), "no <svg> in the DOM");
    let console = console_lines(&stderr);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );

    let screenshot = target_dir().join("report-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    let arg = format!("--screenshot={}", screenshot.display());
    let (_, stderr) = run_chromium(
        &chromium,
        &dir.join("profile-screenshot"),
        &[&arg, "--window-size=1200,2400", "--hide-scrollbars"],
        &page,
    );
    let console = console_lines(&stderr);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    let png = std::fs::read(&screenshot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    println!("screenshot: {} ({} bytes)", screenshot.display(), png.len());
}
