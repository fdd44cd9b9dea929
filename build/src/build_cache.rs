//! The build cache: a content key (SHA-256) over everything that goes into a component,
//! stored beside it as `OUT.key`, so that a handler whose inputs have not changed is not built
//! again.
//!
//! The key is written only after a successful build, and a stale one is removed before
//! building: a failed or interrupted build never leaves a component that looks up to date.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// A component a build produced, or found up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Built {
    /// The component.
    pub path: PathBuf,
    /// Whether the component was already there, built from the same inputs (its `.key` file
    /// matched), so that nothing was run.
    pub cached: bool,
}

/// The directories a handler directory's key leaves out: lambda-sim's own output, Python's
/// bytecode, and hidden directories (`.git`, `.venv`, ...).
fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == "__pycache__"
}

/// A key being computed: each part goes in with a label and its length, so that no two
/// different sets of inputs hash the same bytes.
pub(crate) struct ContentKey(Sha256);

impl ContentKey {
    /// A key for a kind of build (`python`, `node`, ...).
    pub(crate) fn new(kind: &str) -> Self {
        let mut key = Self(Sha256::new());
        key.part("kind", kind.as_bytes());
        key
    }

    /// Adds one input: a setting, the text of an adapter, a tool's version.
    pub(crate) fn part(&mut self, label: &str, bytes: &[u8]) -> &mut Self {
        for piece in [label.as_bytes(), bytes] {
            self.0.update((piece.len() as u64).to_le_bytes());
            self.0.update(piece);
        }
        self
    }

    /// Adds the files under `dir` (following symbolic links, each directory once), by path
    /// relative to `dir` and contents, leaving out the directories [`skipped`] names and the
    /// files in `outputs` (a component written inside the directory, and its key).
    pub(crate) fn dir(&mut self, dir: &Path, outputs: &[&Path]) -> std::io::Result<&mut Self> {
        let names: HashSet<&OsStr> = outputs.iter().filter_map(|p| p.file_name()).collect();
        let outputs: HashSet<PathBuf> = outputs.iter().filter_map(|p| canonical(p)).collect();
        let mut files = Vec::new();
        let mut seen = HashSet::new();
        walk(dir, &mut Vec::new(), &mut seen, &mut files)?;
        files.sort();
        for (relative, path) in files {
            let output = path.file_name().is_some_and(|name| names.contains(name))
                && canonical(&path).is_some_and(|p| outputs.contains(&p));
            if output {
                continue;
            }
            let contents = std::fs::read(&path).map_err(|err| {
                std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
            })?;
            self.part(&format!("file {relative}"), &contents);
        }
        Ok(self)
    }

    /// The key, as hex.
    pub(crate) fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// Collects the files under `dir` as (relative path with `/`, path).
fn walk(
    dir: &Path,
    prefix: &mut Vec<OsString>,
    seen: &mut HashSet<PathBuf>,
    files: &mut Vec<(String, PathBuf)>,
) -> std::io::Result<()> {
    // A directory reached twice (a link to a parent) is walked once.
    if !seen.insert(dir.canonicalize()?) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let Ok(meta) = std::fs::metadata(&path) else {
            // A dangling link: nothing a build could read.
            continue;
        };
        prefix.push(name.clone());
        if meta.is_dir() {
            if !skipped(&name.to_string_lossy()) {
                walk(&path, prefix, seen, files)?;
            }
        } else if meta.is_file() {
            // (A FIFO or a socket is no source: reading one could block.)
            let relative: Vec<_> = prefix.iter().map(|p| p.to_string_lossy()).collect();
            files.push((relative.join("/"), path));
        }
        prefix.pop();
    }
    Ok(())
}

/// The path of a file that may not exist yet, with its directory made absolute.
fn canonical(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(path.file_name()?))
}

