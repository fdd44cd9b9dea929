//! Packages a Node.js handler (`index.handler`: the `handler` export of `index.js`, `.mjs` or
//! `.cjs`, with what it imports from `node_modules`) into a component for the handler world:
//! `guest-node/build.mjs` bundles it with esbuild and componentizes the adapter in
//! `guest-node/` with the bundle inside (ComponentizeJS, SpiderMonkey without JIT). The
//! component is rebuilt only when the bundle changed (`OUT.key`). The adapter is embedded in
//! lambda-sim and installed under its cache directory on first use (`npm ci`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Built, Error, Result};

/// The ComponentizeJS release the adapter is written and tested for.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// The Lambda runtime a Node.js handler is built for when none is named.
pub const DEFAULT_NODE_RUNTIME: &str = "nodejs22.x";

/// The Node.js world (the main package of the WIT directory the adapter is componentized
/// against), the part of `wasi:cli` it imports by name, and `wasi:http` 0.2.12 (the engine's
/// `fetch`) with the packages its interfaces use; the handler world and its imports go under
/// `deps/` beside them.
const NODE_WIT: [(&str, &str); 5] = [
    ("node.wit", include_str!("../guest-node/wit/node.wit")),
    (
        "deps/cli/cli.wit",
        include_str!("../guest-node/wit/deps/cli/cli.wit"),
    ),
    (
        "deps/http/http.wit",
        include_str!("../guest-node/wit/deps/http/http.wit"),
    ),
    (
        "deps/io/io.wit",
        include_str!("../guest-node/wit/deps/io/io.wit"),
    ),
    (
        "deps/clocks/clocks.wit",
        include_str!("../guest-node/wit/deps/clocks/clocks.wit"),
    ),
];

/// Where a Node.js handler's build comes from: the node program and the adapter's directory
/// (with its `node_modules`, installed by `npm ci`).
#[derive(Clone, Debug)]
pub struct NodeTools {
    /// The `node` to run: `LAMBDA_SIM_NODE`, else `node` on the `PATH`.
    pub node: PathBuf,
    /// The adapter's directory: `LAMBDA_SIM_GUEST_NODE`, else the copy of the adapter embedded
    /// in lambda-sim, written under its cache directory (`guest-node/<key>/`) with `npm ci` run
    /// there on first use.
    pub adapter: PathBuf,
}

impl NodeTools {
    /// Finds node and the adapter (installing the embedded one on first use), and checks that
    /// the adapter's packages are installed.
    pub fn find() -> Result<Self> {
        let node = find_node()?;
        let adapter = match std::env::var_os("LAMBDA_SIM_GUEST_NODE") {
            Some(dir) => PathBuf::from(dir),
            None => install_adapter()?,
        };
        Self::check(node, adapter)
    }

    /// Finds node and takes the adapter in `adapter` (a `guest-node/` where `npm ci` was run).
    pub fn with_adapter(adapter: PathBuf) -> Result<Self> {
        Self::check(find_node()?, adapter)
    }

    fn check(node: PathBuf, adapter: PathBuf) -> Result<Self> {
        if !ready(&adapter) {
            return Err(Error::NoNodeAdapter(adapter));
        }
        Ok(NodeTools { node, adapter })
    }
}

