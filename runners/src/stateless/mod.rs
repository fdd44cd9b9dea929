//! The statelessness check: the same events answered in fresh environments, then in order on
//! one warm environment, then each right after each other one (few events) or in reverse and
//! shuffled with random evictions (many), must agree, event by event.
//!
//! A function that keeps state between invocations (a counter in a static, a cache in `/tmp`)
//! answers differently once warm; one that only caches immutable things at init (a client, a
//! parsed config, a lookup table) does not.
//!
//! Non-determinism is controlled, not reported as state: every event is pinned
//! ([`Pinned`]) to a time and a random seed of its own, the same in every pass, so a handler
//! that returns the current time or a fresh random id answers an event alike wherever it
//! runs (on a virtual clock; a real one is read as it goes). When a pass still disagrees, the
//! event runs twice more in fresh environments: once pinned the same (if that answer differs,
//! the verdict is non-deterministic, naming the fields) and once pinned to another time and
//! seed (the fields that change with them, such as an id from a generator seeded once per
//! environment, are left out and listed); what differs beyond them is state.

mod events;
mod json;
mod verdict;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use lambda_sim_runtime::{Function, InvokeOptions, Pinned};
use rand::seq::SliceRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

pub use events::{NamedEvent, read_events};
pub use verdict::{Difference, Run, Varying, Verdict};

use crate::Result;

/// The key-value store's buckets and keys, as [`snapshot`] gives them.
///
/// [`snapshot`]: lambda_sim_runtime::services::KeyValueStore::snapshot
type Snapshot = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

/// Settings of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Fields whose values legitimately vary, ignored wherever they appear in a JSON
    /// response: a key name (`requestId`) or a JSON pointer (`/meta/time`).
    pub ignore: Vec<String>,
    /// The seed of the events' pinned random numbers and of the shuffled pass. Default 0.
    pub seed: u64,
    /// The chance of an eviction before each invocation of the shuffled pass. Default 0.3.
    pub eviction_rate: f64,
    /// Up to this many events, every ordered pair runs on an environment of its own (the
    /// pairwise pass, `n(n-1)` cold starts); above it, the reverse and shuffled passes run
    /// instead. Default 8.
    pub pairwise_up_to: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            ignore: Vec::new(),
            seed: 0,
            eviction_rate: 0.3,
            pairwise_up_to: 8,
        }
    }
}

/// Runs the check on `function` (its environments are evicted along the way).
pub async fn check_stateless(
    function: &Function,
    events: &[NamedEvent],
    options: &CheckOptions,
) -> Result<Verdict> {
    let mut check = Check {
        function,
        events,
        options,
        at: function.clock().now(),
        seen: Vec::with_capacity(events.len()),
        fresh: Vec::with_capacity(events.len()),
        varying: vec![None; events.len()],
        shown: vec![BTreeSet::new(); events.len()],
    };
    // State kept outside the environment (the key-value store) is part of the event's input,
    // not of the environment: every pass gives each event the store as the first pass gave
    // it, so that only what an environment keeps can make answers differ.
    let store = &function.services().keyvalue;
    for i in 0..events.len() {
        check.seen.push(store.snapshot());
        let fresh = check.fresh_answer(i, check.pin(i)).await?;
        check.fresh.push(fresh);
    }
    let after = store.snapshot();
    let passes = if events.len() <= options.pairwise_up_to {
        [Run::Warm, Run::Pairwise].as_slice()
    } else {
        [Run::Warm, Run::Reversed, Run::Shuffled].as_slice()
    };
    let mut run = Vec::new();
    let mut kept_files = Vec::new();
    let mut finding = None;
    for &pass in passes {
        run.push(pass);
        finding = check.pass(pass, &mut kept_files).await?;
        if finding.is_some() {
            break;
        }
    }
    function.evict_all();
    store.restore(after);
    let (difference, nondeterministic) = match finding {
        Some(Finding::Stateful(d)) => (Some(d), None),
        Some(Finding::NonDeterministic(d)) => (None, Some(d)),
        None => (None, None),
    };
    let varying = check
        .shown
        .iter()
        .zip(events)
        .filter(|(fields, _)| !fields.is_empty())
        .map(|(fields, event)| Varying {
            event: event.name.clone(),
            fields: fields.iter().cloned().collect(),
        })
        .collect();
    Ok(Verdict {
        events: events.len(),
        passes: run,
        difference,
        nondeterministic,
        varying,
        kept_files,
        real_clock: !function.clock().is_virtual(),
    })
}

