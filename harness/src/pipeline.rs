//! The serverless analytics pipeline behind the project, in simulated time: analytics events
//! go into a Kinesis stream; a forwarder function reads them in batches and sends them to a
//! Firehose delivery stream, which buffers them into S3; an aggregating function reads the same
//! stream and keeps counts in the key-value store. Environments are killed and handler errors
//! forced at random, from the seed. The report says what reached S3 (delivered, duplicated,
//! lost), whether each shard kept its order, what cold starts cost, where time went and what a
//! month would cost at the simulated rate.
//!
//! Everything runs on one task, in the order of simulated time: the same seed, functions and
//! settings give the same objects and the same report (with deterministic CPU).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::{Duration, Instant, UNIX_EPOCH};

use hdrhistogram::Histogram;
use lambda_sim_pipeline::kinesis::KinesisStats;
use lambda_sim_pipeline::sqs::{QueueConfig, RedrivePolicy, SqsStats};
use lambda_sim_pipeline::{
    KinesisMapping, KinesisMappingConfig, Outcome, Queue, Source as _, SqsMapping,
    SqsMappingConfig, Stream, StreamConfig, Target,
};
use lambda_sim_project::QueueSpec;
use lambda_sim_runtime::services::{DeliveryStreamConfig, WrittenObject};
use lambda_sim_runtime::{ColdStart, Cost, Error, Function, InvokeOptions, Payload, Runtime};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::load::{PhaseStats, latency_histogram, record};

/// The kinds of analytics events the producer sends.
const EVENT_TYPES: [&str; 4] = ["view", "click", "add_to_cart", "purchase"];

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

/// A function reading the pipeline's events through an event-source mapping.
#[derive(Clone)]
pub struct Consumer {
    /// The function.
    pub function: Function,
    /// Its mapping (`function_name` is filled from the function).
    pub source: ConsumerSource,
}

/// Where a consumer reads the events.
#[derive(Clone, Debug)]
pub enum ConsumerSource {
    /// The Kinesis stream.
    Kinesis(KinesisMappingConfig),
    /// An SQS queue that gets a copy of every event (as SNS fan-out to a queue would).
    Sqs {
        /// The queue.
        queue: QueueSpec,
        /// Its dead-letter queue, when its redrive policy names one.
        dead_letter: Option<QueueSpec>,
        /// The mapping.
        mapping: SqsMappingConfig,
    },
}

impl Consumer {
    /// The bundled forwarder's mapping in the demo: batches of 100, ReportBatchItemFailures,
    /// bisection on error, 3 retries, an on-failure destination.
    pub fn forwarder(function: &Function) -> Self {
        let mapping = KinesisMappingConfig {
            batch_size: 100,
            maximum_retry_attempts: 3,
            bisect_batch_on_function_error: true,
            function_response_types: vec![
                lambda_sim_pipeline::kinesis::FunctionResponseType::ReportBatchItemFailures,
            ],
            destination_config: Some(lambda_sim_pipeline::kinesis::DestinationConfig {
                on_failure: Some(lambda_sim_pipeline::kinesis::OnFailure {
                    destination: "arn:aws:sqs:us-east-1:123456789012:analytics-failures".to_owned(),
                }),
            }),
            ..KinesisMappingConfig::default()
        };
        Consumer {
            function: function.clone(),
            source: ConsumerSource::Kinesis(mapping),
        }
    }

    /// The Kinesis mapping's settings, for a consumer of the stream.
    pub fn kinesis_mut(&mut self) -> Option<&mut KinesisMappingConfig> {
        match &mut self.source {
            ConsumerSource::Kinesis(mapping) => Some(mapping),
            ConsumerSource::Sqs { .. } => None,
        }
    }

