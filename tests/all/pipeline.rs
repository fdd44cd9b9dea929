//! The analytics pipeline (Kinesis -> Lambda -> Firehose -> S3, and an aggregating consumer)
//! with the bundled handlers: nothing lost under chaos, per-key order, exact duplicate
//! counts, the on-failure destination, ReportBatchItemFailures and bisection as AWS describes
//! them, and byte-identical runs from one seed.

use std::time::Duration;

use lambda_sim_harness::{Consumer, LambdaTarget, PipelineOptions, PipelineReport, pipeline_run};
use lambda_sim_pipeline::kinesis::{DestinationConfig, FunctionResponseType, OnFailure};
use lambda_sim_pipeline::{
    KinesisMapping, KinesisMappingConfig, Source as _, Stream, StreamConfig,
};
use lambda_sim_runtime::services::DeliveryStreamConfig;
use lambda_sim_runtime::{Function, FunctionConfig, Runtime};

use crate::simulation;

fn load(runtime: &Runtime, fixture: &str, name: &str) -> Function {
    let path = lambda_sim_fixtures::path(fixture).expect("fixture");
    runtime
        .load_file(
            path,
            FunctionConfig::named(name)
                .memory_size_mb(512)
                .env("DELIVERY_STREAM", "analytics-events"),
        )
        .expect("loads")
}

async fn run(
    seed: u64,
    objects: Option<std::path::PathBuf>,
    options: &PipelineOptions,
    retries: i64,
) -> PipelineReport {
    let runtime = Runtime::new(simulation(seed).objects_dir(objects)).expect("runtime");
    let forwarder = load(&runtime, "kinesis-forwarder", "forwarder");
    let aggregator = load(&runtime, "aggregator", "aggregator");
    let mut forwarder = Consumer::forwarder(&forwarder);
    if let Some(mapping) = forwarder.kinesis_mut() {
        mapping.maximum_retry_attempts = retries;
    }
    let consumers = [forwarder, Consumer::aggregator(&aggregator)];
    let (report, _) = pipeline_run(&runtime, &consumers, options)
        .await
        .expect("the pipeline runs");
    report
}

#[tokio::test]
async fn a_hundred_thousand_events_under_chaos_reach_s3_in_order() {
    let options = PipelineOptions {
        seed: 42,
        poison: 5,
        ..PipelineOptions::default()
    };
    let report = run(42, None, &options, 10).await;
    println!("{report}");
    assert_eq!((report.records, report.poison), (100_000, 5));
    assert_eq!(
        report.delivered, 99_995,
        "every event but the poison reaches S3"
    );
    assert_eq!(report.lost, 0);
    assert!(
        report.shards.iter().all(|s| s.out_of_order == 0),
        "{:?}",
        report.shards
    );
    assert_eq!(report.shards.len(), 4);
    assert_eq!(
        report.shards.iter().map(|s| s.records).sum::<usize>(),
        100_000
    );
    // 5% kills and 1% injected errors really happened, and retries made duplicates.
    let forwarder = &report.consumers[0].figures;
    assert!(
        forwarder.kills > 0 && forwarder.injected_errors > 0,
        "{forwarder:?}"
    );
    assert!(forwarder.cold_starts > 4, "kills reset environments");
    assert!(report.duplicates > 0);
    // Duplicates are counted exactly: S3 holds `delivered + duplicates` lines.
    let lines: usize = report.objects.iter().map(|o| o.records).sum();
    assert_eq!(lines, report.delivered + report.duplicates);
    // The poison events exhausted their retries: each is in an on-failure record.
    assert_eq!(
        report.destination_records.len(),
        5,
        "{:#?}",
        report.destination_records
    );
    for record in &report.destination_records {
        assert_eq!(
            record["requestContext"]["condition"],
            "RetryAttemptsExhausted"
        );
        // The first invocation and 10 retries, plus any bisection a kill caused on the way.
        let invokes = record["requestContext"]["approximateInvokeCount"].as_u64();
        assert!(invokes.is_some_and(|n| n >= 11), "{record}");
    }
    assert!(report.to_destination >= 5);
    // The aggregator counted every event once, however often it was delivered.
    assert_eq!(report.counts.values().sum::<u64>(), 99_995);
}

