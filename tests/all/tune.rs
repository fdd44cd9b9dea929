//! Power tuning: `cpu-burn` at Power Tuning's memory sizes, recommended by cost and by speed,
//! with costs that follow Lambda's billing rules; its report checked in headless Chromium.

use lambda_sim_harness::{Strategy, TuneOptions, tune};
use lambda_sim_report::browser;
use lambda_sim_runtime::{Architecture, PRICE_PER_REQUEST, Payload};

async fn tuned(strategy: Strategy) -> lambda_sim_harness::TuneReport {
    let event = Payload::json(r#"{"iterations": 2000000}"#).expect("json");
    let options = TuneOptions {
        runs: 3,
        strategy,
        ..TuneOptions::default()
    };
    let wasm = lambda_sim_fixtures::path("cpu-burn").expect("fixture");
    tune(
        std::path::Path::new(wasm),
        "cpu-burn",
        &event,
        &options,
        |_| {},
    )
    .await
    .expect("tuning runs")
}

#[tokio::test]
async fn tune_recommends_by_cost_and_by_speed_with_lambdas_prices() {
    let cost = tuned(Strategy::Cost).await;
    println!("{cost}");
    assert!(cost.recommended_mb <= 1_769, "{cost}");
    let speed = tuned(Strategy::Speed).await;
    assert!(speed.recommended_mb >= 1_769, "{speed}");
    assert_eq!(
        speed.recommended_mb, 1_769,
        "no faster above one vCPU, and cheaper"
    );
    let sizes: Vec<u32> = cost.results.iter().map(|r| r.memory_mb).collect();
    assert_eq!(sizes, [128, 256, 512, 1024, 1536, 1769, 3008, 10240]);
    for r in &cost.results {
        // GB-seconds at the x86 price plus the request charge, from the billed milliseconds.
        let expected = r.average_billed_ms / 1000.0 * f64::from(r.memory_mb) / 1024.0
            * Architecture::X86_64.price_per_gb_second()
            + PRICE_PER_REQUEST;
        assert!(
            (r.cost_per_invocation - expected).abs() < 1e-15,
            "{} MB: {} vs {expected}",
            r.memory_mb,
            r.cost_per_invocation
        );
        assert!((r.cost_per_million - expected * 1e6).abs() < 1e-9);
        assert_eq!(r.invocations, 2, "the cold start is reported apart");
        assert_eq!(
            r.average_billed_ms,
            r.average_ms.ceil(),
            "billed is the ceiling in ms"
        );
    }
    // Below one vCPU, twice the memory halves the duration.
    let at = |mb: u32| {
        cost.results
            .iter()
            .find(|r| r.memory_mb == mb)
            .expect("size")
    };
    let ratio = at(128).average_ms / at(256).average_ms;
    assert!((ratio - 2.0).abs() < 0.01, "{ratio}");
    let flat = at(10240).average_ms / at(1769).average_ms;
    assert!(
        (flat - 1.0).abs() < 0.001,
        "no faster above one vCPU: {flat}"
    );
}

#[tokio::test]
async fn the_tune_report_renders_its_charts_in_chromium() {
    let report = tuned(Strategy::Balanced { weight: 0.5 }).await;
    let html = report.to_html().render().expect("renders");
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    assert!(html.contains("Recommended: "));
    let without_namespaces = html.replace("http://www.w3.org/2000/svg", "");
    assert!(
        !without_namespaces.contains("http://") && !without_namespaces.contains("https://"),
        "self-contained"
    );
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_owned();
    let page = target.join("tune-report.html");
    std::fs::write(&page, &html).expect("writes");
    let Some(chromium) = crate::require(browser::chromium().ok_or(browser::CHROMIUM_NOT_FOUND))
    else {
        return;
    };
    let seen = browser::check(&chromium, &page).expect("chromium opens the report");
    assert_eq!(seen.title, "lambda-sim report: 3 charts");
    assert_eq!(seen.svg_elements, 3);
    assert!(
        seen.console.is_empty(),
        "console errors: {:?}",
        seen.console
    );
    let png = target.join("tune-report.png");
    let console = browser::screenshot(&chromium, &page, &png, (1200, 2400)).expect("a screenshot");
    assert!(console.is_empty(), "console errors: {console:?}");
    let bytes = std::fs::read(&png).expect("a screenshot under target/");
    assert!(bytes.len() > 10_000, "{} bytes", bytes.len());
}
