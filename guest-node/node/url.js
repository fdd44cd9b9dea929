// `url`: the WHATWG classes and the file URL helpers.
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;
export const fileURLToPath = (url) => decodeURIComponent(new URL(String(url)).pathname);
export const pathToFileURL = (path) => new URL(`file://${encodeURI(path)}`);
export default { URL, URLSearchParams, fileURLToPath, pathToFileURL };
