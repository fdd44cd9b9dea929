// `timers`: the engine's timers, and `setImmediate` as a zero-delay timeout.
export const setTimeout = (...args) => globalThis.setTimeout(...args);
export const clearTimeout = (id) => globalThis.clearTimeout(id);
export const setInterval = (...args) => globalThis.setInterval(...args);
export const clearInterval = (id) => globalThis.clearInterval(id);
export const setImmediate = (...args) => globalThis.setImmediate(...args);
export const clearImmediate = (id) => globalThis.clearImmediate(id);
import promises from './timers-promises.js';

export { promises };
export default { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises };
