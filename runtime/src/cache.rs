//! Compiled components cached on disk, keyed by the component's bytes and the engine's
//! settings, so that loading a function a second time does not recompile it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::{Error, Result};

/// The first eight bytes of a WebAssembly component (the component-model layer).
const COMPONENT_HEADER: [u8; 8] = [0x00, b'a', b's', b'm', 0x0d, 0x00, 0x01, 0x00];
/// The first eight bytes of a core WebAssembly module.
const MODULE_HEADER: [u8; 8] = [0x00, b'a', b's', b'm', 0x01, 0x00, 0x00, 0x00];

/// Compiles `bytes` into a component, through the cache in `dir` when there is one.
pub(crate) fn load(engine: &Engine, bytes: &[u8], dir: Option<&Path>) -> Result<Component> {
    check_header(bytes)?;
    let Some(dir) = dir else {
        return compile(engine, bytes);
    };
    let path = entry_path(engine, bytes, dir);
    if path.exists() {
        // SAFETY: the file was written by `precompile_component` for an engine with the same
        // compatibility hash (it is in the file name) and is only ever replaced atomically.
        // `deserialize_file` checks the header and refuses a file made for other settings.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok(component);
        }
    }
    let compiled = engine
        .precompile_component(bytes)
        .map_err(|err| Error::Compile(format!("{err:#}")))?;
    if let Err(source) = store(&path, &compiled) {
        // The cache is an optimisation: a read-only or full disk must not fail the load.
        eprintln!(
            "lambda-sim: warning: failed to write the compile cache at {}: {source}",
            path.display()
        );
    }
    // SAFETY: `compiled` was produced by `precompile_component` on this very engine.
    unsafe { Component::deserialize(engine, &compiled) }
        .map_err(|err| Error::Compile(format!("{err:#}")))
}

fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component> {
    Component::new(engine, bytes).map_err(|err| Error::Compile(format!("{err:#}")))
}

/// Rejects what is not a component with a message that says what it is instead.
fn check_header(bytes: &[u8]) -> Result<()> {
    match bytes.get(..8) {
        Some(header) if header == COMPONENT_HEADER => Ok(()),
        Some(header) if header == MODULE_HEADER => Err(Error::NotAComponent(
            "this is a core WebAssembly module, not a component: build the handler for the \
             `wasm32-wasip2` target (`lambda-sim build`)"
                .to_owned(),
        )),
        Some(header) if header[..4] == COMPONENT_HEADER[..4] => Err(Error::NotAComponent(format!(
            "unsupported WebAssembly version or layer {:02x?}",
            &header[4..]
        ))),
        _ => Err(Error::NotAComponent(
            "this is not a WebAssembly file (it does not start with `\\0asm`)".to_owned(),
        )),
    }
}

fn entry_path(engine: &Engine, bytes: &[u8], dir: &Path) -> PathBuf {
    let content = Sha256::digest(bytes);
    let mut settings = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    let mut name = String::with_capacity(96);
    for byte in &content[..16] {
        name.push_str(&format!("{byte:02x}"));
    }
    name.push_str(&format!(
        "-{:016x}-wasmtime{}.cwasm",
        settings.finish(),
        WASMTIME_MAJOR
    ));
    dir.join(name)
}

/// The wasmtime major version, in entry names: it is part of the engine's settings hash
/// already, but keeps entries of different builds apart for a person cleaning the directory.
const WASMTIME_MAJOR: &str = "48";

/// Writes an entry atomically: a temporary file in the same directory, then a rename.
fn store(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(compiled)?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_told_apart() {
        assert!(check_header(&COMPONENT_HEADER).is_ok());
        let module = check_header(&MODULE_HEADER).err().map(|e| e.to_string());
        assert_eq!(
            module.as_deref(),
            Some(
                "failed to load the function: this is a core WebAssembly module, not a component: \
                 build the handler for the `wasm32-wasip2` target (`lambda-sim build`)"
            )
        );
        let text = check_header(b"#!/bin/sh\necho hi")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            text.as_deref(),
            Some(
                "failed to load the function: this is not a WebAssembly file (it does not start \
                 with `\\0asm`)"
            )
        );
        assert!(check_header(b"\0as").is_err());
    }
}
