// Lambda's Node.js runtime model on lambda-sim's handler world (wit/handler.wit).
//
// `lambda-sim build --node DIR --handler index.handler` bundles the handler's file and what it
// imports from `node_modules` into one CommonJS text (build.mjs), and componentizes this
// adapter with that text inside. What a Node.js Lambda user expects holds:
//
// - The handler's module runs in the Init phase (`init`): its top level is Init Duration, every
//   cold start, and a module-level variable lives as long as the execution environment. The
//   engine snapshot taken at build time holds only the engine and this adapter.
// - `handler(event, context)` async, or `(event, context, callback)`; `context` has the Node.js
//   runtime's fields and `getRemainingTimeInMillis()`; `process.env` has Lambda's variables.
// - `awslambda.streamifyResponse(handler)`: a streaming handler `(event, responseStream,
//   context)` whose writes reach the caller as they are made (streaming.js).
// - `console.*` prints `<time>\t<request id>\t<LEVEL>\t<message>` lines; an error becomes
//   `{"errorType", "errorMessage", "trace"}` with an `Invoke Error` line in the log.

import { getEnvironment } from 'wasi:cli/environment@0.2.3';
import { exit } from 'wasi:cli/exit@0.2.3';
import { fatalError } from 'lambda-sim:handler/runtime-api@0.1.0';
import { Buffer } from 'buffer';
import { CODE, EXPORT_PATH, FILE, HANDLER, RUNTIME, SOURCE_MAP } from 'lambda-sim:handler-code';
import { addBase64url } from './node/base64url.js';
import process from './node/process.js';
import { sourceMapper } from './node/source-map.js';
import { format, nodeStack, promisify } from './node/util.js';
import { awslambda, callStreaming, isStreaming } from './streaming.js';

const engineLog = console.log.bind(console);
let requestId;
const engineSetTimeout = globalThis.setTimeout;
const engineClearTimeout = globalThis.clearTimeout;
const pendingTimers = new Set();

// Timeouts counted, so that a callback-style handler that never calls back ends when the
// last one has run (the runtime's empty event loop).
const idleWaiters = [];

function countedSetTimeout(fn, ms, ...args) {
  const id = engineSetTimeout(() => {
    pendingTimers.delete(id);
    if (typeof fn === 'function') fn(...args);
    idleCheck();
  }, ms);
  pendingTimers.add(id);
  return id;
}

function countedClearTimeout(id) {
  pendingTimers.delete(id);
  engineClearTimeout(id);
  idleCheck();
}

// Runs `then` once no timeout of the handler is pending (now, or when the last one has run).
function whenIdle(then) {
  idleWaiters.push(then);
  idleCheck();
}

function idleCheck() {
  // As a task of its own: after every microtask queued so far (promise chains), which may
  // set new timers.
  engineSetTimeout(() => {
    if (pendingTimers.size !== 0) return;
    for (const then of idleWaiters.splice(0)) then();
  }, 0);
}

function write(text) {
  // The engine's console prints one line per call; a trailing newline is the caller's.
  engineLog(text.endsWith('\n') ? text.slice(0, -1) : text);
}

function logLine(level, args) {
  const message = format(...args).replace(/\n/g, '\r');
  write(`${new Date().toISOString()}\t${requestId}\t${level}\t${message}`);
}

function installGlobals() {
  globalThis.__lambdaSimWrite = write;
  globalThis.global = globalThis;
  globalThis.process = process;
  globalThis.Buffer = Buffer;
  globalThis.setTimeout = countedSetTimeout;
  globalThis.clearTimeout = countedClearTimeout;
  globalThis.setImmediate = (fn, ...args) => countedSetTimeout(fn, 0, ...args);
  globalThis.clearImmediate = countedClearTimeout;
  // `util.promisify(setTimeout)` is `timers/promises`' setTimeout, as in Node.
  countedSetTimeout[promisify.custom] = (ms, value) => new Promise((resolve) => countedSetTimeout(() => resolve(value), ms));
  globalThis.setImmediate[promisify.custom] = (value) => new Promise((resolve) => countedSetTimeout(() => resolve(value), 0));
  addBase64url(Buffer);
  globalThis.awslambda = awslambda;
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE', fatal: 'FATAL' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => logLine(level, args);
  }
  process.env = Object.fromEntries(getEnvironment());
  // The runtime's own name, as Lambda's Node.js runtime sets it (the host names its engine).
  process.env.AWS_EXECUTION_ENV = `AWS_Lambda_${RUNTIME}`;
  const major = RUNTIME.match(/^nodejs(\d+)/)?.[1] ?? '22';
  process.version = `v${major}.0.0`;
  process.versions = { node: `${major}.0.0` };
  // As on Lambda, the runtime process ends: the invocation fails and the environment goes.
  process.exit = (code) => {
    const status = Number(code ?? process.exitCode ?? 0);
    const cause = status === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${status}`;
    fatalError({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: ${cause}`,
      stackTrace: [],
    });
    exit(status === 0 ? { tag: 'ok' } : { tag: 'err' });
  };
  // Stack frames in the bundle name the handler's own files and lines. The engine puts two
  // lines (`function anonymous(...`) before a `new Function` body.
  const original = sourceMapper(SOURCE_MAP, 2);
  globalThis.__lambdaSimMapLocation = (location) => {
    const [, url, line, column] = location.match(/^(.*):(\d+):(\d+)$/) ?? [];
    return url === FILE ? original(Number(line), Number(column)) ?? location : location;
  };
}

