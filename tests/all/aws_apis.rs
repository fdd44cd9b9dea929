//! The AWS service APIs of `lambda-sim serve` with unmodified clients: the AWS CLI and boto3
//! feed a template's Kinesis stream, the event-source mapping runs the forwarder live, its
//! Firehose delivery stream writes to S3, and the clients read every record back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::clients::{Serve, python};

/// A template with a two-shard stream read by the bundled forwarder, whose delivery stream
/// buffers one second into `clicks-archive`, and a queue read by the aggregator.
fn pipeline_template(dir: &Path) -> PathBuf {
    let forwarder = lambda_sim_fixtures::path("kinesis-forwarder").expect("the forwarder");
    let aggregator = lambda_sim_fixtures::path("aggregator").expect("the aggregator");
    let template = format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: clicks
      ShardCount: 2
  Archive:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: clicks-archive
  Delivery:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamName: clicks-delivery
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Archive.Arn
        Prefix: clicks/
        BufferingHints:
          SizeInMBs: 1
          IntervalInSeconds: 1
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  Forwarder:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: forwarder
      CodeUri: {forwarder}
      Environment:
        Variables:
          DELIVERY_STREAM: clicks-delivery
      Events:
        Stream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Clicks.Arn
            StartingPosition: TRIM_HORIZON
            BatchSize: 100
  Aggregator:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: aggregator
      CodeUri: {aggregator}
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 10
"#
    );
    let path = dir.join("template.yaml");
    std::fs::write(&path, template).expect("writes the template");
    path
}

/// Runs the AWS CLI against `endpoint`, with placeholder credentials and no profile.
fn aws(python: &Path, endpoint: &str, args: &[&str]) -> Output {
    Command::new(python)
        .arg(python.with_file_name("aws"))
        .args(["--endpoint-url", endpoint, "--region", "us-east-1"])
        .args(args)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_ACCESS_KEY_ID", "AKIALAMBDASIMTEST000")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .output()
        .expect("aws runs")
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// How many times each `id` occurs in the JSON lines of every file under `dir`.
fn ids_in(dir: &Path) -> BTreeMap<u64, usize> {
    let mut ids = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("reads the copy").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("reads an object");
            for line in text.lines().filter(|l| !l.is_empty()) {
                let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                *ids.entry(record["id"].as_u64().expect("an id"))
                    .or_default() += 1;
            }
        }
    }
    ids
}

