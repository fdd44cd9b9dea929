// `fs` and `fs/promises` for the AWS SDK v3's Node.js code, as the SDK finds the file system on
// Lambda: none of the files it looks for is there (`~/.aws/config`, `~/.aws/credentials`, SSO
// token caches, a web identity token), so each read fails with `ENOENT`, which the SDK takes
// for "not configured" and moves on. Handlers themselves are not given `fs` (build.mjs refuses
// it by name).
function missing(syscall, path) {
  const error = new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`);
  error.code = 'ENOENT';
  error.errno = -2;
  error.syscall = syscall;
  error.path = String(path);
  return error;
}

const failing = (syscall) => async (path) => { throw missing(syscall, path); };

export const promises = {
  readFile: failing('open'),
  stat: failing('stat'),
  lstat: failing('lstat'),
  access: failing('access'),
  readdir: failing('scandir'),
  open: failing('open'),
};

const throwing = (syscall) => (path) => { throw missing(syscall, path); };

// The callback forms answer on a later task, as Node does.
const calling = (syscall) => (path, ...rest) => {
  const callback = rest.pop();
  if (typeof callback === 'function') setTimeout(() => callback(missing(syscall, path)), 0);
};

export const readFileSync = throwing('open');
export const statSync = throwing('stat');
export const lstatSync = throwing('lstat');
export const fstatSync = (fd) => { throw missing('fstat', fd); };
export const readdirSync = throwing('scandir');
export const existsSync = () => false;
export const createReadStream = throwing('open');
// No file can be opened, so no stream of one exists (the SDK checks bodies with `instanceof`).
export class ReadStream {}
export const readFile = calling('open');
export const stat = calling('stat');
export const lstat = calling('lstat');
export default { promises, readFileSync, statSync, lstatSync, fstatSync, readdirSync, existsSync, createReadStream, ReadStream, readFile, stat, lstat };
