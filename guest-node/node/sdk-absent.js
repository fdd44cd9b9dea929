// A Node.js module the AWS SDK v3 imports for what it does not do on lambda-sim: `http`,
// `https` and `http2` (the instance metadata service, which it asks only when the environment
// has no credentials or region), `child_process` (a profile's `credential_process`: there are
// no profiles), `zlib` (its CRC32 checksums use their JavaScript implementation when
// `zlib.crc32` is missing) and `async_hooks` (only when `AWS_LAMBDA_MAX_CONCURRENCY` is set).
// Every export is undefined, so that importing it costs nothing and a use fails there.
module.exports = {};