    /// The bundled aggregator's mapping in the demo: batches of 500, Lambda's defaults
    /// otherwise (retries until the records expire).
    pub fn aggregator(function: &Function) -> Self {
        let mapping = KinesisMappingConfig {
            batch_size: 500,
            ..KinesisMappingConfig::default()
        };
        Consumer {
            function: function.clone(),
            source: ConsumerSource::Kinesis(mapping),
        }
    }
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

/// What one function did in the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionFigures {
    /// Invocations made.
    pub invocations: u64,
    /// Of them, those that failed (function errors, kills, injected errors).
    pub errors: u64,
    /// Environments killed during an invocation.
    pub kills: u64,
    /// Injected errors.
    pub injected_errors: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// The cold starts' components, summed.
    pub cold: ColdStart,
    /// Init Duration per cold start.
    pub init: PhaseStats,
    /// Duration per invocation.
    pub duration: PhaseStats,
    /// The bill.
    pub cost: Cost,
    /// Every warm invocation's Duration, ms (for a histogram).
    pub warm_ms: Vec<f64>,
    /// Every cold invocation's Init Duration plus Duration, ms.
    pub cold_ms: Vec<f64>,
}

/// One invocation of the first Kinesis consumer on the run's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineSpan {
    /// The shard (and lane) it read.
    pub lane: String,
    /// When it was sent, ms after the first event.
    pub start_ms: f64,
    /// When it ended, ms after the first event.
    pub end_ms: f64,
    /// Whether its batch succeeded.
    pub ok: bool,
}

/// One shard's ordering verdict: for every partition key of the shard, the first delivery of
/// each event must come in the order the events were sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardOrder {
    /// The shard.
    pub shard_id: String,
    /// Events sent to it.
    pub records: usize,
    /// Events delivered before an earlier event of the same partition key.
    pub out_of_order: usize,
}

/// What one consumer did.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerReport {
    /// The function's name.
    pub name: String,
    /// The function's figures.
    pub figures: FunctionFigures,
    /// Its mapping's.
    pub mapping: MappingStats,
}

/// A mapping's figures.
#[derive(Clone, Debug, PartialEq)]
pub enum MappingStats {
    /// A Kinesis mapping's.
    Kinesis(KinesisStats),
    /// An SQS mapping's, and the queue it read.
    Sqs {
        /// The queue.
        queue: String,
        /// The mapping's figures.
        stats: SqsStats,
    },
}

/// A mapping of either kind, as the driver steps it.
enum AnyMapping {
    Kinesis(KinesisMapping),
    Sqs(SqsMapping),
}

impl AnyMapping {
    fn next_at(&self) -> Option<Duration> {
        match self {
            AnyMapping::Kinesis(m) => m.next_at(),
            AnyMapping::Sqs(m) => m.next_at(),
        }
    }

    async fn step(&mut self, now: Duration, target: &mut LambdaTarget) {
        match self {
            AnyMapping::Kinesis(m) => m.step(now, target).await,
            AnyMapping::Sqs(m) => m.step(now, target).await,
        }
    }

    fn kinesis(&self) -> Option<&KinesisMapping> {
        match self {
            AnyMapping::Kinesis(m) => Some(m),
            AnyMapping::Sqs(_) => None,
        }
    }
}

fn queue_of(spec: &QueueSpec, dead_letter: Option<Queue>) -> Result<Queue, String> {
    Queue::new(QueueConfig {
        name: spec.name.clone(),
        visibility_timeout: Duration::from_secs(spec.visibility_timeout),
        redrive_policy: dead_letter.map(|queue| RedrivePolicy {
            dead_letter_queue: queue,
            max_receive_count: spec.max_receive_count,
        }),
        ..QueueConfig::default()
    })
    .map_err(|err| err.to_string())
}

