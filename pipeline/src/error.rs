//! The error a stream, a queue or an event-source mapping returns for a setting out of range.

/// A setting of a stream, a queue or an event-source mapping that the service would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A numeric setting outside the range the service accepts.
    #[error("{setting} {value} is outside {service}'s range of {min} to {max}{note}")]
    OutOfRange {
        /// The setting, in words (`batch size`).
        setting: &'static str,
        /// The value given.
        value: i64,
        /// The service that refuses it (`Lambda`, `Kinesis`, `SQS`).
        service: &'static str,
        /// The smallest accepted value.
        min: i64,
        /// The largest accepted value.
        max: i64,
        /// Extra words after the range (` (or -1 for no limit)`), often empty.
        note: &'static str,
    },
    /// An SQS mapping's batch size above 10 without a batching window.
    #[error(
        "batch size {batch_size} needs a maximum batching window of at least 1 second for an sqs mapping (batch sizes above 10 do)"
    )]
    BatchSizeNeedsWindow {
        /// The batch size given.
        batch_size: u32,
    },
    /// A stream or queue name the service would refuse.
    #[error(
        "{kind} name `{name}` must be 1 to {max_len} characters of letters, digits, `-`, `_`{extra}"
    )]
    InvalidName {
        /// `stream` or `queue`.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The longest accepted name.
        max_len: usize,
        /// Other accepted characters, in words (`` or `.` ``).
        extra: &'static str,
    },
    /// A maximum receive count of 0 in a redrive policy.
    #[error("max receive count {value} is outside SQS's range of 1 to 1000")]
    MaxReceiveCount {
        /// The value given.
        value: u32,
    },
}

impl ConfigError {
    /// Checks that `value` is within `min..=max`.
    pub(crate) fn check(
        setting: &'static str,
        service: &'static str,
        value: i64,
        min: i64,
        max: i64,
    ) -> Result<(), Self> {
        if (min..=max).contains(&value) {
            Ok(())
        } else {
            Err(Self::OutOfRange {
                setting,
                value,
                service,
                min,
                max,
                note: "",
            })
        }
    }

    /// Checks a name of letters, digits, `-`, `_` and, when `dot` is set, `.`.
    pub(crate) fn check_name(
        kind: &'static str,
        name: &str,
        max_len: usize,
        dot: bool,
    ) -> Result<(), Self> {
        let ok_char =
            |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || (dot && c == '.');
        if !name.is_empty() && name.len() <= max_len && name.chars().all(ok_char) {
            Ok(())
        } else {
            Err(Self::InvalidName {
                kind,
                name: name.to_owned(),
                max_len,
                extra: if dot { " or `.`" } else { "" },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_setting_and_its_range() {
        let e = ConfigError::check("batch size", "Lambda", 0, 1, 10_000).expect_err("out of range");
        assert_eq!(
            e.to_string(),
            "batch size 0 is outside Lambda's range of 1 to 10000"
        );
        let e = ConfigError::check_name("stream", "a b", 128, true).expect_err("space");
        assert_eq!(
            e.to_string(),
            "stream name `a b` must be 1 to 128 characters of letters, digits, `-`, `_` or `.`"
        );
    }
}
