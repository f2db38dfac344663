// @ts-check
// A chaincode process started ahead of need, as the chaincode uid with the
// chaincode's limits (the agent spawns it exactly as it spawns the chaincode;
// see chaincodeStandby.mjs). Loading fabric-shim's gRPC and protobuf code is
// most of a chaincode's start, and it is the same for every chaincode, so it
// is done here before the user saves. Then the process blocks on stdin until
// the agent sends one line of JSON (the go), and from there on it is what
// `node fabric-shim/cli.js start …` would be: the inspector opened (and
// waiting for the debugger when asked), the shim's CLI run with the chaincode's
// arguments in the chaincode's directory. No user code runs before the go.
import fs from 'node:fs';
import inspector from 'node:inspector';
import { createRequire } from 'node:module';
import path from 'node:path';
import { useCodeCache } from './codeCache.mjs';
import { prepareDebugger, preloadRuntime } from './standbyPreload.mjs';

const require = createRequire(import.meta.url);

const [runtime, chaincodeDir, codeCacheFile, ...shimArgs] = process.argv.slice(2);
if (!runtime || !chaincodeDir || !codeCacheFile) {
  throw new Error('usage: standbyProcess.mjs <fabric runtime node_modules> <chaincode dir> <runtime code cache file> <cli.js arguments…>');
}
const shimDir = path.join(runtime, 'fabric-shim');
const cli = path.join(shimDir, 'cli.js');
// fabric-shim reads its arguments (yargs) and working directory (the module path) as it loads, so
// it loads seeing what it would see started as the CLI: the chaincode's ID comes with the go, in
// CORE_CHAINCODE_ID_NAME, as the peer gives it to the chaincodes it launches. The chaincode's
// directory may not exist yet (it is replaced whole on each build): only its path is shown.
process.argv = [process.argv[0] ?? process.execPath, cli, ...shimArgs];
const realCwd = process.cwd;
/** @type {string | undefined} */
let shownCwd = chaincodeDir;
process.cwd = () => shownCwd ?? realCwd.call(process);
const codeCache = useCodeCache(runtime, codeCacheFile);
try {
  preloadRuntime(require, runtime);
} finally {
  // From here on (the chaincode's own code among it) everything compiles as Node compiles it.
  codeCache.done();
}
prepareDebugger();

/**
 * One line from stdin, blocking: nothing else may run before the go.
 * @returns {string} the line, or '' when stdin closed first (the agent let the standby go)
 */
function readLine() {
  const chunks = [];
  const buffer = Buffer.alloc(4096);
  for (;;) {
    let read;
    try {
      read = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      continue;
    }
    if (read === 0) return '';
    chunks.push(Buffer.from(buffer.subarray(0, read)));
    const text = Buffer.concat(chunks).toString('utf8');
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end);
  }
}

const line = readLine();
if (line === '') process.exit(0);
/** @type {{ env: Record<string, string>, inspector: { host: string, port: number, wait: boolean } | null }} */
const go = JSON.parse(line);
Object.assign(process.env, go.env);
process.chdir(chaincodeDir);
shownCwd = undefined;
process.cwd = realCwd;
if (go.inspector) {
  inspector.open(go.inspector.port, go.inspector.host, false);
  if (go.inspector.wait) inspector.waitForDebugger();
}
// What ps and /proc/<pid>/cmdline show (cut to the length of the standby's own command line).
process.title = process.argv.join(' ');
require(cli);
