//! The statelessness check: the same events answered in fresh environments, in order on one
//! warm environment, and shuffled with random evictions must agree, event by event.
//!
//! A function that keeps state between invocations (a counter in a static, a cache in `/tmp`)
//! answers differently once warm; one that only caches immutable things at init (a client, a
//! parsed config, a lookup table) does not.

use lambda_sim_runtime::{Function, Invocation, Payload};
use rand::seq::SliceRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::{Error, Result};

/// One event of a check, with the name it is reported under (a file name, an index).
#[derive(Clone, Debug)]
pub struct NamedEvent {
    /// How the event is named in the verdict.
    pub name: String,
    /// The payload.
    pub payload: Payload,
}

/// Settings of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Fields whose values legitimately vary (request ids, timestamps), ignored wherever they
    /// appear in a JSON response: a key name (`requestId`) or a JSON pointer (`/meta/time`).
    pub ignore: Vec<String>,
    /// The seed of the shuffled run's order and evictions. Default 0.
    pub seed: u64,
    /// The chance of an eviction before each invocation of the shuffled run. Default 0.3.
    pub eviction_rate: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            ignore: Vec::new(),
            seed: 0,
            eviction_rate: 0.3,
        }
    }
}

/// Which run disagreed with the fresh one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// Every event in order on one warm environment.
    Warm,
    /// A seeded shuffle of the events with random evictions.
    Shuffled,
}

impl Run {
    fn describe(self) -> &'static str {
        match self {
            Run::Warm => "in order on one warm environment",
            Run::Shuffled => "in a shuffled order with random evictions",
        }
    }
}

/// The first event whose answers differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The event's name.
    pub event: String,
    /// The run that answered differently.
    pub run: Run,
    /// The answer in a fresh environment (after the ignored fields are removed).
    pub fresh: Value,
    /// The other run's answer.
    pub other: Value,
    /// The differing paths: `- /count: 1` then `+ /count: 2`.
    pub diff: Vec<String>,
}

/// The outcome of a check.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// How many events were checked.
    pub events: usize,
    /// The first event whose answers differ, if one does.
    pub difference: Option<Difference>,
    /// The files the warm run's environment left in `/tmp`.
    pub kept_files: Vec<String>,
}

impl Verdict {
    /// Whether every event was answered the same in every run.
    pub fn is_stateless(&self) -> bool {
        self.difference.is_none()
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.difference {
            None => write!(
                f,
                "stateless: {} event(s) answered the same in fresh environments, in order on one warm \
                 environment, and shuffled with evictions",
                self.events
            )?,
            Some(d) => {
                writeln!(
                    f,
                    "stateful: event `{}` was answered differently {} than in a fresh environment",
                    d.event,
                    d.run.describe()
                )?;
                writeln!(f, "  fresh: {}", d.fresh)?;
                writeln!(
                    f,
                    "  {}: {}",
                    if d.run == Run::Warm {
                        "warm"
                    } else {
                        "shuffled"
                    },
                    d.other
                )?;
                writeln!(f, "  diff:")?;
                for line in &d.diff {
                    writeln!(f, "    {line}")?;
                }
                write!(f, "  kept in /tmp between invocations: ")?;
                if self.kept_files.is_empty() {
                    write!(f, "nothing")?;
                } else {
                    write!(f, "{}", self.kept_files.join(", "))?;
                }
            }
        }
        Ok(())
    }
}

/// Runs the check on `function` (its environments are evicted along the way).
pub async fn check_stateless(
    function: &Function,
    events: &[NamedEvent],
    options: &CheckOptions,
) -> Result<Verdict> {
    let mut at = function.clock().now();
    // State kept outside the environment (the key-value store) is part of the event's input,
    // not of the environment: every pass gives each event the store as the first pass gave
    // it, so that only what an environment keeps can make answers differ.
    let store = &function.services().keyvalue;
    let mut seen = Vec::with_capacity(events.len());
    // (a) Each event in a fresh environment.
    let mut fresh = Vec::with_capacity(events.len());
    for event in events {
        seen.push(store.snapshot());
        function.evict_all();
        fresh.push(answer(
            &in_turn(function, &event.payload, &mut at).await?,
            options,
        ));
    }
    // (b) In order on one warm environment.
    function.evict_all();
    let mut difference = None;
    let after = store.snapshot();
    for (i, event) in events.iter().enumerate() {
        store.restore(seen[i].clone());
        let warm = answer(&in_turn(function, &event.payload, &mut at).await?, options);
        if difference.is_none() && warm != fresh[i] {
            difference = Some(differ(&event.name, Run::Warm, &fresh[i], warm));
        }
    }
    let kept_files = function.tmp_files();
    // (c) Shuffled, with random evictions.
    if difference.is_none() {
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.shuffle(&mut rng);
        function.evict_all();
        for i in order {
            if rng.random_bool(options.eviction_rate.clamp(0.0, 1.0)) {
                function.evict_all();
            }
            store.restore(seen[i].clone());
            let shuffled = answer(
                &in_turn(function, &events[i].payload, &mut at).await?,
                options,
            );
            if shuffled != fresh[i] {
                difference = Some(differ(&events[i].name, Run::Shuffled, &fresh[i], shuffled));
                break;
            }
        }
    }
    function.evict_all();
    store.restore(after);
    Ok(Verdict {
        events: events.len(),
        difference,
        kept_files,
    })
}

