// Maps a position in the handler's bundle back to its own file, line and column, from the
// bundle's source map (decoded on the first error, line by line, as Lambda's traces read with
// the files deployed unbundled).

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Each generated line's segments: [generated column, source, line, column], all 0-based.
function decode(mappings) {
  const lines = [];
  let source = 0;
  let line = 0;
  let column = 0;
  for (const text of mappings.split(';')) {
    const segments = [];
    let generated = 0;
    for (const segment of text.split(',')) {
      if (segment === '') continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      generated += fields[0];
      if (fields.length >= 4) {
        source += fields[1];
        line += fields[2];
        column += fields[3];
        segments.push([generated, source, line, column]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/// `sources` and `mappings` of a source map, and how many lines precede the bundle's first
/// (the function wrapper the engine adds around it).
export function sourceMapper({ sources, mappings }, offset) {
  let lines;
  return (line, column) => {
    lines ??= decode(mappings);
    const segments = lines[line - 1 - offset];
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
