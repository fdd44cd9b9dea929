//! Builds a function written for `lambda_runtime` or `lambda_http` without changing it:
//! lambda-sim's stand-ins (`compat/`) are swapped in with `[patch.crates-io]`, each through a
//! shim of the name and version the crate resolved, and tokio is built with `tokio_unstable`
//! so that the features a deployed function asks for (`rt-multi-thread`, `net`, even `full`)
//! compile for `wasm32-wasip2`. The crate's `Cargo.lock` is put back as it was afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::compile::cargo;
use crate::metadata::CrateInfo;
use crate::{Error, Result};

/// Where the stand-in crates are: `LAMBDA_SIM_COMPAT_DIR`, else the copy of the ones embedded
/// in lambda-sim, written under its cache directory (`compat/<key>/compat/`) on first use.
pub fn compat_dir() -> Result<PathBuf> {
    match std::env::var_os("LAMBDA_SIM_COMPAT_DIR") {
        Some(dir) => Ok(PathBuf::from(dir)),
        // With the guest SDK they depend on, beside `compat/` as in lambda-sim's sources.
        None => crate::embedded::unpack("compat", crate::embedded::COMPAT)
            .map(|dir| dir.join("compat"))
            .map_err(Error::PrepareCompat),
    }
}

/// The stand-ins for a crate: `LAMBDA_SIM_COMPAT_DIR`; else, for a crate that takes the guest
/// SDK by path from a checkout of lambda-sim, the checkout's own (the stand-ins use the SDK by
/// path too: two copies of one package would collide); else the embedded ones.
fn stand_ins_dir(info: &CrateInfo) -> Result<PathBuf> {
    let checkout = info
        .guest_sdk
        .as_ref()
        .map(|sdk| sdk.join("../compat"))
        .filter(|dir| dir.join("lambda_runtime/Cargo.toml").is_file());
    match checkout {
        Some(dir) if std::env::var_os("LAMBDA_SIM_COMPAT_DIR").is_none() => Ok(dir),
        _ => compat_dir(),
    }
}

/// The stand-in package and its directory under `compat/`, for a crate's name.
fn stand_in(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "lambda_runtime" => Some(("lambda_sim_lambda_runtime", "lambda_runtime")),
        "lambda_http" => Some(("lambda_sim_lambda_http", "lambda_http")),
        "tokio-macros" => Some(("lambda_sim_tokio_macros", "tokio-macros")),
        _ => None,
    }
}

