//! The on-disk compile cache: a second load of the same component does not recompile.

use lambda_sim_runtime::{FunctionConfig, Runtime, RuntimeConfig};

use crate::{invoke, json};

fn cwasm_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
    files
}

#[tokio::test]
async fn a_component_is_compiled_once_and_a_bad_entry_is_replaced() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = || RuntimeConfig::default().cache_dir(Some(dir.path().to_owned()));
    let first = Runtime::new(config()).expect("runtime");
    first
        .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named("hello"))
        .expect("loads");
    let entries = cwasm_files(dir.path());
    assert_eq!(
        entries.len(),
        1,
        "one entry per component and engine settings"
    );
    let modified = std::fs::metadata(&entries[0])
        .and_then(|m| m.modified())
        .expect("mtime");

    let second = Runtime::new(config()).expect("runtime");
    second
        .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named("hello"))
        .expect("loads");
    assert_eq!(cwasm_files(dir.path()), entries);
    assert_eq!(
        std::fs::metadata(&entries[0])
            .and_then(|m| m.modified())
            .ok(),
        Some(modified),
        "not rewritten"
    );

    std::fs::write(&entries[0], b"garbage").expect("corrupt the entry");
    let third = Runtime::new(config()).expect("runtime");
    let hello = third
        .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named("hello"))
        .expect("recompiles");
    assert_eq!(
        json(&invoke(&hello, r#"{"name": "cache"}"#).await)["greeting"],
        "hello, cache"
    );
    assert!(
        std::fs::read(&entries[0]).expect("entry").len() > 1_000,
        "the bad entry was replaced"
    );
}
