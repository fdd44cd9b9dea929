//! An SQS event-source mapping's settings, with AWS's names, defaults and ranges.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::kinesis::FunctionResponseType;

/// `ScalingConfig`: the most concurrent invocations the mapping makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalingConfig {
    /// 2-1,000.
    pub maximum_concurrency: u32,
}

/// An SQS event-source mapping's settings (`CreateEventSourceMapping`'s names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SqsMappingConfig {
    /// The function's name or ARN. Default `function`.
    pub function_name: String,
    /// The most messages in one batch (1-10,000; above 10 needs a batching window). Default
    /// 10.
    pub batch_size: u32,
    /// How long to gather messages before invoking (0-300 s). Default 0.
    pub maximum_batching_window_in_seconds: u32,
    /// `["ReportBatchItemFailures"]` to read partial batch responses. Default empty.
    pub function_response_types: Vec<FunctionResponseType>,
    /// The most concurrent batches. Default none: [`DEFAULT_POLLERS`](super::DEFAULT_POLLERS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_config: Option<ScalingConfig>,
}

impl Default for SqsMappingConfig {
    fn default() -> Self {
        Self {
            function_name: "function".into(),
            batch_size: 10,
            maximum_batching_window_in_seconds: 0,
            function_response_types: Vec::new(),
            scaling_config: None,
        }
    }
}

impl SqsMappingConfig {
    /// Checks every setting against Lambda's ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        ConfigError::check("batch size", "Lambda", self.batch_size.into(), 1, 10_000)?;
        let window = self.maximum_batching_window_in_seconds;
        ConfigError::check(
            "maximum batching window in seconds",
            "Lambda",
            window.into(),
            0,
            300,
        )?;
        if self.batch_size > 10 && window == 0 {
            return Err(ConfigError::BatchSizeNeedsWindow {
                batch_size: self.batch_size,
            });
        }
        if let Some(scaling) = self.scaling_config {
            ConfigError::check(
                "maximum concurrency",
                "Lambda",
                scaling.maximum_concurrency.into(),
                2,
                1000,
            )?;
        }
        Ok(())
    }

    /// Whether `ReportBatchItemFailures` is on.
    pub fn reports_item_failures(&self) -> bool {
        self.function_response_types
            .contains(&FunctionResponseType::ReportBatchItemFailures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_ranges_are_lambdas() {
        let config: SqsMappingConfig =
            serde_json::from_str(r#"{"ScalingConfig":{"MaximumConcurrency":2}}"#).expect("json");
        assert_eq!(config.batch_size, 10);
        config.validate().expect("valid");
        let big = SqsMappingConfig {
            batch_size: 11,
            ..SqsMappingConfig::default()
        };
        assert_eq!(
            big.validate().expect_err("no window").to_string(),
            "batch size 11 needs a maximum batching window of at least 1 second for an sqs mapping (batch sizes above 10 do)"
        );
        let zero = SqsMappingConfig {
            batch_size: 0,
            ..SqsMappingConfig::default()
        };
        assert_eq!(
            zero.validate().expect_err("zero").to_string(),
            "batch size 0 is outside Lambda's range of 1 to 10000"
        );
        let one = SqsMappingConfig {
            scaling_config: Some(ScalingConfig {
                maximum_concurrency: 1,
            }),
            ..SqsMappingConfig::default()
        };
        assert_eq!(
            one.validate().expect_err("one").to_string(),
            "maximum concurrency 1 is outside Lambda's range of 2 to 1000"
        );
    }
}