class HandlerError extends Error {
  constructor(errorType, errorMessage, trace) {
    super(errorMessage);
    this.payload = { errorType, errorMessage, stackTrace: trace };
  }
}

function runtimeError(name, message) {
  const error = new Error(message);
  error.name = name;
  error.stack = '';
  return error;
}

// The trace as the Node.js runtime gives it: `Type: message` and the handler's frames, V8-style.
function toHandlerError(error, kind) {
  let errorType;
  let errorMessage;
  let trace;
  if (error instanceof Error) {
    errorType = error.name || 'Error';
    errorMessage = String(error.message ?? '');
    trace = nodeStack(error);
  } else {
    // As the runtime's `toRapidResponse`: the value's type and `toString()`.
    errorType = typeof error;
    errorMessage = String(error);
    trace = [];
  }
  const stack = JSON.stringify({ errorType, errorMessage, stack: trace });
  logLine('ERROR', [`${kind} \t${stack}`]);
  return new HandlerError(errorType, errorMessage, trace);
}

function missingModule(name) {
  const error = new Error(`Cannot find module '${name}'\nRequire stack:\n- ${FILE}`);
  error.code = 'MODULE_NOT_FOUND';
  throw error;
}

let handler;
// Whether the handler went through `awslambda.streamifyResponse`.
let streaming = false;

export function init() {
  installGlobals();
  const module = { exports: {} };
  try {
    const body = new Function('exports', 'require', 'module', '__filename', '__dirname', `${CODE}\n//# sourceURL=${FILE}`);
    body.call(module.exports, module.exports, missingModule, module, FILE, FILE.slice(0, FILE.lastIndexOf('/')));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw toHandlerError(runtimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`), 'Uncaught Exception');
    }
    if (error && error.code === 'MODULE_NOT_FOUND') {
      throw toHandlerError(runtimeError('Runtime.ImportModuleError', `Error: ${error.message}`), 'Uncaught Exception');
    }
    throw toHandlerError(error, 'Uncaught Exception');
  }
  let found = module.exports;
  for (const key of EXPORT_PATH.split('.')) {
    found = found == null ? undefined : found[key];
  }
  if (found === undefined || found === null) {
    throw toHandlerError(runtimeError('Runtime.HandlerNotFound', `${HANDLER} is undefined or not exported`), 'Uncaught Exception');
  }
  if (typeof found !== 'function') {
    throw toHandlerError(runtimeError('Runtime.HandlerNotFound', `${HANDLER} is not a function`), 'Uncaught Exception');
  }
  try {
    streaming = isStreaming(found);
  } catch (error) {
    throw toHandlerError(error, 'Uncaught Exception');
  }
  handler = found;
}

function lambdaContext(ctx) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: ctx.requestId,
    invokedFunctionArn: ctx.invokedFunctionArn,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: ctx.identity ? JSON.parse(ctx.identity) : undefined,
    clientContext: ctx.clientContext ? JSON.parse(ctx.clientContext) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, Number(ctx.deadlineMs) - Date.now()),
  };
}

// Runs the handler: an async handler's promise, or a callback-style handler's callback (or, if
// it never calls it, `null` once its timers have all run, as the runtime's empty event loop).
// A callback's answer waits for the handler's timers too, unless it set
// `context.callbackWaitsForEmptyEventLoop = false` (the runtime's CallbackContext).
function call(event, context) {
  let answered = false;
  return new Promise((resolve, reject) => {
    const settle = (err, value) => (err != null ? reject(err) : resolve(value));
    const callback = (err, value) => {
      if (answered) return;
      answered = true;
      if (context.callbackWaitsForEmptyEventLoop) whenIdle(() => settle(err, value));
      else settle(err, value);
    };
    context.done = callback;
    context.succeed = (value) => callback(null, value);
    context.fail = (err) => callback(err ?? 'handled');
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') {
      const first = (err, value) => {
        if (answered) return;
        answered = true;
        settle(err, value);
      };
      returned.then((value) => first(null, value), (error) => first(error ?? new Error('undefined')));
    } else {
      // Neither a promise nor (yet) a callback: `null` when the event loop is empty.
      whenIdle(() => callback(null, null));
    }
  });
}

export async function handle(payload, ctx) {
  requestId = ctx.requestId;
  if (ctx.xrayTraceId) process.env._X_AMZN_TRACE_ID = ctx.xrayTraceId;
  else delete process.env._X_AMZN_TRACE_ID;
  let event;
  try {
    event = JSON.parse(new TextDecoder().decode(payload));
  } catch (error) {
    throw toHandlerError(runtimeError('Runtime.UnmarshalError', `Unable to parse input as json: ${error.message}`), 'Invoke Error');
  }
  if (streaming) {
    try {
      await callStreaming(handler, event, lambdaContext(ctx), { warn: (message) => logLine('WARN', [message]), whenIdle });
    } catch (error) {
      throw toHandlerError(error, 'Invoke Error');
    }
    // What the handler wrote is the response.
    return new Uint8Array(0);
  }
  let result;
  try {
    result = await call(event, lambdaContext(ctx));
  } catch (error) {
    throw toHandlerError(error, 'Invoke Error');
  }
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    throw toHandlerError(runtimeError('Runtime.MarshalError', `Unable to stringify response body: ${error.message}`), 'Invoke Error');
  }
  return new TextEncoder().encode(text);
}
