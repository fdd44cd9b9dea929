//! A Kinesis event-source mapping's settings, with AWS's names, defaults and ranges.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// Where a mapping starts reading each shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartingPosition {
    /// The oldest record still retained.
    #[default]
    TrimHorizon,
    /// After the last record put before the mapping was created.
    Latest,
}

/// A value of `FunctionResponseTypes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionResponseType {
    /// The function may answer `{"batchItemFailures":[{"itemIdentifier":..}]}`.
    ReportBatchItemFailures,
}

/// `DestinationConfig`: where discarded batches are described.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DestinationConfig {
    /// The on-failure destination, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<OnFailure>,
}

/// `DestinationConfig.OnFailure`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OnFailure {
    /// The destination's ARN (an SQS queue, an SNS topic, an S3 bucket). The simulator keeps
    /// the records in the mapping's statistics instead of sending them.
    pub destination: String,
}

/// A Kinesis event-source mapping's settings (`CreateEventSourceMapping`'s names).
///
/// Every field has AWS's default; [`KinesisMappingConfig::validate`] checks the ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KinesisMappingConfig {
    /// The function's name or ARN; a name is made an ARN in the stream's region and account.
    /// Default `function`.
    pub function_name: String,
    /// The most records in one batch (1-10,000). Default 100.
    pub batch_size: u32,
    /// How long to gather records before invoking (0-300 s). Default 0.
    pub maximum_batching_window_in_seconds: u32,
    /// Concurrent batches per shard (1-10), records of one partition key in one lane.
    /// Default 1.
    pub parallelization_factor: u32,
    /// Retries of a failed batch (-1 until the records expire, else 0-10,000). Default -1.
    pub maximum_retry_attempts: i64,
    /// The oldest record sent (-1 for no limit, else 60-604,800 s). Default -1.
    pub maximum_record_age_in_seconds: i64,
    /// Split a batch that fails with a function error in two halves. Default false.
    pub bisect_batch_on_function_error: bool,
    /// `["ReportBatchItemFailures"]` to read partial batch responses. Default empty.
    pub function_response_types: Vec<FunctionResponseType>,
    /// Where each shard is first read. Default `TRIM_HORIZON` (AWS requires a value).
    pub starting_position: StartingPosition,
    /// The on-failure destination. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<DestinationConfig>,
}

impl Default for KinesisMappingConfig {
    fn default() -> Self {
        Self {
            function_name: "function".into(),
            batch_size: 100,
            maximum_batching_window_in_seconds: 0,
            parallelization_factor: 1,
            maximum_retry_attempts: -1,
            maximum_record_age_in_seconds: -1,
            bisect_batch_on_function_error: false,
            function_response_types: Vec::new(),
            starting_position: StartingPosition::TrimHorizon,
            destination_config: None,
        }
    }
}

impl KinesisMappingConfig {
    /// Checks every setting against Lambda's ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        ConfigError::check("batch size", "Lambda", self.batch_size.into(), 1, 10_000)?;
        ConfigError::check(
            "maximum batching window in seconds",
            "Lambda",
            self.maximum_batching_window_in_seconds.into(),
            0,
            300,
        )?;
        ConfigError::check(
            "parallelization factor",
            "Lambda",
            self.parallelization_factor.into(),
            1,
            10,
        )?;
        ConfigError::check(
            "maximum retry attempts",
            "Lambda",
            self.maximum_retry_attempts,
            -1,
            10_000,
        )?;
        let age = self.maximum_record_age_in_seconds;
        if age != -1 && !(60..=604_800).contains(&age) {
            return Err(ConfigError::OutOfRange {
                setting: "maximum record age in seconds",
                value: age,
                service: "Lambda",
                min: 60,
                max: 604_800,
                note: " (or -1 for no limit)",
            });
        }
        Ok(())
    }

    /// Whether `ReportBatchItemFailures` is on.
    pub fn reports_item_failures(&self) -> bool {
        self.function_response_types
            .contains(&FunctionResponseType::ReportBatchItemFailures)
    }

    /// The on-failure destination's ARN, if one is set.
    pub fn on_failure_destination(&self) -> Option<&str> {
        let on_failure = self.destination_config.as_ref()?.on_failure.as_ref()?;
        Some(on_failure.destination.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_names_and_defaults_are_read() {
        let config: KinesisMappingConfig = serde_json::from_str(
            r#"{"BatchSize":10,"StartingPosition":"LATEST",
                "FunctionResponseTypes":["ReportBatchItemFailures"],
                "DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:1:dlq"}}}"#,
        )
        .expect("valid config");
        assert_eq!(config.batch_size, 10);
        assert_eq!(config.starting_position, StartingPosition::Latest);
        assert!(config.reports_item_failures());
        assert_eq!(
            config.on_failure_destination(),
            Some("arn:aws:sqs:us-east-1:1:dlq")
        );
        assert_eq!(config.maximum_retry_attempts, -1);
        assert_eq!(config.parallelization_factor, 1);
    }

    #[test]
    fn out_of_range_settings_name_the_setting_and_the_range() {
        let cases: Vec<(KinesisMappingConfig, &str)> = vec![
            (
                KinesisMappingConfig {
                    batch_size: 0,
                    ..Default::default()
                },
                "batch size 0 is outside Lambda's range of 1 to 10000",
            ),
            (
                KinesisMappingConfig {
                    parallelization_factor: 11,
                    ..Default::default()
                },
                "parallelization factor 11 is outside Lambda's range of 1 to 10",
            ),
            (
                KinesisMappingConfig {
                    maximum_batching_window_in_seconds: 301,
                    ..Default::default()
                },
                "maximum batching window in seconds 301 is outside Lambda's range of 0 to 300",
            ),
            (
                KinesisMappingConfig {
                    maximum_retry_attempts: -2,
                    ..Default::default()
                },
                "maximum retry attempts -2 is outside Lambda's range of -1 to 10000",
            ),
            (
                KinesisMappingConfig {
                    maximum_record_age_in_seconds: 59,
                    ..Default::default()
                },
                "maximum record age in seconds 59 is outside Lambda's range of 60 to 604800 (or -1 for no limit)",
            ),
        ];
        for (config, message) in cases {
            assert_eq!(config.validate().expect_err(message).to_string(), message);
        }
        KinesisMappingConfig::default()
            .validate()
            .expect("defaults are valid");
    }
}