#[tokio::test]
async fn the_same_seed_writes_the_same_objects_and_report() {
    let options = PipelineOptions {
        records: 10_000,
        seed: 9,
        poison: 2,
        ..PipelineOptions::default()
    };
    let dirs = [
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    ];
    let first = run(9, Some(dirs[0].path().to_owned()), &options, 3).await;
    let second = run(9, Some(dirs[1].path().to_owned()), &options, 3).await;
    assert_eq!(first.to_string(), second.to_string());
    let files = |dir: &std::path::Path| {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
                if entry.file_type().expect("type").is_dir() {
                    stack.push(entry.path());
                } else {
                    files.push(entry.path());
                }
            }
        }
        let mut files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|path| {
                let key = path.strip_prefix(dir).expect("under the dir");
                (
                    key.to_string_lossy().into_owned(),
                    std::fs::read(&path).expect("read"),
                )
            })
            .collect();
        files.sort();
        files
    };
    let (a, b) = (files(dirs[0].path()), files(dirs[1].path()));
    assert!(a.len() > 1, "objects were written");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0, "same keys");
        assert!(x.1 == y.1, "same bytes in {}", x.0);
    }
    assert_ne!(
        run(10, None, &options, 3).await.to_string(),
        first.to_string(),
        "another seed, another run"
    );
}

/// One shard, the real forwarder, the given records (JSON or not) put at once; returns the
/// batch sizes invoked and the destination records.
async fn one_shard(
    records: &[&str],
    configure: impl FnOnce(&mut KinesisMappingConfig),
) -> (Vec<usize>, Vec<serde_json::Value>, Vec<String>) {
    let runtime = Runtime::new(simulation(3)).expect("runtime");
    runtime
        .services()
        .firehose
        .create(DeliveryStreamConfig::new("analytics-events", "analytics"))
        .expect("create");
    let forwarder = load(&runtime, "kinesis-forwarder", "forwarder");
    let stream = Stream::new(StreamConfig::default()).expect("stream");
    let sequences: Vec<String> = records
        .iter()
        .map(|data| {
            stream
                .put_record("user-1", data.as_bytes().to_vec(), Duration::ZERO)
                .1
        })
        .collect();
    let mut config = KinesisMappingConfig {
        function_name: "forwarder".to_owned(),
        destination_config: Some(DestinationConfig {
            on_failure: Some(OnFailure {
                destination: "arn:aws:sqs:us-east-1:123456789012:failures".to_owned(),
            }),
        }),
        ..KinesisMappingConfig::default()
    };
    configure(&mut config);
    let mut mapping = KinesisMapping::new(stream, config).expect("mapping");
    let mut target = LambdaTarget::new(&forwarder);
    while let Some(at) = mapping.next_at() {
        mapping.step(at, &mut target).await;
    }
    let sizes = mapping.invocations().iter().map(|i| i.batch_size).collect();
    (sizes, mapping.destination_records().to_vec(), sequences)
}

