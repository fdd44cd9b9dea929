//! Answers as the check compares them: JSON values with fields left out (by key name or JSON
//! pointer), and the paths at which two answers differ.

use lambda_sim_runtime::Invocation;
use serde_json::Value;

/// What a caller received, as JSON (a string for a response that is not JSON), with the
/// `ignore`d fields removed.
pub(super) fn answer(invocation: &Invocation, ignore: &[String]) -> Value {
    let bytes = invocation.payload();
    let mut value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    for field in ignore {
        remove(&mut value, field);
    }
    value
}

/// `value` without the fields at `paths` (JSON pointers; `/` is the whole value).
pub(super) fn without(value: &Value, paths: &[String]) -> Value {
    let mut value = value.clone();
    for path in paths {
        remove(&mut value, path);
    }
    value
}

/// Removes `field`: a JSON pointer (`/meta/time`; `/` is the whole value, which becomes null;
/// an array's item becomes null) or a key name removed at every depth.
pub(super) fn remove(value: &mut Value, field: &str) {
    if field == "/" {
        *value = Value::Null;
        return;
    }
    if field.starts_with('/') {
        if let Some((parent, key)) = field.rsplit_once('/')
            && let Some(target) = value.pointer_mut(parent)
        {
            let key = key.replace("~1", "/").replace("~0", "~");
            match target {
                Value::Object(map) => {
                    map.remove(&key);
                }
                Value::Array(items) => {
                    if let Ok(index) = key.parse::<usize>()
                        && index < items.len()
                    {
                        items[index] = Value::Null;
                    }
                }
                _ => {}
            }
        }
        return;
    }
    match value {
        Value::Object(map) => {
            map.remove(field);
            map.values_mut().for_each(|v| remove(v, field));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remove(v, field)),
        _ => {}
    }
}

/// The paths (JSON pointers, `/` for the whole value) at which `a` and `b` differ: the
/// smallest parts that differ, a key on one side only, or an array whose length changed.
pub(super) fn differing_paths(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", a, b, &mut |path, _, _| out.push(path.to_owned()));
    out
}

/// The differing leaves of two JSON values, as `- path: old` / `+ path: new` lines.
pub(super) fn diff_lines(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", a, b, &mut |path, old, new| {
        if let Some(old) = old {
            out.push(format!("- {path}: {old}"));
        }
        if let Some(new) = new {
            out.push(format!("+ {path}: {new}"));
        }
    });
    out
}

/// Called with each differing path and its values on each side (`None`: no such key).
type Found<'f> = dyn FnMut(&str, Option<&Value>, Option<&Value>) + 'f;

fn walk(path: &str, a: &Value, b: &Value, found: &mut Found<'_>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => walk(&child, u, v, found),
                    (u, v) if u.is_some() || v.is_some() => found(&child, u, v),
                    _ => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}/{i}"), u, v, found);
            }
        }
        _ if a != b => {
            let at = if path.is_empty() { "/" } else { path };
            found(at, Some(a), Some(b));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diffs_name_the_paths_that_differ() {
        let (a, b) = (
            json!({"count": 1, "same": [1, 2]}),
            json!({"count": 2, "same": [1, 2], "new": true}),
        );
        assert_eq!(
            diff_lines(&a, &b),
            ["- /count: 1", "+ /count: 2", "+ /new: true"]
        );
        assert_eq!(differing_paths(&a, &b), ["/count", "/new"]);
        assert_eq!(differing_paths(&json!("a"), &json!("b")), ["/"]);
    }

    #[test]
    fn ignored_fields_are_removed_by_name_or_pointer() {
        let mut value = json!({"requestId": "a", "body": {"requestId": "b", "time": 3, "keep": 1}});
        remove(&mut value, "requestId");
        remove(&mut value, "/body/time");
        assert_eq!(value, json!({"body": {"keep": 1}}));
    }

    #[test]
    fn a_differing_path_removes_what_differs_even_with_a_slash_in_its_key() {
        let (a, b) = (json!({"a/b": 1, "k": 2}), json!({"a/b": 3, "k": 2}));
        let paths = differing_paths(&a, &b);
        assert_eq!(paths, ["/a~1b"]);
        assert_eq!(without(&a, &paths), without(&b, &paths));
        assert_eq!(without(&json!("x"), &["/".to_owned()]), Value::Null);
    }
}