/// cargo's `--config` arguments that swap the stand-ins in and let tokio build for wasip2;
/// writes the shims under the crate's target directory.
pub(crate) fn patch_args(info: &CrateInfo) -> Result<Vec<String>> {
    let compat = stand_ins_dir(info)?;
    let shims = info.target_dir.join("lambda-sim-compat");
    let mut args = Vec::new();
    for (name, version) in &info.stand_ins {
        let Some((lib, dir)) = stand_in(name) else {
            continue;
        };
        let source = compat.join(dir);
        if !source.join("Cargo.toml").is_file() {
            return Err(Error::NoStandIn(source));
        }
        let source = source.canonicalize().map_err(Error::PrepareCompat)?;
        let shim = shims.join(format!("{name}-{version}"));
        let manifest =
            std::fs::read_to_string(source.join("Cargo.toml")).map_err(Error::PrepareCompat)?;
        write_if_changed(
            &shim.join("Cargo.toml"),
            &shim_manifest(
                name,
                version,
                &lib.replace('_', "-"),
                &source,
                &features(&manifest),
            ),
        )?;
        write_if_changed(&shim.join("src/lib.rs"), &format!("pub use {lib}::*;\n"))?;
        args.push("--config".to_owned());
        args.push(format!(
            "patch.crates-io.{name}.path={}",
            toml_string(&shim)
        ));
    }
    args.push("--config".to_owned());
    // `build.rustflags`, not the target's: arrays merge with the crate's own `build.rustflags`,
    // where a target's flags would replace them.
    args.push(r#"build.rustflags=["--cfg","tokio_unstable"]"#.to_owned());
    Ok(args)
}

/// The manifest of a shim named `name` at `version` that re-exports the stand-in `package` at
/// `source`, with the stand-in's features under the same names (the crate may ask for them).
fn shim_manifest(
    name: &str,
    version: &str,
    package: &str,
    source: &Path,
    features: &[String],
) -> String {
    let mut manifest = format!(
        "# Written by lambda-sim build: `{name}` {version} is lambda-sim's stand-in.\n\
         [package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\n{package} = {{ path = {}, default-features = false }}\n\n\
         [features]\n",
        toml_string(source)
    );
    if !features.iter().any(|feature| feature == "default") {
        manifest.push_str("default = []\n");
    }
    for feature in features {
        manifest.push_str(&format!("{feature} = [\"{package}/{feature}\"]\n"));
    }
    manifest.push_str("\n[workspace]\n");
    manifest
}

/// The names in a manifest's `[features]` table.
fn features(manifest: &str) -> Vec<String> {
    manifest
        .parse::<toml::Table>()
        .ok()
        .and_then(|table| Some(table.get("features")?.as_table()?.keys().cloned().collect()))
        .unwrap_or_default()
}

/// `RUSTFLAGS` wins over cargo's configured flags: when it is set, tokio's cfg goes there too.
pub(crate) fn rustflags() -> Option<String> {
    std::env::var("RUSTFLAGS")
        .ok()
        .filter(|flags| !flags.trim().is_empty())
        .map(|flags| format!("{flags} --cfg tokio_unstable"))
}

fn toml_string(path: &Path) -> String {
    toml::Value::String(path.display().to_string()).to_string()
}

fn write_if_changed(path: &Path, contents: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::PrepareCompat)?;
    }
    // Written aside and renamed, so a build running at the same time never reads half a file.
    let aside = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&aside, contents).map_err(Error::PrepareCompat)?;
    std::fs::rename(&aside, path).map_err(Error::PrepareCompat)
}

/// The crate's `Cargo.lock` as it was before lambda-sim resolved and built it with the
/// stand-ins; put back when dropped unless [`LockGuard::keep`] is called.
///
/// Builds of one workspace take turns (an exclusive lock on a file under the system's temp
/// directory), and the original is also saved there until it is put back, so that a build
/// killed half-way (Ctrl-C) is mended by the next one: a lock file still holding the stand-ins
/// is replaced by the saved original.
pub(crate) struct LockGuard {
    path: Option<PathBuf>,
    original: Option<Vec<u8>>,
    saved: Option<PathBuf>,
    _turn: Option<std::fs::File>,
}

impl LockGuard {
    /// Remembers the lock file of the workspace `manifest` belongs to.
    pub(crate) fn save(manifest: &Path) -> LockGuard {
        let path = Command::new(cargo())
            .args(["locate-project", "--workspace", "--message-format", "plain"])
            .arg("--manifest-path")
            .arg(manifest)
            .current_dir(manifest.parent().unwrap_or(Path::new(".")))
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
            .and_then(|root| Some(root.parent()?.join("Cargo.lock")));
        let Some(path) = path else {
            return LockGuard {
                path: None,
                original: None,
                saved: None,
                _turn: None,
            };
        };
        let (turn, saved) = take_turn(&path);
        if let Some(saved) = &saved {
            mend(&path, saved);
        }
        let original = std::fs::read(&path).ok();
        if let Some(saved) = &saved {
            let _ = match &original {
                Some(bytes) => std::fs::write(saved, bytes),
                None => std::fs::write(saved.with_extension("none"), b""),
            };
        }
        LockGuard {
            path: Some(path),
            original,
            saved,
            _turn: turn,
        }
    }

    /// Leaves the lock file as cargo wrote it (a crate built without stand-ins).
    pub(crate) fn keep(mut self) {
        self.path = None;
    }
}

/// The exclusive turn of the workspace whose lock file is `path`, and where its original is
/// saved meanwhile (none if the temp directory cannot be used: the guard still restores).
fn take_turn(path: &Path) -> (Option<std::fs::File>, Option<PathBuf>) {
    let (turn, stem) = crate::turns::take_turn(path);
    (turn, stem.map(|stem| stem.with_extension("orig")))
}

