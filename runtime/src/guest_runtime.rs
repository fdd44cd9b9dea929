//! The Lambda runtime a component was packaged for, read from its `lambda-sim:runtime` custom
//! section (`nodejs22.x`, written by `lambda-sim build --node`): it decides the shape of the
//! function's error payload (the Node.js runtime names the stack `trace`) and lets the CLI say
//! that a JavaScript engine without JIT is not Node's V8.

/// The custom section's name.
pub const RUNTIME_SECTION: &str = "lambda-sim:runtime";

/// The runtime a component declares in its top-level `lambda-sim:runtime` custom section, if
/// any (a component without one is a guest of the WIT world, whatever its source language).
pub fn declared_runtime(bytes: &[u8]) -> Option<String> {
    // The 8-byte preamble (magic, version, layer), then sections: id, size, payload.
    let mut at = bytes.get(8..)?;
    while let Some((&id, rest)) = at.split_first() {
        let (size, rest) = leb128(rest)?;
        let payload = rest.get(..size)?;
        at = &rest[size..];
        if id != 0 {
            continue;
        }
        let (name_len, payload) = leb128(payload)?;
        let name = payload.get(..name_len)?;
        if name == RUNTIME_SECTION.as_bytes() {
            return String::from_utf8(payload[name_len..].to_vec()).ok();
        }
    }
    None
}

/// Whether a declared runtime is one of Lambda's Node.js runtimes.
pub fn is_nodejs(runtime: Option<&str>) -> bool {
    runtime.is_some_and(|r| r.starts_with("nodejs"))
}

/// An unsigned LEB128 number and what follows it.
fn leb128(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let mut value = 0usize;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![id, u8::try_from(payload.len()).expect("a short section")];
        out.extend_from_slice(payload);
        out
    }

    fn custom(name: &str, data: &str) -> Vec<u8> {
        let mut payload = vec![u8::try_from(name.len()).expect("a short name")];
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(data.as_bytes());
        section(0, &payload)
    }

    #[test]
    fn the_runtime_section_is_found_among_others() {
        let mut bytes = b"\0asm\x0d\0\x01\0".to_vec();
        bytes.extend(section(1, b"core module"));
        bytes.extend(custom("producers", "x"));
        bytes.extend(custom(RUNTIME_SECTION, "nodejs22.x"));
        assert_eq!(declared_runtime(&bytes).as_deref(), Some("nodejs22.x"));
        assert!(is_nodejs(declared_runtime(&bytes).as_deref()));
    }

    #[test]
    fn a_component_without_it_or_cut_short_declares_none() {
        let mut bytes = b"\0asm\x0d\0\x01\0".to_vec();
        bytes.extend(custom("producers", "x"));
        assert_eq!(declared_runtime(&bytes), None);
        let mut cut = b"\0asm\x0d\0\x01\0".to_vec();
        cut.extend(custom(RUNTIME_SECTION, "nodejs22.x"));
        cut.truncate(cut.len() - 3);
        assert_eq!(declared_runtime(&cut), None);
        assert_eq!(declared_runtime(b"\0asm"), None);
        assert!(!is_nodejs(None));
    }
}
