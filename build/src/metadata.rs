//! What cargo knows about a handler crate before it is built: its binaries and libraries, and
//! the versions of the crates lambda-sim stands in for (`cargo metadata`, resolved for
//! `wasm32-wasip2`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::compile::{TARGET, cargo};
use crate::{Error, Result};

/// A handler crate as cargo resolves it.
#[derive(Debug, Default)]
pub(crate) struct CrateInfo {
    /// The package's binaries (`src/main.rs`, `src/bin/*.rs`, `[[bin]]`).
    pub(crate) bins: Vec<String>,
    /// Whether the package's library is a `cdylib` (a handler written for our guest SDK).
    pub(crate) cdylib: bool,
    /// Where cargo puts its build (the `target` directory).
    pub(crate) target_dir: PathBuf,
    /// The resolved versions, from crates.io, of the crates lambda-sim stands in for.
    pub(crate) stand_ins: Vec<(String, String)>,
    /// Crates built as browser code on wasm32 (they call JavaScript through wasm-bindgen, as
    /// reqwest does for HTTP): whatever calls them fails in an environment.
    pub(crate) browser_only: Vec<String>,
    /// The directory of the guest SDK (`lambda-sim-guest`) when the crate or a member of its
    /// workspace takes it by path (from a checkout of lambda-sim).
    pub(crate) guest_sdk: Option<PathBuf>,
}

/// The crates through which code calls a browser's JavaScript.
const BROWSER: [&str; 4] = ["wasm-bindgen", "js-sys", "web-sys", "wasm-bindgen-futures"];

/// The crates a function's build gets lambda-sim's stand-ins for, when it uses the first two.
pub(crate) const STAND_INS: [&str; 3] = ["lambda_runtime", "lambda_http", "tokio-macros"];

/// Reads the crate at `manifest` with `cargo metadata` (which may write `Cargo.lock`).
pub(crate) fn read(manifest: &Path) -> Result<CrateInfo> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            TARGET,
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .current_dir(manifest.parent().unwrap_or(Path::new(".")))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(Error::Cargo)?;
    if !output.status.success() {
        return Err(Error::Metadata {
            manifest: manifest.to_owned(),
            output: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|err| Error::Metadata {
            manifest: manifest.to_owned(),
            output: format!("unreadable `cargo metadata` output: {err}"),
        })?;
    Ok(parse(&metadata, manifest))
}

fn parse(metadata: &Value, manifest: &Path) -> CrateInfo {
    let packages = metadata["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let root_id = metadata["resolve"]["root"].as_str();
    let manifest = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_owned());
    let root = packages.iter().find(|package| {
        package["id"].as_str() == root_id && root_id.is_some()
            || Path::new(package["manifest_path"].as_str().unwrap_or_default()) == manifest
    });
    let mut info = CrateInfo {
        target_dir: PathBuf::from(metadata["target_directory"].as_str().unwrap_or("target")),
        ..CrateInfo::default()
    };
    if let Some(root) = root {
        for target in root["targets"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .map(|kinds| kinds.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if kinds.contains(&"bin") {
                info.bins
                    .push(target["name"].as_str().unwrap_or_default().to_owned());
            }
            if kinds.contains(&"cdylib") {
                info.cdylib = true;
            }
        }
    }
    // Any package of the workspace counts: its members share one lock file.
    info.guest_sdk = packages
        .iter()
        .find(|package| package["name"] == "lambda-sim-guest" && package["source"].is_null())
        .and_then(|package| package["manifest_path"].as_str())
        .and_then(|manifest| Some(Path::new(manifest).parent()?.to_owned()));
    let graph = Graph::new(metadata);
    let built = graph.built_from(root.and_then(|root| root["id"].as_str()));
    for id in &built {
        let Some(package) = graph.packages.get(id.as_str()) else {
            continue;
        };
        let name = package["name"].as_str().unwrap_or_default();
        let from_registry = package["source"]
            .as_str()
            .is_some_and(|source| source.starts_with("registry+") || source.starts_with("sparse+"));
        if from_registry && STAND_INS.contains(&name) {
            let version = package["version"].as_str().unwrap_or_default().to_owned();
            info.stand_ins.push((name.to_owned(), version));
        }
        // A package (not wasm-bindgen's own) that depends on wasm-bindgen's crates.
        let browser = |id: &str| BROWSER.contains(&graph.name(id));
        if !browser(id) && !name.starts_with("wasm-bindgen") && graph.deps(id).any(browser) {
            info.browser_only.push(name.to_owned());
        }
    }
    info.stand_ins.sort();
    info.stand_ins.dedup();
    info.browser_only.sort();
    info.browser_only.dedup();
    info
}

/// `cargo metadata`'s packages and resolve graph, by package id.
struct Graph<'m> {
    packages: HashMap<&'m str, &'m Value>,
    nodes: HashMap<&'m str, &'m Value>,
}

impl<'m> Graph<'m> {
    fn new(metadata: &'m Value) -> Self {
        let by_id = |list: &'m Value| -> HashMap<&'m str, &'m Value> {
            list.as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|item| Some((item["id"].as_str()?, item)))
                .collect()
        };
        Graph {
            packages: by_id(&metadata["packages"]),
            nodes: by_id(&metadata["resolve"]["nodes"]),
        }
    }

    fn name(&self, id: &str) -> &'m str {
        self.packages
            .get(id)
            .and_then(|package| package["name"].as_str())
            .unwrap_or_default()
    }

    /// The packages `id` builds with: its normal and build dependencies, not dev ones.
    fn deps(&self, id: &str) -> impl Iterator<Item = &'m str> + use<'m> {
        let deps = self
            .nodes
            .get(id)
            .and_then(|node| node["deps"].as_array())
            .map(Vec::as_slice)
            .unwrap_or_default();
        deps.iter().filter_map(|dep| {
            let kinds = dep["dep_kinds"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let built = kinds.is_empty()
                || kinds
                    .iter()
                    .any(|kind| kind["kind"].as_str() != Some("dev"));
            dep["pkg"].as_str().filter(|_| built)
        })
    }

    /// The ids of the packages the crate `root` builds with, through the resolve graph (not
    /// the workspace's other members), in a stable order.
    fn built_from(&self, root: Option<&str>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = root.into_iter().collect();
        while let Some(id) = stack.pop() {
            if seen.insert(id.to_owned()) {
                stack.extend(self.deps(id));
            }
        }
        seen
    }
}