/// What ends a check early.
enum Finding {
    Stateful(Difference),
    NonDeterministic(Difference),
}

/// An answer of a pass, to compare with the event's fresh one.
struct Answered {
    index: usize,
    /// The event run just before on the same environment (the pairwise pass).
    after: Option<usize>,
    value: Value,
}

struct Check<'a> {
    function: &'a Function,
    events: &'a [NamedEvent],
    options: &'a CheckOptions,
    /// When the next invocation may start (simulation time).
    at: Duration,
    /// The key-value store as each event first found it.
    seen: Vec<Snapshot>,
    /// Each event's answer in a fresh environment.
    fresh: Vec<Value>,
    /// For each event told apart already, the fields that vary with its time and seed.
    varying: Vec<Option<Vec<String>>>,
    /// For each event, the varying fields in which a pass's answer differed (listed).
    shown: Vec<BTreeSet<String>>,
}

impl Check<'_> {
    /// Event `i`'s own time and seed, the same in every pass.
    fn pin(&self, i: usize) -> Pinned {
        Pinned {
            at: Duration::from_secs(3_600 * (i as u64 + 1)),
            seed: self.options.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        }
    }

    /// Another time (two days and a second and a half later) and seed for event `i`.
    fn probe(&self, i: usize) -> Pinned {
        let pin = self.pin(i);
        Pinned {
            at: pin.at + Duration::from_millis(2 * 86_400_000 + 1_500),
            seed: !pin.seed,
        }
    }

    /// Runs one pass; compares its answers with the fresh ones.
    async fn pass(&mut self, run: Run, kept_files: &mut Vec<String>) -> Result<Option<Finding>> {
        let n = self.events.len();
        let mut answers = Vec::with_capacity(n);
        match run {
            Run::Warm | Run::Reversed => {
                self.function.evict_all();
                let order: Vec<usize> = if run == Run::Warm {
                    (0..n).collect()
                } else {
                    (0..n).rev().collect()
                };
                for index in order {
                    let value = self.answer(index, self.pin(index)).await?;
                    answers.push(Answered {
                        index,
                        after: None,
                        value,
                    });
                }
                if run == Run::Warm {
                    *kept_files = self.function.tmp_files();
                }
            }
            Run::Pairwise => {
                for before in 0..n {
                    for index in (0..n).filter(|&index| index != before) {
                        self.function.evict_all();
                        self.answer(before, self.pin(before)).await?;
                        let value = self.answer(index, self.pin(index)).await?;
                        let answered = Answered {
                            index,
                            after: Some(before),
                            value,
                        };
                        // Each pair has its own environment: telling apart here evicts nothing
                        // the pass still needs.
                        if let Some(finding) = self.judge(run, answered).await? {
                            return Ok(Some(finding));
                        }
                    }
                }
            }
            Run::Shuffled => {
                let mut rng = ChaCha8Rng::seed_from_u64(self.options.seed);
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut rng);
                self.function.evict_all();
                for index in order {
                    if rng.random_bool(self.options.eviction_rate.clamp(0.0, 1.0)) {
                        self.function.evict_all();
                    }
                    let value = self.answer(index, self.pin(index)).await?;
                    answers.push(Answered {
                        index,
                        after: None,
                        value,
                    });
                }
            }
            Run::Fresh => {}
        }
        // Judged once the pass is over: telling an event apart takes fresh environments,
        // which would evict the pass's own.
        for answered in answers {
            if let Some(finding) = self.judge(run, answered).await? {
                return Ok(Some(finding));
            }
        }
        Ok(None)
    }

    /// Compares an answer with the fresh one; when they differ, tells state from
    /// non-determinism (once per event).
    async fn judge(&mut self, run: Run, answered: Answered) -> Result<Option<Finding>> {
        let i = answered.index;
        if self.fresh[i] == answered.value {
            return Ok(None);
        }
        if self.same(i, &answered.value) {
            self.note_varying(i, &answered.value);
            return Ok(None);
        }
        if self.varying[i].is_none() {
            let again = self.fresh_answer(i, self.pin(i)).await?;
            if again != self.fresh[i] {
                return Ok(Some(Finding::NonDeterministic(self.difference(
                    i,
                    Run::Fresh,
                    None,
                    again,
                    &[],
                ))));
            }
            let probe = self.fresh_answer(i, self.probe(i)).await?;
            self.varying[i] = Some(json::differing_paths(&self.fresh[i], &probe));
            if self.same(i, &answered.value) {
                self.note_varying(i, &answered.value);
                return Ok(None);
            }
        }
        let varying = self.varying[i].clone().unwrap_or_default();
        Ok(Some(Finding::Stateful(self.difference(
            i,
            run,
            answered.after,
            answered.value,
            &varying,
        ))))
    }

    /// Records the varying fields in which `value` differs from event `i`'s fresh answer:
    /// the ones the verdict lists.
    fn note_varying(&mut self, i: usize, value: &Value) {
        let varying = self.varying[i].as_deref().unwrap_or_default();
        for path in json::differing_paths(&self.fresh[i], value) {
            if varying.iter().any(|field| covers(field, &path)) {
                self.shown[i].insert(path);
            }
        }
    }

    /// Whether `value` is event `i`'s fresh answer, its varying fields left out.
    fn same(&self, i: usize, value: &Value) -> bool {
        match &self.varying[i] {
            Some(fields) if !fields.is_empty() => {
                json::without(&self.fresh[i], fields) == json::without(value, fields)
            }
            _ => self.fresh[i] == *value,
        }
    }

    fn difference(
        &self,
        i: usize,
        run: Run,
        after: Option<usize>,
        other: Value,
        varying: &[String],
    ) -> Difference {
        let fresh = json::without(&self.fresh[i], varying);
        let other = json::without(&other, varying);
        Difference {
            event: self.events[i].name.clone(),
            run,
            after: after.map(|before| self.events[before].name.clone()),
            diff: json::diff_lines(&fresh, &other),
            fresh,
            other,
        }
    }

    /// Event `i` in a fresh environment, pinned to `pin`.
    async fn fresh_answer(&mut self, i: usize, pin: Pinned) -> Result<Value> {
        self.function.evict_all();
        self.answer(i, pin).await
    }

    /// Event `i` pinned to `pin`, with the key-value store as the event first found it,
    /// once the previous invocation has ended: on a virtual clock an environment is busy
    /// until its invocation's end in simulated time, and a warm pass must find it free.
    async fn answer(&mut self, i: usize, pin: Pinned) -> Result<Value> {
        let store = &self.function.services().keyvalue;
        store.restore(self.seen[i].clone());
        let options = InvokeOptions::at(self.at.max(self.function.clock().now()))
            .pinned(pin)
            .request_id(request_id(pin.seed));
        let invocation = self
            .function
            .invoke(&self.events[i].payload, options)
            .await?;
        self.at = invocation.ends_at;
        Ok(json::answer(&invocation, &self.options.ignore))
    }
}

/// Whether the field at JSON pointer `field` holds the one at `path`.
fn covers(field: &str, path: &str) -> bool {
    field == "/"
        || path == field
        || path
            .strip_prefix(field)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A request id in Lambda's form drawn from an event's seed: an event keeps its id in every
/// pass, so a handler that echoes it answers alike.
fn request_id(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (a, b): (u64, u64) = (rng.random(), rng.random());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_request_id_has_lambdas_form_and_follows_the_seed() {
        let id = request_id(7);
        assert_eq!(id, request_id(7));
        assert_ne!(id, request_id(8));
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(&id[14..15], "4");
    }
}