#[tokio::test]
async fn report_batch_item_failures_retries_only_the_failed_suffix() {
    let mut records = vec![r#"{"id": 0}"#; 10];
    records[4] = "not json";
    let (sizes, destination, sequences) = one_shard(&records, |config| {
        config.maximum_retry_attempts = 1;
        config.function_response_types = vec![FunctionResponseType::ReportBatchItemFailures];
    })
    .await;
    assert_eq!(sizes, [10, 6], "the whole batch, then records 4 to 9 once");
    assert_eq!(destination.len(), 1);
    let info = &destination[0]["KinesisBatchInfo"];
    assert_eq!(info["startSequenceNumber"], sequences[4].as_str());
    assert_eq!(info["endSequenceNumber"], sequences[9].as_str());
    assert_eq!(info["batchSize"], 6);
    assert_eq!(
        destination[0]["requestContext"]["approximateInvokeCount"],
        2
    );
}

#[tokio::test]
async fn bisection_isolates_the_record_that_crashes_the_function() {
    let mut records = vec![r#"{"id": 0}"#; 8];
    records[5] = r#"{"id": 5, "crash": true}"#;
    let (sizes, destination, sequences) = one_shard(&records, |config| {
        config.maximum_retry_attempts = 0;
        config.bisect_batch_on_function_error = true;
    })
    .await;
    // 8 fails -> 0..4 ok, 4..8 fails -> 4..6 fails -> 4 ok, 5 fails (no retry left) -> 6..8 ok.
    assert_eq!(sizes, [8, 4, 4, 2, 1, 1, 2]);
    assert_eq!(destination.len(), 1);
    let info = &destination[0]["KinesisBatchInfo"];
    assert_eq!(info["startSequenceNumber"], sequences[5].as_str());
    assert_eq!(info["endSequenceNumber"], sequences[5].as_str());
    assert_eq!(
        destination[0]["responseContext"]["functionError"],
        "Unhandled"
    );
}

#[test]
fn a_lambda_sim_toml_and_a_sam_template_describe_the_same_pipeline() {
    use lambda_sim_project::{MappingSpec, Project};
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pipeline");
    let toml = Project::read(&fixtures.join("lambda-sim.toml")).expect("toml");
    let yaml = Project::read(&fixtures.join("template.yaml")).expect("template");
    assert!(yaml.warnings.is_empty(), "{:?}", yaml.warnings);
    let (mut a, mut b) = (toml.clone(), yaml.clone());
    for project in [&mut a, &mut b] {
        project
            .mappings
            .sort_by(|x, y| x.function().cmp(y.function()));
        project.queues.sort_by(|x, y| x.name.cmp(&y.name));
    }
    assert_eq!(
        (&a.streams, &a.queues, &a.delivery_streams, &a.mappings),
        (&b.streams, &b.queues, &b.delivery_streams, &b.mappings)
    );
    assert_eq!(a.streams[0].shards, 4);
    let MappingSpec::Kinesis { stream, config } = &a.mappings[1] else {
        panic!("the forwarder reads the stream: {:?}", a.mappings);
    };
    assert_eq!(stream, "analytics");
    assert_eq!(
        (
            config.batch_size,
            config.maximum_retry_attempts,
            config.bisect_batch_on_function_error
        ),
        (100, 3, true)
    );
    assert_eq!(
        config.on_failure_destination(),
        Some("arn:aws:sqs:us-east-1:123456789012:analytics-failures")
    );
    assert_eq!(
        a.queues[1].dead_letter_queue.as_deref(),
        Some("analytics-dlq")
    );
}

#[tokio::test]
async fn a_chaos_target_leaves_the_functions_own_faults_as_it_found_them() {
    use lambda_sim_pipeline::Target as _;
    use lambda_sim_runtime::Faults;
    let runtime = Runtime::new(simulation(4)).expect("runtime");
    let hello = runtime
        .load_file(
            lambda_sim_fixtures::path("hello").expect("fixture"),
            FunctionConfig::named("hello"),
        )
        .expect("loads");
    let own = Faults {
        delay_percentage: 50.0,
        startup_delay: Duration::from_millis(5),
        ..Faults::default()
    };
    hello.inject_faults(own.clone());
    // Every invocation fails with an injected error, and none is killed.
    let mut target = LambdaTarget::with_chaos(&hello, 0.0, 1.0, 7);
    let outcome = target
        .invoke(Duration::ZERO, br#"{"name": "Ada"}"#.to_vec())
        .await;
    assert_eq!(
        outcome.result.map_err(|(kind, _)| kind),
        Err(lambda_sim_runtime::FAULT_ERROR_TYPE.to_owned())
    );
    assert_eq!(hello.faults(), own, "the function's own faults are back");
    let mut plain = LambdaTarget::new(&hello);
    let _ = plain.invoke(Duration::from_secs(1), b"{}".to_vec()).await;
    assert_eq!(hello.faults(), own, "a plain target does not touch them");
}
