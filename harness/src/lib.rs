//! Helpers for testing Lambda handlers with lambda-sim: a function under test and assertions
//! that read as what a Lambda user notices ([`TestFunction`]), Lambda's REPORT line read back
//! into figures ([`ReportLine`]), criterion benches of the cold and warm paths
//! ([`bench_cold_and_warm`]); and, re-exported, the builds ([`build_handler`], [`build_python`])
//! and the runs ([`check_stateless`], [`chaos_run`], [`load_run`], [`tune`], [`pipeline_run`])
//! a handler's tests call, from `lambda-sim-build` and `lambda-sim-runners`.
//!
//! ```
//! use lambda_sim_harness::ReportLine;
//!
//! let line = "REPORT RequestId: 0b2f\tDuration: 3.01 ms\tBilled Duration: 4 ms\t\
//!             Memory Size: 128 MB\tMax Memory Used: 2 MB\tInit Duration: 1.50 ms\t";
//! let report = ReportLine::parse(line).unwrap();
//! assert_eq!(report.billed_duration_ms, 4);
//! assert_eq!(report.init_duration_ms, Some(1.5));
//! ```

mod bench;
mod error;
mod report_line;
mod test_function;

pub use bench::{bench_cold_and_warm, criterion_median_ns};
pub use error::{Error, Result};
pub use report_line::ReportLine;
pub use test_function::{TestFunction, TestFunctionBuilder, TestInvocation};

/// The builds, whole (their error is `build::Error`).
pub use lambda_sim_build as build;
pub use lambda_sim_build::{
    BuildOptions, COMPONENTIZE_PY_VERSION, EMBEDDED_PYTHON, build_handler, build_handler_with,
    build_python, build_python_with, component_for, componentize_py, ensure_wasm_target,
    function_name,
};
/// The runs, whole (their error is `runners::Error`).
pub use lambda_sim_runners as runners;
pub use lambda_sim_runners::{
    Arrivals, ChaosOptions, ChaosReport, CheckOptions, ClonedField, Consumer, ConsumerReport,
    ConsumerSource, DEFAULT_MEMORY_SIZES, Difference, FunctionFigures, HtmlReport, LambdaTarget,
    LoadOptions, LoadReport, MappingStats, NamedEvent, PhaseStats, PipelineOptions, PipelineReport,
    PipelineTiming, Run, SOURCES, SampleOptions, ShardOrder, SizeResult, SnapStartVerdict,
    Strategy, TimelineSpan, TuneOptions, TuneReport, TuneRun, Varying, Verdict, chaos_run,
    check_snap_start, check_stateless, load_run, pipeline_run, pipeline_run_with_progress,
    read_events, sample_event, tune,
};
/// The runtime the functions under test run on.
pub use lambda_sim_runtime as runtime;
