//! `lambda-sim.toml` read into a project, and its mistakes named with their line.

use std::path::Path;
use std::time::Duration;

use lambda_sim_runtime::{Architecture, ClockMode, ColdStartModel, CpuMode, Delay, VpcModel};

use super::parse;
use crate::{FunctionSpec, Result};

fn error(text: &str) -> String {
    match parse(text, Path::new(".")) {
        Err(err) => err.to_string(),
        Ok(_) => panic!("{text} should be refused"),
    }
}

#[test]
fn a_full_file_reads_into_settings() -> Result<()> {
    let file = parse(
        r#"
        [simulation]
        seed = 42
        clock = "virtual"
        cpu = "deterministic"
        cold_start = "python"
        vpc = { mode = "legacy-2017", eni = { kind = "fixed", ms = 8000 } }
        account_concurrency = 50

        [simulation.eviction]
        idle_timeout = 300
        max_warm = 4

        [[function]]
        name = "hello"
        path = "hello.wasm"
        memory_size_mb = 512
        timeout = 10
        architecture = "arm64"
        vpc = true
        reserved_concurrency = 5
        environment = { GREETING = "hi" }
        aliases = ["live"]
        "#,
        Path::new("/work"),
    )?;
    assert_eq!(file.runtime.seed, Some(42));
    assert_eq!(file.runtime.clock, ClockMode::Virtual);
    assert_eq!(file.runtime.cpu, CpuMode::Deterministic);
    assert_eq!(
        file.runtime.cold_start,
        ColdStartModel::preset("python").unwrap_or_default()
    );
    assert_eq!(
        file.runtime.vpc,
        VpcModel::Legacy2017 {
            eni: Delay::Fixed { ms: 8000.0 }
        }
    );
    assert_eq!(file.runtime.account_concurrency, 50);
    assert_eq!(file.runtime.eviction.idle_timeout, Duration::from_secs(300));
    assert_eq!(file.runtime.eviction.max_warm, Some(4));
    let FunctionSpec {
        code: path,
        config,
        aliases,
        ..
    } = &file.functions[0];
    assert_eq!(path, Path::new("/work/hello.wasm"));
    assert_eq!(config.name, "hello");
    assert_eq!(config.memory_size_mb, 512);
    assert_eq!(config.timeout, Duration::from_secs(10));
    assert_eq!(config.architecture, Architecture::Arm64);
    assert!(config.vpc);
    assert_eq!(config.reserved_concurrency, Some(5));
    assert_eq!(
        config.environment.get("GREETING").map(String::as_str),
        Some("hi")
    );
    assert_eq!(aliases, &["live"]);
    Ok(())
}

#[test]
fn mistakes_are_named_with_their_line() {
    let typo = error("[simulation]\nclokc = \"virtual\"\n");
    assert!(
        typo.contains("line 2") && typo.contains("unknown field `clokc`"),
        "{typo}"
    );
    let preset = error("[simulation]\ncold_start = \"cobol\"\n");
    assert_eq!(
        preset,
        "invalid configuration: unknown cold-start preset `cobol` (one of: none, rust, python, java)"
    );
    let memory = error("[[function]]\nname = \"f\"\npath = \"f.wasm\"\nmemory_size_mb = 127\n");
    assert_eq!(
        memory,
        "invalid configuration: function `f`: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
    );
    let negative =
        error("[[function]]\nname = \"f\"\npath = \"f.wasm\"\nreserved_concurrency = -1\n");
    assert!(negative.contains("line 4"), "{negative}");
}

#[test]
fn a_function_table_is_the_files_keys_and_function_configs() {
    // An unknown key is named at its line, with every key a function may have.
    assert_eq!(
        error("[[function]]\nname = \"f\"\npath = \"f.wasm\"\nmemroy = 1\n"),
        "invalid configuration: TOML parse error at line 4, column 1\n  |\n4 | memroy = 1\n  | ^^^^^^\n\
         unknown field `memroy`, expected one of `path`, `name`, `memory_size_mb`, \
         `ephemeral_storage_mb`, `timeout`, `environment`, `region`, `account_id`, \
         `architecture`, `vpc`, `reserved_concurrency`, `provisioned_concurrency`, `tracing`, \
         `snap_start`, `aliases`"
    );
    // `FunctionConfig` has a default name; a file's function does not.
    let unnamed = error("[[function]]\npath = \"f.wasm\"\n");
    assert!(unnamed.ends_with("missing field `name`"), "{unnamed}");
    let pathless = error("[[function]]\nname = \"f\"\n");
    assert!(pathless.ends_with("missing field `path`"), "{pathless}");
    // A timeout no `Duration` holds is named with its function.
    assert_eq!(
        error("[[function]]\nname = \"f\"\npath = \"f.wasm\"\ntimeout = -1\n"),
        "invalid configuration: function `f`: timeout -1 s is outside Lambda's range of 1 to 900 seconds"
    );
    let fraction = parse(
        "[[function]]\nname = \"f\"\npath = \"f.wasm\"\ntimeout = 2.5\nregion = \"eu-west-1\"\n",
        Path::new("/"),
    )
    .map(|file| file.functions[0].config.clone());
    let config = fraction.expect("the file reads");
    assert_eq!(config.timeout, Duration::from_millis(2_500));
    assert_eq!(config.region, "eu-west-1");
}
