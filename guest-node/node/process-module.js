// `process` imported as a module: the global the adapter filled at Init.
export default globalThis.process;
