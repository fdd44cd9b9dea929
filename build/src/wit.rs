//! The handler world's WIT as the builders of other languages write it for their tools
//! (componentize-py, ComponentizeJS): `wit/handler.wit` and the packages it imports, embedded
//! in the binary, and the writing of a WIT directory.

use std::path::Path;

/// The handler world (`wit/handler.wit`).
pub(crate) const HANDLER: &str = include_str!("../wit/handler.wit");

/// The packages the handler world imports, by file under a WIT directory's `deps/`.
pub(crate) const DEPS: [(&str, &str); 4] = [
    (
        "keyvalue/world.wit",
        include_str!("../wit/deps/keyvalue/world.wit"),
    ),
    (
        "keyvalue/store.wit",
        include_str!("../wit/deps/keyvalue/store.wit"),
    ),
    (
        "keyvalue/atomic.wit",
        include_str!("../wit/deps/keyvalue/atomic.wit"),
    ),
    (
        "keyvalue/batch.wit",
        include_str!("../wit/deps/keyvalue/batch.wit"),
    ),
];

/// `wasi:http` 0.2.12 and the packages it uses (wasmtime-wasi-http 48's WIT, in
/// `wit/wasi-http/`), by file under a WIT directory's `deps/`: for the worlds that send HTTP
/// requests (to the simulator's AWS endpoint).
pub(crate) const WASI_HTTP: [(&str, &str); 7] = [
    ("http/http.wit", include_str!("../wit/wasi-http/http.wit")),
    ("io/io.wit", include_str!("../wit/wasi-http/io.wit")),
    (
        "clocks/clocks.wit",
        include_str!("../wit/wasi-http/clocks.wit"),
    ),
    (
        "random/random.wit",
        include_str!("../wit/wasi-http/random.wit"),
    ),
    ("cli/cli.wit", include_str!("../wit/wasi-http/cli.wit")),
    (
        "filesystem/filesystem.wit",
        include_str!("../wit/wasi-http/filesystem.wit"),
    ),
    (
        "sockets/sockets.wit",
        include_str!("../wit/wasi-http/sockets.wit"),
    ),
];

/// Writes `files` (path under `dir`, text) into `dir`, making their directories.
pub(crate) fn write(dir: &Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    for (file, text) in files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}