/// What a pipeline run saw; its `Display` is the run's report (deterministic).
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineReport {
    /// Events sent into the stream.
    pub records: usize,
    /// Of them, poison events (not JSON).
    pub poison: usize,
    /// Distinct events found in S3.
    pub delivered: usize,
    /// Extra copies of events in S3 (an event delivered three times counts two).
    pub duplicates: usize,
    /// Events that exhausted their retries, found in the on-failure destination's records.
    pub to_destination: usize,
    /// Events neither in S3 nor in the on-failure destination: must be 0.
    pub lost: usize,
    /// Ordering per shard.
    pub shards: Vec<ShardOrder>,
    /// Each consumer: its function's figures and its mapping's.
    pub consumers: Vec<ConsumerReport>,
    /// The on-failure destinations' records, consumer after consumer.
    pub destination_records: Vec<Value>,
    /// Time from an event's arrival in the stream to the invocation of the first consumer
    /// that first carried it (its iterator age).
    pub iterator_age: PhaseStats,
    /// Time from an event's arrival in the stream to the S3 object that first held it.
    pub end_to_end: PhaseStats,
    /// Objects the delivery stream wrote.
    pub objects: Vec<WrittenObject>,
    /// The aggregator's counts per event type, from the key-value store.
    pub counts: BTreeMap<String, u64>,
    /// The first Kinesis consumer's first invocations (at most 400), for a timeline.
    pub timeline: Vec<TimelineSpan>,
    /// Simulated time from the first event to the last object.
    pub simulated: Duration,
    /// Events per second of simulated time.
    pub rate: f64,
}

/// Host figures of a run, which vary from run to run (not part of the report).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PipelineTiming {
    /// Wall time of the whole run.
    pub wall: Duration,
    /// Wall time spent in Lambda invocations (sandboxes, host calls, handlers).
    pub in_invocations: Duration,
}

