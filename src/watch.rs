//! `lambda-sim watch`: serves as `lambda-sim serve` does and rebuilds a function when its
//! sources change (a Rust crate, a Python or Node.js directory, a `.wasm` file, the project
//! file), swapping the new code in: the next invocation is a cold start on it, an invocation
//! already running finishes on the old code, the old code's warm environments are drained.
//!
//! Changes are found by polling the files' modification times and sizes (every 200 ms,
//! skipping `target/`, `.lambda-sim/`, `.git/` and `node_modules/`), and a burst of saves is
//! one build: a function rebuilds once its sources have been quiet for 300 ms. A failing build
//! prints the compiler's messages and the last good code keeps serving.
//!
//! The file's event-source mappings find their function in the server's registry at each
//! batch, so the batch after a swap runs on the new code (a batch in flight finishes on the
//! old). What keeps the old code after a swap: asynchronous events accepted before it (their
//! retries run on the code that accepted them). Adding or removing a function, or changing
//! anything of the file but its functions, needs a restart; a note says so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use lambda_sim_project::{FunctionSpec, Project};
use lambda_sim_server::Deployed;

use crate::serve::{Component, ServeArgs, Serving};

/// How often the sources are looked at.
const POLL: Duration = Duration::from_millis(200);

/// How long the sources must stay unchanged after a change before a build starts.
const QUIET: Duration = Duration::from_millis(300);

/// Directories that are a build's output or a tool's, not sources.
const SKIPPED: [&str; 4] = ["target", ".lambda-sim", ".git", "node_modules"];

/// Arguments of `lambda-sim watch`: those of `serve`.
#[derive(clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    serve: ServeArgs,
}

pub fn run(args: WatchArgs) -> anyhow::Result<ExitCode> {
    crate::serve::serve(args.serve, |serving| {
        let tokio = tokio::runtime::Handle::current();
        // Polling, cargo and compiling the component block: a thread of their own, so that
        // the server's workers only serve.
        let spawned = std::thread::Builder::new()
            .name("lambda-sim-watch".to_owned())
            .spawn(move || Watcher::new(serving, tokio).run());
        if let Err(err) = spawned {
            eprintln!("lambda-sim: failed to start watching the sources, serving without: {err}");
        }
    })
}

/// The files of a function's sources, each with its modification time and size.
#[derive(Default, PartialEq)]
struct Snapshot(BTreeMap<PathBuf, (Option<SystemTime>, u64)>);

impl Snapshot {
    /// The files under `path` (a directory, walked without [`SKIPPED`]), or `path` itself.
    fn of(path: &Path) -> Snapshot {
        let mut files = BTreeMap::new();
        walk(path, &mut files);
        Snapshot(files)
    }
}

fn walk(path: &Path, files: &mut BTreeMap<PathBuf, (Option<SystemTime>, u64)>) {
    let Ok(metadata) = std::fs::metadata(path) else {
        return;
    };
    if !metadata.is_dir() {
        files.insert(path.to_owned(), (metadata.modified().ok(), metadata.len()));
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let skipped = SKIPPED.iter().any(|name| entry.file_name() == *name);
        if !skipped {
            walk(&entry.path(), files);
        }
    }
}

/// Sources under watch, and when they last changed (while a build is due).
struct Sources {
    path: PathBuf,
    seen: Snapshot,
    changed_at: Option<Instant>,
}

impl Sources {
    fn new(path: &Path) -> Self {
        Sources {
            path: path.to_owned(),
            seen: Snapshot::of(path),
            changed_at: None,
        }
    }

    /// Looks at the files again; true once they changed and have been quiet for [`QUIET`].
    fn due(&mut self) -> bool {
        let now = Snapshot::of(&self.path);
        if now != self.seen {
            self.seen = now;
            self.changed_at = Some(Instant::now());
        }
        match self.changed_at {
            Some(at) if at.elapsed() >= QUIET => {
                self.changed_at = None;
                true
            }
            _ => false,
        }
    }
}

/// Why a function is rebuilt.
#[derive(Clone, Copy, PartialEq)]
enum Cause {
    /// Its sources changed: the same component (a comment, `Cargo.lock` written) is not
    /// swapped in.
    Sources,
    /// The project file changed its settings: swapped in even with the same component.
    Settings,
}

/// A served function and its sources.
struct Watched {
    spec: FunctionSpec,
    sources: Sources,
}

/// The watcher: the served functions' sources and the project file's.
struct Watcher {
    serving: Serving,
    functions: Vec<Watched>,
    file: Option<(Sources, Project)>,
    tokio: tokio::runtime::Handle,
}

impl Watcher {
    fn new(mut serving: Serving, tokio: tokio::runtime::Handle) -> Self {
        let functions = serving
            .specs
            .iter()
            .map(|spec| Watched {
                spec: spec.clone(),
                sources: Sources::new(&spec.code),
            })
            .collect();
        let file = serving
            .file
            .take()
            .map(|(path, project)| (Sources::new(&path), project));
        Watcher {
            serving,
            functions,
            file,
            tokio,
        }
    }

    fn run(mut self) {
        let mut watched: Vec<String> = self
            .functions
            .iter()
            .map(|w| format!("`{}`", w.spec.code.display()))
            .collect();
        if let Some((sources, _)) = &self.file {
            watched.push(format!("`{}`", sources.path.display()));
        }
        eprintln!("lambda-sim: watching {} for changes", watched.join(", "));
        loop {
            std::thread::sleep(POLL);
            self.reread_file();
            for n in 0..self.functions.len() {
                if self.functions[n].sources.due() {
                    let spec = self.functions[n].spec.clone();
                    self.rebuild(&spec, Cause::Sources);
                }
            }
        }
    }

