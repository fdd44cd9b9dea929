//! The cold-start model: delays injected on top of the measured instantiation and init, for
//! microVM placement, the language runtime's start, and a VPC's network interface.

use std::time::Duration;

use rand::Rng;
use rand_distr::{Distribution as _, LogNormal};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A delay drawn at random from a distribution (seeded by the simulation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Delay {
    /// Always the same.
    Fixed {
        /// The delay, in milliseconds.
        ms: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// The lower bound, in milliseconds.
        min_ms: f64,
        /// The upper bound, in milliseconds.
        max_ms: f64,
    },
    /// Log-normal with the given median and 99th percentile, the usual shape of latencies.
    LogNormal {
        /// The median, in milliseconds.
        p50_ms: f64,
        /// The 99th percentile, in milliseconds.
        p99_ms: f64,
    },
}

/// The 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

impl Delay {
    /// No delay.
    pub const ZERO: Delay = Delay::Fixed { ms: 0.0 };

    /// Checks the parameters (finite, not negative, ordered).
    pub fn validate(&self, what: &str) -> Result<()> {
        let ok = match *self {
            Delay::Fixed { ms } => ms.is_finite() && ms >= 0.0,
            Delay::Uniform { min_ms, max_ms } => {
                min_ms.is_finite() && max_ms.is_finite() && 0.0 <= min_ms && min_ms <= max_ms
            }
            Delay::LogNormal { p50_ms, p99_ms } => {
                p50_ms.is_finite() && p99_ms.is_finite() && 0.0 < p50_ms && p50_ms <= p99_ms
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidConfig(format!(
                "{what} delay {self:?} is not a valid distribution"
            )))
        }
    }

    /// Draws one delay.
    pub fn sample(&self, rng: &mut impl Rng) -> Duration {
        let ms = match *self {
            Delay::Fixed { ms } => ms,
            Delay::Uniform { min_ms, max_ms } if min_ms < max_ms => {
                min_ms + (max_ms - min_ms) * (rng.next_u64() as f64 / u64::MAX as f64)
            }
            Delay::Uniform { min_ms, .. } => min_ms,
            Delay::LogNormal { p50_ms, p99_ms } => {
                let sigma = (p99_ms.ln() - p50_ms.ln()) / Z99;
                match LogNormal::new(p50_ms.ln(), sigma) {
                    Ok(dist) => dist.sample(rng),
                    Err(_) => p50_ms,
                }
            }
        };
        Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 3600.0))
    }
}

/// Delays added to every cold start: placement of the sandbox (not part of Init Duration, as
/// on Lambda) and the language runtime's start (part of Init Duration).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColdStartModel {
    /// Placing and booting the microVM (Firecracker boots in about 125 ms).
    pub placement: Delay,
    /// Starting the language runtime before the function's own init.
    pub runtime_init: Delay,
}

impl Default for ColdStartModel {
    fn default() -> Self {
        ColdStartModel::preset("none").unwrap_or(ColdStartModel {
            placement: Delay::ZERO,
            runtime_init: Delay::ZERO,
        })
    }
}

impl ColdStartModel {
    /// The named presets: `none` (only what the simulator measures), and `rust`, `python`,
    /// `java` from published Init Durations of minimal functions (Rust 11-17 ms, Python
    /// 70-110 ms, Java 184-219 ms; median and 99th percentile of a log-normal), each with a
    /// log-normal placement of 125 ms median (Firecracker's boot time), 250 ms at p99.
    pub fn preset(name: &str) -> Option<Self> {
        let placement = Delay::LogNormal {
            p50_ms: 125.0,
            p99_ms: 250.0,
        };
        let runtime = |p50_ms, p99_ms| Delay::LogNormal { p50_ms, p99_ms };
        Some(match name {
            "none" => ColdStartModel {
                placement: Delay::ZERO,
                runtime_init: Delay::ZERO,
            },
            "rust" | "provided" => ColdStartModel {
                placement,
                runtime_init: runtime(11.0, 17.0),
            },
            "python" => ColdStartModel {
                placement,
                runtime_init: runtime(70.0, 110.0),
            },
            "java" => ColdStartModel {
                placement,
                runtime_init: runtime(184.0, 219.0),
            },
            _ => return None,
        })
    }

    /// The preset names, for error messages and `--help`.
    pub const PRESETS: &'static [&'static str] = &["none", "rust", "python", "java"];
}