/// Invokes once the previous invocation has ended: on a virtual clock an environment is busy
/// until its invocation's end in simulated time, and the warm run must find it free.
async fn in_turn(
    function: &Function,
    payload: &lambda_sim_runtime::Payload,
    at: &mut std::time::Duration,
) -> lambda_sim_runtime::Result<Invocation> {
    let invocation = function
        .invoke_at((*at).max(function.clock().now()), payload)
        .await?;
    *at = invocation.ends_at;
    Ok(invocation)
}

/// What a caller received, as JSON (a string for a response that is not JSON), with the
/// ignored fields removed.
fn answer(invocation: &Invocation, options: &CheckOptions) -> Value {
    let bytes = invocation.payload();
    let mut value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    for field in &options.ignore {
        remove(&mut value, field);
    }
    value
}

fn remove(value: &mut Value, field: &str) {
    if field.starts_with('/') {
        if let Some((parent, key)) = field.rsplit_once('/')
            && let Some(target) = value.pointer_mut(parent)
        {
            match target {
                Value::Object(map) => {
                    map.remove(key);
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

fn differ(event: &str, run: Run, fresh: &Value, other: Value) -> Difference {
    let mut diff = Vec::new();
    diff_values("", fresh, &other, &mut diff);
    Difference {
        event: event.to_owned(),
        run,
        fresh: fresh.clone(),
        other,
        diff,
    }
}

/// The differing leaves of two JSON values, as `- path: old` / `+ path: new` lines.
fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => diff_values(&child, u, v, out),
                    (Some(u), None) => out.push(format!("- {child}: {u}")),
                    (None, Some(v)) => out.push(format!("+ {child}: {v}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff_values(&format!("{path}/{i}"), u, v, out);
            }
        }
        _ if a != b => {
            let at = if path.is_empty() { "/" } else { path };
            out.push(format!("- {at}: {a}"));
            out.push(format!("+ {at}: {b}"));
        }
        _ => {}
    }
}

/// Reads events from a file (one JSON event, a JSON array of events, or JSON Lines) or a
/// directory (each `*.json` file is one event, in name order).
pub fn read_events(path: &std::path::Path) -> Result<Vec<NamedEvent>> {
    let parse = |name: String, bytes: &[u8]| -> Result<NamedEvent> {
        match Payload::json(bytes) {
            Ok(payload) => Ok(NamedEvent { name, payload }),
            Err(source) => Err(Error::InvalidEvent { name, source }),
        }
    };
    let read_error = |path: &std::path::Path| {
        let path = path.to_owned();
        move |source| Error::ReadEvents { path, source }
    };
    if path.is_dir() {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map_err(read_error(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::NoEvents(path.to_owned()));
        }
        return files
            .iter()
            .map(|file| {
                let bytes = std::fs::read(file).map_err(read_error(file))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                parse(name, &bytes)
            })
            .collect();
    }
    let text = std::fs::read_to_string(path).map_err(read_error(path))?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| NamedEvent {
                name: format!("{file}[{i}]"),
                payload: Payload::from_value(item),
            })
            .collect()),
        Ok(value) => Ok(vec![NamedEvent {
            name: file,
            payload: Payload::from_value(&value),
        }]),
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| parse(format!("{file}:{}", i + 1), line.as_bytes()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diffs_name_the_paths_that_differ() {
        let mut out = Vec::new();
        diff_values(
            "",
            &json!({"count": 1, "same": [1, 2]}),
            &json!({"count": 2, "same": [1, 2], "new": true}),
            &mut out,
        );
        assert_eq!(out, ["- /count: 1", "+ /count: 2", "+ /new: true"]);
    }

    #[test]
    fn ignored_fields_are_removed_by_name_or_pointer() {
        let mut value = json!({"requestId": "a", "body": {"requestId": "b", "time": 3, "keep": 1}});
        remove(&mut value, "requestId");
        remove(&mut value, "/body/time");
        assert_eq!(value, json!({"body": {"keep": 1}}));
    }
}
