//! The files lambda-sim carries inside its binary (the stand-in crates, the Node.js adapter;
//! embedded by `build.rs`) and their copies in the cache directory, written on first use.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// lambda-sim's cache directory: `LAMBDA_SIM_CACHE_DIR`, else `$XDG_CACHE_HOME/lambda-sim`,
/// else `~/.cache/lambda-sim` (the runtime's compile cache follows the same rule,
/// `runtime/src/config.rs`), else one under the system's temp directory.
pub(crate) fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LAMBDA_SIM_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("lambda-sim");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("lambda-sim"),
        None => std::env::temp_dir().join("lambda-sim"),
    }
}

/// The directory holding `files` under the cache directory's `kind/`, named by their content
/// (so that another version of lambda-sim never reuses it), written if it is not there yet.
pub(crate) fn unpack(kind: &str, files: &[(&str, &[u8])]) -> io::Result<PathBuf> {
    unpack_in(&cache_dir().join(kind), files)
}

/// [`unpack`] under `parent`.
fn unpack_in(parent: &Path, files: &[(&str, &[u8])]) -> io::Result<PathBuf> {
    let dir = parent.join(key(files));
    if dir.is_dir() {
        return Ok(dir);
    }
    std::fs::create_dir_all(parent)?;
    // Written aside and renamed whole, so that a directory that exists is complete.
    let aside = tempfile::Builder::new()
        .prefix(".unpacking-")
        .tempdir_in(parent)?;
    for (path, bytes) in files {
        let file = aside.path().join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, bytes)?;
    }
    match std::fs::rename(aside.path(), &dir) {
        Ok(()) => {
            // Renamed away: nothing left for the guard to remove.
            let _ = aside.keep();
            Ok(dir)
        }
        // Another lambda-sim wrote it meanwhile.
        Err(_) if dir.is_dir() => Ok(dir),
        Err(err) => Err(err),
    }
}

/// The first 16 hex digits of a SHA-256 over the files' paths and contents.
fn key(files: &[(&str, &[u8])]) -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in files {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_ins_and_the_node_adapter_are_embedded() {
        let names =
            |files: &[(&str, &[u8])]| files.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>();
        let compat = names(COMPAT);
        for file in [
            "compat/lambda_runtime/Cargo.toml",
            "compat/lambda_http/src/lib.rs",
            "compat/tokio-macros/Cargo.toml",
            "guest/src/lib.rs",
        ] {
            assert!(compat.iter().any(|p| p == file), "{file} not in {compat:?}");
        }
        assert!(!compat.iter().any(|p| p.contains("target/")), "{compat:?}");
        let (_, guest) = COMPAT
            .iter()
            .find(|(p, _)| *p == "guest/Cargo.toml")
            .expect("the SDK");
        let guest = String::from_utf8_lossy(guest);
        assert!(!guest.contains("workspace"), "builds on its own: {guest}");
        assert!(guest.contains("edition = \"2024\""), "{guest}");
        let node = names(NODE_ADAPTER);
        for file in [
            "adapter.js",
            "build.mjs",
            "package-lock.json",
            "node/buffer.js",
        ] {
            assert!(node.iter().any(|p| p == file), "{file} not in {node:?}");
        }
        assert!(!node.iter().any(|p| p.contains("node_modules")), "{node:?}");
    }

    #[test]
    fn files_are_unpacked_once_into_a_directory_named_by_their_content() {
        let cache = tempfile::tempdir().expect("a temp dir");
        let files: &[(&str, &[u8])] = &[("a/Cargo.toml", b"[package]\n"), ("b.js", b"1;\n")];
        let dir = unpack_in(cache.path(), files).expect("unpacks");
        assert_eq!(
            std::fs::read(dir.join("a/Cargo.toml")).expect("written"),
            b"[package]\n"
        );
        std::fs::write(dir.join("b.js"), "changed").expect("writes");
        assert_eq!(
            unpack_in(cache.path(), files).expect("unpacks"),
            dir,
            "reused"
        );
        let other = unpack_in(cache.path(), &[("b.js", b"2;\n")]).expect("unpacks");
        assert_ne!(other, dir, "other contents, another directory");
        let left: Vec<_> = std::fs::read_dir(cache.path()).expect("lists").collect();
        assert_eq!(left.len(), 2, "no directory left aside");
    }
}