#[test]
fn the_aws_cli_feeds_the_live_pipeline_and_reads_every_record_back_from_s3() {
    let Some(python) = crate::require(python()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let template = pipeline_template(dir.path());
    let serve = Serve::launch(dir, "--template", &template);
    let endpoint = serve.endpoint.clone();
    let aws = |args: &[&str]| aws(&python, &endpoint, args);

    // A stream made by the CLI is described and listed like the template's.
    ok(aws(&[
        "kinesis",
        "create-stream",
        "--stream-name",
        "scratch",
        "--shard-count",
        "3",
    ]));
    let summary: serde_json::Value = serde_json::from_str(&ok(aws(&[
        "kinesis",
        "describe-stream-summary",
        "--stream-name",
        "scratch",
    ])))
    .expect("JSON");
    assert_eq!(summary["StreamDescriptionSummary"]["OpenShardCount"], 3);
    let listed = ok(aws(&["kinesis", "list-streams"]));
    assert!(
        listed.contains("\"clicks\"") && listed.contains("\"scratch\""),
        "{listed}"
    );

    // 1,000 records in two PutRecords calls (500 is the most one call takes).
    for part in 0..2u64 {
        let records: Vec<serde_json::Value> = (part * 500..(part + 1) * 500)
            .map(|id| {
                serde_json::json!({
                    "Data": format!("{{\"id\":{id},\"type\":\"click\"}}"),
                    "PartitionKey": format!("user-{}", id % 37),
                })
            })
            .collect();
        let file = serve.dir.path().join(format!("records-{part}.json"));
        std::fs::write(&file, serde_json::to_vec(&records).expect("JSON")).expect("writes");
        let put: serde_json::Value = serde_json::from_str(&ok(aws(&[
            "kinesis",
            "put-records",
            "--stream-name",
            "clicks",
            "--records",
            &format!("file://{}", file.display()),
        ])))
        .expect("JSON");
        assert_eq!(put["FailedRecordCount"], 0, "{put}");
    }

    // Within seconds the forwarder's objects are in S3: copy them and count every id.
    let copy = serve.dir.path().join("copy");
    let deadline = Instant::now() + Duration::from_secs(30);
    let ids = loop {
        let listing = ok(aws(&["s3", "ls", "s3://clicks-archive", "--recursive"]));
        if !listing.is_empty() {
            let _ = std::fs::remove_dir_all(&copy);
            ok(aws(&[
                "s3",
                "cp",
                "s3://clicks-archive",
                copy.to_str().expect("a UTF-8 path"),
                "--recursive",
            ]));
            let ids = ids_in(&copy);
            if ids.len() == 1000 || Instant::now() > deadline {
                assert!(
                    listing.lines().all(|l| l.contains(" clicks/20")),
                    "objects under the delivery stream's prefix and Firehose's date path: {listing}"
                );
                break ids;
            }
        }
        assert!(Instant::now() < deadline, "no object reached S3 in 30 s");
        std::thread::sleep(Duration::from_millis(500));
    };
    let lost = (0..1000).filter(|id| !ids.contains_key(id)).count();
    let duplicated = ids.values().filter(|&&n| n > 1).count();
    assert_eq!((lost, duplicated), (0, 0), "lost, duplicated");

    let stderr = serve.terminate();
    assert!(
        stderr.contains("lambda-sim: event-source mappings made "),
        "{stderr}"
    );
}

#[test]
fn boto3_calls_each_service_and_gets_its_exceptions() {
    let Some(python) = crate::require(python()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let template = pipeline_template(dir.path());
    let serve = Serve::launch(dir, "--template", &template);
    let (stdout, log) = run_script(&python, "aws_services.py", serve);
    assert!(
        stdout.ends_with("all AWS service checks passed\n"),
        "{stdout}\n{log}"
    );
}

/// Runs `tests/clients/<script> ENDPOINT` with no AWS profile, then stops the server; what the
/// script printed and the server's log. The script must succeed.
fn run_script(python: &Path, script: &str, serve: Serve) -> (String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let out = Command::new(python)
        .arg(&script)
        .arg(&serve.endpoint)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let log = serve.terminate();
    assert!(out.status.success(), "{stdout}\n{stderr}\n{log}");
    (stdout, log)
}

#[test]
fn an_sqs_message_reaches_dynamodb_through_boto3_inside_a_python_handler() {
    let Some(python) = crate::require(python()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let handler = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/python/sqs-to-dynamodb");
    let template = format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
      VisibilityTimeout: 1
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Failed.Arn
        maxReceiveCount: 1
  Failed:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs-failed
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: writer
      Runtime: python3.12
      Handler: app.handler
      CodeUri: {handler}
      Timeout: 30
      Environment:
        Variables:
          TABLE: jobs
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 10
            FunctionResponseTypes:
              - ReportBatchItemFailures
"#,
        handler = handler.display()
    );
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).expect("writes the template");
    let serve = Serve::launch(dir, "--template", &path);
    let (stdout, log) = run_script(&python, "sqs_to_dynamodb.py", serve);
    assert!(
        stdout.ends_with("all SQS to DynamoDB checks passed\n"),
        "{stdout}"
    );
    // Inside the handler boto3 raised ConditionalCheckFailedException, caught by its class.
    assert!(log.contains("job 1 exists already"), "{log}");
    // The request to another host never left: the host refused it and said why.
    assert!(
        log.contains(
            "[lambda-sim] refused a request to https://example.com/: a function reaches only the simulator's AWS endpoint (http://127.0.0.1:4566, its AWS_ENDPOINT_URL); a sandbox has no network"
        ),
        "{log}"
    );
}

#[test]
fn the_demo_runs_the_pipeline_with_a_boto3_forwarder() {
    let Some(python) = crate::require(python()) else {
        return;
    };
    let template = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/pipeline/sdk-template.yaml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .args(["demo", "--config", template, "--records", "2000"])
        .env(
            "LAMBDA_SIM_COMPONENTIZE_PY",
            python.with_file_name("componentize-py"),
        )
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .output()
        .expect("lambda-sim runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Three poison records go to the on-failure destination, as with the Rust forwarder.
    assert!(
        stdout.contains("events: 2000 in (3 poison), 1997 delivered to S3, "),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 lost\n"), "{stdout}");
}