/// How a function in a VPC gets its network interface.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case", deny_unknown_fields)]
pub enum VpcModel {
    /// Functions in a VPC cost nothing more (the VPC setting is ignored).
    #[default]
    None,
    /// Before September 2019: an ENI is created and attached during every cold start
    /// (about 10 s, 5-15 s reported).
    #[serde(rename = "legacy-2017")]
    Legacy2017 {
        /// The ENI delay of each cold start.
        eni: Delay,
    },
    /// Since Hyperplane (late 2019): the function is `Pending` for a while after it is created
    /// ("about a minute"), then each cold start pays a small cost.
    Hyperplane {
        /// How long the function stays `Pending` after it is loaded, in seconds.
        pending_s: f64,
        /// The per-cold-start cost.
        per_cold_start: Delay,
    },
}

impl VpcModel {
    /// A mode by its command-line name with its default figures: `none`, `legacy-2017`
    /// (10 s fixed), `hyperplane` (60 s pending, then 0-200 ms uniform per cold start).
    pub fn named(name: &str) -> Option<Self> {
        Some(match name {
            "none" => VpcModel::None,
            "legacy-2017" => VpcModel::Legacy2017 {
                eni: Delay::Fixed { ms: 10_000.0 },
            },
            "hyperplane" => VpcModel::Hyperplane {
                pending_s: 60.0,
                per_cold_start: Delay::Uniform {
                    min_ms: 0.0,
                    max_ms: 200.0,
                },
            },
            _ => return None,
        })
    }

    /// The ENI delay one cold start of a VPC function pays.
    pub fn eni_delay(&self, rng: &mut impl Rng) -> Duration {
        match self {
            VpcModel::None => Duration::ZERO,
            VpcModel::Legacy2017 { eni } => eni.sample(rng),
            VpcModel::Hyperplane { per_cold_start, .. } => per_cold_start.sample(rng),
        }
    }

    /// How long a VPC function stays `Pending` after it is loaded.
    pub fn pending(&self) -> Duration {
        match self {
            VpcModel::Hyperplane { pending_s, .. } => {
                Duration::from_secs_f64(pending_s.clamp(0.0, 86_400.0))
            }
            _ => Duration::ZERO,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            VpcModel::None => Ok(()),
            VpcModel::Legacy2017 { eni } => eni.validate("the ENI"),
            VpcModel::Hyperplane {
                pending_s,
                per_cold_start,
            } => {
                if !pending_s.is_finite() || *pending_s < 0.0 {
                    return Err(Error::InvalidConfig(format!(
                        "hyperplane pending time {pending_s} s must be 0 or more"
                    )));
                }
                per_cold_start.validate("the hyperplane per-cold-start")
            }
        }
    }
}

/// What one cold start cost, component by component.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColdStart {
    /// Creating and attaching the VPC network interface.
    pub eni: Duration,
    /// Placing the sandbox.
    pub placement: Duration,
    /// Starting the language runtime (modelled).
    pub runtime_init: Duration,
    /// Instantiating the component and running the function's own `init`.
    pub function_init: Duration,
}

impl ColdStart {
    /// Lambda's Init Duration: the runtime's start plus the function's init.
    pub fn init_duration(&self) -> Duration {
        self.runtime_init + self.function_init
    }

    /// Everything the caller waits for before the handler starts.
    pub fn total(&self) -> Duration {
        self.eni + self.placement + self.init_duration()
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn log_normal_delays_have_the_given_median_and_tail() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let delay = Delay::LogNormal {
            p50_ms: 70.0,
            p99_ms: 110.0,
        };
        let mut samples: Vec<f64> = (0..20_000)
            .map(|_| delay.sample(&mut rng).as_secs_f64() * 1000.0)
            .collect();
        samples.sort_by(f64::total_cmp);
        let p50 = samples[10_000];
        let p99 = samples[19_800];
        assert!((p50 - 70.0).abs() < 2.0, "p50 {p50}");
        assert!((p99 - 110.0).abs() < 6.0, "p99 {p99}");
    }

    #[test]
    fn the_same_seed_draws_the_same_delays() {
        let delay = ColdStartModel::preset("python")
            .map(|m| m.runtime_init)
            .unwrap_or(Delay::ZERO);
        let draw = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..5).map(|_| delay.sample(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn bad_distributions_are_refused() {
        assert!(
            Delay::Uniform {
                min_ms: 5.0,
                max_ms: 1.0
            }
            .validate("x")
            .is_err()
        );
        assert!(
            Delay::LogNormal {
                p50_ms: 0.0,
                p99_ms: 1.0
            }
            .validate("x")
            .is_err()
        );
        assert!(Delay::Fixed { ms: f64::NAN }.validate("x").is_err());
        assert!(Delay::Fixed { ms: 10.0 }.validate("x").is_ok());
    }
}
