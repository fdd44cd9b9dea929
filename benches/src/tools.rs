//! The tools the language benches need and Cargo does not install: componentize-py for the
//! Python handlers (`LAMBDA_SIM_COMPONENTIZE_PY`, the `target/py-venv` `.ci/run` makes, or the
//! `PATH`). A bench whose tool is missing says so and measures the rest.

use std::path::{Path, PathBuf};

/// The workspace's root (this package is `benches/` in it).
pub fn workspace() -> &'static Path {
    let benches = Path::new(env!("CARGO_MANIFEST_DIR"));
    benches.parent().unwrap_or(benches)
}

/// The first componentize-py that answers `--version`.
pub fn componentize_py() -> Option<PathBuf> {
    [
        std::env::var_os("LAMBDA_SIM_COMPONENTIZE_PY").map(PathBuf::from),
        Some(workspace().join("target/py-venv/bin/componentize-py")),
        Some(PathBuf::from("componentize-py")),
    ]
    .into_iter()
    .flatten()
    .find(|p| {
        std::process::Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}
