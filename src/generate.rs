//! `lambda-sim generate-event`: print a sample event, as `sam local generate-event` does.

use std::process::ExitCode;

use lambda_sim_runners::{SOURCES, SampleOptions, sample_event};

/// Arguments of `lambda-sim generate-event`.
#[derive(clap::Args)]
pub struct GenerateArgs {
    /// The source: apigw-v1, apigw-v2, s3-put, sqs, kinesis, dynamodb-stream, eventbridge-schedule.
    source: String,
    /// The request body (API Gateway), message body (SQS) or record data (Kinesis).
    #[arg(long)]
    body: Option<String>,
    /// The request path (API Gateway).
    #[arg(long)]
    path: Option<String>,
    /// The HTTP method (API Gateway).
    #[arg(long)]
    method: Option<String>,
    /// The bucket (S3).
    #[arg(long)]
    bucket: Option<String>,
    /// The object key (S3).
    #[arg(long)]
    key: Option<String>,
    /// How many records a batch holds (S3, SQS, Kinesis, DynamoDB).
    #[arg(long, default_value_t = 1)]
    records: usize,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let mut options = SampleOptions {
        records: args.records,
        ..SampleOptions::default()
    };
    if let Some(body) = args.body {
        options.body = body;
    }
    if let Some(path) = args.path {
        options.path = path;
    }
    if let Some(method) = args.method {
        options.method = method;
    }
    if let Some(bucket) = args.bucket {
        options.bucket = bucket;
    }
    if let Some(key) = args.key {
        options.key = key;
    }
    let Some(event) = sample_event(&args.source, &options) else {
        let known: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
        anyhow::bail!(
            "unknown event source `{}` (one of: {})",
            args.source,
            known.join(", ")
        );
    };
    println!("{}", serde_json::to_string_pretty(&event)?);
    Ok(ExitCode::SUCCESS)
}
