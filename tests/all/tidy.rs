//! The structure's own invariants, checked on the sources as rust-analyzer's tidy tests do: no
//! import circle between the files of `runtime/`, no function over 120 lines in `runtime/`,
//! `harness/` or `runners/` (split out of the harness), no file over 800 lines outside the tests
//! (and generated code).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FUNCTION_LINES: usize = 120;
const MAX_FILE_LINES: usize = 800;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `.rs` files under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                // `embedded`: build/embedded/, copies packaging/stage-build-sources.sh makes.
                if !matches!(
                    name.as_str(),
                    "target" | "tests" | ".git" | "fuzz" | "embedded"
                ) {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The source with comments, strings and character literals blanked out (newlines kept),
/// so that braces and names are only the code's.
fn code_only(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |out: &mut String, text: &[u8]| {
        for &b in text {
            out.push(if b == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let end = source[i + 2..].find("*/").map_or(rest.len(), |e| e + 4);
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"r#\"") || rest.starts_with(b"r\"") {
            let hashes = rest[1..].iter().take_while(|&&b| b == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let start = 2 + hashes;
            let end = source[i + start..]
                .find(&close)
                .map_or(rest.len(), |e| start + e + close.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' && (rest.get(2) == Some(&b'\'') || rest.get(1) == Some(&b'\\')) {
            // A character literal ('{', '\n', '\''), not a lifetime.
            let end = rest[2..]
                .iter()
                .position(|&b| b == b'\'')
                .map_or(rest.len(), |e| e + 3);
            blank(&mut out, &rest[..end]);
            i += end;
        } else {
            let c = source[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Each function longer than the limit: `(name, first line, lines)`.
fn long_functions(source: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(source);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(at) = line.find("fn ") else {
            continue;
        };
        let before = &line[..at];
        let is_item = before
            .split_whitespace()
            .all(|word| word.starts_with("pub") || matches!(word, "async" | "const" | "unsafe"));
        if !is_item {
            continue;
        }
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body: from the first `{` after the signature to its matching `}`; a `;` first
        // means a declaration without a body.
        let mut depth = 0usize;
        let mut opened = false;
        'lines: for (offset, text) in lines[start..].iter().enumerate() {
            let text = if offset == 0 { &text[at..] } else { text };
            for c in text.chars() {
                match c {
                    ';' if !opened => break 'lines,
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' if opened => {
                        depth -= 1;
                        if depth == 0 {
                            let length = offset + 1;
                            if length > MAX_FUNCTION_LINES {
                                found.push((name.clone(), start + 1, length));
                            }
                            break 'lines;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    found
}

#[test]
fn no_function_over_120_lines_in_runtime_harness_or_runners() {
    let mut long = Vec::new();
    // The runners came out of the harness: they keep its rule.
    for dir in ["runtime/src", "harness/src", "runners/src"] {
        for file in rust_files(&root().join(dir)) {
            let source = std::fs::read_to_string(&file).expect("readable source");
            for (name, line, length) in long_functions(&source) {
                let file = file.strip_prefix(root()).unwrap_or(&file).display();
                long.push(format!("{file}:{line} `{name}` has {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_file_over_800_lines_outside_tests() {
    let mut long = Vec::new();
    for file in rust_files(&root()) {
        let relative = file.strip_prefix(root()).unwrap_or(&file);
        // The SDK's bindings are generated (one concept, the WIT world's), and checked by
        // `guest/tests/all/bindings.rs` instead.
        if relative.components().any(|c| c.as_os_str() == "tests")
            || relative == Path::new("guest/src/bindings.rs")
        {
            continue;
        }
        let lines = std::fs::read_to_string(&file)
            .expect("readable source")
            .lines()
            .count();
        if lines > MAX_FILE_LINES {
            long.push(format!("{} has {lines} lines", relative.display()));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The modules of `runtime/src` each file refers to: `crate::module` paths, and names that
/// `lib.rs` re-exports from a module (`use crate::{Function, Error}`).
fn runtime_imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("runtime/src");
    let lib = code_only(&std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    let modules: BTreeSet<String> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("mod "))
        .map(|rest| rest.trim_end_matches(';').trim().to_owned())
        .collect();
    // `pub use module::{A, B};` and `pub use module::A;` in lib.rs: A and B live in `module`.
    let mut exported: BTreeMap<String, String> = BTreeMap::new();
    for statement in lib.split(';') {
        let statement = statement.trim();
        let Some(path) = statement.strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = path.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.split(" as ").last().unwrap_or(name).trim();
            if !name.is_empty() {
                exported.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    let mut graph = BTreeMap::new();
    for module in &modules {
        let path = src.join(format!("{module}.rs"));
        let mut code = code_only(&std::fs::read_to_string(&path).expect("module file"));
        let dir = src.join(module);
        for file in rust_files(&dir) {
            code.push_str(&code_only(
                &std::fs::read_to_string(file).expect("submodule"),
            ));
        }
        let code = code
            .split("#[cfg(test)]")
            .next()
            .unwrap_or(&code)
            .to_owned();
        let mut uses = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for name in group.split(',') {
                    let head = name.trim().split("::").next().unwrap_or("").trim();
                    if let Some(module) = exported.get(head) {
                        uses.insert(module.clone());
                    } else if modules.contains(head) {
                        uses.insert(head.to_owned());
                    }
                }
            } else {
                let head: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if let Some(module) = exported.get(&head) {
                    uses.insert(module.clone());
                } else if modules.contains(&head) {
                    uses.insert(head);
                }
            }
        }
        uses.remove(module);
        graph.insert(module.clone(), uses);
    }
    graph
}

/// A circle in the graph, as the modules along it, if there is one.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_circle_between_the_files_of_runtime() {
    let graph = runtime_imports();
    assert!(graph.len() > 10, "the modules were read: {graph:?}");
    assert!(
        graph["invoke"].contains("function") && graph["pool"].contains("environment"),
        "the references were read: {graph:?}"
    );
    if let Some(circle) = find_circle(&graph) {
        panic!("an import circle in runtime/src: {}", circle.join(" -> "));
    }
}

#[test]
fn the_checks_find_what_they_look_for() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        find_circle(&graph),
        Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()])
    );
    let body = "    let x = \"}\";\n".repeat(MAX_FUNCTION_LINES);
    let long = format!("pub(crate) async fn long() {{\n{body}}}\nfn short() {{}}\n");
    assert_eq!(
        long_functions(&long),
        vec![("long".to_owned(), 1, MAX_FUNCTION_LINES + 2)]
    );
}
