//! `check --snapstart`: values made at init that must be unique per environment (a random id,
//! a UUID, a timestamp) but that SnapStart clones into every environment restored from one
//! snapshot.
//!
//! Each event runs, pinned to its own time and seed, in two environments restored from one
//! snapshot and in two fresh environments whose Init drew other random numbers and read
//! another time (the handler's phase pinned alike in all four). A field that differs between
//! the fresh inits depends on Init; if it is the same in both restored environments, SnapStart
//! cloned it.

use std::fmt;

use lambda_sim_runtime::{Function, InvokeOptions, Pinned};
use serde_json::Value;

use super::{CheckOptions, NamedEvent, json};
use crate::Result;

/// A field made at init and cloned by SnapStart.
#[derive(Clone, Debug, PartialEq)]
pub struct ClonedField {
    /// The event whose answer showed it.
    pub event: String,
    /// The field, as a JSON pointer (`/id`; `/` for the whole answer).
    pub field: String,
    /// Its value in every restored environment.
    pub restored: Value,
    /// Its values after two fresh inits.
    pub fresh: [Value; 2],
}

/// What `check --snapstart` found.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapStartVerdict {
    /// How many events ran.
    pub events: usize,
    /// The fields cloned by SnapStart, the first event's that showed any.
    pub cloned: Vec<ClonedField>,
    /// An event that failed in a restored environment but not after a fresh init: its name
    /// and the restored environment's error (`errorType: errorMessage`).
    pub fails_after_restore: Option<(String, String)>,
}

impl SnapStartVerdict {
    /// Whether no value made at init is cloned and nothing fails only after a restore.
    pub fn is_unique(&self) -> bool {
        self.cloned.is_empty() && self.fails_after_restore.is_none()
    }
}

impl fmt::Display for SnapStartVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((event, error)) = &self.fails_after_restore {
            return write!(
                f,
                "fails after restore: event `{event}` failed in an environment restored from the \
                 snapshot, and not after a fresh init: {error}"
            );
        }
        if self.cloned.is_empty() {
            return write!(
                f,
                "unique after restore: {} event(s), each answered in 2 environments restored \
                 from one snapshot and after 2 fresh inits; no value made at init is shared by \
                 the restored environments",
                self.events
            );
        }
        let field = |c: &ClonedField| c.field.clone();
        writeln!(
            f,
            "unique at init, cloned by SnapStart: {}",
            self.cloned.iter().map(field).collect::<Vec<_>>().join(", ")
        )?;
        for c in &self.cloned {
            writeln!(
                f,
                "  event `{}`, field `{}`: {} in every environment restored from one snapshot; \
                 {} and {} after two fresh inits",
                c.event, c.field, c.restored, c.fresh[0], c.fresh[1]
            )?;
        }
        write!(
            f,
            "make it in an after-restore hook (Python: snapshot_restore_py.register_after_restore, \
             Rust: lambda_sim_guest::snap_start::register_after_restore), not at init"
        )
    }
}

/// Runs the check: `snap` is the function with SnapStart, `fresh` the same component without.
pub async fn check_snap_start(
    fresh: &Function,
    snap: &Function,
    events: &[NamedEvent],
    options: &CheckOptions,
) -> Result<SnapStartVerdict> {
    // Published first: what its Init writes to the key-value store is then in every run's
    // store, as it is in every restored environment's on Lambda.
    snap.publish().await?;
    let store = &fresh.services().keyvalue;
    let before = store.snapshot();
    let mut cloned = Vec::new();
    let mut fails_after_restore = None;
    let mut outcome: Result<()> = Ok(());
    for (i, event) in events.iter().enumerate() {
        let pin = Pinned {
            at: std::time::Duration::from_secs(3_600) + std::time::Duration::from_millis(i as u64),
            seed: options.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            init_variant: 0,
        };
        let mut answers = Vec::with_capacity(4);
        let mut errors = Vec::with_capacity(4);
        // The restores run their hooks at the two fresh inits' times: what a hook reads (the
        // clock, random numbers) differs between them, as between two fresh inits.
        for (function, variant) in [(snap, 1), (snap, 2), (fresh, 1), (fresh, 2)] {
            // Each run in an environment of its own, from the store as it was.
            function.evict_all();
            store.restore(before.clone());
            let pinned = InvokeOptions::default().pinned(Pinned {
                init_variant: variant,
                ..pin
            });
            match function.invoke(&event.payload, pinned).await {
                Ok(invocation) => {
                    errors.push(
                        invocation
                            .error()
                            .map(|e| format!("{}: {}", e.error_type, e.error_message)),
                    );
                    answers.push(json::answer(&invocation, &options.ignore));
                }
                Err(err) => {
                    outcome = Err(err.into());
                    break;
                }
            }
        }
        if outcome.is_err() {
            break;
        }
        let fresh_failed = errors[2].is_some() || errors[3].is_some();
        if let (Some(error), false) = (errors[0].as_ref().or(errors[1].as_ref()), fresh_failed) {
            fails_after_restore = Some((event.name.clone(), error.clone()));
            break;
        }
        let restored_differ = json::differing_paths(&answers[0], &answers[1]);
        let found: Vec<ClonedField> = json::differing_paths(&answers[2], &answers[3])
            .into_iter()
            .filter(|path| !restored_differ.iter().any(|p| p == path))
            .map(|path| ClonedField {
                event: event.name.clone(),
                restored: pointer(&answers[0], &path),
                fresh: [pointer(&answers[2], &path), pointer(&answers[3], &path)],
                field: path,
            })
            .collect();
        if !found.is_empty() {
            cloned = found;
            break;
        }
    }
    fresh.evict_all();
    snap.evict_all();
    store.restore(before);
    outcome?;
    Ok(SnapStartVerdict {
        events: events.len(),
        cloned,
        fails_after_restore,
    })
}

/// The value at JSON pointer `path` (`/` is the whole value).
fn pointer(value: &Value, path: &str) -> Value {
    if path == "/" {
        return value.clone();
    }
    value.pointer(path).cloned().unwrap_or(Value::Null)
}
