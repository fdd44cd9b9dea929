//! `split_function_name`: a `FunctionName` path segment, percent-decoded as the server decodes
//! it, is split or refused without a panic. An accepted name is 1 to 64 characters of
//! `[A-Za-z0-9_-]`; a refusal's message is non-empty with no trailing period.
//!
//! `ApiError` has no `Display`: its message is the `message` (or `Message`) member of its JSON
//! body, which is what clients read.
#![no_main]

use lambda_sim_server::split_function_name;
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;

fuzz_target!(|data: &[u8]| {
    let Ok(segment) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(decoded) = percent_decode_str(segment).decode_utf8() else {
        return;
    };
    match split_function_name(&decoded) {
        Ok((name, _qualifier)) => {
            assert!(
                (1..=64).contains(&name.len()),
                "accepted name of {} bytes: {name:?}",
                name.len()
            );
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "accepted name with a character outside [A-Za-z0-9_-]: {name:?}"
            );
        }
        Err(err) => {
            let message = err
                .body
                .get("message")
                .or_else(|| err.body.get("Message"))
                .and_then(|m| m.as_str())
                .unwrap_or_default();
            assert!(!message.is_empty(), "empty error message: {err:?}");
            assert!(!message.ends_with('.'), "error message ends with a period: {message:?}");
        }
    }
});
