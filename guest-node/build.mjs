// `lambda-sim build --node`: bundles a Node.js handler with what it imports from
// `node_modules` (esbuild), checks that it needs nothing the sandbox lacks, and componentizes
// the adapter with the bundle inside (ComponentizeJS). lambda-sim runs it as
//
//   node build.mjs --dir DIR --handler index.handler --file DIR/index.mjs --export handler \
//     --wit WIT_DIR --out OUT.wasm [--runtime nodejs22.x]
//
// lambda-sim reads the handler setting (`src/app.handler`: the module `src/app`, a .js, .mjs or
// .cjs file, and the export path `handler`, split at the first dot after the last slash) and
// passes the file and the export path found.
//
// The component carries a `lambda-sim:runtime` custom section naming the Lambda runtime, so that
// lambda-sim words its errors as the Node.js runtime does.
//
// It prints one JSON line, `{"cached": bool, "file": "index.mjs"}`; a build error is printed
// on stderr (esbuild's messages name the file and line) with exit status 1. The component is
// rebuilt only when the bundle, the adapter or the WIT changed (`OUT.key` holds the last key).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

import { checkpoints } from './node/source-map.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const COMPONENTIZE_JS = JSON.parse(readFileSync(join(HERE, 'node_modules', '@bytecodealliance', 'componentize-js', 'package.json'), 'utf8')).version;

// The Node.js modules the handler may import, and the file that provides each.
const PROVIDED = {
  buffer: join(HERE, 'node', 'buffer.js'),
  crypto: join(HERE, 'node', 'crypto.js'),
  events: require.resolve('events/'),
  path: require.resolve('path-browserify'),
  process: join(HERE, 'node', 'process-module.js'),
  stream: require.resolve('stream-browserify'),
  string_decoder: require.resolve('string_decoder/'),
  timers: join(HERE, 'node', 'timers.js'),
  'timers/promises': join(HERE, 'node', 'timers-promises.js'),
  url: join(HERE, 'node', 'url.js'),
  util: join(HERE, 'node', 'util.js'),
};
const BUILTINS = new Set(builtinModules);

// What the AWS SDK v3's Node.js code (its packages under `@aws-sdk/`, `@smithy/`, `@aws/`,
// `@aws-crypto/`) imports beyond PROVIDED, given to it alone: `os`, a file system without the
// SDK's config files, and the modules it needs only for what it does not do here.
const SDK_PROVIDED = {
  os: join(HERE, 'node', 'sdk-os.js'),
  fs: join(HERE, 'node', 'sdk-fs.js'),
  'fs/promises': join(HERE, 'node', 'sdk-fs-promises.js'),
  ...Object.fromEntries(['async_hooks', 'child_process', 'http', 'http2', 'https', 'zlib'].map((name) => [name, join(HERE, 'node', 'sdk-absent.js')])),
};
const SDK_PACKAGE = /[\\/]node_modules[\\/]@(aws-sdk|smithy|aws|aws-crypto)[\\/]/;

// The SDK's HTTP handler for Node.js (`node:http`, `node:https`, `node:http2`) becomes its
// handler for `fetch`, which the engine implements over wasi:http: `@smithy/node-http-handler`
// is a module that gives `@smithy/fetch-http-handler`'s classes its names, and the SDK's own
// code (which accepts web streams as bodies) is otherwise its Node.js code.
const SDK_NAMESPACE = 'lambda-sim-sdk';

class BuildError extends Error {}

