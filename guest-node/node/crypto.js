// `crypto`, the part handlers and their packages use synchronously: random bytes and UUIDs
// (from the environment's random source), `createHash` / `createHmac` for MD5, SHA-1 and
// SHA-256 (with `hash.copy()`, which the AWS SDK's signer uses), `timingSafeEqual`, and Web
// Crypto (`webcrypto`, `subtle`). Ciphers, keys and the other digests are not provided:
// calling them throws.
import { Buffer } from 'buffer';

import { DIGESTS } from './hashes.js';

export const webcrypto = globalThis.crypto;
export const subtle = globalThis.crypto.subtle;
export const getRandomValues = (array) => globalThis.crypto.getRandomValues(array);
export const randomUUID = () => globalThis.crypto.randomUUID();

function toBytes(data, encoding) {
  if (typeof data === 'string') return Buffer.from(data, encoding ?? 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView.');
}

function digestOf(algorithm) {
  const digest = DIGESTS[String(algorithm).toLowerCase().replace('-', '')];
  if (!digest) throw new Error(`Digest method not supported: ${algorithm} (lambda-sim's Node.js runtime has md5, sha1, sha256)`);
  return digest;
}

class Hash {
  constructor(algorithm, key) {
    [this.fn, this.block] = digestOf(algorithm);
    this.parts = [];
    if (key !== undefined) {
      let k = toBytes(key);
      if (k.length > this.block) k = this.fn(k);
      this.key = new Uint8Array(this.block);
      this.key.set(k);
    }
  }

  update(data, encoding) {
    this.parts.push(Buffer.from(toBytes(data, encoding)));
    return this;
  }

  // A hash with the same input so far (Node's `hash.copy()`; an HMAC has none).
  copy() {
    if (this.key) throw new Error('hmac.copy is not a function');
    const copy = Object.create(Hash.prototype);
    Object.assign(copy, this, { parts: [...this.parts] });
    return copy;
  }

  digest(encoding) {
    let bytes = Buffer.concat(this.parts);
    if (this.key) {
      const inner = this.fn(Buffer.concat([Buffer.from(this.key.map((b) => b ^ 0x36)), bytes]));
      bytes = Buffer.concat([Buffer.from(this.key.map((b) => b ^ 0x5c)), Buffer.from(inner)]);
    }
    const out = Buffer.from(this.fn(bytes));
    return encoding ? out.toString(encoding) : out;
  }
}

export const createHash = (algorithm) => new Hash(algorithm);
export const createHmac = (algorithm, key) => new Hash(algorithm, key);
export const getHashes = () => Object.keys(DIGESTS);

export function timingSafeEqual(a, b) {
  if (a.byteLength !== b.byteLength) throw new RangeError('Input buffers must have the same byte length');
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function randomFillSync(buffer, offset = 0, size) {
  const view = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  const end = size === undefined ? view.length : offset + size;
  for (let at = offset; at < end; at += 65536) {
    globalThis.crypto.getRandomValues(view.subarray(at, Math.min(end, at + 65536)));
  }
  return buffer;
}

export function randomBytes(size, callback) {
  const bytes = randomFillSync(Buffer.alloc(size));
  if (!callback) return bytes;
  queueMicrotask(() => callback(null, bytes));
  return undefined;
}

export function randomInt(min, max) {
  if (max === undefined) {
    max = min;
    min = 0;
  }
  const [word] = globalThis.crypto.getRandomValues(new Uint32Array(1));
  return min + (word % (max - min));
}

export default {
  webcrypto, subtle, getRandomValues, randomUUID, createHash, createHmac, getHashes,
  timingSafeEqual, randomFillSync, randomBytes, randomInt,
};
