//! The settings of a pipeline run: the events, the stream, the chaos and the delivery stream
//! whose S3 objects are checked.

use lambda_sim_runtime::services::DeliveryStreamConfig;

/// Settings of a pipeline run.
#[derive(Clone, Debug)]
pub struct PipelineOptions {
    /// Analytics events sent into the stream. Default 100,000.
    pub records: usize,
    /// Events per second (evenly spaced). Default 1,000.
    pub rate: f64,
    /// The stream's shards. Default 4.
    pub shards: usize,
    /// Distinct users: the events' partition keys. Default 1,000.
    pub users: usize,
    /// Events whose data is not JSON (the forwarder reports them as batch item failures).
    /// Default 0.
    pub poison: usize,
    /// The chance that an invocation's environment is killed once it starts. Default 0.05.
    pub kill_rate: f64,
    /// The chance that an invocation fails with an injected error after its handler ran
    /// (AWS FIS's `invocation-error` without `preventExecution`). Default 0.01.
    pub error_rate: f64,
    /// The seed of the events, kills and errors. Default 0.
    pub seed: u64,
    /// The stream's name. Default `analytics`.
    pub stream: String,
    /// The delivery stream whose S3 objects are checked: a consumer writes each event there
    /// as a JSON line that keeps the event's `id`. Default `analytics-events` into bucket
    /// `analytics`, prefix `events/`, 1 MB or 60 s.
    pub delivery: DeliveryStreamConfig,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        let mut delivery = DeliveryStreamConfig::new("analytics-events", "analytics");
        delivery.prefix = "events/".to_owned();
        delivery.buffer_size_mb = 1;
        delivery.buffer_interval_s = 60;
        PipelineOptions {
            records: 100_000,
            rate: 1_000.0,
            shards: 4,
            users: 1_000,
            poison: 0,
            kill_rate: 0.05,
            error_rate: 0.01,
            seed: 0,
            stream: "analytics".to_owned(),
            delivery,
        }
    }
}
