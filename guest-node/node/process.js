// `process` as far as Lambda handlers touch it: `env` (filled at Init from the environment's
// variables), `version`, `platform`, `nextTick`, `hrtime`, `memoryUsage`, `stdout`/`stderr`.
const process = {
  env: {},
  argv: ['/var/lang/bin/node', '/var/runtime/index.mjs'],
  argv0: 'node',
  execArgv: [],
  version: 'v22.11.0',
  versions: { node: '22.11.0' },
  release: { name: 'node' },
  platform: 'linux',
  arch: 'x64',
  pid: 8,
  ppid: 1,
  title: 'node',
  exitCode: undefined,
  cwd: () => '/var/task',
  chdir: () => {},
  umask: () => 0o022,
  uptime: () => performance.now() / 1000,
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  hrtime: Object.assign(
    (previous) => {
      const ns = BigInt(Math.round(performance.now() * 1e6));
      const now = [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
      if (!previous) return now;
      let s = now[0] - previous[0];
      let n = now[1] - previous[1];
      if (n < 0) { s -= 1; n += 1e9; }
      return [s, n];
    },
    { bigint: () => BigInt(Math.round(performance.now() * 1e6)) },
  ),
  memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
  cpuUsage: () => ({ user: Math.round(performance.now() * 1000), system: 0 }),
  emitWarning: (warning) => console.warn(String(warning && warning.message ? warning.message : warning)),
  on() { return process; },
  once() { return process; },
  off() { return process; },
  addListener() { return process; },
  removeListener() { return process; },
  removeAllListeners() { return process; },
  listeners: () => [],
  emit: () => false,
  // Replaced at Init by the adapter, which ends the environment as Lambda does.
  exit(code) {
    throw new Error(`process.exit(${code ?? ''}) before Init`);
  },
  stdout: { write: (text) => { globalThis.__lambdaSimWrite(String(text)); return true; }, isTTY: false },
  stderr: { write: (text) => { globalThis.__lambdaSimWrite(String(text)); return true; }, isTTY: false },
};

export default process;
