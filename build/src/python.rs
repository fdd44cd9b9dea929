//! Packages a Python handler (`def handler(event, context)` in a directory of `.py` files, and
//! the packages its `requirements.txt` names) into a component for the handler world, with
//! componentize-py and the adapter in `guest-python/` (Lambda's Python runtime model: import at
//! init, `context`, the error format). A build is skipped when the component is there and its
//! inputs are unchanged (`OUT.key`, see `build_cache.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build_cache::{self, Built, ContentKey};
use crate::{Error, Result, python_deps};

/// The componentize-py release the adapter is written and tested for.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

const ADAPTER: &str = include_str!("../guest-python/lambda_sim_adapter.py");
/// The `ssl` the adapter installs when the sandbox's CPython has none (urllib3, botocore).
const SSL_STAND_IN: &str = include_str!("../guest-python/lambda_sim_ssl.py");
/// botocore's HTTP over `wasi:http`, installed when the handler imports botocore.
const HTTP: &str = include_str!("../guest-python/lambda_sim_http.py");
/// AWS's `snapshot_restore_py` (SnapStart's runtime hooks), which the adapter imports at build
/// time so that the handler's `import snapshot_restore_py` works at init, as on Lambda.
const SNAPSHOT_RESTORE: &str = include_str!("../guest-python/snapshot_restore_py.py");
/// The world the adapter is built for: the handler world with SnapStart's hooks, and
/// `wasi:http`'s outgoing handler.
const PYTHON_WIT: &str = include_str!("../guest-python/wit/python.wit");
/// The componentize-py to run: `LAMBDA_SIM_COMPONENTIZE_PY`, else `componentize-py` on the
/// `PATH`; checked by asking its version.
pub fn componentize_py() -> Result<PathBuf> {
    let program = std::env::var_os("LAMBDA_SIM_COMPONENTIZE_PY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("componentize-py"));
    version(&program)?;
    Ok(program)
}

/// What `program --version` prints (`componentize-py 0.25.1`).
fn version(program: &Path) -> Result<String> {
    crate::error::tool_version(program).map_err(Error::NoComponentizePy)
}

/// Checks a handler setting (`module.function`, the module possibly dotted) and returns the
/// module's path relative to the handler's directory, without `.py`.
fn module_path(handler: &str) -> Result<String> {
    let bad = || Error::BadHandler(handler.to_owned());
    let (module, function) = handler.rsplit_once('.').ok_or_else(bad)?;
    let identifier = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if !identifier(function) || !module.split('.').all(identifier) {
        return Err(bad());
    }
    Ok(module.replace('.', "/"))
}

/// How to package a Python handler.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PythonOptions {
    /// The componentize-py to run. Default: none, [`componentize_py`]'s
    /// (`LAMBDA_SIM_COMPONENTIZE_PY`, else the `PATH`'s).
    pub componentize_py: Option<PathBuf>,
}

impl PythonOptions {
    /// Runs the componentize-py `program`.
    pub fn componentize_py(&mut self, program: impl Into<PathBuf>) -> &mut Self {
        self.componentize_py = Some(program.into());
        self
    }
}

/// Packages the handler `handler` (`module.function`) of the directory `dir` into the
/// component `out` and returns `out`. The directory's `.py` files (and packages) go in
/// whole, as `/var/task`; the handler's module is imported once here to find its
/// dependencies, and again in each environment's Init phase.
pub fn build_python(dir: &Path, handler: &str, out: &Path) -> Result<PathBuf> {
    package_python(dir, handler, out, &PythonOptions::default()).map(|built| built.path)
}

/// [`build_python`] with a given componentize-py program.
pub fn build_python_with(program: &Path, dir: &Path, handler: &str, out: &Path) -> Result<PathBuf> {
    let mut options = PythonOptions::default();
    options.componentize_py(program);
    package_python(dir, handler, out, &options).map(|built| built.path)
}

/// [`build_python`], saying whether the component was built or found up to date: when `out`
/// exists and its inputs (the directory's files, the handler setting, the adapter, the WIT,
/// componentize-py's version, the installed requirements) are those of its last build,
/// nothing runs.
pub fn package_python(
    dir: &Path,
    handler: &str,
    out: &Path,
    options: &PythonOptions,
) -> Result<Built> {
    // The handler is checked before looking for componentize-py, so that a typo is named first.
    check_handler(dir, handler)?;
    let program = match &options.componentize_py {
        Some(program) => program.clone(),
        None => componentize_py()?,
    };
    let key = build_key(dir, handler, out, &version(&program)?).map_err(Error::PreparePython)?;
    build_cache::build_once(out, &key, Error::PreparePython, || {
        build_checked(&program, dir, handler, out)
    })
}

/// The content key of a build: everything that goes into the component.
fn build_key(dir: &Path, handler: &str, out: &Path, version: &str) -> std::io::Result<String> {
    let mut key = ContentKey::new("python");
    key.part("handler", handler.as_bytes())
        .part("componentize-py", version.as_bytes())
        .part("adapter", ADAPTER.as_bytes())
        .part("ssl", SSL_STAND_IN.as_bytes())
        .part("http", HTTP.as_bytes())
        .part("snapshot-restore", SNAPSHOT_RESTORE.as_bytes())
        .part("world", PYTHON_WIT.as_bytes())
        .part("wit", crate::wit::HANDLER.as_bytes());
    for (file, text) in crate::wit::DEPS.iter().chain(&crate::wit::WASI_HTTP) {
        key.part(file, text.as_bytes());
    }
    let deps = python_deps::installed_key(dir).unwrap_or_default();
    key.part("requirements", deps.as_bytes())
        .dir(dir, &[out, &build_cache::key_path(out)])?;
    Ok(key.finish())
}

