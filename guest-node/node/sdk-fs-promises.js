// `fs/promises` for the AWS SDK v3's Node.js code: see sdk-fs.js.
import { promises } from './sdk-fs.js';

export const { readFile, stat, lstat, access, readdir, open } = promises;
export default promises;
