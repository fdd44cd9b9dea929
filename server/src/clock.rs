//! The runtime's clock as the AWS APIs read it, so that streams, queues and objects count
//! time as the functions do.

use std::time::{Duration, SystemTime};

use lambda_sim_aws::SimClock;
use lambda_sim_runtime::Clock;

/// A runtime's [`Clock`] for [`lambda_sim_aws::AwsApis`].
pub struct RuntimeClock(pub Clock);

impl SimClock for RuntimeClock {
    fn now(&self) -> Duration {
        self.0.now()
    }

    fn wall(&self) -> SystemTime {
        self.0.wall()
    }
}
