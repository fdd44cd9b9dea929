// `os` for the AWS SDK v3's Node.js code (its user agent names the platform and release; its
// config loader falls back to the home directory): Lambda's Linux, as `os` answers there.
export const EOL = '\n';
export const platform = () => 'linux';
export const type = () => 'Linux';
export const release = () => '5.10.0';
export const arch = () => 'x64';
export const homedir = () => '/home/sbx_user1051';
export const tmpdir = () => '/tmp';
export const hostname = () => 'localhost';
export const endianness = () => 'LE';
export default { EOL, platform, type, release, arch, homedir, tmpdir, hostname, endianness };
