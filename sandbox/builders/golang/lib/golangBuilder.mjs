// @ts-check
// The offline external builder for `golang` packages (production mode), doing
// what Fabric's own golang platform does in its build container, but with
// the Go toolchain of the image and no network: a module package carrying its
// dependencies in vendor/ is compiled with `go build -mod=vendor` (Fabric's
// rule when vendor/ is there), the binary started with the peer's address and
// mutual-TLS identity from chaincode.json. A package without vendor/ would
// need the module proxy, which this sandbox cannot reach: refused with what
// to do. The build runs no code of the package (no cgo, no toolchain
// download, no VCS), as on the server (server/golang/goCommand.ts).
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGoModule } from './goModule.mjs';

const env = process.env;
/** The trimmed Go toolchain of the image (server/sandbox/image/goToolchain.ts). */
export const goRoot = env.STUDIO_GOROOT ?? '/opt/go';
/** Build cache and the go command's work folders: on the ledger disk (/tmp is a small tmpfs), kept so a later version rebuilds only what changed. */
export const goCacheRoot = env.STUDIO_GO_CACHE ?? '/var/sandbox/go';
/** The binary's name in the build output, as Fabric's golang platform names it. */
export const binaryName = 'chaincode';
const buildTimeoutMs = Number(env.STUDIO_GO_BUILD_TIMEOUT_MS ?? 280_000);
const outputMaxChars = 16_000;

/** A failure the peer shows the installer: the builder prints it and exits 1. */
export class BuildRefused extends Error {}

/**
 * Whether the package is Fabric's `golang` type.
 * @param {string} metadataDir CHAINCODE_METADATA_DIR
 */
export async function isGolangPackage(metadataDir) {
  const metadata = JSON.parse(await fs.readFile(path.join(metadataDir, 'metadata.json'), 'utf8'));
  return String(metadata.type).toLowerCase() === 'golang';
}

/**
 * The package to build, checked: the module's go.mod (its replacements inside the module), its
 * vendor/ folder, and metadata.json's path a package of that module.
 * @param {string} sourceDir CHAINCODE_SOURCE_DIR (the code tar: src/ and META-INF/)
 * @param {string} metadataDir CHAINCODE_METADATA_DIR
 * @returns {Promise<{ moduleDir: string, importPath: string }>}
 */
export async function checkPackage(sourceDir, metadataDir) {
  const moduleDir = path.join(sourceDir, 'src');
  const goMod = await fs.readFile(path.join(moduleDir, 'go.mod'), 'utf8').catch(() => {
    throw new BuildRefused('the golang package has no src/go.mod: only Go modules can be built here (GOPATH packages cannot)');
  });
  const mod = readGoModule(goMod);
  if (mod.problems.length > 0) throw new BuildRefused(`go.mod cannot be built: ${mod.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  if (!existsSync(path.join(moduleDir, 'vendor', 'modules.txt'))) {
    throw new BuildRefused(
      'this peer builds offline and the package carries no vendor/modules.txt: run `go mod vendor` before `peer lifecycle chaincode package` (Chaincode Studio exports golang packages vendored)',
    );
  }
  const metadata = JSON.parse(await fs.readFile(path.join(metadataDir, 'metadata.json'), 'utf8'));
  const importPath = String(metadata.path ?? '');
  if (importPath !== mod.modulePath && !importPath.startsWith(`${mod.modulePath}/`)) {
    throw new BuildRefused(`metadata.json's path ${JSON.stringify(importPath)} is not a package of the module ${mod.modulePath}`);
  }
  return { moduleDir, importPath };
}

/**
 * The go command's environment: nothing of the peer's, no network, the module's own dependencies only.
 * @param {string} workDir
 * @returns {Record<string, string>}
 */
export function goBuildEnv(workDir) {
  return {
    PATH: `${path.join(goRoot, 'bin')}:/usr/bin:/bin`,
    HOME: workDir,
    GOROOT: goRoot,
    GOENV: 'off',
    GOCACHE: path.join(goCacheRoot, 'build'),
    GOTMPDIR: workDir,
    GOPATH: path.join(workDir, 'gopath'),
    GOMODCACHE: path.join(workDir, 'gopath', 'mod'),
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=vendor -buildvcs=false',
    GOWORK: 'off',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOVCS: '*:off',
    GOTELEMETRY: 'off',
    // The sandbox's memory is shared with the peer and the orderer.
    GOMEMLIMIT: '384MiB',
  };
}

/**
 * Compiles the package into `<outputDir>/chaincode` and copies META-INF beside it.
 * @param {{ sourceDir: string, metadataDir: string, outputDir: string, onOutput?: (text: string) => void }} options
 */