/// Packages a handler [`check_handler`] accepted.
fn build_checked(program: &Path, dir: &Path, handler: &str, out: &Path) -> Result<()> {
    let deps = python_deps::install(dir, program)?;
    let build = tempfile::Builder::new()
        .prefix("lambda-sim-python-")
        .tempdir()
        .map_err(Error::PreparePython)?;
    let files = write_build_files(build.path(), handler).map_err(Error::PreparePython)?;
    run_componentize_py(program, files, dir, deps.as_deref(), handler, out)
}

fn check_handler(dir: &Path, handler: &str) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::NotADirectory(dir.to_owned()));
    }
    let relative = module_path(handler)?;
    let module_file = dir.join(format!("{relative}.py"));
    let package_file = dir.join(&relative).join("__init__.py");
    if !module_file.is_file() && !package_file.is_file() {
        return Err(Error::NoModule {
            dir: dir.to_owned(),
            module: handler
                .rsplit_once('.')
                .map(|(m, _)| m)
                .unwrap_or(handler)
                .to_owned(),
            module_path: relative,
        });
    }
    Ok(())
}

/// Writes the handler world's WIT and the adapter (told the handler) under `build`.
fn write_build_files(build: &Path, handler: &str) -> std::io::Result<(PathBuf, PathBuf)> {
    let wit = build.join("wit");
    crate::wit::write(&wit, &[("python.wit", PYTHON_WIT)])?;
    crate::wit::write(
        &wit.join("deps/handler"),
        &[("handler.wit", crate::wit::HANDLER)],
    )?;
    crate::wit::write(&wit.join("deps"), &crate::wit::DEPS)?;
    crate::wit::write(&wit.join("deps"), &crate::wit::WASI_HTTP)?;
    let adapter = build.join("adapter");
    std::fs::create_dir(&adapter)?;
    std::fs::write(adapter.join("lambda_sim_adapter.py"), ADAPTER)?;
    std::fs::write(adapter.join("lambda_sim_ssl.py"), SSL_STAND_IN)?;
    std::fs::write(adapter.join("lambda_sim_http.py"), HTTP)?;
    std::fs::write(adapter.join("snapshot_restore_py.py"), SNAPSHOT_RESTORE)?;
    std::fs::write(
        adapter.join("lambda_sim_handler.py"),
        format!("HANDLER = {handler:?}\n"),
    )?;
    Ok((wit, adapter))
}

fn run_componentize_py(
    program: &Path,
    (wit, adapter): (PathBuf, PathBuf),
    dir: &Path,
    deps: Option<&Path>,
    handler: &str,
    out: &Path,
) -> Result<()> {
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(Error::PreparePython)?;
    }
    let mut command = Command::new(program);
    command
        .arg("-d")
        .arg(&wit)
        .args([
            "-w",
            "function-python",
            "componentize",
            "lambda_sim_adapter",
        ])
        .arg("-p")
        .arg(&adapter)
        .arg("-p")
        .arg(dir);
    // The installed requirements sit beside the handler, as in Lambda's zip (`/var/task`).
    if let Some(deps) = deps {
        command.arg("-p").arg(deps);
    }
    let output = command
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|err| Error::NoComponentizePy(crate::error::not_run(program, &err)))?;
    if !output.status.success() || !out.is_file() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        return Err(Error::PythonFailed {
            handler: handler.to_owned(),
            output: text.trim_end().to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_settings_are_module_dot_function() {
        assert_eq!(module_path("app.handler").ok().as_deref(), Some("app"));
        assert_eq!(
            module_path("pkg.sub.mod.lambda_handler").ok().as_deref(),
            Some("pkg/sub/mod")
        );
        for bad in [
            "handler",
            "app.",
            ".handler",
            "app.1x",
            "../app.handler",
            "a-b.handler",
        ] {
            assert!(
                matches!(module_path(bad), Err(Error::BadHandler(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_build_key_follows_the_handler_and_its_sources() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("writes");
        };
        write("app.py", "def handler(event, context):\n    return 1\n");
        let out = dir.path().join(".lambda-sim/app.wasm");
        let key = |handler: &str, version: &str| {
            build_key(dir.path(), handler, &out, version).expect("the key")
        };
        let first = key("app.handler", "componentize-py 0.25.1");
        assert_eq!(key("app.handler", "componentize-py 0.25.1"), first);

        // The build's own output and bytecode leave it as it was.
        write(".lambda-sim/app.wasm", "component");
        write(".lambda-sim/app.wasm.key", &first);
        write(".lambda-sim/python-deps/py314-0/.installed", "");
        write("__pycache__/app.cpython-314.pyc", "bytecode");
        assert_eq!(key("app.handler", "componentize-py 0.25.1"), first);

        // The handler setting, componentize-py, a source or the requirements change it.
        assert_ne!(key("app.other", "componentize-py 0.25.1"), first);
        assert_ne!(key("app.handler", "componentize-py 0.26.0"), first);
        write("app.py", "def handler(event, context):\n    return 2\n");
        let edited = key("app.handler", "componentize-py 0.25.1");
        assert_ne!(edited, first);
        write("requirements.txt", "six==1.17.0\n");
        assert_ne!(key("app.handler", "componentize-py 0.25.1"), edited);
    }
}