/// The `node` to run, checked with `node --version`.
fn find_node() -> Result<PathBuf> {
    let node = std::env::var_os("LAMBDA_SIM_NODE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("node"));
    crate::error::tool_version(&node).map_err(Error::NoNode)?;
    Ok(node)
}

/// Whether the adapter in `dir` has its build script and its packages.
fn ready(dir: &Path) -> bool {
    dir.join("build.mjs").is_file()
        && dir
            .join("node_modules/@bytecodealliance/componentize-js")
            .is_dir()
}

/// The embedded adapter, written under the cache directory, with its packages installed by
/// `npm ci` from its lock file the first time (one lambda-sim at a time).
fn install_adapter() -> Result<PathBuf> {
    let dir = crate::embedded::unpack("guest-node", crate::embedded::NODE_ADAPTER)
        .map_err(Error::PrepareNode)?;
    if ready(&dir) {
        return Ok(dir);
    }
    let _turn = crate::turns::take_turn(&dir).0;
    if ready(&dir) {
        return Ok(dir);
    }
    let npm = std::env::var_os("LAMBDA_SIM_NPM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("npm"));
    eprintln!(
        "lambda-sim: installing the Node.js adapter's packages (esbuild, ComponentizeJS \
         {COMPONENTIZE_JS_VERSION}) with `npm ci` in {}: once",
        dir.display()
    );
    let output = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .map_err(|err| Error::NoNpm(crate::error::not_run(&npm, &err)))?;
    if !output.status.success() || !ready(&dir) {
        return Err(Error::NpmFailed {
            dir,
            output: String::from_utf8_lossy(&output.stderr)
                .trim_end()
                .to_owned(),
        });
    }
    Ok(dir)
}

/// The module a handler setting names and its export: `src/app.handler` is the export
/// `handler` of `src/app.js` (or `.mjs`, `.cjs`).
fn module_and_export(handler: &str) -> Result<(&str, &str)> {
    let bad = || Error::BadNodeHandler(handler.to_owned());
    let slash = handler.rfind('/').map_or(0, |i| i + 1);
    let dot = handler[slash..].find('.').ok_or_else(bad)? + slash;
    let (module, export) = (&handler[..dot], &handler[dot + 1..]);
    let file_name = &module[slash..];
    if file_name.is_empty()
        || export.is_empty()
        || export.split('.').any(str::is_empty)
        || module
            .split('/')
            .any(|part| part.is_empty() || part == "..")
    {
        return Err(bad());
    }
    Ok((module, export))
}

/// Checks the handler setting and that its module exists in `dir`; returns the module's file.
pub fn node_handler_file(dir: &Path, handler: &str) -> Result<PathBuf> {
    resolve(dir, handler).map(|(file, _)| file)
}

/// The handler's module file in `dir` and its export path: the one reading of the handler
/// setting (build.mjs and the adapter are told both).
fn resolve<'h>(dir: &Path, handler: &'h str) -> Result<(PathBuf, &'h str)> {
    if !dir.is_dir() {
        return Err(Error::NotADirectory(dir.to_owned()));
    }
    let (module, export) = module_and_export(handler)?;
    let file = ["js", "mjs", "cjs"]
        .iter()
        .map(|extension| dir.join(format!("{module}.{extension}")))
        .find(|file| file.is_file())
        .ok_or_else(|| Error::NoNodeModule {
            dir: dir.to_owned(),
            module: module.to_owned(),
        })?;
    Ok((file, export))
}

/// Packages the Node.js handler `handler` (`file.export`) of `dir` into the component `out`
/// for the Lambda runtime `runtime` (`nodejs22.x` when none), with the tools found by
/// [`NodeTools::find`].
pub fn build_node(dir: &Path, handler: &str, runtime: Option<&str>, out: &Path) -> Result<Built> {
    // The handler is checked before looking for node, so that a typo is named first.
    let module = resolve(dir, handler)?;
    build_resolved(&NodeTools::find()?, dir, handler, module, runtime, out)
}

/// [`build_node`] with given tools.
pub fn build_node_with(
    tools: &NodeTools,
    dir: &Path,
    handler: &str,
    runtime: Option<&str>,
    out: &Path,
) -> Result<Built> {
    build_resolved(tools, dir, handler, resolve(dir, handler)?, runtime, out)
}

/// Runs build.mjs for a handler whose module file and export path [`resolve`] found.
fn build_resolved(
    tools: &NodeTools,
    dir: &Path,
    handler: &str,
    (file, export): (PathBuf, &str),
    runtime: Option<&str>,
    out: &Path,
) -> Result<Built> {
    // Two builds of one component take turns (build.mjs writes it and its key).
    let _turn = crate::turns::take_turn(out).0;
    let wit = tempfile::Builder::new()
        .prefix("lambda-sim-node-wit-")
        .tempdir()
        .map_err(Error::PrepareNode)?;
    crate::wit::write(wit.path(), &NODE_WIT).map_err(Error::PrepareNode)?;
    crate::wit::write(
        &wit.path().join("deps/handler"),
        &[("handler.wit", crate::wit::HANDLER)],
    )
    .map_err(Error::PrepareNode)?;
    crate::wit::write(&wit.path().join("deps"), &crate::wit::DEPS).map_err(Error::PrepareNode)?;
    let output = Command::new(&tools.node)
        .arg(tools.adapter.join("build.mjs"))
        .arg("--dir")
        .arg(dir)
        .args(["--handler", handler])
        .arg("--file")
        .arg(&file)
        .args(["--export", export])
        .args(["--runtime", runtime.unwrap_or(DEFAULT_NODE_RUNTIME)])
        .arg("--wit")
        .arg(wit.path())
        .arg("--out")
        .arg(out)
        .output()
        .map_err(|err| Error::NoNode(crate::error::not_run(&tools.node, &err)))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !out.is_file() {
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        if text.trim().is_empty() {
            text = stdout.into_owned();
        }
        return Err(Error::NodeFailed {
            handler: handler.to_owned(),
            output: text.trim_end().to_owned(),
        });
    }
    let cached = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .any(|answer| answer["cached"] == true);
    Ok(Built {
        path: out.to_owned(),
        cached,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_settings_are_file_dot_export() {
        assert_eq!(
            module_and_export("index.handler").ok(),
            Some(("index", "handler"))
        );
        assert_eq!(
            module_and_export("src/app.lambda.handler").ok(),
            Some(("src/app", "lambda.handler"))
        );
        for bad in [
            "index",
            "index.",
            ".handler",
            "src/.handler",
            "../index.handler",
            "a//b.h",
            "index.a..b",
        ] {
            assert!(
                matches!(module_and_export(bad), Err(Error::BadNodeHandler(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_missing_module_is_named_before_node_is_looked_for() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(
            dir.path().join("app.mjs"),
            "export const handler = () => 1;\n",
        )
        .expect("writes");
        assert_eq!(
            node_handler_file(dir.path(), "app.handler").ok(),
            Some(dir.path().join("app.mjs"))
        );
        let err = build_node(
            dir.path(),
            "index.handler",
            None,
            &dir.path().join("x.wasm"),
        );
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some(
                format!(
                    "`{}` has no index.js, index.mjs or index.cjs: the handler names the module `index`",
                    dir.path().display()
                )
                .as_str()
            )
        );
    }
}
