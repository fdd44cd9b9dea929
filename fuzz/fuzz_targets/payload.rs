//! `Payload::json`: the Invoke API's payload check takes any bytes without a panic; a refusal
//! has a message in the project's style (non-empty, no trailing period).
#![no_main]

use lambda_sim_runtime::Payload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(err) = Payload::json(data) {
        let message = err.to_string();
        assert!(!message.is_empty(), "empty error message");
        assert!(!message.ends_with('.'), "error message ends with a period: {message:?}");
    }
});
