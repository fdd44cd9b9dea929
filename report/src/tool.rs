//! Tests that need a tool Cargo does not install (Chromium, componentize-py, boto3, the AWS CLI):
//! a missing tool fails the test, naming it and how to get it, unless `LAMBDA_SIM_ALLOW_SKIP=1`
//! lets the test skip with a `skipped: <test>: <reason>` line that `cargo test` shows.
//!
//! It lives here because this is the one crate that both lambda-sim's integration tests and this
//! crate's own browser test depend on (the harness depends on this crate, not the other way).
//!
//! ```
//! use lambda_sim_report::tool;
//!
//! let found: Result<&str, &str> = Ok("/usr/bin/chromium");
//! let Some(chromium) = tool::require(found) else {
//!     return; // LAMBDA_SIM_ALLOW_SKIP=1 and the tool is missing: skipped, and said so
//! };
//! assert_eq!(chromium, "/usr/bin/chromium");
//! ```

use std::fmt::Display;
use std::io::Write as _;

/// The environment variable that, set to `1`, lets a test whose tool is missing skip instead of
/// fail. `.ci/run` unsets it.
pub const ALLOW_SKIP: &str = "LAMBDA_SIM_ALLOW_SKIP";

/// The tool `found`, or, when it is missing (`Err(why)`, where `why` names the tool and how to
/// get it):
/// - without `LAMBDA_SIM_ALLOW_SKIP=1`, panics: the test fails with `why`;
/// - with it, writes `skipped: <test>: <why>` to stderr and returns `None`, for the test to
///   return. The line is written to the process's stderr directly, which libtest does not
///   capture, so that `cargo test` shows it for a passing test too.
///
/// The test's name is its thread's: call this on the test's own thread (libtest names it after
/// the test, with its module path). A failure is reported at the caller's line.
#[track_caller]
pub fn require<T, E: Display>(found: Result<T, E>) -> Option<T> {
    let why = match found {
        Ok(tool) => return Some(tool),
        Err(why) => why.to_string(),
    };
    let allowed = std::env::var_os(ALLOW_SKIP).is_some_and(|value| value == "1");
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    match verdict(allowed, test, &why) {
        Ok(line) => {
            let _ = writeln!(std::io::stderr(), "{line}");
            None
        }
        Err(failure) => panic!("{failure}"),
    }
}

/// The line a skipped test prints (`Ok`), or the message a failing one panics with (`Err`).
fn verdict(allowed: bool, test: &str, why: &str) -> Result<String, String> {
    if allowed {
        Ok(format!("skipped: {test}: {why}"))
    } else {
        Err(format!("{why}; or set {ALLOW_SKIP}=1 to skip"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_found_tool_is_returned() {
        assert_eq!(require(Ok::<_, String>(7)), Some(7));
    }

    #[test]
    fn a_missing_tool_fails_by_name_unless_skipping_is_allowed() {
        let why = "chromium not found: `apt-get install chromium`";
        assert_eq!(
            verdict(false, "tune::renders", why),
            Err(
                "chromium not found: `apt-get install chromium`; or set LAMBDA_SIM_ALLOW_SKIP=1 to skip"
                    .to_owned()
            )
        );
        assert_eq!(
            verdict(true, "tune::renders", why),
            Ok("skipped: tune::renders: chromium not found: `apt-get install chromium`".to_owned())
        );
    }
}