export async function buildPackage({ sourceDir, metadataDir, outputDir, onOutput = (text) => process.stderr.write(text) }) {
  const { moduleDir, importPath } = await checkPackage(sourceDir, metadataDir);
  await fs.mkdir(path.join(goCacheRoot, 'build'), { recursive: true });
  const workDir = await fs.mkdtemp(path.join(goCacheRoot, 'work-'));
  try {
    const args = ['build', '-trimpath', '-o', path.join(outputDir, binaryName), importPath];
    const { code, output } = await runGo(args, { cwd: moduleDir, env: goBuildEnv(workDir), onOutput });
    if (code !== 0) throw new BuildRefused(`go build failed:\n${output.trim()}`);
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
  const metaInf = path.join(sourceDir, 'META-INF');
  if (existsSync(metaInf)) await fs.cp(metaInf, path.join(outputDir, 'META-INF'), { recursive: true });
}

/**
 * @param {string[]} args
 * @param {{ cwd: string, env: Record<string, string>, onOutput: (text: string) => void }} options
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function runGo(args, { cwd, env: goEnv, onOutput }) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(goRoot, 'bin', 'go'), args, { cwd, env: goEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    /** @param {Buffer} chunk */
    const collect = (chunk) => {
      output = (output + chunk).slice(-outputMaxChars);
      onOutput(chunk.toString());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new BuildRefused(`the Go toolchain could not start (${goRoot}): ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') reject(new BuildRefused(`go build ran past its ${buildTimeoutMs / 1000} s limit and was stopped`));
      else resolve({ code, output });
    });
  });
}

/**
 * Hands the peer the package's CouchDB indexes, if any.
 * @param {string} buildDir
 * @param {string} releaseDir
 */
export async function releasePackage(buildDir, releaseDir) {
  const statedb = path.join(buildDir, 'META-INF', 'statedb');
  if (existsSync(statedb)) await fs.cp(statedb, path.join(releaseDir, 'statedb'), { recursive: true });
}

/**
 * The chaincode process for chaincode.json (Fabric's run metadata): the binary with the peer's
 * address as its flag, and the environment Fabric's launcher gives a Go chaincode, TLS keys as
 * PEM files (the Go shim's CORE_TLS_CLIENT_*_FILE), all in a private folder on /tmp. The build
 * is copied there too: the peer keeps it on the ledger disk, which is mounted noexec.
 * @param {{ buildDir: string, info: { chaincode_id: string, peer_address: string, mspid: string, client_cert: string, client_key: string, root_cert: string }, runDir: string }} options
 * @returns {Promise<{ command: string, args: string[], env: Record<string, string> }>}
 */
export async function chaincodeCommand({ buildDir, info, runDir }) {
  /**
   * @param {string} name
   * @param {string} text
   */
  const write = async (name, text) => {
    const file = path.join(runDir, name);
    await fs.writeFile(file, text, { mode: 0o600 });
    return file;
  };
  const command = path.join(runDir, binaryName);
  await fs.copyFile(path.join(buildDir, binaryName), command);
  await fs.chmod(command, 0o700);
  return {
    command,
    args: ['-peer.address', info.peer_address],
    env: {
      PATH: '/usr/bin:/bin',
      HOME: runDir,
      CORE_CHAINCODE_ID_NAME: info.chaincode_id,
      CORE_PEER_ADDRESS: info.peer_address,
      CORE_PEER_LOCALMSPID: info.mspid,
      CORE_CHAINCODE_LOGGING_LEVEL: 'info',
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_ROOTCERT_FILE: await write('root.crt', info.root_cert),
      CORE_TLS_CLIENT_KEY_FILE: await write('client.key', info.client_key),
      CORE_TLS_CLIENT_CERT_FILE: await write('client.crt', info.client_cert),
      GOMEMLIMIT: env.STUDIO_GO_CHAINCODE_MEMLIMIT ?? '256MiB',
    },
  };
}

/** A private folder for the binary and TLS files of one chaincode process. */
export function makeRunDir() {
  return fs.mkdtemp(path.join(os.tmpdir(), 'cc-run-'));
}

/**
 * Starts the chaincode for the run metadata in `runMetadataDir` and mirrors its exit; the chaincode
 * runs, like the node builder's, as the peer's uid with no capabilities (the peer has none to give).
 * @param {string} buildDir
 * @param {string} runMetadataDir
 * @returns {Promise<number>} its exit code
 */
export async function runChaincode(buildDir, runMetadataDir) {
  const info = JSON.parse(await fs.readFile(path.join(runMetadataDir, 'chaincode.json'), 'utf8'));
  const runDir = await makeRunDir();
  try {
    const { command, args, env: childEnv } = await chaincodeCommand({ buildDir, info, runDir });
    const child = spawn(command, args, { cwd: runDir, env: childEnv, stdio: 'inherit' });
    /** @type {NodeJS.SignalsListener} */
    const forward = (signal) => {
      child.kill(signal);
    };
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    return await new Promise((resolve, reject) => {
      child.on('error', (err) => reject(new BuildRefused(`the chaincode binary could not start: ${err.message}`)));
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await fs.rm(runDir, { recursive: true, force: true });
  }
}

/**
 * One builder command as the peer calls it (bin/detect, build, release, run); exits the process.
 * @param {'detect' | 'build' | 'release' | 'run'} command
 * @param {string[]} args
 */
export async function main(command, args) {
  const [first = '', second = '', third = ''] = args;
  try {
    if (command === 'detect') process.exit((await isGolangPackage(second)) ? 0 : 1);
    if (command === 'build') await buildPackage({ sourceDir: first, metadataDir: second, outputDir: third });
    if (command === 'release') await releasePackage(first, second);
    if (command === 'run') process.exit(await runChaincode(first, second));
    process.exit(0);
  } catch (err) {
    // detect says "not mine" on anything it cannot read; the others tell the peer why they failed.
    if (command !== 'detect') console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
