//! The outcome of a check, as a user reads it: stateless, stateful (naming the event, the
//! pass that showed it and what differs), or non-deterministic (two fresh environments
//! disagreed, so answers cannot tell state apart), with the fields left out of the comparison.

use serde_json::Value;

/// A pass of the check: how events are run after the first pass, one per fresh environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// Every event in order on one warm environment.
    Warm,
    /// Each event right after each event, itself included, on an environment fresh for the
    /// pair (when the events are few).
    Pairwise,
    /// Each event twice in a row on an environment fresh for it (when the events are many).
    Repeated,
    /// Every event in reverse order on one warm environment (when the events are many).
    Reversed,
    /// A seeded shuffle of the events with random evictions (when the events are many).
    Shuffled,
    /// The event once more in a fresh environment, at the same time and with the same random
    /// numbers (run when another pass disagrees, to tell state from non-determinism).
    Fresh,
}

impl Run {
    fn describe(self) -> &'static str {
        match self {
            Run::Warm => "in order on one warm environment",
            Run::Pairwise => "right after another event on the same environment",
            Run::Repeated => "right after itself on the same environment",
            Run::Reversed => "in reverse order on one warm environment",
            Run::Shuffled => "in a shuffled order with random evictions",
            Run::Fresh => "in another fresh environment",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Run::Warm => "warm",
            Run::Pairwise => "after",
            Run::Repeated => "again",
            Run::Reversed => "reversed",
            Run::Shuffled => "shuffled",
            Run::Fresh => "again",
        }
    }

    /// The pass in a list of passes run.
    fn summary(self) -> &'static str {
        match self {
            Run::Warm => "in order on one warm environment",
            Run::Pairwise => "each right after each event (itself included)",
            Run::Repeated => "each twice in a row",
            Run::Reversed => "in reverse order",
            Run::Shuffled => "shuffled with evictions",
            Run::Fresh => "again in a fresh environment",
        }
    }
}

/// The first event whose answers differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The event's name.
    pub event: String,
    /// The pass that answered differently.
    pub run: Run,
    /// The event run just before it on the same environment, for [`Run::Pairwise`].
    pub after: Option<String>,
    /// The answer in a fresh environment (without the ignored fields and those that vary
    /// with the time or random numbers).
    pub fresh: Value,
    /// The other pass's answer, the same fields left out.
    pub other: Value,
    /// The differing paths: `- /count: 1` then `+ /count: 2`.
    pub diff: Vec<String>,
}

/// Fields of an event's answer that changed with the time and random numbers the event was
/// given (a random id drawn from a generator seeded once per environment, say): left out
/// of the comparison, and listed in the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Varying {
    /// The event's name.
    pub event: String,
    /// The fields, as JSON pointers (`/` for the whole answer).
    pub fields: Vec<String>,
}

/// The outcome of a check.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// How many events were checked.
    pub events: usize,
    /// The passes run after the fresh one, in order (the last one decided a stateful verdict).
    pub passes: Vec<Run>,
    /// The first event answered differently because of what an environment kept, if one was.
    pub difference: Option<Difference>,
    /// An event that two fresh environments answered differently at the same time with the
    /// same random numbers: nothing can be concluded from its answers.
    pub nondeterministic: Option<Difference>,
    /// Fields left out because they vary with the time or random numbers.
    pub varying: Vec<Varying>,
    /// The files the warm run's environment left in `/tmp`.
    pub kept_files: Vec<String>,
    /// Whether the function ran on a real clock (each event then reads the host's time).
    pub real_clock: bool,
}

impl Verdict {
    /// Whether every event was answered the same in every pass.
    pub fn is_stateless(&self) -> bool {
        self.difference.is_none() && self.nondeterministic.is_none()
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(d) = &self.nondeterministic {
            writeln!(
                f,
                "non-deterministic: event `{}` was answered differently by two fresh environments \
                 at the same time with the same random numbers, so its answers cannot show state",
                d.event
            )?;
            writeln!(f, "  first: {}", d.fresh)?;
            writeln!(f, "  again: {}", d.other)?;
            lines(f, &d.diff)?;
            let fields = super::json::differing_paths(&d.fresh, &d.other);
            if fields.iter().any(|field| field == "/") {
                write!(f, "  the whole answer differs: no field to leave out")?;
            } else {
                write!(f, "  if these fields may differ, leave them out:")?;
                for field in fields {
                    write!(f, " --ignore {field}")?;
                }
            }
            if self.real_clock {
                write!(
                    f,
                    "\n  on a real clock, each event reads the host's time: a virtual clock gives \
                     it a time of its own (`lambda-sim check` runs on one unless given \
                     `--clock real`)"
                )?;
            }
            return Ok(());
        }
        match &self.difference {
            None => {
                let passes: Vec<&str> = self.passes.iter().map(|run| run.summary()).collect();
                write!(
                    f,
                    "stateless: {} event(s) answered the same in fresh environments, {}",
                    self.events,
                    passes.join(", ")
                )?;
            }
            Some(d) => {
                write!(
                    f,
                    "stateful: event `{}` was answered differently {}",
                    d.event,
                    d.run.describe()
                )?;
                match &d.after {
                    Some(after) if *after == d.event && d.run == Run::Pairwise => {
                        write!(f, " (after itself)")?;
                    }
                    Some(after) if d.run == Run::Pairwise => write!(f, " (after `{after}`)")?,
                    _ => {}
                }
                writeln!(f, " than in a fresh environment")?;
                writeln!(f, "  fresh: {}", d.fresh)?;
                writeln!(f, "  {}: {}", d.run.label(), d.other)?;
                lines(f, &d.diff)?;
                write!(f, "  kept in /tmp between invocations: ")?;
                if self.kept_files.is_empty() {
                    write!(f, "nothing")?;
                } else {
                    write!(f, "{}", self.kept_files.join(", "))?;
                }
            }
        }
        if !self.varying.is_empty() {
            write!(
                f,
                "\n  not compared, as they vary with the time or random numbers:"
            )?;
            for varying in &self.varying {
                write!(
                    f,
                    "\n    `{}`: {}",
                    varying.event,
                    varying.fields.join(", ")
                )?;
            }
        }
        Ok(())
    }
}

fn lines(f: &mut std::fmt::Formatter<'_>, diff: &[String]) -> std::fmt::Result {
    writeln!(f, "  diff:")?;
    for line in diff {
        writeln!(f, "    {line}")?;
    }
    Ok(())
}