function leb128(value) {
  const bytes = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

// A custom section appended to the component's top level.
function customSection(name, data) {
  const payload = Buffer.concat([Buffer.from(leb128(Buffer.byteLength(name))), Buffer.from(name), Buffer.from(data)]);
  return Buffer.concat([Buffer.from([0, ...leb128(payload.length)]), payload]);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new BuildError(`usage: build.mjs --dir DIR --handler FILE.EXPORT --file FILE --export EXPORT --wit DIR --out FILE`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of ['dir', 'handler', 'file', 'export', 'wit', 'out']) {
    // (--runtime is optional.)
    if (!args[name]) throw new BuildError(`missing --${name}`);
  }
  return args;
}

const nodeModules = {
  name: 'lambda-sim-node-modules',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z0-9_]+(\/[a-z0-9_]+)?$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!args.path.startsWith('node:') && !BUILTINS.has(name) && !PROVIDED[name]) return undefined;
      if (PROVIDED[name]) return { path: PROVIDED[name] };
      if (SDK_PROVIDED[name] && SDK_PACKAGE.test(args.importer)) return { path: SDK_PROVIDED[name] };
      if (args.importer.startsWith(HERE + sep)) return { path: join(HERE, 'node', 'unavailable.js') };
      return {
        errors: [{
          text: `the Node.js module \`${args.path}\` is not provided by lambda-sim's Node.js runtime (it provides ${Object.keys(PROVIDED).join(', ')})`,
        }],
      };
    });
    // Lambda's Node.js runtimes carry the AWS SDK v3; lambda-sim does not.
    build.onResolve({ filter: /^@aws-sdk\// }, async (args) => {
      if (args.pluginData === 'lambda-sim-sdk') return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'lambda-sim-sdk' });
      if (found.errors.length === 0) return found;
      return {
        errors: [{
          text: `\`${args.path}\` is not in node_modules: Lambda's Node.js runtime provides the AWS SDK v3, lambda-sim does not (add it to package.json: npm install ${args.path.split('/').slice(0, 2).join('/')})`,
        }],
      };
    });
    build.onResolve({ filter: /^@smithy\/node-http-handler$/ }, async (args) => {
      const found = await build.resolve('@smithy/fetch-http-handler', { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer });
      if (found.errors.length !== 0) {
        return {
          errors: [{
            text: `\`@smithy/node-http-handler\` is replaced by \`@smithy/fetch-http-handler\` in lambda-sim (the sandbox's HTTP is \`fetch\`), which is not in node_modules (npm install @smithy/fetch-http-handler)`,
          }],
        };
      }
      return { path: found.path, namespace: SDK_NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: SDK_NAMESPACE }, (args) => ({
      contents: [
        `export { FetchHttpHandler as NodeHttpHandler, FetchHttpHandler as NodeHttp2Handler, streamCollector } from ${JSON.stringify(args.path)};`,
        'export const DEFAULT_REQUEST_TIMEOUT = 0;',
      ].join('\n'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
    build.onResolve({ filter: /\.node$/ }, (args) => ({
      errors: [{ text: `\`${args.path}\` is a native addon (a .node file): native code cannot run in the sandbox` }],
    }));
  },
};

// What the bundle holds must be deployable: a file outside the directory (a parent's
// node_modules, `../shared.js`) would be missing on Lambda, which deploys the directory only;
// a package with a `binding.gyp` builds native code at install. Both are refused by name.
function checkInputs(metafile, dir) {
  const checked = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    if (input.startsWith(`${SDK_NAMESPACE}:`)) continue;
    const path = resolve(dir, input);
    if (!path.startsWith(dir + sep) && !path.startsWith(HERE + sep)) {
      throw new BuildError(`the handler imports \`${input}\`, outside its directory ${dir}: Lambda deploys only the directory (CodeUri), so it would be missing there`);
    }
    const parts = path.split(sep);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const length = parts[at + 1]?.startsWith('@') ? at + 3 : at + 2;
    const root = parts.slice(0, length).join(sep);
    if (checked.has(root)) continue;
    checked.add(root);
    if (existsSync(join(root, 'binding.gyp'))) {
      throw new BuildError(`the package \`${parts.slice(at + 1, length).join('/')}\` (${root}) has native code (binding.gyp): native addons cannot run in the sandbox`);
    }
  }
}

async function bundle(options, what) {
  try {
    return await esbuild.build({ bundle: true, write: false, metafile: true, logLevel: 'silent', target: 'es2022', ...options });
  } catch (error) {
    if (!error.errors) throw error;
    const text = await esbuild.formatMessages(error.errors, { kind: 'error', color: false });
    throw new BuildError(`${what} failed to bundle:\n${text.join('').trimEnd()}`);
  }
}

// A file as a stack trace names it on Lambda: `file:///var/task/x.mjs` for an ES module,
// `/var/task/x.js` otherwise (a polyfill of ours: `node:internal/lambda-sim/x.js`).
function taskUrl(dir, path) {
  if (path.includes(`${SDK_NAMESPACE}:`)) return 'node:internal/lambda-sim/node-http-handler.js';
  const inside = relative(dir, path).split(sep).join('/');
  if (inside.startsWith('../')) return `node:internal/lambda-sim/${inside.split('/').pop()}`;
  return path.endsWith('.mjs') ? `file:///var/task/${inside}` : `/var/task/${inside}`;
}

// The handler's file and its imports as one CommonJS text, run by the adapter at Init, with
// the source map's sources, mappings and checkpoints (for stack traces with the files' own
// lines: see node/source-map.js).
async function bundleHandler(dir, file) {
  const url = taskUrl(dir, file);
  const result = await bundle({
    entryPoints: [file],
    absWorkingDir: dir,
    outfile: join(dir, '.lambda-sim-bundle.js'),
    platform: 'node',
    format: 'cjs',
    sourcemap: 'external',
    sourcesContent: false,
    // `import(x)` becomes a `require` that throws a catchable error (the engine cannot load
    // a module at run time: a real `import()` would trap).
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': JSON.stringify(`file://${url.replace(/^file:\/\//, '')}`) },
    plugins: [nodeModules],
  }, relative(dir, file));
  checkInputs(result.metafile, dir);
  const code = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map')).text);
  const sources = map.sources.map((source) => taskUrl(dir, resolve(dir, source)));
  return { code, url, map: { sources, mappings: map.mappings, checkpoints: checkpoints(map.mappings) } };
}

// The adapter with the handler's bundle inside: the module ComponentizeJS snapshots.
async function bundleAdapter({ handler, exportPath, runtime }, { code, url, map }) {
  const result = await bundle({
    entryPoints: [join(HERE, 'adapter.js')],
    platform: 'neutral',
    mainFields: ['module', 'main'],
    format: 'esm',
    // The stream module's code looks for `global`, which the engine does not define.
    define: { global: 'globalThis' },
    external: ['wasi:*', 'lambda-sim:handler/*'],
    plugins: [{
      name: 'lambda-sim-handler-code',
      setup(build) {
        build.onResolve({ filter: /^lambda-sim:handler-code$/ }, () => ({ path: 'handler-code', namespace: 'lambda-sim' }));
        build.onLoad({ filter: /.*/, namespace: 'lambda-sim' }, () => ({
          contents: [
            `export const CODE = ${JSON.stringify(code)};`,
            `export const FILE = ${JSON.stringify(url)};`,
            `export const HANDLER = ${JSON.stringify(handler)};`,
            `export const EXPORT_PATH = ${JSON.stringify(exportPath)};`,
            `export const RUNTIME = ${JSON.stringify(runtime)};`,
            `export const SOURCE_MAP = ${JSON.stringify(map)};`,
          ].join('\n'),
          loader: 'js',
        }));
        build.onResolve({ filter: /^buffer$/ }, () => ({ path: require.resolve('buffer/') }));
        // The response stream (streaming.js) is a Writable of the `stream` module the handler
        // gets, and `util` is what that module's dependencies import.
        build.onResolve({ filter: /^(stream|util)$/ }, (args) => ({ path: PROVIDED[args.path] }));
      },
    }],
  }, 'the adapter');
  return result.outputFiles[0].text;
}

function witFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...witFiles(path));
    else files.push([relative(dir, path), readFileSync(path, 'utf8')]);
  }
  return files;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = resolve(args.dir);
  const file = resolve(args.file);
  const exportPath = args.export;
  const runtime = args.runtime ?? 'nodejs22.x';
  if (!/^nodejs\d+\.x$/.test(runtime)) throw new BuildError(`the runtime \`${runtime}\` is not a Node.js runtime (nodejs20.x, nodejs22.x, ...)`);
  const source = await bundleAdapter({ handler: args.handler, exportPath, runtime }, await bundleHandler(dir, file));
  // ComponentizeJS's features turned off: `fetch-event` (an exported wasi:http handler). `http`
  // stays on: the engine's `fetch`, over the world's wasi:http/outgoing-handler.
  const disabledFeatures = ['fetch-event'];
  // This script is in the key too: how it componentizes (options, the custom section) counts.
  const script = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const key = createHash('sha256')
    .update(JSON.stringify({ componentizeJs: COMPONENTIZE_JS, disabledFeatures, runtime, script, wit: witFiles(args.wit), source }))
    .digest('hex');
  const out = resolve(args.out);
  const keyFile = `${out}.key`;
  const answer = { cached: false, file: relative(dir, file) };
  if (existsSync(out) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) {
    answer.cached = true;
  } else {
    mkdirSync(dirname(out), { recursive: true });
    rmSync(keyFile, { force: true });
    const work = mkdtempSync(join(tmpdir(), 'lambda-sim-node-'));
    try {
      const entry = join(work, 'lambda-sim-adapter.js');
      writeFileSync(entry, source);
      const { componentize } = await import('@bytecodealliance/componentize-js');
      const { component } = await componentize({
        sourcePath: entry,
        witPath: args.wit,
        worldName: 'function-node',
        disableFeatures: disabledFeatures,
      });
      writeFileSync(out, Buffer.concat([component, customSection('lambda-sim:runtime', runtime)]));
      writeFileSync(keyFile, key);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof BuildError ? error.message : error.stack ?? error}\n`);
    process.exit(1);
  },
);