impl PipelineTiming {
    /// Events per second of wall time.
    pub fn throughput(&self, records: usize) -> f64 {
        records as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// A loaded function as an event-source mapping's [`Target`]: each batch is a synchronous
/// invocation at the mapping's simulated time; the function's figures (invocations, errors,
/// cold starts, durations, bill) are kept. In a pipeline run, environment kills and injected
/// errors are drawn from the run's seed.
pub struct LambdaTarget {
    function: Function,
    kill_rate: f64,
    error_rate: f64,
    rng: ChaCha8Rng,
    figures: FunctionFigures,
    init: Histogram<u64>,
    duration: Histogram<u64>,
    wall: Duration,
}

impl LambdaTarget {
    /// A target that invokes `function` as it is (no kills, no injected errors).
    pub fn new(function: &Function) -> Self {
        LambdaTarget::with_chaos(function, 0.0, 0.0, 0)
    }

    /// A target whose invocations' environments are killed with chance `kill_rate` and fail
    /// with an injected error (after the handler ran) with chance `error_rate`, drawn from
    /// `seed`.
    pub fn with_chaos(function: &Function, kill_rate: f64, error_rate: f64, seed: u64) -> Self {
        LambdaTarget {
            function: function.clone(),
            kill_rate,
            error_rate,
            rng: ChaCha8Rng::seed_from_u64(seed),
            figures: FunctionFigures::default(),
            init: latency_histogram(),
            duration: latency_histogram(),
            wall: Duration::ZERO,
        }
    }

    /// What the function did so far (percentiles are filled by [`LambdaTarget::finish`]).
    pub fn figures(&self) -> &FunctionFigures {
        &self.figures
    }

    /// The function's figures, and the wall time spent in its invocations.
    pub fn finish(mut self) -> (FunctionFigures, Duration) {
        self.figures.init = PhaseStats::of(&self.init);
        self.figures.duration = PhaseStats::of(&self.duration);
        (self.figures, self.wall)
    }
}

impl Target for LambdaTarget {
    async fn invoke(&mut self, at: Duration, event: Vec<u8>) -> Outcome {
        let payload = match Payload::json(&event) {
            Ok(payload) => payload,
            Err(err) => {
                return Outcome {
                    result: Err(("InvalidRequestContentException".to_owned(), err.to_string())),
                    throttled: false,
                    ends_at: at,
                };
            }
        };
        let kill = self.rng.random_bool(self.kill_rate.clamp(0.0, 1.0));
        let inject = self.rng.random_bool(self.error_rate.clamp(0.0, 1.0));
        // Both for this one invocation: the function's own faults stay as they are.
        let options = InvokeOptions::at(at).kill(kill).inject_error(inject);
        let wall = Instant::now();
        let result = self.function.invoke(&payload, options).await;
        self.wall += wall.elapsed();
        match result {
            Ok(invocation) => {
                let figures = &mut self.figures;
                figures.invocations += 1;
                figures.cost.add(&invocation.cost);
                record(&mut self.duration, invocation.report.duration);
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                match &invocation.init {
                    Some(init) => figures
                        .cold_ms
                        .push(ms(init.duration + invocation.report.duration)),
                    None => figures.warm_ms.push(ms(invocation.report.duration)),
                }
                if let Some(init) = &invocation.init {
                    figures.cold_starts += 1;
                    figures.cold.eni += init.cold_start.eni;
                    figures.cold.placement += init.cold_start.placement;
                    figures.cold.runtime_init += init.cold_start.runtime_init;
                    figures.cold.function_init += init.cold_start.function_init;
                    record(&mut self.init, init.duration);
                }
                if let Err(err) = &invocation.result {
                    figures.errors += 1;
                    if err.error_type == lambda_sim_runtime::FAULT_ERROR_TYPE {
                        figures.injected_errors += 1;
                    } else if err.error_message.ends_with("signal: killed") {
                        figures.kills += 1;
                    }
                }
                Outcome {
                    result: invocation
                        .result
                        .map_err(|err| (err.error_type, err.error_message)),
                    throttled: false,
                    ends_at: invocation.ends_at,
                }
            }
            Err(err @ Error::Throttled { .. }) => Outcome {
                result: Err(("TooManyRequestsException".to_owned(), err.to_string())),
                throttled: true,
                ends_at: at,
            },
            Err(err) => Outcome {
                result: Err((err.error_type().to_owned(), err.to_string())),
                throttled: false,
                ends_at: at,
            },
        }
    }
}

/// One analytics event as the producer sends it.
struct Sent {
    shard: usize,
    user: String,
    /// The event's place among its user's events.
    nth: u64,
    arrival: Duration,
}

/// Runs the pipeline: the producer's events go into the stream, each consumer reads it
/// through its mapping (the bundled forwarder into the delivery stream, the aggregator into
/// the key-value store), and what reached S3 through `options.delivery` is checked. Runs on
/// the runtime's clock: give it a virtual one.
pub async fn pipeline_run(
    runtime: &Runtime,
    consumers: &[Consumer],
    options: &PipelineOptions,
) -> Result<(PipelineReport, PipelineTiming), String> {
    pipeline_run_with_progress(runtime, consumers, options, |_| {}).await
}

/// [`pipeline_run`], calling `progress` with the number of events sent so far (for a progress
/// bar).
pub async fn pipeline_run_with_progress(
    runtime: &Runtime,
    consumers: &[Consumer],
    options: &PipelineOptions,
    mut progress: impl FnMut(usize),
) -> Result<(PipelineReport, PipelineTiming), String> {
    let started = Instant::now();
    let services = runtime.services();
    if !services.firehose.names().contains(&options.delivery.name) {
        services
            .firehose
            .create(options.delivery.clone())
            .map_err(|err| err.to_string())?;
    }
    let stream = Stream::new(StreamConfig {
        name: options.stream.clone(),
        shard_count: options.shards,
        ..StreamConfig::default()
    })
    .map_err(|err| err.to_string())?;
    let mut mappings = Vec::with_capacity(consumers.len());
    let mut targets = Vec::with_capacity(consumers.len());
    // Queues by name: each gets a copy of every event.
    let mut queues: BTreeMap<String, Queue> = BTreeMap::new();
    let mut dead_letters: Vec<Queue> = Vec::new();
    for (i, consumer) in consumers.iter().enumerate() {
        let name = consumer.function.config().name.clone();
        match &consumer.source {
            ConsumerSource::Kinesis(mapping) => {
                let mut config = mapping.clone();
                config.function_name = name;
                mappings.push(AnyMapping::Kinesis(
                    KinesisMapping::new(stream.clone(), config).map_err(|err| err.to_string())?,
                ));
            }
            ConsumerSource::Sqs {
                queue,
                dead_letter,
                mapping,
            } => {
                let handle = match queues.get(&queue.name) {
                    Some(handle) => handle.clone(),
                    None => {
                        let dlq = dead_letter
                            .as_ref()
                            .map(|d| queue_of(d, None))
                            .transpose()?;
                        dead_letters.extend(dlq.clone());
                        let handle = queue_of(queue, dlq)?;
                        queues.insert(queue.name.clone(), handle.clone());
                        handle
                    }
                };
                let mut config = mapping.clone();
                config.function_name = name;
                mappings.push(AnyMapping::Sqs(
                    SqsMapping::new(handle, config).map_err(|err| err.to_string())?,
                ));
            }
        }
        targets.push(LambdaTarget::with_chaos(
            &consumer.function,
            options.kill_rate,
            options.error_rate,
            options.seed ^ ((i as u64 + 1) << 32),
        ));
    }

    // The producer's events, evenly spaced, users drawn from the seed.
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let spacing = Duration::from_secs_f64(1.0 / options.rate.max(1e-6));
    let poison: BTreeSet<usize> = (0..options.poison)
        .map(|i| (i * 7_919 + 13) % options.records.max(1))
        .collect();
    let mut sent: Vec<Sent> = Vec::with_capacity(options.records);
    let mut per_user: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_sequence: BTreeMap<(String, String), usize> = BTreeMap::new();
    let start = runtime.clock().now();
    let mut next = 0usize;
    let epoch = UNIX_EPOCH + lambda_sim_runtime::VIRTUAL_EPOCH;
    let at_wall = |t: Duration| epoch + t;

    loop {
        let produce_at = (next < options.records)
            .then(|| start + spacing * u32::try_from(next).unwrap_or(u32::MAX));
        let flush_at = services
            .firehose
            .next_flush_at()
            .and_then(|t| t.duration_since(epoch).ok());
        let mapping_at = mappings
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.next_at().map(|at| (at, i)))
            .min();
        let others = [mapping_at.map(|(at, _)| at), flush_at];
        let Some(now) = [produce_at, others[0], others[1]]
            .into_iter()
            .flatten()
            .min()
        else {
            break;
        };
        if produce_at == Some(now) {
            // Every event due up to the next other step goes in at once.
            let until = others.iter().flatten().min().copied();
            while next < options.records {
                let at = start + spacing * u32::try_from(next).unwrap_or(u32::MAX);
                if until.is_some_and(|u| at > u) || at > now + Duration::from_secs(1) {
                    break;
                }
                let user = format!("user-{}", rng.random_range(0..options.users.max(1)));
                let nth = {
                    let n = per_user.entry(user.clone()).or_default();
                    *n += 1;
                    *n
                };
                let kind = EVENT_TYPES[rng.random_range(0..EVENT_TYPES.len())];
                let data = if poison.contains(&next) {
                    format!("not json: event {next}").into_bytes()
                } else {
                    format!(r#"{{"id":{next},"user":"{user}","nth":{nth},"type":"{kind}"}}"#)
                        .into_bytes()
                };
                for queue in queues.values() {
                    queue.send_message(&String::from_utf8_lossy(&data), at);
                }
                let (shard_id, sequence) = stream.put_record(&user, data, at);
                by_sequence.insert((shard_id, sequence), next);
                sent.push(Sent {
                    shard: stream.shard_for(&user),
                    user,
                    nth,
                    arrival: at,
                });
                next += 1;
            }
            progress(next);
            continue;
        }
        if let Some((at, i)) = mapping_at
            && at == now
        {
            mappings[i].step(now, &mut targets[i]).await;
        } else {
            services
                .firehose
                .flush_due(at_wall(now))
                .map_err(|err| err.to_string())?;
        }
    }
    let end = runtime
        .clock()
        .now()
        .max(start + spacing * u32::try_from(options.records).unwrap_or(u32::MAX));
    services
        .firehose
        .flush_all(at_wall(end))
        .map_err(|err| err.to_string())?;

    // What reached S3, in the order written.
    let objects: Vec<WrittenObject> = services
        .firehose
        .written()
        .into_iter()
        .filter(|o| o.stream == options.delivery.name)
        .collect();
    let mut copies = vec![0u32; sent.len()];
    let mut first_object = vec![None; sent.len()];
    let mut order: Vec<usize> = Vec::with_capacity(sent.len());
    for object in &objects {
        let body = services
            .objects
            .get(&object.bucket, &object.key)
            .map_err(|err| err.to_string())?
            .unwrap_or_default();
        for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let Some(id) = serde_json::from_slice::<Value>(line)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_u64))
                .and_then(|id| usize::try_from(id).ok())
                .filter(|&id| id < sent.len())
            else {
                continue;
            };
            if copies[id] == 0 {
                order.push(id);
                first_object[id] = Some(object.at);
            }
            copies[id] += 1;
        }
    }
    // Ordering: per partition key, first deliveries in the order sent.
    let mut last_nth: BTreeMap<&str, u64> = BTreeMap::new();
    let mut out_of_order = vec![0usize; options.shards];
    for &id in &order {
        let event = &sent[id];
        let last = last_nth.entry(&event.user).or_insert(0);
        if event.nth < *last {
            out_of_order[event.shard] += 1;
        }
        *last = (*last).max(event.nth);
    }
    let shard_ids = stream.shard_ids();
    let shards = (0..options.shards)
        .map(|shard| ShardOrder {
            shard_id: shard_ids.get(shard).cloned().unwrap_or_default(),
            records: sent.iter().filter(|e| e.shard == shard).count(),
            out_of_order: out_of_order[shard],
        })
        .collect();
    // The on-failure destination's records name their batches by sequence numbers.
    let destination_records: Vec<Value> = mappings
        .iter()
        .filter_map(AnyMapping::kinesis)
        .flat_map(|m| m.destination_records().iter().cloned())
        .collect();
    let mut in_destination = vec![false; sent.len()];
    for record in &destination_records {
        let info = &record["KinesisBatchInfo"];
        let (Some(shard), Some(first), Some(last)) = (
            info["shardId"].as_str(),
            info["startSequenceNumber"].as_str(),
            info["endSequenceNumber"].as_str(),
        ) else {
            continue;
        };
        let from = (shard.to_owned(), first.to_owned());
        let to = (shard.to_owned(), last.to_owned());
        for (_, &id) in by_sequence.range(from..=to) {
            in_destination[id] = true;
        }
    }
    let delivered = copies.iter().filter(|&&c| c > 0).count();
    let duplicates = copies.iter().map(|&c| c.saturating_sub(1) as usize).sum();
    let to_destination = in_destination.iter().filter(|&&d| d).count();
    let lost = (0..sent.len())
        .filter(|&id| copies[id] == 0 && !in_destination[id])
        .count();

    // Latencies: iterator age at the first invocation that carried an event, and arrival to
    // its first S3 object.
    let mut iterator_age = latency_histogram();
    let mut first_carried: BTreeMap<(String, String), Duration> = BTreeMap::new();
    let first = mappings.iter().find_map(AnyMapping::kinesis);
    let ms = |d: Duration| d.saturating_sub(start).as_secs_f64() * 1000.0;
    let timeline = first
        .map(|m| m.invocations())
        .unwrap_or_default()
        .iter()
        .take(400)
        .map(|i| TimelineSpan {
            lane: format!("{} lane {}", i.shard_id, i.lane),
            start_ms: ms(i.invoked_at),
            end_ms: ms(i.ends_at),
            ok: i.end.is_success(),
        })
        .collect();
    for invocation in first.map(|m| m.invocations()).unwrap_or_default() {
        let from = (
            invocation.shard_id.clone(),
            invocation.first_sequence_number.clone(),
        );
        let to = (
            invocation.shard_id.clone(),
            invocation.last_sequence_number.clone(),
        );
        for (key, _) in by_sequence.range(from..=to) {
            first_carried
                .entry(key.clone())
                .or_insert(invocation.invoked_at);
        }
    }
    for (key, invoked_at) in &first_carried {
        if let Some(&id) = by_sequence.get(key) {
            record(
                &mut iterator_age,
                invoked_at.saturating_sub(sent[id].arrival),
            );
        }
    }
    let mut end_to_end = latency_histogram();
    for (id, written) in first_object.iter().enumerate() {
        if let Some(written) = written {
            let arrival = at_wall(sent[id].arrival);
            let took = written.duration_since(arrival).unwrap_or_default();
            record(&mut end_to_end, took);
        }
    }

    let counts = services
        .keyvalue
        .snapshot()
        .remove("aggregates")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| {
            let kind = key.strip_prefix("count/")?.to_owned();
            let n = std::str::from_utf8(&value).ok()?.parse().ok()?;
            Some((kind, n))
        })
        .collect();
    let last_write = objects
        .last()
        .and_then(|o| o.at.duration_since(epoch).ok())
        .unwrap_or(end);
    let simulated = last_write.max(end).saturating_sub(start);

    let mut in_invocations = Duration::ZERO;
    let stats = mappings
        .iter()
        .zip(consumers)
        .map(|(m, c)| match (m, &c.source) {
            (AnyMapping::Kinesis(m), _) => MappingStats::Kinesis(m.stats()),
            (AnyMapping::Sqs(m), ConsumerSource::Sqs { queue, .. }) => MappingStats::Sqs {
                queue: queue.name.clone(),
                stats: m.stats(),
            },
            (AnyMapping::Sqs(m), _) => MappingStats::Sqs {
                queue: String::new(),
                stats: m.stats(),
            },
        });
    let consumer_reports = consumers
        .iter()
        .zip(stats)
        .zip(targets)
        .map(|((consumer, mapping), target)| {
            let (figures, wall) = target.finish();
            in_invocations += wall;
            ConsumerReport {
                name: consumer.function.config().name.clone(),
                figures,
                mapping,
            }
        })
        .collect();
    let report = PipelineReport {
        records: sent.len(),
        poison: poison.len(),
        delivered,
        duplicates,
        to_destination,
        lost,
        shards,
        consumers: consumer_reports,
        destination_records,
        iterator_age: PhaseStats::of(&iterator_age),
        end_to_end: PhaseStats::of(&end_to_end),
        objects,
        counts,
        timeline,
        simulated,
        rate: options.rate,
    };
    let timing = PipelineTiming {
        wall: started.elapsed(),
        in_invocations,
    };
    Ok((report, timing))
}

