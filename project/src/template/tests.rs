//! SAM templates read into a project: globals merged, intrinsics resolved, event sources
//! mapped, and each mistake named with its line.

use std::path::Path;
use std::time::Duration;

use lambda_sim_runtime::Architecture;

use super::parse;
use crate::Project;

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: from-globals
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: hello
      CodeUri: fixtures/guests/hello
      Handler: bootstrap
      Runtime: provided.al2023
      MemorySize: 512
      AutoPublishAlias: live
      Environment:
        Variables:
          SHARED: own
          TABLE: !Sub '${AWS::StackName}-table-${Stage}'
          QUEUE: !GetAtt Queue.Arn
      VpcConfig:
        SubnetIds: [subnet-1]
        SecurityGroupIds: [sg-1]
      ReservedConcurrentExecutions: 5
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      Architectures: [arm64]
      Policies: AWSLambdaBasicExecutionRole
      Events:
        Stream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
  Counter:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: counter.wasm
  Queue:
    Type: AWS::SQS::Queue
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 2
  Topic:
    Type: AWS::SNS::Topic
"#;

fn parse_ok(text: &str) -> Project {
    match parse(text, Path::new("/app"), "template.yaml") {
        Ok(file) => file,
        Err(err) => panic!("the template should read: {err}"),
    }
}

fn parse_err(text: &str) -> String {
    match parse(text, Path::new("/app"), "template.yaml") {
        Ok(_) => panic!("the template should be refused:\n{text}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn functions_read_with_globals_merged_as_sam_merges_them() {
    let file = parse_ok(TEMPLATE);
    assert_eq!(file.functions.len(), 2);
    let counter = &file.functions[0];
    assert_eq!(counter.config.name, "Counter");
    assert_eq!(counter.code, Path::new("/app/counter.wasm"));
    assert_eq!(counter.config.memory_size_mb, 256, "from Globals");
    assert_eq!(counter.config.timeout, Duration::from_secs(10));
    assert_eq!(counter.config.environment.len(), 2);

    let hello = &file.functions[1];
    let config = &hello.config;
    assert_eq!(config.name, "hello");
    assert_eq!(hello.code, Path::new("/app/fixtures/guests/hello"));
    assert_eq!(config.memory_size_mb, 512, "the function's own wins");
    assert_eq!(config.timeout, Duration::from_secs(10));
    let env: Vec<(&str, &str)> = config
        .environment
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        env,
        [
            ("SHARED", "own"),
            ("STAGE", "dev"),
            ("TABLE", "lambda-sim-table-dev")
        ]
    );
    assert!(config.vpc);
    assert_eq!(config.reserved_concurrency, Some(5));
    assert_eq!(config.provisioned_concurrency, 2);
    assert_eq!(config.architecture, Architecture::Arm64);
    assert_eq!(hello.aliases, ["live"]);
    assert_eq!(hello.handler.as_deref(), Some("bootstrap"));
    assert_eq!(hello.runtime.as_deref(), Some("provided.al2023"));

    assert_eq!(
        file.warnings,
        [
            "template.yaml: function `HelloFunction`: property `Policies` ignored: IAM is not simulated",
            "template.yaml:29: function `HelloFunction`: `Environment.Variables.QUEUE` uses !GetAtt, which the simulator cannot evaluate (ignored)",
            "template.yaml:54: resource `Topic` of type `AWS::SNS::Topic` is not simulated (ignored)",
        ]
    );
    // The Kinesis event is an event-source mapping of the stream, named by its logical id.
    assert_eq!(file.streams[0].name, "Stream");
    assert_eq!(file.streams[0].shards, 2);
    assert_eq!(file.queues[0].name, "Queue");
    assert_eq!(file.mappings.len(), 1);
    assert_eq!(file.mappings[0].function(), "hello");
}

#[test]
fn mistakes_are_named_with_their_line() {
    let function = |props: &str| {
        format!(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n{props}"
        )
    };
    assert_eq!(
        parse_err(&function("      MemorySize: 127\n")),
        "invalid configuration: template.yaml:6: function `Fn`: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
    );
    assert_eq!(
        parse_err(&function("      MemorySize: lots\n")),
        "invalid configuration: template.yaml:6: function `Fn`: `MemorySize` must be a whole number, not `\"lots\"`"
    );
    assert_eq!(
        parse_err(&function("      Timeout: 901\n")),
        "invalid configuration: template.yaml:6: function `Fn`: timeout 901 s is outside Lambda's range of 1 to 900 seconds"
    );
    assert_eq!(
        parse_err(&function("      ReservedConcurrentExecutions: -1\n")),
        "invalid configuration: template.yaml:6: function `Fn`: `ReservedConcurrentExecutions` must be 0 or more, not -1"
    );
    assert_eq!(
        parse_err(&function("      Architectures: [sparc]\n")),
        "invalid configuration: template.yaml:6: function `Fn`: unknown architecture `sparc` (one of: x86_64, arm64)"
    );
    let syntax = parse_err("Resources:\n  Fn:\n    Type: [\n");
    assert!(
        syntax.starts_with("invalid configuration: template.yaml: line 3 column"),
        "{syntax}"
    );
    assert_eq!(
        parse_err(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: s3://bucket/code.zip\n"
        ),
        "invalid configuration: template.yaml:5: function `Fn`: `CodeUri` `s3://bucket/code.zip` is in S3: give a local crate directory or .wasm"
    );
    assert_eq!(
        parse_err("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"),
        "invalid configuration: template.yaml: the template has no `AWS::Serverless::Function` resource"
    );
}

#[test]
fn a_property_of_another_resource_type_is_warned_about() {
    // The template is read once, into one set of properties for every resource type: each
    // resource warns about what its type does not read.
    let file = parse_ok(
        "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      MemorySize: 5\n      ShardCount: 3\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n      ShardCount: 3\n      Tags: {}\n",
    );
    assert_eq!(file.streams[0].shards, 3);
    assert_eq!(
        file.warnings,
        [
            "template.yaml: stream `S`: property `MemorySize` ignored: not simulated",
            "template.yaml: function `Fn`: property `ShardCount` ignored: not simulated",
            "template.yaml: function `Fn`: property `Tags` ignored: not simulated",
        ]
    );
}

#[test]
fn snap_start_applies_on_published_versions_or_none() {
    let function = |props: &str| {
        format!(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n{props}"
        )
    };
    let on = parse_ok(&function(
        "      SnapStart:\n        ApplyOn: PublishedVersions\n",
    ));
    assert!(on.functions[0].config.snap_start);
    let off = parse_ok(&function("      SnapStart:\n        ApplyOn: None\n"));
    assert!(!off.functions[0].config.snap_start);
    assert_eq!(
        parse_err(&function("      SnapStart:\n        ApplyOn: Always\n")),
        "invalid configuration: template.yaml:7: function `Fn`: `SnapStart.ApplyOn` must be PublishedVersions or None, not `Always`"
    );
    // From `Globals.Function`, as SAM merges it.
    let global = parse_ok(
        "Globals:\n  Function:\n    SnapStart:\n      ApplyOn: PublishedVersions\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n",
    );
    assert!(global.functions[0].config.snap_start);
}
