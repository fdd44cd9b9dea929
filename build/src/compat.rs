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

/// Where the stand-in crates are: `LAMBDA_SIM_COMPAT_DIR`, else the `compat/` directory of the
/// source tree lambda-sim was built from.
pub fn compat_dir() -> PathBuf {
    std::env::var_os("LAMBDA_SIM_COMPAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat"))
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
    let compat = compat_dir();
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
        .lines()
        .skip_while(|line| line.trim() != "[features]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter_map(|line| {
            let (name, _) = line.split_once('=')?;
            let name = name.trim();
            let plain = !name.is_empty() && !name.starts_with('#');
            plain.then(|| name.trim_matches('"').to_owned())
        })
        .collect()
}

/// `RUSTFLAGS` wins over cargo's configured flags: when it is set, tokio's cfg goes there too.
pub(crate) fn rustflags() -> Option<String> {
    std::env::var("RUSTFLAGS")
        .ok()
        .filter(|flags| !flags.trim().is_empty())
        .map(|flags| format!("{flags} --cfg tokio_unstable"))
}

fn toml_string(path: &Path) -> String {
    serde_json::Value::String(path.display().to_string()).to_string()
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
pub(crate) struct LockGuard {
    path: Option<PathBuf>,
    original: Option<Vec<u8>>,
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
        let original = path.as_deref().and_then(|path| std::fs::read(path).ok());
        LockGuard { path, original }
    }

    /// Leaves the lock file as cargo wrote it (a crate built without stand-ins).
    pub(crate) fn keep(mut self) {
        self.path = None;
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let Some(path) = &self.path else {
            return;
        };
        match &self.original {
            Some(original) => {
                if std::fs::read(path).ok().as_ref() != Some(original) {
                    let _ = std::fs::write(path, original);
                }
            }
            None => {
                let _ = std::fs::remove_file(path);
            }
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
        assert_eq!(features, ["default", "tracing", "catch-all-fields"]);
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
