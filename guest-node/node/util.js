// `util`: `format` and `inspect` as Node prints values (what `console.log` uses), `promisify`,
// `inherits`, `deprecate`, `types`, the text codecs.

function inspectValue(value, depth, seen, nested) {
  switch (typeof value) {
    case 'string':
      return nested ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'` : value;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return value.name ? `[Function: ${value.name}]` : '[Function (anonymous)]';
    default:
      break;
  }
  if (value === null) return 'null';
  if (value instanceof Error) return value.stack ? nodeStack(value).join('\n') : `${value.name}: ${value.message}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (seen.includes(value)) return '[Circular *1]';
  if (depth > 2) return Array.isArray(value) ? '[Array]' : '[Object]';
  const inner = (v) => inspectValue(v, depth + 1, [...seen, value], true);
  let items;
  let open = '{';
  let close = '}';
  let prefix = '';
  if (Array.isArray(value)) {
    items = value.map(inner);
    open = '[';
    close = ']';
  } else if (value instanceof Map) {
    prefix = `Map(${value.size}) `;
    items = [...value].map(([k, v]) => `${inner(k)} => ${inner(v)}`);
  } else if (value instanceof Set) {
    prefix = `Set(${value.size}) `;
    items = [...value].map(inner);
  } else if (globalThis.Buffer?.isBuffer(value)) {
    const bytes = Array.from(value.subarray(0, 50), (b) => b.toString(16).padStart(2, '0'));
    const more = value.length > 50 ? ` ... ${value.length - 50} more bytes` : '';
    return `<Buffer${bytes.length ? ' ' : ''}${bytes.join(' ')}${more}>`;
  } else if (ArrayBuffer.isView(value)) {
    prefix = `${value.constructor.name}(${value.length}) `;
    open = '[';
    close = ']';
    items = Array.from(value.slice(0, 100), (v) => String(v));
  } else {
    const name = value.constructor && value.constructor.name;
    if (name && name !== 'Object') prefix = `${name} `;
    items = Object.keys(value).map((k) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`;
      return `${key}: ${inner(value[k])}`;
    });
  }
  if (items.length === 0) return `${prefix}${open}${close}`;
  const line = `${prefix}${open} ${items.join(', ')} ${close}`;
  if (line.length <= 72 && !line.includes('\n')) return line;
  const pad = '  '.repeat(depth + 1);
  return `${prefix}${open}\n${items.map((i) => pad + i).join(',\n')}\n${'  '.repeat(depth)}${close}`;
}

/// An error's stack as V8 prints it: `Type: message`, then `    at function (file:line:column)`.
export function nodeStack(error) {
  const head = `${error.name ?? 'Error'}: ${error.message ?? ''}`;
  const frames = String(error.stack ?? '')
    .split('\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const at = frame.lastIndexOf('@');
      if (at < 0) return `    at ${frame}`;
      // SpiderMonkey names a function by its enclosing ones (`anonymous/exports.handler`).
      const name = frame.slice(0, at).replace(/^(anonymous\/)+/, '') || '<anonymous>';
      const location = globalThis.__lambdaSimMapLocation?.(frame.slice(at + 1)) ?? frame.slice(at + 1);
      return `    at ${name} (${location})`;
    });
  // Only the handler's frames (its bundle runs as /var/task/...), not the adapter's.
  const own = frames.filter((frame) => frame.includes('/var/task/'));
  return [head, ...(own.length > 0 ? own : frames)];
}

export function inspect(value) {
  return inspectValue(value, 0, [], true);
}

export function format(...args) {
  if (args.length === 0) return '';
  let rest = args;
  let out = '';
  if (typeof args[0] === 'string') {
    const first = args[0];
    let next = 1;
    out = first.replace(/%[sdifjoOc%]/g, (spec) => {
      if (spec === '%%') return '%';
      if (next >= args.length) return spec;
      const arg = args[next++];
      switch (spec) {
        case '%s': return typeof arg === 'string' ? arg : inspectValue(arg, 1, [], false);
        case '%d': return typeof arg === 'bigint' ? `${arg}n` : String(Number(arg));
        case '%i': return String(parseInt(arg, 10));
        case '%f': return String(parseFloat(arg));
        case '%j': try { return JSON.stringify(arg); } catch { return '[Circular]'; }
        case '%c': return '';
        default: return inspect(arg);
      }
    });
    rest = args.slice(next);
  } else {
    out = inspectValue(args[0], 0, [], false);
    rest = args.slice(1);
  }
  for (const arg of rest) out += ` ${inspectValue(arg, 0, [], false)}`;
  return out;
}

const CUSTOM = Symbol.for('nodejs.util.promisify.custom');

export function promisify(fn) {
  if (typeof fn[CUSTOM] === 'function') return fn[CUSTOM];
  return (...args) => new Promise((resolve, reject) => {
    fn(...args, (err, value) => (err ? reject(err) : resolve(value)));
  });
}
promisify.custom = CUSTOM;

export function inherits(ctor, superCtor) {
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  Object.setPrototypeOf(ctor, superCtor);
}

export function deprecate(fn) {
  return fn;
}

export const types = {
  isPromise: (v) => v instanceof Promise,
  isDate: (v) => v instanceof Date,
  isRegExp: (v) => v instanceof RegExp,
  isUint8Array: (v) => v instanceof Uint8Array,
  isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
  isArrayBuffer: (v) => v instanceof ArrayBuffer,
};

export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;

export default { format, inspect, promisify, inherits, deprecate, types, TextEncoder, TextDecoder };
