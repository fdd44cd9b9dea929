//! The partial batch response (`ReportBatchItemFailures`), read as Lambda reads it.

use serde_json::Value;

/// What a function's response says about a batch when `ReportBatchItemFailures` is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemFailures {
    /// Every item succeeded: `batchItemFailures` is empty or null, or the response is empty,
    /// `null`, or any JSON that is not an object with a `batchItemFailures` member.
    None,
    /// These item identifiers failed (in the response's order; not checked against the batch).
    Failed(Vec<String>),
    /// The response is not JSON, or `batchItemFailures` is malformed (not a list, an entry
    /// without an `itemIdentifier` string, or an empty one): the whole batch failed.
    Invalid,
}

impl ItemFailures {
    /// Reads a function's response bytes.
    ///
    /// This follows AWS's documented cases: an empty or null list, or an empty or null response,
    /// is complete success; a response that is not valid JSON, or an `itemIdentifier` that is
    /// null, empty or under another key, is complete failure. Valid JSON of any other shape
    /// (a string, a number, an object without `batchItemFailures`) is success: the function
    /// reported no failure.
    pub fn parse(response: &[u8]) -> Self {
        if response.iter().all(u8::is_ascii_whitespace) {
            return Self::None;
        }
        let Ok(value) = serde_json::from_slice::<Value>(response) else {
            return Self::Invalid;
        };
        let failures = match value.get("batchItemFailures") {
            None | Some(Value::Null) => return Self::None,
            Some(Value::Array(failures)) => failures,
            Some(_) => return Self::Invalid,
        };
        let mut ids = Vec::with_capacity(failures.len());
        for failure in failures {
            match failure.get("itemIdentifier") {
                Some(Value::String(id)) if !id.is_empty() => ids.push(id.clone()),
                _ => return Self::Invalid,
            }
        }
        if ids.is_empty() {
            Self::None
        } else {
            Self::Failed(ids)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_read_as_aws_documents() {
        let cases: &[(&str, ItemFailures)] = &[
            ("", ItemFailures::None),
            ("null", ItemFailures::None),
            ("{}", ItemFailures::None),
            ("\"ok\"", ItemFailures::None),
            (r#"{"batchItemFailures":[]}"#, ItemFailures::None),
            (r#"{"batchItemFailures":null}"#, ItemFailures::None),
            (
                r#"{"batchItemFailures":[{"itemIdentifier":"2"},{"itemIdentifier":"1"}]}"#,
                ItemFailures::Failed(vec!["2".into(), "1".into()]),
            ),
            (
                r#"{"batchItemFailures":[{"itemIdentifier":""}]}"#,
                ItemFailures::Invalid,
            ),
            (
                r#"{"batchItemFailures":[{"itemIdentifier":null}]}"#,
                ItemFailures::Invalid,
            ),
            (
                r#"{"batchItemFailures":[{"itemId":"1"}]}"#,
                ItemFailures::Invalid,
            ),
            (r#"{"batchItemFailures":"1"}"#, ItemFailures::Invalid),
            ("not json", ItemFailures::Invalid),
        ];
        for (response, expected) in cases {
            assert_eq!(
                &ItemFailures::parse(response.as_bytes()),
                expected,
                "{response}"
            );
        }
    }
}
