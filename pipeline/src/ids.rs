//! Deterministic identifiers: MD5 digests, UUID-shaped strings.

use md5::{Digest, Md5};

/// The MD5 digest of `bytes`.
pub fn md5(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

/// The MD5 digest of `bytes` as a big-endian 128-bit integer (how Kinesis maps a partition
/// key to a hash key).
pub fn md5_u128(bytes: &[u8]) -> u128 {
    u128::from_be_bytes(md5(bytes))
}

/// The MD5 digest of `bytes` as 32 lowercase hex digits (SQS's `md5OfBody`).
pub fn md5_hex(bytes: &[u8]) -> String {
    md5(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A UUID-shaped string (8-4-4-4-12 lowercase hex digits) derived from `seed` by MD5, with the
/// version 4 and variant bits set so that it reads as a random UUID (not a version 3 one: the
/// MD5 stands in for random bytes, and the strings stay the ones earlier runs produced).
pub fn uuid_from(seed: &str) -> String {
    uuid::Builder::from_random_bytes(md5(seed.as_bytes()))
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_the_rfc_1321_test_suite() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"a"), "0cc175b9c0f1b6a831c399e269772661");
        assert_eq!(md5_u128(b"a"), 0x0cc175b9c0f1b6a831c399e269772661);
    }

    #[test]
    fn uuids_are_deterministic_and_uuid_shaped() {
        let id = uuid_from("queue:1");
        assert_eq!(id, uuid_from("queue:1"));
        assert_ne!(id, uuid_from("queue:2"));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        // The string of the hand-written formatter this replaced (SQS message ids and Kinesis
        // destination request ids keep their values run to run, version to version).
        assert_eq!(md5_hex(b"queue:1"), "87005eda1a45995d4eca14a840adaf2d");
        assert_eq!(uuid_from("queue:1"), "87005eda-1a45-495d-8eca-14a840adaf2d");
    }
}