/// Puts back the original a killed build left saved, if the lock file still holds the
/// stand-ins (a lock file the user changed since is left alone).
fn mend(path: &Path, saved: &Path) {
    let none = saved.with_extension("none");
    let patched = std::fs::read_to_string(path)
        .is_ok_and(|lock| lock.contains("name = \"lambda-sim-lambda-runtime\""));
    if patched {
        if let Ok(original) = std::fs::read(saved) {
            eprintln!(
                "lambda-sim: putting back {} as it was before an interrupted build",
                path.display()
            );
            let _ = std::fs::write(path, original);
        } else if none.is_file() {
            let _ = std::fs::remove_file(path);
        }
    }
    let _ = std::fs::remove_file(saved);
    let _ = std::fs::remove_file(none);
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let restored = match &self.original {
                Some(original) if std::fs::read(path).ok().as_ref() != Some(original) => {
                    std::fs::write(path, original)
                }
                Some(_) => Ok(()),
                None => match std::fs::remove_file(path) {
                    Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
                    _ => Ok(()),
                },
            };
            if let Err(err) = restored {
                eprintln!(
                    "lambda-sim: warning: could not put {} back as it was: {err}",
                    path.display()
                );
                return; // The saved original stays for the next build to mend.
            }
        }
        if let Some(saved) = &self.saved {
            let _ = std::fs::remove_file(saved);
            let _ = std::fs::remove_file(saved.with_extension("none"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shim_offers_the_stand_ins_features_under_their_names() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\n# accepted\ndefault = [\"tracing\"]\n\
                        tracing = []\n\"catch-all-fields\" = [\"a/b\"]\n\n[dependencies]\nserde = \"1\"\n";
        let features = features(manifest);
        assert_eq!(features, ["catch-all-fields", "default", "tracing"]);
        let shim = shim_manifest(
            "lambda_http",
            "1.3.2",
            "lambda-sim-lambda-http",
            Path::new("/c/h"),
            &features,
        );
        assert!(
            shim.contains("name = \"lambda_http\"\nversion = \"1.3.2\""),
            "{shim}"
        );
        assert!(
            shim.contains("lambda-sim-lambda-http = { path = \"/c/h\", default-features = false }"),
            "{shim}"
        );
        assert!(
            shim.contains("default = [\"lambda-sim-lambda-http/default\"]\n"),
            "{shim}"
        );
        assert!(
            shim.contains("catch-all-fields = [\"lambda-sim-lambda-http/catch-all-fields\"]\n"),
            "{shim}"
        );
        let bare = shim_manifest(
            "tokio-macros",
            "2.7.2",
            "lambda-sim-tokio-macros",
            Path::new("/c/t"),
            &[],
        );
        assert!(bare.contains("[features]\ndefault = []\n"), "{bare}");
    }
}

#[cfg(test)]
mod lock_tests {
    use super::*;

    #[test]
    fn an_interrupted_builds_lock_file_is_mended_and_a_changed_one_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = dir.path().join("Cargo.lock");
        let saved = dir.path().join("saved.orig");
        std::fs::write(&saved, "original\n").expect("saved");
        std::fs::write(&lock, "[[package]]\nname = \"lambda-sim-lambda-runtime\"\n").expect("lock");
        mend(&lock, &saved);
        assert_eq!(std::fs::read_to_string(&lock).expect("lock"), "original\n");
        assert!(!saved.exists());

        std::fs::write(&saved, "original\n").expect("saved");
        std::fs::write(&lock, "the user's own\n").expect("lock");
        mend(&lock, &saved);
        assert_eq!(
            std::fs::read_to_string(&lock).expect("lock"),
            "the user's own\n"
        );

        std::fs::write(saved.with_extension("none"), "").expect("marker");
        std::fs::write(&lock, "name = \"lambda-sim-lambda-runtime\"\n").expect("lock");
        mend(&lock, &saved);
        assert!(
            !lock.exists(),
            "there was no lock file before the interrupted build"
        );
    }
}
