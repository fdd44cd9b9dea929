//! Opens a sample report in headless Chromium: the page's script runs without error, counts
//! its three charts, and a screenshot is saved for a human to look at. Without Chromium it fails
//! (or skips, with `LAMBDA_SIM_ALLOW_SKIP=1`).

use std::path::{Path, PathBuf};

use lambda_sim_report::{
    Chart, HtmlReport, Lane, Samples, Section, Series, Span, SpanKind, Table, browser, tool,
};

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

#[test]
fn the_sample_report_renders_in_chromium() {
    let Some(chromium) = tool::require(browser::chromium().ok_or(browser::CHROMIUM_NOT_FOUND))
    else {
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

    let seen = browser::check(&chromium, &page).expect("chromium opens the page");
    assert_eq!(
        seen.title, "lambda-sim report: 3 charts",
        "the page's script counted the charts"
    );
    assert!(seen.svg_elements >= 3, "no <svg> in the DOM");
    assert!(
        seen.console.is_empty(),
        "console messages:\n{}",
        seen.console.join("\n")
    );

    let png = target_dir().join("report-screenshot.png");
    let console = browser::screenshot(&chromium, &page, &png, (1200, 2400)).expect("a screenshot");
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    println!("screenshot: {} ({} bytes)", png.display(), bytes.len());
}
