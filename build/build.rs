//! Embeds the files `lambda-sim build` writes out on first use: the stand-in crates
//! (`compat/`, swapped in for `lambda_runtime` and `lambda_http`) and the Node.js adapter
//! (`guest-node/` without its `node_modules` and WIT), as `$OUT_DIR/embedded.rs`, so that an
//! installed binary needs no source checkout. In the repository they are read beside this crate;
//! a packaged crate carries `compat/` and the SDK under `embedded/`, staged by
//! `packaging/stage-build-sources.sh` with each `Cargo.toml` named `Cargo.toml.in` (cargo leaves
//! a directory holding a `Cargo.toml` out of a package, as another package).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let mut code = String::new();
    // The stand-ins depend on the guest SDK by path (`../../guest`): both are written out with
    // the repository's layout, the SDK's manifest with what it inherits from the workspace.
    let compat = checkout_or_embedded(&manifest_dir, "compat");
    let guest = checkout_or_embedded(&manifest_dir, "guest");
    let mut files = Vec::new();
    walk(&compat, &compat, &|_| true, &mut files);
    let mut entries: Vec<(String, PathBuf)> = files
        .iter()
        .map(|file| {
            (
                format!("compat/{}", manifest_named(file)),
                compat.join(file),
            )
        })
        .collect();
    let mut files = Vec::new();
    walk(&guest, &guest.join("src"), &|_| true, &mut files);
    entries.extend(
        files
            .iter()
            .map(|file| (format!("guest/{}", slashed(file)), guest.join(file))),
    );
    let manifest = out.join("guest-Cargo.toml");
    std::fs::write(&manifest, standalone_manifest(&guest)).expect("writes the SDK's manifest");
    entries.push(("guest/Cargo.toml".to_owned(), manifest));
    table(&mut code, "COMPAT", &entries);
    let node = source(&manifest_dir, "guest-node");
    let mut files = Vec::new();
    let adapter = |relative: &Path| {
        let first = relative
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy());
        match first.as_deref() {
            Some("node") => true,
            Some(name) => relative.components().count() == 1 && ADAPTER_FILES.contains(&name),
            None => false,
        }
    };
    walk(&node, &node, &adapter, &mut files);
    let entries: Vec<(String, PathBuf)> = files
        .iter()
        .map(|file| (slashed(file), node.join(file)))
        .collect();
    table(&mut code, "NODE_ADAPTER", &entries);
    std::fs::write(out.join("embedded.rs"), code).expect("writes embedded.rs");
}

/// The Node.js adapter's own files at its top (its `node/` polyfills are taken whole).
const ADAPTER_FILES: [&str; 5] = [
    "adapter.js",
    "streaming.js",
    "build.mjs",
    "package.json",
    "package-lock.json",
];

/// `name` beside this crate in the repository (`../compat` holds the `lambda_runtime`
/// stand-in's manifest there), else staged inside this packaged crate under `embedded/`.
fn checkout_or_embedded(manifest_dir: &Path, name: &str) -> PathBuf {
    let beside = manifest_dir.join("..").join(name);
    if manifest_dir
        .join("../compat/lambda_runtime/Cargo.toml")
        .is_file()
    {
        return beside;
    }
    let embedded = manifest_dir.join("embedded").join(name);
    assert!(
        embedded.is_dir(),
        "lambda-sim-build embeds `{name}/`, which is neither at {} nor at {} \
         (packaging/stage-build-sources.sh stages it before `cargo package`)",
        beside.display(),
        embedded.display()
    );
    embedded
}

/// A staged file's path with `/` between its parts and its manifest's name given back
/// (`Cargo.toml.in` is `Cargo.toml`).
fn manifest_named(path: &Path) -> String {
    let slashed = slashed(path);
    match slashed.strip_suffix(".in") {
        Some(manifest) if manifest.ends_with("Cargo.toml") => manifest.to_owned(),
        _ => slashed,
    }
}

/// `name` inside this crate if it is there, else beside it.
fn source(manifest_dir: &Path, name: &str) -> PathBuf {
    let inside = manifest_dir.join(name);
    let dir = if inside.is_dir() {
        inside
    } else {
        manifest_dir.join("..").join(name)
    };
    assert!(
        dir.is_dir(),
        "lambda-sim-build embeds `{name}/`, which is not at {}",
        dir.display()
    );
    dir
}

/// The files under `dir` (relative to `root`) that `keep` accepts, leaving out `target` and
/// `node_modules` directories; prints `rerun-if-changed` for the files and directories read.
fn walk(root: &Path, dir: &Path, keep: &dyn Fn(&Path) -> bool, files: &mut Vec<PathBuf>) {
    // Not a directory holding `node_modules` or `target`: cargo would scan them on every build.
    if !dir.join("node_modules").exists() && !dir.join("target").exists() {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("reads the directory")
        .map(|entry| entry.expect("reads the directory").path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path.strip_prefix(root).expect("under the root").to_owned();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "target" && name != "node_modules" && !name.starts_with('.') {
                walk(root, &path, keep, files);
            }
        } else if name != "Cargo.lock" && keep(&relative) {
            println!("cargo:rerun-if-changed={}", path.display());
            files.push(relative);
        }
    }
}

/// `pub(crate) const NAME: &[(&str, &[u8])]`: each file's path (with `/`) and its bytes.
fn table(code: &mut String, name: &str, entries: &[(String, PathBuf)]) {
    let _ = writeln!(code, "pub(crate) const {name}: &[(&str, &[u8])] = &[");
    for (relative, file) in entries {
        let absolute = file.canonicalize().expect("a file");
        let _ = writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        );
    }
    let _ = writeln!(code, "];");
}

/// A relative path with `/` between its parts.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The guest SDK's manifest with the fields it inherits (`edition.workspace = true`, ...) taken
/// from the workspace's `[workspace.package]`, and without `[lints] workspace = true`, so that
/// it builds where no workspace is around it.
fn standalone_manifest(guest: &Path) -> String {
    let mut path = guest.join("Cargo.toml");
    if !path.is_file() {
        path = guest.join("Cargo.toml.in");
    }
    println!("cargo:rerun-if-changed={}", path.display());
    let manifest = std::fs::read_to_string(&path).expect("reads the SDK's manifest");
    // The workspace's values; in a packaged lambda-sim-build (no workspace around it), this
    // crate's own, which cargo wrote out in full (the same workspace's).
    let root = guest.canonicalize().expect("the SDK").join("../Cargo.toml");
    let own = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("Cargo.toml");
    let mut inherited = std::collections::HashMap::new();
    for (file, section) in [(root, "[workspace.package]"), (own, "[package]")] {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let mut inside = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                inside = line == section;
            } else if let Some((key, value)) = line.split_once('=').filter(|_| inside) {
                let key = key.trim().to_owned();
                if !key.contains('.') {
                    inherited
                        .entry(key)
                        .or_insert_with(|| value.trim().to_owned());
                }
            }
        }
    }
    let mut out = String::new();
    let mut lines = manifest.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "[lints]"
            && lines
                .peek()
                .is_some_and(|next| next.trim() == "workspace = true")
        {
            lines.next();
            continue;
        }
        match line.trim().strip_suffix(".workspace = true") {
            // The readme is left out: it is not written beside the SDK.
            Some("readme") => {}
            Some(key) => {
                let value = inherited.get(key).unwrap_or_else(|| {
                    panic!("`{key}` is not in the workspace's [workspace.package]")
                });
                let _ = writeln!(out, "{key} = {value}");
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}
