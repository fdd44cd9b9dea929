// Maps a position in the handler's bundle back to its own file, line and column, from the
// bundle's source map, as Lambda's traces read with the files deployed unbundled. The engine
// has no JIT: decoding a large bundle's whole map (the AWS SDK's is 800 KB) would take seconds
// at the first error, so build.mjs records where every CHECKPOINT_EVERY-th line starts
// (`checkpoints`), and a frame decodes only the lines from the checkpoint before it.

export const CHECKPOINT_EVERY = 16;

const DIGITS = new Int8Array(128).fill(-1);
for (const [i, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
  DIGITS[char.charCodeAt(0)] = i;
}

// Decodes one generated line of `mappings` (from `start` to the next `;`), advancing `state`
// ([source, line, column], carried from line to line); returns its segments, each
// [generated column, source, line, column] (all 0-based), and where the next line starts.
function decodeLine(mappings, start, state) {
  const segments = [];
  let generated = 0;
  let at = start;
  const fields = [];
  let value = 0;
  let shift = 0;
  const flush = () => {
    if (fields.length === 0) return;
    generated += fields[0];
    if (fields.length >= 4) {
      state[0] += fields[1];
      state[1] += fields[2];
      state[2] += fields[3];
      segments.push([generated, state[0], state[1], state[2]]);
    }
    fields.length = 0;
  };
  for (; at < mappings.length; at += 1) {
    const code = mappings.charCodeAt(at);
    if (code === 59 /* ; */) break;
    if (code === 44 /* , */) {
      flush();
      continue;
    }
    const digit = DIGITS[code] ?? -1;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  flush();
  return { segments, next: at + 1 };
}

// Where every CHECKPOINT_EVERY-th generated line starts in `mappings`, with the state
// carried into it: [offset, source, line, column] (run by build.mjs, on Node).
export function checkpoints(mappings) {
  const found = [];
  const state = [0, 0, 0];
  let at = 0;
  for (let line = 0; at <= mappings.length; line += 1) {
    if (line % CHECKPOINT_EVERY === 0) found.push([at, ...state]);
    at = decodeLine(mappings, at, state).next;
  }
  return found;
}

/// `sources`, `mappings` and `checkpoints` of a source map, and how many lines precede the
/// bundle's first (the function wrapper the engine adds around it).
export function sourceMapper({ sources, mappings, checkpoints: marks }, offset) {
  const decoded = new Map();
  const segmentsOf = (line) => {
    if (line < 0) return undefined;
    if (decoded.has(line)) return decoded.get(line);
    const mark = marks[Math.floor(line / CHECKPOINT_EVERY)];
    if (!mark) return undefined;
    const state = mark.slice(1);
    let at = mark[0];
    let segments;
    for (let l = line - (line % CHECKPOINT_EVERY); l <= line; l += 1) {
      if (at > mappings.length) return undefined;
      ({ segments, next: at } = decodeLine(mappings, at, state));
    }
    decoded.set(line, segments);
    return segments;
  };
  return (line, column) => {
    const segments = segmentsOf(line - 1 - offset);
    if (!segments) return undefined;
    let found;
    for (const segment of segments) {
      if (segment[0] > column - 1) break;
      found = segment;
    }
    found ??= segments[0];
    if (!found) return undefined;
    return `${sources[found[1]]}:${found[2] + 1}:${found[3] + 1}`;
  };
}
