// `process` required or imported as a module: the global the adapter filled at Init (a
// CommonJS module, so that `import { env } from 'node:process'` reads its properties).
module.exports = globalThis.process;
