//! Project descriptions for lambda-sim: a `lambda-sim.toml` or an AWS SAM `template.yaml`,
//! read once into one model, [`Project`]: the functions (each a [`FunctionSpec`]: its code and
//! its `FunctionConfig`), the simulation's `RuntimeConfig`, the Kinesis streams, SQS queues,
//! Firehose delivery streams and event-source mappings, and warnings for what the file asks
//! for that is not simulated. The HTTP front door is in the same model: API Gateway routes
//! ([`RouteSpec`], REST or HTTP API), the APIs' settings ([`Apis`]) and function URLs
//! ([`FunctionUrlSpec`]).
//!
//! The runtime runs functions and knows nothing of files; this crate sits above it (as spin
//! keeps `spin-manifest` apart from `spin-core`) and above the pipeline and the services, whose
//! settings it reads.
//!
//! ```no_run
//! use lambda_sim_project::Project;
//! use lambda_sim_runtime::Runtime;
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let project = Project::read("template.yaml".as_ref())?;
//! for warning in &project.warnings {
//!     eprintln!("warning: {warning}");
//! }
//! let runtime = Runtime::new(project.runtime.clone())?;
//! for spec in &project.functions {
//!     let function = runtime.load_file(&spec.code, spec.config.clone())?;
//!     println!("loaded `{}` from {}", spec.config.name, spec.code.display());
//! #   drop(function);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Core concepts
//! - **One model, two syntaxes**: `simfile.rs` reads `lambda-sim.toml`, `template.rs` reads a
//!   SAM template; both give a [`Project`], and both check it in the same place (`check.rs`).
//! - **Errors a user reads**: every refusal is an [`Error`] whose message names the file, the
//!   line when known, the resource and the setting; [`Error::error_type`] is the exception a
//!   Lambda client would see.
//! - **Nothing dropped silently**: what a template asks for that the simulator does not do is
//!   in [`Project::warnings`].

mod check;
mod error;
mod event_sources;
mod function;
mod http;
mod project;
mod simfile;
mod template;

pub use error::{Error, Result};
pub use event_sources::{MappingSpec, QueueSpec, StreamSpec};
pub use function::FunctionSpec;
pub use http::{ApiKind, ApiSettings, Apis, CorsSpec, FunctionUrlSpec, InvokeMode, RouteSpec};
pub use project::Project;