impl CrateInfo {
    /// Whether the crate is written against `lambda_runtime` or `lambda_http`.
    pub(crate) fn uses_lambda_runtime(&self) -> bool {
        self.stand_ins
            .iter()
            .any(|(name, _)| name == "lambda_runtime" || name == "lambda_http")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_bins_and_the_crates_to_stand_in_for() {
        let metadata = serde_json::json!({
            "packages": [
                {"id": "path+file:///f#basic@0.1.0", "name": "basic", "version": "0.1.0",
                 "source": null, "manifest_path": "/f/Cargo.toml",
                 "targets": [{"kind": ["bin"], "name": "basic"}, {"kind": ["bin"], "name": "other"}]},
                {"id": "registry+https://github.com/rust-lang/crates.io-index#lambda_runtime@1.5.0",
                 "name": "lambda_runtime", "version": "1.5.0",
                 "source": "registry+https://github.com/rust-lang/crates.io-index",
                 "manifest_path": "/r/Cargo.toml", "targets": []},
                {"id": "registry+https://github.com/rust-lang/crates.io-index#tokio-macros@2.7.2",
                 "name": "tokio-macros", "version": "2.7.2",
                 "source": "registry+https://github.com/rust-lang/crates.io-index",
                 "manifest_path": "/t/Cargo.toml", "targets": []},
                {"id": "r#reqwest@0.12.28", "name": "reqwest", "version": "0.12.28", "targets": []},
                {"id": "r#js-sys@0.3.1", "name": "js-sys", "version": "0.3.1", "targets": []},
                {"id": "r#wasm-bindgen@0.2.1", "name": "wasm-bindgen", "version": "0.2.1", "targets": []}
            ],
            "resolve": {"root": "path+file:///f#basic@0.1.0", "nodes": [
                {"id": "path+file:///f#basic@0.1.0",
                 "dependencies": ["r#reqwest@0.12.28", "registry+https://github.com/rust-lang/crates.io-index#lambda_runtime@1.5.0"],
                 "deps": [
                    {"pkg": "r#reqwest@0.12.28", "dep_kinds": [{"kind": null}]},
                    {"pkg": "registry+https://github.com/rust-lang/crates.io-index#lambda_runtime@1.5.0", "dep_kinds": [{"kind": null}]}
                 ]},
                {"id": "registry+https://github.com/rust-lang/crates.io-index#lambda_runtime@1.5.0",
                 "dependencies": [], "deps": []},
                {"id": "r#reqwest@0.12.28", "dependencies": ["r#js-sys@0.3.1", "r#wasm-bindgen@0.2.1"],
                 "deps": [{"pkg": "r#js-sys@0.3.1", "dep_kinds": [{"kind": null}]},
                          {"pkg": "r#wasm-bindgen@0.2.1", "dep_kinds": [{"kind": null}]}]},
                {"id": "r#js-sys@0.3.1", "dependencies": ["r#wasm-bindgen@0.2.1"],
                 "deps": [{"pkg": "r#wasm-bindgen@0.2.1", "dep_kinds": [{"kind": null}]}]},
                {"id": "r#wasm-bindgen@0.2.1", "dependencies": [], "deps": []},
                {"id": "path+file:///f/other#other@0.1.0", "dependencies": [],
                 "deps": [{"pkg": "registry+https://github.com/rust-lang/crates.io-index#tokio-macros@2.7.2", "dep_kinds": [{"kind": null}]}]}
            ]},
            "target_directory": "/f/target"
        });
        let info = parse(&metadata, Path::new("/f/Cargo.toml"));
        assert_eq!(info.bins, ["basic", "other"]);
        assert!(!info.cdylib);
        assert_eq!(info.target_dir, Path::new("/f/target"));
        // tokio-macros is another member's: not this crate's.
        assert_eq!(
            info.stand_ins,
            [("lambda_runtime".to_owned(), "1.5.0".to_owned())]
        );
        assert!(info.uses_lambda_runtime());
        assert_eq!(info.browser_only, ["reqwest"]);
    }
}