/// `p50 ..., p99 ..., max ...` of a phase, for the report's text.
fn brief(stats: &PhaseStats) -> String {
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        stats.p50_ms, stats.p99_ms, stats.max_ms
    )
}

impl PipelineReport {
    /// Whether every event reached S3 or the on-failure destination, and every shard kept
    /// its order.
    pub fn holds(&self) -> bool {
        self.lost == 0 && self.shards.iter().all(|s| s.out_of_order == 0)
    }

    /// The Lambda cost of a 30-day month at the simulated event rate: the run's bill per
    /// event, times the events of a month.
    pub fn monthly_cost(&self) -> f64 {
        let mut total = Cost::default();
        for consumer in &self.consumers {
            total.add(&consumer.figures.cost);
        }
        total.total_usd() / self.records.max(1) as f64 * self.rate * 30.0 * 86_400.0
    }
}

fn function_lines(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    figures: &FunctionFigures,
) -> fmt::Result {
    writeln!(
        f,
        "  {name}: {} invocations, {} failed ({} killed, {} injected errors), {} cold starts",
        figures.invocations,
        figures.errors,
        figures.kills,
        figures.injected_errors,
        figures.cold_starts
    )?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    writeln!(
        f,
        "    cold starts cost {:.1} ms in all: placement {:.1} ms, runtime init {:.1} ms, function init {:.1} ms, ENI {:.1} ms",
        ms(figures.cold.total()),
        ms(figures.cold.placement),
        ms(figures.cold.runtime_init),
        ms(figures.cold.function_init),
        ms(figures.cold.eni)
    )?;
    writeln!(f, "    init duration: {}", brief(&figures.init))?;
    writeln!(f, "    duration:      {}", brief(&figures.duration))?;
    writeln!(
        f,
        "    bill: {} requests, {:.3} GB-s, ${:.6}",
        figures.cost.requests,
        figures.cost.gb_seconds,
        figures.cost.total_usd()
    )
}

