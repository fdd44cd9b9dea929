// `base64url` for the `buffer` package's `Buffer` (Node has it since 15.7; JWT and signing
// libraries use it): encoded as base64 with `-`/`_` and no padding, decoded back.

export function addBase64url(Buffer) {
  const toString = Buffer.prototype.toString;
  Buffer.prototype.toString = function toStringWithBase64url(encoding, ...rest) {
    if (String(encoding).toLowerCase() !== 'base64url') return toString.call(this, encoding, ...rest);
    return toString.call(this, 'base64', ...rest).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const from = Buffer.from;
  Buffer.from = function fromWithBase64url(value, encoding, ...rest) {
    if (typeof value === 'string' && String(encoding).toLowerCase() === 'base64url') {
      return from.call(Buffer, value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    }
    return from.call(Buffer, value, encoding, ...rest);
  };
  const isEncoding = Buffer.isEncoding;
  Buffer.isEncoding = (encoding) => String(encoding).toLowerCase() === 'base64url' || isEncoding(encoding);
}
