//! What the functions of one runtime share: its settings, its clock, its seeded random
//! source, its stores, and the epoch ticker their timeouts need (kept alive while any
//! function is).

use crate::clock::Clock;
use crate::config::RuntimeConfig;
use crate::draws::Draws;
use crate::engine::EpochTicker;

/// The runtime's part of every function.
pub(crate) struct Shared {
    pub(crate) config: RuntimeConfig,
    pub(crate) clock: Clock,
    pub(crate) draws: Draws,
    /// The stores guests reach (key-value, objects, Firehose).
    pub(crate) services: lambda_sim_services::Services,
    /// What answers guests' requests to the sandbox's AWS endpoint, once given.
    pub(crate) endpoints: crate::outgoing::EndpointCell,
    pub(crate) _ticker: EpochTicker,
}