impl fmt::Display for PipelineReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "events: {} in ({} poison), {} delivered to S3, {} duplicated, {} in on-failure destination records, {} lost",
            self.records,
            self.poison,
            self.delivered,
            self.duplicates,
            self.to_destination,
            self.lost
        )?;
        writeln!(
            f,
            "ordering per shard (per partition key, first deliveries):"
        )?;
        for shard in &self.shards {
            let verdict = if shard.out_of_order == 0 {
                "in order".to_owned()
            } else {
                format!("{} out of order", shard.out_of_order)
            };
            writeln!(
                f,
                "  {}: {} events, {verdict}",
                shard.shard_id, shard.records
            )?;
        }
        writeln!(f, "consumers:")?;
        for consumer in &self.consumers {
            match &consumer.mapping {
                MappingStats::Kinesis(m) => writeln!(
                    f,
                    "  {}'s mapping: {} batches sent, {} succeeded, {} retried, {} bisections, {} throttled, {} records to the destination",
                    consumer.name,
                    m.invocations,
                    m.successful_batches,
                    m.retried_batches,
                    m.bisections,
                    m.throttles,
                    m.records_to_destination
                )?,
                MappingStats::Sqs { queue, stats } => writeln!(
                    f,
                    "  {}'s mapping (queue `{queue}`): {} batches sent, {} succeeded, {} messages deleted, {} returned after the visibility timeout, {} throttled, {} to the dead-letter queue",
                    consumer.name,
                    stats.invocations,
                    stats.successful_batches,
                    stats.messages_deleted,
                    stats.messages_returned,
                    stats.throttles,
                    stats.messages_to_dead_letter
                )?,
            }
            function_lines(f, &consumer.name, &consumer.figures)?;
        }
        writeln!(f, "latency:")?;
        writeln!(
            f,
            "  iterator age (arrival to first invocation of {}): {}",
            self.consumers
                .iter()
                .find(|c| matches!(c.mapping, MappingStats::Kinesis(_)))
                .map_or("-", |c| c.name.as_str()),
            brief(&self.iterator_age)
        )?;
        writeln!(
            f,
            "  end to end (arrival to S3 object):          {}",
            brief(&self.end_to_end)
        )?;
        let bytes: usize = self.objects.iter().map(|o| o.bytes).sum();
        writeln!(
            f,
            "S3: {} objects, {} bytes{}",
            self.objects.len(),
            bytes,
            self.objects
                .first()
                .map(|o| format!(" (first: s3://{}/{})", o.bucket, o.key))
                .unwrap_or_default()
        )?;
        if !self.counts.is_empty() {
            let total: u64 = self.counts.values().sum();
            let listed: Vec<String> = self
                .counts
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            writeln!(
                f,
                "aggregates (key-value store): {} ({total} events counted once each)",
                listed.join(", ")
            )?;
        }
        writeln!(
            f,
            "simulated {:.1} s at {:.0} events/s: Lambda would cost ${:.2} per month at this rate",
            self.simulated.as_secs_f64(),
            self.rate,
            self.monthly_cost()
        )?;
        write!(
            f,
            "verdict: {}",
            if self.holds() {
                "nothing lost, every shard in order"
            } else {
                "FAILED: events lost or out of order"
            }
        )
    }
}
