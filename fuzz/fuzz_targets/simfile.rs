//! `Project::parse_toml`: any text given as a `lambda-sim.toml` is read or refused, never a
//! panic; a refusal has a message in the project's style (non-empty, no trailing period).
#![no_main]

use std::path::Path;

use lambda_sim_project::Project;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(err) = Project::parse_toml(text, Path::new("/fuzz")) {
        let message = err.to_string();
        assert!(!message.is_empty(), "empty error message");
        assert!(!message.ends_with('.'), "error message ends with a period: {message:?}");
    }
});