    /// When the project file changed: rebuilds the functions whose settings changed.
    fn reread_file(&mut self) {
        let Some((sources, project)) = &mut self.file else {
            return;
        };
        if !sources.due() {
            return;
        }
        let path = sources.path.clone();
        let reread = match Project::read(&path) {
            Ok(reread) => reread,
            Err(err) => {
                eprintln!(
                    "lambda-sim: `{}` changed and cannot be read, still serving what it said before: {}",
                    path.display(),
                    crate::project_error(err)
                );
                return;
            }
        };
        let before = std::mem::replace(project, reread.clone());
        for note in file_notes(&path, &before, &reread) {
            eprintln!("lambda-sim: {note}");
        }
        for spec in &reread.functions {
            let name = &spec.config.name;
            let Some(watched) = self
                .functions
                .iter_mut()
                .find(|w| &w.spec.config.name == name)
            else {
                continue;
            };
            if watched.spec == *spec {
                continue;
            }
            if watched.spec.code != spec.code {
                watched.sources = Sources::new(&spec.code);
            }
            watched.spec = spec.clone();
            self.rebuild(spec, Cause::Settings);
        }
    }

    /// Builds and loads `spec`'s code and swaps it in; on failure, says why and leaves the
    /// last good code serving.
    fn rebuild(&self, spec: &FunctionSpec, cause: Cause) {
        let name = &spec.config.name;
        eprintln!("lambda-sim: {name} changed, rebuilding");
        let started = Instant::now();
        let mut built = started;
        let deployed = Component::of(spec).and_then(|component| {
            built = Instant::now();
            component.deploy(&self.serving.runtime, &self.tokio, spec)
        });
        let deployed = match deployed {
            Ok(deployed) => deployed,
            Err(err) => {
                eprintln!(
                    "lambda-sim: failed to rebuild {name}, still serving the last good code: {err:#}"
                );
                return;
            }
        };
        let registry = &self.serving.registry;
        let same_code = |old: &Deployed| old.code_sha256 == deployed.code_sha256;
        if cause == Cause::Sources && registry.get(name).is_some_and(|old| same_code(&old)) {
            eprintln!(
                "lambda-sim: {name} built in {:.2} s to the code it runs already; nothing to swap",
                started.elapsed().as_secs_f64()
            );
            return;
        }
        let function = deployed.function.clone();
        if function.config().snap_start {
            let log = &self.serving.log;
            let published = self
                .tokio
                .block_on(crate::snap_start::publish(&function, |line| log.note(line)));
            if let Err(err) = published {
                eprintln!(
                    "lambda-sim: failed to publish the new code of {name}, still serving the last good code: {}",
                    crate::lambda_error(err)
                );
                return;
            }
        }
        match registry.replace(deployed) {
            Some(old) => {
                // Idle environments of the old code go now; busy ones finish their invocation
                // on it and go with the old function's last handle.
                old.function.evict_all();
                eprintln!(
                    "lambda-sim: rebuilt {name} in {:.2} s (build {:.2} s, load {:.2} s); serving the new code",
                    started.elapsed().as_secs_f64(),
                    (built - started).as_secs_f64(),
                    built.elapsed().as_secs_f64(),
                );
            }
            None => eprintln!("lambda-sim: {name} is not served; restart to serve it"),
        }
    }
}

/// What a change of the project file `path` from `before` to `after` does not apply until a
/// restart: functions added or removed, and settings besides the functions'.
fn file_notes(path: &Path, before: &Project, after: &Project) -> Vec<String> {
    let path = path.display();
    let has =
        |project: &Project, name: &str| project.functions.iter().any(|s| s.config.name == name);
    let mut notes = Vec::new();
    for spec in &after.functions {
        if !has(before, &spec.config.name) {
            notes.push(format!(
                "`{path}` adds the function `{}`: restart `lambda-sim watch` to serve it",
                spec.config.name
            ));
        }
    }
    for spec in &before.functions {
        if !has(after, &spec.config.name) {
            notes.push(format!(
                "`{path}` no longer has the function `{}`: it is served until a restart",
                spec.config.name
            ));
        }
    }
    let without_functions = |project: &Project| {
        let mut project = project.clone();
        project.functions.clear();
        project.warnings.clear();
        project
    };
    if without_functions(before) != without_functions(after) {
        notes.push(format!(
            "`{path}` changed more than its functions: restart `lambda-sim watch` to apply its \
             other settings (routes, event sources, the simulation's settings)"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_saves_is_one_build_once_quiet_and_build_output_is_not_a_change() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
            std::fs::write(path, text).expect("a file");
        };
        write("src/lib.rs", "fn a() {}");
        let mut sources = Sources::new(dir.path());
        assert!(!sources.due(), "nothing changed");

        // A build's output, and a Python or Node.js component, are not sources.
        write("target/release/x.wasm", "built");
        write(".lambda-sim/app.handler.wasm", "built");
        assert!(!sources.due(), "build output is not a change");

        // Three saves 100 ms apart: due once, 300 ms after the last.
        for text in ["fn a() { 1 }", "fn a() { 12 }", "fn a() { 123 }"] {
            write("src/lib.rs", text);
            assert!(!sources.due(), "not while saves go on");
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(QUIET);
        assert!(sources.due(), "due once quiet");
        assert!(!sources.due(), "due once only");
    }
}
