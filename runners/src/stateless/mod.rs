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
mod snap_start;
mod verdict;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use lambda_sim_runtime::{Function, InvokeOptions, Pinned};
use rand::seq::SliceRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

pub use events::{NamedEvent, read_events};
pub use snap_start::{ClonedField, SnapStartVerdict, check_snap_start};
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
        after: None,
    };
    // State kept outside the environment (the key-value store) is part of the event's input,
    // not of the environment: every pass gives each event the store as the first pass gave
    // it, so that only what an environment keeps can make answers differ.
    let store = &function.services().keyvalue;
    let before = store.snapshot();
    let mut run = Vec::new();
    let mut kept_files = Vec::new();
    let outcome = check.run(&mut run, &mut kept_files).await;
    // Whatever happened, no environment made with pinned seeds stays in the pool, and the
    // store is left as the fresh pass left it (as it was, if that pass did not finish).
    function.evict_all();
    store.restore(check.after.take().unwrap_or(before));
    let finding = outcome?;
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

impl Check<'_> {
    /// The fresh pass, then the others until one finds something.
    async fn run(
        &mut self,
        run: &mut Vec<Run>,
        kept_files: &mut Vec<String>,
    ) -> Result<Option<Finding>> {
        let store = &self.function.services().keyvalue;
        for i in 0..self.events.len() {
            self.seen.push(store.snapshot());
            let fresh = self.fresh_answer(i, self.pin(i)).await?;
            self.fresh.push(fresh);
        }
        self.after = Some(store.snapshot());
        let passes = if self.events.len() <= self.options.pairwise_up_to {
            [Run::Warm, Run::Pairwise].as_slice()
        } else {
            [Run::Warm, Run::Repeated, Run::Reversed, Run::Shuffled].as_slice()
        };
        for &pass in passes {
            run.push(pass);
            if let Some(finding) = self.pass(pass, kept_files).await? {
                return Ok(Some(finding));
            }
        }
        Ok(None)
    }
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
    /// The events run before it on the same environment since it was fresh.
    earlier: Vec<usize>,
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
    /// The key-value store once the fresh pass is over.
    after: Option<Snapshot>,
}

impl Check<'_> {
    /// Event `i`'s own time and seed, the same in every pass: an hour into the simulation
    /// plus `i` milliseconds, so that a time an environment kept from another event shows,
    /// and state kept for a while (a rate limit, a cache's time to live) does too. (The
    /// guest's monotonic clock never goes back when a pass runs an earlier event later.)
    fn pin(&self, i: usize) -> Pinned {
        Pinned {
            at: Duration::from_secs(3_600) + Duration::from_millis(i as u64),
            seed: self.options.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            init_variant: 0,
        }
    }

    /// Another time (two days and a second and a half later) and seed for event `i`.
    fn probe(&self, i: usize) -> Pinned {
        let pin = self.pin(i);
        Pinned {
            at: pin.at + Duration::from_millis(2 * 86_400_000 + 1_500),
            seed: !pin.seed,
            init_variant: 0,
        }
    }

    /// Runs one pass; compares its answers with the fresh ones.
    async fn pass(&mut self, run: Run, kept_files: &mut Vec<String>) -> Result<Option<Finding>> {
        let n = self.events.len();
        let order: Vec<usize> = match run {
            Run::Warm => (0..n).collect(),
            Run::Reversed => (0..n).rev().collect(),
            Run::Shuffled => {
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut ChaCha8Rng::seed_from_u64(self.options.seed));
                order
            }
            // Each pair has its own environment: telling apart right after it evicts nothing
            // the pass still needs. The pairwise pass runs every event after itself too.
            Run::Pairwise => {
                return self
                    .pairs(run, (0..n).flat_map(|b| (0..n).map(move |i| (b, i))))
                    .await;
            }
            Run::Repeated => return self.pairs(run, (0..n).map(|i| (i, i))).await,
            Run::Fresh => return Ok(None),
        };
        // The shuffle's evictions come from the seed's stream after the order.
        let mut rng = ChaCha8Rng::seed_from_u64(self.options.seed ^ 0x5EED);
        let mut answers = Vec::with_capacity(n);
        let mut earlier = Vec::new();
        self.function.evict_all();
        for index in order {
            if run == Run::Shuffled && rng.random_bool(self.options.eviction_rate.clamp(0.0, 1.0)) {
                self.function.evict_all();
                earlier.clear();
            }
            let value = self.answer(index, self.pin(index)).await?;
            answers.push(Answered {
                index,
                after: None,
                earlier: earlier.clone(),
                value,
            });
            earlier.push(index);
        }
        if run == Run::Warm {
            *kept_files = self.function.tmp_files();
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

    /// Runs each `(before, index)` pair on an environment of its own and judges the second
    /// answer.
    async fn pairs(
        &mut self,
        run: Run,
        pairs: impl Iterator<Item = (usize, usize)>,
    ) -> Result<Option<Finding>> {
        for (before, index) in pairs {
            self.function.evict_all();
            self.answer(before, self.pin(before)).await?;
            let value = self.answer(index, self.pin(index)).await?;
            let answered = Answered {
                index,
                after: Some(before),
                earlier: vec![before],
                value,
            };
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
            // Never the whole answer: a text or a failure that changes with the time would
            // leave nothing to compare.
            let fields = json::differing_paths(&self.fresh[i], &probe)
                .into_iter()
                .filter(|path| path != "/")
                .collect();
            self.varying[i] = Some(fields);
        }
        let masked = self.masked(&answered);
        if json::without(&self.fresh[i], &masked) == json::without(&answered.value, &masked) {
            for path in json::differing_paths(&self.fresh[i], &answered.value) {
                self.shown[i].insert(path);
            }
            return Ok(None);
        }
        Ok(Some(Finding::Stateful(self.difference(
            i,
            run,
            answered.after,
            answered.value,
            &masked,
        ))))
    }

    /// The varying fields of an answer's event that can be left out of its comparison: not
    /// one whose value in the answer is an earlier event's fresh value there (a time or an id
    /// the environment kept from that event is state, not chance).
    fn masked(&self, answered: &Answered) -> Vec<String> {
        let i = answered.index;
        let varying = self.varying[i].as_deref().unwrap_or_default();
        let carried: Vec<String> = json::differing_paths(&self.fresh[i], &answered.value)
            .into_iter()
            .filter(|path| {
                let value = answered.value.pointer(path);
                value.is_some()
                    && answered
                        .earlier
                        .iter()
                        .filter(|&&j| j != i)
                        .any(|&j| self.fresh[j].pointer(path) == value)
            })
            .collect();
        varying
            .iter()
            .filter(|field| !carried.iter().any(|path| covers(field, path)))
            .cloned()
            .collect()
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
