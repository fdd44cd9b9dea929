//! Helpers for testing Lambda handlers with lambda-sim: build a handler crate to a component,
//! and read Lambda's log lines back into figures a test can assert on.
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

pub mod baseline;
mod bench;
mod chaos;
mod compile;
mod html;
pub mod http_baseline;
mod load;
mod pipeline;
mod python;
mod report_line;
mod sample_events;
mod stateless;
mod test_function;
mod tune;

pub use bench::{bench_cold_and_warm, criterion_median_ns};
pub use chaos::{ChaosOptions, ChaosReport, chaos_run};
pub use compile::{BuildError, build_handler, component_for, ensure_wasm_target, function_name};
pub use lambda_sim_report::HtmlReport;
pub use lambda_sim_runtime as runtime;
pub use load::{Arrivals, LoadOptions, LoadReport, PhaseStats, load_run};
pub use pipeline::{
    Consumer, ConsumerReport, ConsumerSource, FunctionFigures, LambdaTarget, MappingStats,
    PipelineOptions, PipelineReport, PipelineTiming, ShardOrder, TimelineSpan, pipeline_run,
    pipeline_run_with_progress,
};
pub use python::{
    COMPONENTIZE_PY_VERSION, PythonBuildError, build_python, build_python_with, componentize_py,
};
pub use report_line::{ReportLine, ReportLineError};
pub use sample_events::{SOURCES, SampleOptions, sample_event};
pub use stateless::{
    CheckOptions, Difference, NamedEvent, Run, Verdict, check_stateless, read_events,
};
pub use test_function::{TestError, TestFunction, TestFunctionBuilder, TestInvocation};
pub use tune::{
    DEFAULT_MEMORY_SIZES, Run as TuneRun, SizeResult, Strategy, TuneError, TuneOptions, TuneReport,
    tune,
};
