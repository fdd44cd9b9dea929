//! `lambda-sim-bench`, run as a user runs it: every figure of the table, each against its
//! target, and the invariants that hold whatever the machine's speed.

use std::path::Path;
use std::process::{Command, Output};

fn lambda_sim_bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambda-sim-bench"))
        .args(args)
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-cache"),
        )
        .output()
        .expect("lambda-sim-bench runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn event(name: &str) -> String {
    format!("{}/{name}", lambda_sim_fixtures::EVENTS_DIR)
}

#[test]
fn bench_prints_every_figure_against_its_target() {
    let out = lambda_sim_bench(&[
        lambda_sim_fixtures::HELLO,
        "--event",
        &event("bench-1kb.json"),
        "--iterations",
        "200",
        "--chaos-events",
        "2000",
        "--environments",
        "20",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = report["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .map(|f| f["figure"].as_str().unwrap_or_default())
        .collect();
    // Beside `cargo lambda watch`: three rows where it is installed, else one saying why not
    // (as in CI).
    let (cargo_lambda, names): (Vec<&str>, Vec<&str>) = names
        .into_iter()
        .partition(|name| name.starts_with("vs cargo lambda"));
    assert!(
        matches!(
            cargo_lambda.as_slice(),
            ["vs cargo lambda watch"]
                | [
                    "vs cargo lambda, median latency",
                    "vs cargo lambda, 4 connections",
                    "vs cargo lambda, 8 connections",
                ]
        ),
        "{cargo_lambda:?}"
    );
    assert_eq!(
        names,
        [
            "warm invoke (in process)",
            "cold start (no injected delay)",
            "cold starts, 2 threads vs 1",
            "HTTP warm invoke, median latency",
            "HTTP warm invoke, 4 connections",
            "virtual-clock chaos run",
            "memory per warm environment",
            "first invoke after serve starts",
        ]
    );
    for figure in report["figures"].as_array().expect("figures") {
        assert!(figure["pass"].is_boolean(), "{figure}");
        assert!(!figure["target"].as_str().unwrap_or_default().is_empty());
    }
    // Whatever the machine's speed, the chaos run keeps its invariants and the memory probe
    // finds its environments.
    let figure = |name: &str| {
        report["figures"]
            .as_array()
            .and_then(|figures| figures.iter().find(|f| f["figure"] == name))
            .unwrap_or_else(|| panic!("no figure `{name}`"))
    };
    let chaos = &figure("virtual-clock chaos run")["values"];
    assert_eq!(
        (chaos["lost"].as_u64(), chaos["duplicated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        figure("memory per warm environment")["values"]["environments"],
        20
    );
    // Measured when `lambda-sim` is built next to the bench (`cargo build --release -p
    // lambda-sim`, as CI does first); else the row says it was skipped and why.
    let first = &figure("first invoke after serve starts");
    let built = Path::new(env!("CARGO_BIN_EXE_lambda-sim-bench"))
        .with_file_name(format!("lambda-sim{}", std::env::consts::EXE_SUFFIX))
        .is_file();
    if built {
        assert_eq!(first["values"]["starts"], 10, "{first}");
        assert!(
            first["values"]["first_ms"]
                .as_f64()
                .is_some_and(|ms| ms > 0.0),
            "{first}"
        );
        assert!(first["values"]["init_duration_ms"].is_f64(), "{first}");
    } else {
        assert!(
            first["values"]["skipped"]
                .as_str()
                .is_some_and(|s| s.starts_with("skipped: ")),
            "{first}"
        );
    }
    assert!(
        report["machine"]
            .as_str()
            .is_some_and(|m| m.contains("cores"))
    );
}