/// Where the key of the component `out` is kept: `OUT.key`.
pub(crate) fn key_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Returns `out` as it is when it was built from the inputs `key` names; otherwise removes its
/// stale key, runs `build` (which writes `out`), and records `key` once `build` succeeded.
/// Two builds of one `out` take turns, so that the key written is the component's.
pub(crate) fn build_once<E>(
    out: &Path,
    key: &str,
    io_error: impl Fn(std::io::Error) -> E,
    build: impl FnOnce() -> Result<(), E>,
) -> Result<Built, E> {
    let key_file = key_path(out);
    let _turn = crate::turns::take_turn(&canonical(out).unwrap_or_else(|| out.to_owned())).0;
    let up_to_date = out.is_file()
        && std::fs::read_to_string(&key_file).is_ok_and(|recorded| recorded.trim() == key);
    if up_to_date {
        return Ok(Built {
            path: out.to_owned(),
            cached: true,
        });
    }
    match std::fs::remove_file(&key_file) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(io_error(err)),
        _ => {}
    }
    build()?;
    std::fs::write(&key_file, format!("{key}\n")).map_err(io_error)?;
    Ok(Built {
        path: out.to_owned(),
        cached: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(dir: &Path, outputs: &[&Path]) -> String {
        let mut key = ContentKey::new("test");
        key.dir(dir, outputs).expect("the directory reads");
        key.finish()
    }

    #[test]
    fn the_key_follows_the_sources_not_the_build_output() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("writes");
        };
        write("app.py", "def handler(event, context):\n    return 1\n");
        write("lib/util.py", "X = 1\n");
        write("requirements.txt", "six==1.17.0\n");
        let out = dir.path().join("app.wasm");
        let first = key_of(dir.path(), &[&out, &key_path(&out)]);
        assert_eq!(first.len(), 64);

        // lambda-sim's own files, bytecode, hidden directories and the output do not count.
        write(".lambda-sim/app.wasm", "component");
        write(".lambda-sim/python-deps/k/six.py", "");
        write("__pycache__/app.cpython-314.pyc", "bytecode");
        write("lib/__pycache__/util.cpython-314.pyc", "bytecode");
        write(".git/HEAD", "ref");
        write("app.wasm", "component");
        write("app.wasm.key", "key");
        assert_eq!(key_of(dir.path(), &[&out, &key_path(&out)]), first);

        // A source, a requirement, a new file or a moved one do.
        write("app.py", "def handler(event, context):\n    return 2\n");
        let edited = key_of(dir.path(), &[&out]);
        assert_ne!(edited, first);
        write("requirements.txt", "six==1.16.0\n");
        let required = key_of(dir.path(), &[&out]);
        assert_ne!(required, edited);
        write("data.json", "{}");
        let added = key_of(dir.path(), &[&out]);
        assert_ne!(added, required);
        std::fs::rename(
            dir.path().join("data.json"),
            dir.path().join("lib/data.json"),
        )
        .expect("moves");
        assert_ne!(key_of(dir.path(), &[&out]), added);
    }

    #[test]
    fn parts_are_told_apart() {
        let key = |parts: &[(&str, &str)]| {
            let mut key = ContentKey::new("test");
            for (label, text) in parts {
                key.part(label, text.as_bytes());
            }
            key.finish()
        };
        assert_eq!(key(&[("a", "bc")]), key(&[("a", "bc")]));
        assert_ne!(key(&[("a", "bc")]), key(&[("ab", "c")]));
        assert_ne!(key(&[("a", "b"), ("c", "")]), key(&[("a", "bc")]));
    }

    #[test]
    fn two_builds_of_one_component_at_once_take_turns() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = dir.path().join("app.wasm");
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let build = || {
            build_once(
                &out,
                "k1",
                |e| e.to_string(),
                || {
                    runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // A slow build: the other one arrives meanwhile.
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    std::fs::write(&out, "k1").map_err(|e| e.to_string())
                },
            )
            .map(|built| built.cached)
        };
        let results: Vec<_> = std::thread::scope(|scope| {
            let builds = [scope.spawn(build), scope.spawn(build)];
            builds.map(|b| b.join().expect("a build thread")).to_vec()
        });
        let mut cached: Vec<bool> = results.into_iter().map(|r| r.expect("builds")).collect();
        cached.sort_unstable();
        assert_eq!(cached, [false, true], "one built, the other waited for it");
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_build_runs_once_per_key_and_a_failed_one_leaves_no_key() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = dir.path().join("app.wasm");
        let runs = std::cell::Cell::new(0);
        let build = |key: &str, fail: bool| {
            build_once(
                &out,
                key,
                |e| e.to_string(),
                || {
                    runs.set(runs.get() + 1);
                    std::fs::write(&out, key).map_err(|e| e.to_string())?;
                    if fail {
                        Err("failed".to_owned())
                    } else {
                        Ok(())
                    }
                },
            )
        };
        assert_eq!(build("k1", false).map(|b| b.cached), Ok(false));
        assert_eq!(build("k1", false).map(|b| b.cached), Ok(true));
        assert_eq!(runs.get(), 1);
        assert_eq!(build("k2", true), Err("failed".to_owned()));
        assert!(!key_path(&out).exists(), "a failed build leaves no key");
        assert_eq!(build("k1", false).map(|b| b.cached), Ok(false), "rebuilt");
        assert_eq!(runs.get(), 3);
        std::fs::remove_file(&out).expect("removes");
        assert_eq!(
            build("k1", false).map(|b| b.cached),
            Ok(false),
            "a missing output"
        );
    }
}
