// A Node.js module the polyfills' own dependencies import without needing it (asn1.js tries
// `vm` and falls back): any use throws.
module.exports = new Proxy({}, {
  get(_, name) {
    if (name === '__esModule') return false;
    throw new Error(`lambda-sim's Node.js runtime does not provide this module (reading \`${String(name)}\`)`);
  },
});
