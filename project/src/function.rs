//! [`FunctionSpec`]: one function of a project, its code and its configuration.

use std::path::PathBuf;

use lambda_sim_runtime::FunctionConfig;

/// One function of a project: where its code is, and how it is configured.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FunctionSpec {
    /// A `.wasm` component or a handler crate, resolved against the file's directory.
    pub code: PathBuf,
    /// The function's configuration, checked against Lambda's limits.
    pub config: FunctionConfig,
    /// Aliases that point at the function (SAM's `AutoPublishAlias`), besides `$LATEST`.
    pub aliases: Vec<String>,
    /// SAM's `Handler`, shown in the function's configuration.
    pub handler: Option<String>,
    /// SAM's `Runtime`, shown in the function's configuration.
    pub runtime: Option<String>,
    /// SAM's `Description`.
    pub description: Option<String>,
}

impl FunctionSpec {
    /// A function of `code` with `config`, no alias and none of SAM's descriptive fields.
    pub fn new(code: impl Into<PathBuf>, config: FunctionConfig) -> Self {
        FunctionSpec {
            code: code.into(),
            config,
            aliases: Vec::new(),
            handler: None,
            runtime: None,
            description: None,
        }
    }
}
