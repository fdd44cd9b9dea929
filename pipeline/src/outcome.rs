//! How one batch's invocation ended, as the statistics and traces of a mapping record it.

use crate::response::ItemFailures;
use crate::target::Outcome;

/// How one invocation of a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchEnd {
    /// The function succeeded and reported no failed item.
    Success,
    /// The function returned an error (`errorType`): the whole batch failed.
    FunctionError(String),
    /// The function reported failed items (`batchItemFailures`); `retried` records or messages
    /// of the batch were not acknowledged.
    PartialFailure {
        /// How many items of the batch are retried.
        retried: usize,
    },
    /// The function's `batchItemFailures` was malformed or named an item not in the batch: the
    /// whole batch failed, as AWS treats an invalid response.
    InvalidResponse,
    /// Lambda throttled the invocation: no environment ran it.
    Throttled,
}

impl BatchEnd {
    /// Whether every item of the batch was acknowledged.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success)
    }
}

/// An outcome read for a batch: throttled, a function error, or a response.
pub(crate) enum Read {
    Throttled,
    FunctionError(String),
    /// A response; with `ReportBatchItemFailures` off it is always [`ItemFailures::None`].
    Response(ItemFailures),
}

impl Read {
    pub(crate) fn of(outcome: &Outcome, report_item_failures: bool) -> Self {
        if outcome.throttled {
            return Self::Throttled;
        }
        match &outcome.result {
            Err((error_type, _)) => Self::FunctionError(error_type.clone()),
            Ok(_) if !report_item_failures => Self::Response(ItemFailures::None),
            Ok(bytes) => Self::Response(ItemFailures::parse(bytes)),
        }
    }
}
