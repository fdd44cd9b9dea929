//! The JSON log format: Telemetry API records.

use crate::{fixture, invoke};

#[tokio::test]
async fn json_records_follow_the_telemetry_api() {
    let hello = fixture("hello");
    let cold = invoke(&hello, r#"{"name": "Ada"}"#).await;
    let warm = invoke(&hello, r#"{"name": "Ada"}"#).await;
    let types = |records: &[serde_json::Value]| -> Vec<String> {
        records
            .iter()
            .map(|r| r["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let cold_records = cold.log_records();
    assert_eq!(
        types(&cold_records),
        [
            "platform.initStart",
            "platform.initReport",
            "platform.start",
            "function",
            "platform.report"
        ]
    );
    let report = &cold_records[4];
    assert_eq!(report["record"]["requestId"], cold.request_id.as_str());
    assert_eq!(report["record"]["status"], "success");
    assert_eq!(report["record"]["metrics"]["memorySizeMB"], 128);
    assert!(report["record"]["metrics"]["initDurationMs"].is_f64());
    assert_eq!(cold_records[3]["record"], "greeting Ada");
    let time = report["time"].as_str().unwrap_or_default();
    assert!(
        time.len() == "2026-11-26T23:59:59.123Z".len() && time.ends_with('Z'),
        "{time}"
    );

    let warm_records = warm.log_records();
    assert_eq!(
        types(&warm_records),
        ["platform.start", "function", "platform.report"]
    );
    assert!(
        warm_records[2]["record"]["metrics"]
            .get("initDurationMs")
            .is_none()
    );
}
