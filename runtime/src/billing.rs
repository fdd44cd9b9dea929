//! Lambda's bill: GB-seconds at the architecture's price plus the request charge, per
//! invocation and for a whole run, with a monthly projection.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The instruction set a function runs on; it sets the price per GB-second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// x86_64: $0.0000166667 per GB-second.
    #[default]
    X86_64,
    /// arm64 (Graviton): $0.0000133334 per GB-second.
    Arm64,
}

impl Architecture {
    /// The price of one GB-second, in US dollars.
    pub fn price_per_gb_second(self) -> f64 {
        match self {
            Architecture::X86_64 => 0.000_016_666_7,
            Architecture::Arm64 => 0.000_013_333_4,
        }
    }

    /// The name Lambda uses (`x86_64`, `arm64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// The price of one request, in US dollars ($0.20 per million).
pub const PRICE_PER_REQUEST: f64 = 0.20 / 1_000_000.0;

/// The price of a streamed response's bytes past its first 6 MB, in US dollars per GB
/// ($0.008 per GB processed, us-east-1: <https://aws.amazon.com/lambda/pricing/>, "Response
/// streaming").
pub const PRICE_PER_STREAMED_GB: f64 = 0.008;

/// SnapStart's price per GB of memory restored from a snapshot (us-east-1; Python and .NET,
/// <https://aws.amazon.com/lambda/pricing/>, "Lambda SnapStart pricing").
pub const PRICE_PER_RESTORED_GB: f64 = 0.000_139_799_8;

/// SnapStart's price per GB-second of a cached snapshot, charged for as long as the version
/// is active, at least 3 hours (us-east-1; same source).
pub const PRICE_PER_CACHED_GB_SECOND: f64 = 0.000_001_504_6;

/// The bytes of a streamed response billed at no charge.
const FREE_STREAMED_BYTES: u64 = 6 * 1024 * 1024;

/// The bill of one invocation or the sum of several.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// Requests billed.
    pub requests: u64,
    /// Billed milliseconds.
    pub billed_ms: u64,
    /// GB-seconds: billed seconds times memory size in GB (MB / 1024).
    pub gb_seconds: f64,
    /// The compute charge in US dollars.
    pub compute_usd: f64,
    /// The request charge in US dollars.
    pub request_usd: f64,
    /// The charge for streamed response bytes past 6 MB, in US dollars.
    pub streaming_usd: f64,
    /// SnapStart restores: the memory restored, and the after-restore hooks' time (Billed
    /// Restore Duration) at the duration price.
    pub restore_usd: f64,
}

impl Cost {
    /// The bill of one invocation billed for `billed_ms` at `memory_mb`.
    pub fn of_invocation(billed_ms: u64, memory_mb: u32, arch: Architecture) -> Self {
        let gb_seconds = billed_ms as f64 / 1000.0 * f64::from(memory_mb) / 1024.0;
        Cost {
            requests: 1,
            billed_ms,
            gb_seconds,
            compute_usd: gb_seconds * arch.price_per_gb_second(),
            request_usd: PRICE_PER_REQUEST,
            streaming_usd: 0.0,
            restore_usd: 0.0,
        }
    }

    /// The same bill with a streamed response of `bytes`: its bytes past 6 MB at
    /// [`PRICE_PER_STREAMED_GB`].
    pub fn with_streamed(mut self, bytes: u64) -> Self {
        let billed = bytes.saturating_sub(FREE_STREAMED_BYTES);
        self.streaming_usd = billed as f64 / (1u64 << 30) as f64 * PRICE_PER_STREAMED_GB;
        self
    }

    /// Adds a SnapStart restore: `memory_mb` restored and `billed_restore_ms` of hooks.
    pub fn with_restore(
        mut self,
        billed_restore_ms: u64,
        memory_mb: u32,
        arch: Architecture,
    ) -> Self {
        let gb = f64::from(memory_mb) / 1024.0;
        let hooks = billed_restore_ms as f64 / 1000.0 * gb * arch.price_per_gb_second();
        self.restore_usd = gb * PRICE_PER_RESTORED_GB + hooks;
        self
    }

    /// The total in US dollars.
    pub fn total_usd(&self) -> f64 {
        self.compute_usd + self.request_usd + self.streaming_usd + self.restore_usd
    }

    /// Adds another bill to this one.
    pub fn add(&mut self, other: &Cost) {
        self.requests += other.requests;
        self.billed_ms += other.billed_ms;
        self.gb_seconds += other.gb_seconds;
        self.compute_usd += other.compute_usd;
        self.request_usd += other.request_usd;
        self.streaming_usd += other.streaming_usd;
        self.restore_usd += other.restore_usd;
    }

    /// The bill of a month (30 days) at `requests_per_second`, from this run's average cost
    /// per request, before the free tier.
    pub fn monthly_at(&self, requests_per_second: f64) -> f64 {
        if self.requests == 0 {
            return 0.0;
        }
        let per_request = self.total_usd() / self.requests as f64;
        per_request * requests_per_second * Duration::from_secs(30 * 86_400).as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_invocation_is_gb_seconds_times_price_plus_a_request() {
        // 1,000 ms at 1,024 MB is one GB-second.
        let cost = Cost::of_invocation(1_000, 1_024, Architecture::X86_64);
        assert_eq!(cost.gb_seconds, 1.0);
        assert!((cost.total_usd() - (0.000_016_666_7 + 0.000_000_2)).abs() < 1e-15);
        let arm = Cost::of_invocation(1_000, 1_024, Architecture::Arm64);
        assert!(arm.compute_usd < cost.compute_usd);
    }

    #[test]
    fn a_streamed_response_pays_for_its_bytes_past_six_mb() {
        let cost = Cost::of_invocation(1, 128, Architecture::X86_64);
        assert_eq!(cost.with_streamed(6 * 1024 * 1024).streaming_usd, 0.0);
        let gb_more = cost.with_streamed(6 * 1024 * 1024 + (1 << 30));
        assert!((gb_more.streaming_usd - 0.008).abs() < 1e-12);
        assert!((gb_more.total_usd() - cost.total_usd() - 0.008).abs() < 1e-12);
    }

    #[test]
    fn a_month_scales_the_average_request() {
        let mut total = Cost::default();
        for _ in 0..10 {
            total.add(&Cost::of_invocation(100, 128, Architecture::X86_64));
        }
        let per_request = 0.1 * 0.125 * 0.000_016_666_7 + 0.000_000_2;
        let expected = per_request * 10.0 * 2_592_000.0;
        assert!(
            (total.monthly_at(10.0) - expected).abs() < 1e-9,
            "{}",
            total.monthly_at(10.0)
        );
    }
}
