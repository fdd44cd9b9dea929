//! `FunctionConfiguration`, as `ListFunctions`, `GetFunction` and
//! `GetFunctionConfiguration` return it.

use serde_json::{Value, json};

use crate::registry::Deployed;

/// The runtime shown for a WebAssembly handler when the template names none.
const DEFAULT_RUNTIME: &str = "provided.al2023";

/// A function's `FunctionConfiguration`.
pub fn function_configuration(deployed: &Deployed, version: &str) -> Value {
    let config = deployed.function.config();
    let arn = config.arn();
    let architecture = match config.architecture {
        lambda_sim_runtime::Architecture::X86_64 => "x86_64",
        lambda_sim_runtime::Architecture::Arm64 => "arm64",
    };
    let mut configuration = json!({
        "FunctionName": config.name,
        "FunctionArn": if version == "$LATEST" { arn.clone() } else { format!("{arn}:{version}") },
        "Runtime": deployed.runtime.as_deref().unwrap_or(DEFAULT_RUNTIME),
        "Role": format!("arn:aws:iam::{}:role/lambda-sim", config.account_id),
        "Handler": deployed.handler.as_deref().unwrap_or("bootstrap"),
        "CodeSize": deployed.code_size,
        "Description": deployed.description.as_deref().unwrap_or(""),
        "Timeout": config.timeout.as_secs(),
        "MemorySize": config.memory_size_mb,
        "LastModified": deployed.last_modified,
        "CodeSha256": deployed.code_sha256,
        "Version": version,
        "Environment": { "Variables": config.environment },
        "TracingConfig": { "Mode": if config.tracing { "Active" } else { "PassThrough" } },
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": [architecture],
        "EphemeralStorage": { "Size": config.ephemeral_storage_mb },
        "LoggingConfig": {
            "LogFormat": "Text",
            "LogGroup": format!("/aws/lambda/{}", config.name),
        },
    });
    if config.vpc
        && let Some(object) = configuration.as_object_mut()
    {
        object.insert(
            "VpcConfig".to_owned(),
            json!({ "SubnetIds": [], "SecurityGroupIds": [], "VpcId": "vpc-lambda-sim" }),
        );
    }
    configuration
}

/// `GetFunction`'s answer: the configuration, where the code is, and the reserved
/// concurrency when there is one.
pub fn get_function(deployed: &Deployed, version: &str) -> Value {
    let mut answer = json!({
        "Configuration": function_configuration(deployed, version),
        "Code": { "RepositoryType": "S3", "Location": deployed.code_location },
    });
    if let Some(reserved) = deployed.function.config().reserved_concurrency
        && let Some(object) = answer.as_object_mut()
    {
        object.insert(
            "Concurrency".to_owned(),
            json!({ "ReservedConcurrentExecutions": reserved }),
        );
    }
    answer
}
