//! A Python handler's `requirements.txt`, installed as Lambda's zip packaging does
//! (`pip install --target`), kept to what runs in the sandbox: wheels tagged `py3-none-any`
//! (pure Python) for the CPython componentize-py embeds. A requirement that has only wheels
//! with native code (or only a source distribution) is refused with its name.
//!
//! The installed packages are cached under `DIR/.lambda-sim/python-deps/<key>/`, keyed by the
//! requirements' text and the Python version: an unchanged `requirements.txt` is not installed
//! again.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result};

/// The CPython version componentize-py 0.25.1 embeds: wheels are chosen for it.
pub const EMBEDDED_PYTHON: &str = "3.14";

/// The file Lambda's packaging installs from.
const REQUIREMENTS: &str = "requirements.txt";

/// The name of the directory the handler's requirements are (or will be) installed in under
/// `DIR/.lambda-sim/python-deps/`; `None` when the directory has no `requirements.txt`.
pub(crate) fn installed_key(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(REQUIREMENTS)).ok()?;
    Some(cache_key(&text))
}

/// The directory holding the handler's installed requirements, installing them first if they
/// are not cached; `None` when the directory has no `requirements.txt`.
pub(crate) fn install(dir: &Path, componentize_py: &Path) -> Result<Option<PathBuf>> {
    let requirements = dir.join(REQUIREMENTS);
    let Ok(text) = std::fs::read_to_string(&requirements) else {
        return Ok(None);
    };
    let target = dir.join(".lambda-sim/python-deps").join(cache_key(&text));
    let done = target.join(".installed");
    if done.is_file() {
        return Ok(Some(target));
    }
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(Error::PreparePython)?;
    }
    let (program, first_args) = pip(componentize_py);
    let output = Command::new(&program)
        .args(&first_args)
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
        ])
        .args([
            "--only-binary=:all:",
            "--platform",
            "any",
            "--implementation",
            "py",
        ])
        .args(["--abi", "none", "--python-version", EMBEDDED_PYTHON])
        .arg("--target")
        .arg(&target)
        .arg("--requirement")
        .arg(&requirements)
        .output()
        .map_err(|err| Error::NoPip(format!("`{}`: {err}", program.display())))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).into_owned();
        let _ = std::fs::remove_dir_all(&target);
        return Err(match unavailable(&text) {
            Some(requirement) => Error::NativeRequirement {
                requirement,
                output: text.trim_end().to_owned(),
            },
            None => Error::PipFailed(text.trim_end().to_owned()),
        });
    }
    std::fs::write(&done, text).map_err(Error::PreparePython)?;
    Ok(Some(target))
}

/// pip: `LAMBDA_SIM_PIP`, else the `pip` next to componentize-py (its virtual environment),
/// else `python3 -m pip`.
fn pip(componentize_py: &Path) -> (PathBuf, Vec<String>) {
    if let Some(pip) = std::env::var_os("LAMBDA_SIM_PIP") {
        return (PathBuf::from(pip), Vec::new());
    }
    let beside = componentize_py.with_file_name("pip");
    if componentize_py
        .parent()
        .is_some_and(|dir| !dir.as_os_str().is_empty())
        && beside.is_file()
    {
        return (beside, Vec::new());
    }
    (
        PathBuf::from("python3"),
        vec!["-m".to_owned(), "pip".to_owned()],
    )
}

/// The requirement pip found no pure-Python wheel for (`No matching distribution found for X`).
fn unavailable(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|line| {
        let rest = line.split("No matching distribution found for ").nth(1)?;
        Some(rest.trim().to_owned())
    })
}

/// A stable name for the requirements' text and the Python version.
fn cache_key(requirements: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    requirements.hash(&mut hasher);
    EMBEDDED_PYTHON.hash(&mut hasher);
    format!(
        "py{}-{:016x}",
        EMBEDDED_PYTHON.replace('.', ""),
        hasher.finish()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_wheel_is_named() {
        let stderr = "ERROR: Could not find a version that satisfies the requirement numpy (from versions: none)\n\
                      ERROR: No matching distribution found for numpy\n";
        assert_eq!(unavailable(stderr).as_deref(), Some("numpy"));
        assert_eq!(unavailable("ERROR: Invalid requirement: '=='"), None);
    }

    #[test]
    fn the_cache_key_follows_the_requirements() {
        assert_eq!(cache_key("six==1.17.0\n"), cache_key("six==1.17.0\n"));
        assert_ne!(cache_key("six==1.17.0\n"), cache_key("six==1.16.0\n"));
        assert!(cache_key("six\n").starts_with("py314-"));
    }
}
