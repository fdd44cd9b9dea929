// Lambda response streaming for Node.js handlers, as Lambda's Node.js runtime offers it:
// the `awslambda` global's `streamifyResponse(handler)` and `HttpResponseStream.from`, and the
// `responseStream` a streaming handler `(event, responseStream, context)` writes to, a Writable
// (the `stream` module's, so `stream.pipeline` takes it) whose chunks go to the handler
// world's `response-stream` import as they are written.
//
// As the runtime does: a chunk that is not a string, Buffer or Uint8Array is written as its
// JSON; `setContentType` after the first write throws `Runtime.InvalidStreamingOperation`;
// `HttpResponseStream.from` sets the content type
// `application/vnd.awslambda.http-integration-response` and writes the JSON prelude and eight
// null bytes before the first chunk; the invocation ends when the handler's promise has
// resolved and the stream has finished; a handler that is not async fails, and its return
// value is ignored (with a warning).

import { Writable } from 'stream';
import { setContentType as hostSetContentType, write as hostWrite } from 'lambda-sim:handler/response-stream@0.1.0';

// How the runtime marks a streaming handler (`UserFunction.js`).
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LEN = 8;

function invalidStreamingOperation(message) {
  const error = new Error(message);
  error.name = 'Runtime.InvalidStreamingOperation';
  return error;
}

// The host's refusal of a write (`result<_, string>`: the bindings throw its payload).
function writeError(thrown) {
  const reason = typeof thrown?.payload === 'string' ? thrown.payload : String(thrown?.message ?? thrown);
  const error = new Error(reason);
  error.name = 'Runtime.StreamError';
  return error;
}

// The response stream of one invocation.
class ResponseStream extends Writable {
  constructor(options) {
    super({ highWaterMark: options?.highWaterMark, decodeStrings: true });
    this._lambdaSimWritten = false;
    // The host's refusal of a write: the invocation's error, whatever the handler does next.
    this._lambdaSimError = undefined;
    // Set by `HttpResponseStream.from`: writes the prelude before the first chunk.
    this._onBeforeFirstWrite = undefined;
  }

  setContentType(contentType) {
    if (this._lambdaSimWritten) throw invalidStreamingOperation('Cannot set content-type, too late.');
    hostSetContentType(String(contentType));
  }

  write(chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      chunk = JSON.stringify(chunk);
    }
    if (!this._lambdaSimWritten && typeof this._onBeforeFirstWrite === 'function') {
      const hook = this._onBeforeFirstWrite;
      this._onBeforeFirstWrite = undefined;
      hook((head) => Writable.prototype.write.call(this, head));
    }
    this._lambdaSimWritten = true;
    return super.write(chunk, encoding, callback);
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') return super.end(chunk);
    if (chunk !== undefined && chunk !== null) {
      this.write(chunk, typeof encoding === 'function' ? undefined : encoding);
    }
    return super.end(typeof encoding === 'function' ? encoding : callback);
  }

  _write(chunk, _encoding, callback) {
    try {
      if (chunk.length !== 0) hostWrite(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    } catch (thrown) {
      this._lambdaSimError ??= writeError(thrown);
      callback(this._lambdaSimError);
      return;
    }
    callback();
  }
}

class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    // JSON.stringify: a null byte cannot be in the prelude.
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(DELIMITER_LEN));
    };
    return underlyingStream;
  }
}

// The `awslambda` global of Lambda's Node.js runtime.
export const awslambda = {
  streamifyResponse(handler, options) {
    handler[HANDLER_STREAMING] = STREAM_RESPONSE;
    if (typeof options?.highWaterMark === 'number') {
      handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark, 10);
    }
    return handler;
  },
  HttpResponseStream,
};

// Whether `handler` went through `streamifyResponse`.
export function isStreaming(handler) {
  const mark = handler[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark !== STREAM_RESPONSE) throw invalidStreamingOperation('Only response streaming is supported.');
  return true;
}

// Runs a streaming handler: resolves when its promise has resolved and the stream has
// finished, rejects with the error it threw or the stream's. `whenIdle(then)` runs `then` once
// no timer of the handler is pending: a stream still open then can never finish, and fails as
// the runtime's check does (`Response stream is not finished.`).
export function callStreaming(handler, event, context, { warn, whenIdle }) {
  const highWaterMark = Number.isInteger(handler[HANDLER_HIGHWATERMARK]) ? handler[HANDLER_HIGHWATERMARK] : undefined;
  const responseStream = new ResponseStream({ highWaterMark });
  const finished = new Promise((resolve, reject) => {
    responseStream.on('finish', resolve);
    responseStream.on('error', reject);
  });
  // Seen once the handler's promise settles; until then an error is the handler's to handle.
  finished.catch(() => {});
  const result = handler(event, responseStream, context);
  if (!result || typeof result.then !== 'function') {
    responseStream.destroy();
    return Promise.reject('Streaming does not support non-async handlers.');
  }
  return Promise.resolve(result).then((value) => {
    if (value !== undefined) warn('Streaming handlers ignore return values.');
    if (responseStream._lambdaSimError) throw responseStream._lambdaSimError;
    if (responseStream._writableState.finished) return undefined;
    return new Promise((resolve, reject) => {
      finished.then(resolve, reject);
      whenIdle(() => reject('Response stream is not finished.'));
    });
  }).finally(() => {
    if (!responseStream.destroyed) responseStream.destroy();
  });
}
