/**
 * Builds the sandbox image locally, with no registry: a Debian root filesystem
 * from debootstrap, Fabric binaries built from the pinned Go module, a Node
 * runtime and the chaincode's Node modules, and our agent — imported with
 * `docker import`. The tag is a hash of every input, so the image is rebuilt
 * only when one of them changes. Each step is cached under the cache dir.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { fileURLToPath } from 'node:url';
import { cacheDir, chaincodeUid, delveVersion, fabricCommit, imageRepository, labelOwner, ownerValue, projectRoot, sandboxUid } from '../../config.ts';
import { ErrorCode, StudioError } from '../../errors.ts';
import { checkSandboxUids } from './sandboxUids.ts';
import { withBuildLock } from './buildLock.ts';
import { ensureDelve } from './delveBinary.ts';
import { fabricModuleDir } from './fabricModule.ts';
import { ensureGoToolchain, hostGoToolchain } from './goToolchain.ts';

/** Bump when the recipe below changes in a way the hashed inputs do not show. */
const recipeVersion = '2';
const debianSuite = 'bookworm';
const debianMirror = process.env.STUDIO_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const fabricCommands = ['peer', 'orderer', 'configtxgen', 'cryptogen', 'osnadmin'];
/** What runs in the container and the files it is built from. */
const sandboxDir = path.join(projectRoot, 'sandbox');

export type ProgressFn = (step: string, message: string) => void;

export interface ImageInfo {
  tag: string;
  /** Milliseconds the build took, or null when the image was already there. */
  buildMs: number | null;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...(await listFiles(full)));
    } else out.push(full);
  }
  return out.sort();
}

/** Unit tests of the agent live beside it but are not part of the image. */
const isTestFile = (file: string): boolean => file.endsWith('.test.ts');

/** Hash of every input of the image: our files, the Fabric pin, the Node version. */
export async function imageInputsHash(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`recipe ${recipeVersion} ${debianSuite} node ${process.version} uids ${sandboxUid} ${chaincodeUid} delve ${delveVersion}\n`);
  hash.update(await fs.readFile(fileURLToPath(import.meta.url)));
  // The golang builder's toolchain: the host's Go version, trimmed by goToolchain.ts's rules.
  hash.update(`go ${(await hostGoToolchain()).version}\n`);
  hash.update(await fs.readFile(fileURLToPath(new URL('./goToolchain.ts', import.meta.url))));
  // Another Fabric commit is another image (the default's tag is unchanged).
  if (fabricCommit !== '') hash.update(`fabric commit ${fabricCommit.trim()}\n`);
  for (const sub of ['agent', 'config', 'builders', 'fabric', 'runtime']) {
    for (const file of await listFiles(path.join(sandboxDir, sub))) {
      if (isTestFile(file)) continue; // not copied into the image
      hash.update(path.relative(sandboxDir, file));
      hash.update(await fs.readFile(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; step: string; progress: ProgressFn }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      const last = text.trim().split('\n').pop();
      if (last) options.progress(options.step, last.slice(0, 200));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) =>
      reject(new StudioError(ErrorCode.ImageBuild, `Image step "${options.step}" could not run ${command}: ${err.message}. Install ${command} and try again.`, { cause: err })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new StudioError(ErrorCode.ImageBuild, `Image step "${options.step}" failed: ${command} exited with code ${code}.\n${tail.trim()}`));
    });
  });
}

/** Builds the Fabric commands from the Go module pinned in sandbox/fabric/go.mod (or the commit `STUDIO_FABRIC_COMMIT` names). */
export async function ensureFabricBinaries(progress: ProgressFn, commit = fabricCommit): Promise<{ binDir: string; sampleConfigDir: string }> {
  const moduleDir = await fabricModuleDir(commit, progress);
  const pin = createHash('sha256')
    .update(await fs.readFile(path.join(moduleDir, 'go.mod')))
    .update(await fs.readFile(path.join(moduleDir, 'go.sum')))
    .digest('hex')
    .slice(0, 12);
  const binDir = path.join(cacheDir, 'fabric', pin, 'bin');
  const modDir = await goModuleDir(moduleDir, progress);
  const sampleConfigDir = path.join(modDir, 'sampleconfig');
  // Keep a stable path for tools and tests that call the binaries on the host: the last built pin's.
  const stable = path.join(cacheDir, 'fabric', 'bin');
  const stablePin = path.join(stable, '.pin');
  const publish = async () => {
    const published = await fs.readFile(stablePin, 'utf8').catch(() => '');
    if (published === pin && fabricCommands.every((c) => existsSync(path.join(stable, c)))) return;
    await fs.rm(stable, { recursive: true, force: true });
    await fs.cp(binDir, stable, { recursive: true });
    await fs.writeFile(stablePin, pin);
  };
  if (fabricCommands.every((c) => existsSync(path.join(binDir, c)))) {
    await publish();
    return { binDir, sampleConfigDir };
  }
  progress('fabric', `Building Fabric ${fabricCommands.join(', ')} from the Go module (about a minute on first run)`);
  await fs.mkdir(binDir, { recursive: true });
  // Fabric's Makefile stamps its version into the binaries; we do the same.
  const version = /^FABRIC_VER \?= (\S+)/m.exec(await fs.readFile(path.join(modDir, 'Makefile'), 'utf8'))?.[1] ?? 'unknown';
  const commitSha = /-([0-9a-f]{12})$/.exec(modDir)?.[1] ?? 'unknown';
  const ldflags = `-s -w -X github.com/hyperledger/fabric/common/metadata.Version=${version} -X github.com/hyperledger/fabric/common/metadata.CommitSHA=${commitSha}`;
  await run('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', `${binDir}/`, ...fabricCommands.map((c) => `github.com/hyperledger/fabric/cmd/${c}`)], {
    cwd: moduleDir,
    env: { ...process.env, CGO_ENABLED: '0' },
    step: 'fabric',
    progress,
  });
  await publish();
  return { binDir, sampleConfigDir };
}

async function goModuleDir(cwd: string, progress: ProgressFn): Promise<string> {
  await run('go', ['mod', 'download', 'github.com/hyperledger/fabric'], { cwd, step: 'fabric', progress });
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/hyperledger/fabric'], { cwd });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', (err) => reject(new StudioError(ErrorCode.ImageBuild, `Go is needed to build Fabric: ${err.message}`, { cause: err })));
    child.on('close', (code) =>
      code === 0 && out.trim() ? resolve(out.trim()) : reject(new StudioError(ErrorCode.ImageBuild, 'Could not find the Fabric module in the Go module cache')),
    );
  });
}

/** A minimal Debian root filesystem, made once with debootstrap. */
async function ensureRootfs(progress: ProgressFn): Promise<string> {
  const dir = path.join(cacheDir, 'rootfs', `${debianSuite}-minbase`);
  const marker = path.join(dir, '.studio-complete');
  if (existsSync(marker)) return dir;
  if (process.getuid?.() !== 0) {
    throw new StudioError(ErrorCode.ImageBuild, 'Building the sandbox root filesystem needs root (debootstrap). Run `npm start` or `npm test` as root once.');
  }
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dir), { recursive: true });
  progress('rootfs', `Creating a Debian ${debianSuite} root filesystem with debootstrap (about 30 s on first run)`);
  await run('debootstrap', ['--variant=minbase', debianSuite, dir, debianMirror], { step: 'rootfs', progress });
  for (const junk of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'var/cache/apt', 'var/lib/apt/lists', 'var/log']) {
    await fs.rm(path.join(dir, junk), { recursive: true, force: true });
    await fs.mkdir(path.join(dir, junk), { recursive: true });
  }
  await fs.writeFile(marker, new Date().toISOString());
  return dir;
}

/** fabric-contract-api and fabric-shim, installed from sandbox/runtime's lockfile. */
async function ensureRuntimeModules(progress: ProgressFn): Promise<string> {
  const lock = await fs.readFile(path.join(sandboxDir, 'runtime', 'package-lock.json'));
  const dir = path.join(cacheDir, 'runtime', createHash('sha256').update(lock).digest('hex').slice(0, 12));
  if (existsSync(path.join(dir, 'node_modules', 'fabric-shim', 'cli.js'))) return dir;
  progress('runtime', 'Installing fabric-contract-api and fabric-shim for the sandbox');
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  await fs.copyFile(path.join(sandboxDir, 'runtime', 'package.json'), path.join(dir, 'package.json'));
  await fs.copyFile(path.join(sandboxDir, 'runtime', 'package-lock.json'), path.join(dir, 'package-lock.json'));
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, step: 'runtime', progress });
  return dir;
}

/** Our files on top of the root filesystem. */
async function makeOverlay(inputs: { binDir: string; sampleConfigDir: string; runtimeDir: string; rootfs: string; delve: string; goRoot: string }, hash: string, progress: ProgressFn): Promise<string> {
  // Unique per build: two processes building the same image at once must not share a staging tree.
  const dir = path.join(cacheDir, 'overlay', `${hash}-${process.pid}-${Date.now()}`);
  await fs.rm(dir, { recursive: true, force: true });
  const at = (...parts: string[]) => path.join(dir, ...parts);
  await fs.mkdir(at('opt', 'fabric', 'config'), { recursive: true });
  await fs.cp(inputs.binDir, at('opt', 'fabric', 'bin'), { recursive: true });
  for (const file of ['core.yaml', 'orderer.yaml']) await fs.copyFile(path.join(inputs.sampleConfigDir, file), at('opt', 'fabric', 'config', file));
  await fs.cp(path.join(sandboxDir, 'builders', 'ccaas'), at('opt', 'hyperledger', 'ccaas_builder'), { recursive: true });
  await fs.cp(path.join(sandboxDir, 'builders', 'node'), at('opt', 'studio', 'builders', 'node'), { recursive: true });
  await fs.cp(path.join(sandboxDir, 'builders', 'golang'), at('opt', 'studio', 'builders', 'golang'), { recursive: true, filter: (src) => !isTestFile(src) });
  await fs.cp(inputs.goRoot, at('opt', 'go'), { recursive: true, filter: (src) => !src.endsWith('.studio-complete') });
  await fs.cp(path.join(sandboxDir, 'agent'), at('opt', 'studio', 'agent'), { recursive: true, filter: (src) => !isTestFile(src) });
  await fs.cp(path.join(sandboxDir, 'config'), at('opt', 'studio', 'config'), { recursive: true });
  await fs.cp(path.join(inputs.runtimeDir, 'node_modules'), at('opt', 'chaincode', 'node_modules'), { recursive: true });
  // The runtime's code cache (sandbox/agent/codeCache.mjs): made by this node, which the image carries, from the files
  // the image carries (V8 takes a cache only from its own build and flags), naming them by their paths in the image.
  const runtimeInImage = ['opt', 'chaincode', 'node_modules'];
  await run(process.execPath, [path.join(sandboxDir, 'agent', 'codeCacheBuild.mjs'), at(...runtimeInImage), at('opt', 'chaincode', 'code-cache.bin'), `/${runtimeInImage.join('/')}`], { step: 'overlay', progress });
  await fs.mkdir(at('opt', 'studio', 'bin'), { recursive: true });
  await fs.copyFile(inputs.delve, at('opt', 'studio', 'bin', 'dlv'));
  await fs.chmod(at('opt', 'studio', 'bin', 'dlv'), 0o755);
  await fs.mkdir(at('usr', 'local', 'bin'), { recursive: true });
  await fs.copyFile(process.execPath, at('usr', 'local', 'bin', 'node'));
  await fs.chmod(at('usr', 'local', 'bin', 'node'), 0o755);
  await fs.mkdir(at('etc'), { recursive: true });
  const passwd = await fs.readFile(path.join(inputs.rootfs, 'etc', 'passwd'), 'utf8');
  const group = await fs.readFile(path.join(inputs.rootfs, 'etc', 'group'), 'utf8');
  await fs.writeFile(
    at('etc', 'passwd'),
    `${passwd.trimEnd()}\nstudio:x:${sandboxUid}:${sandboxUid}:sandbox:/tmp:/usr/sbin/nologin\nchaincode:x:${chaincodeUid}:${chaincodeUid}:chaincode:/tmp:/usr/sbin/nologin\n`,
  );
  await fs.writeFile(at('etc', 'group'), `${group.trimEnd()}\nstudio:x:${sandboxUid}:\nchaincode:x:${chaincodeUid}:\n`);
  // Mount points of the ledger disk and the build; the driver mounts over them (the ledger disk brings its own owner and mode).
  await fs.mkdir(at('var', 'sandbox'), { recursive: true });
  await fs.chmod(at('var', 'sandbox'), 0o1777);
  await fs.mkdir(at('chaincode'), { recursive: true });
  return dir;
}

/**
 * Streams rootfs + overlay as one tar into `docker import`, which refuses
 * duplicate paths: the two are merged first in a staging tree of hard links
 * (cheap, and the cached rootfs is never written through them).
 */
async function importImage(docker: Docker, rootfs: string, overlay: string, tag: string, progress: ProgressFn): Promise<void> {
  progress('import', `Importing the image ${tag}`);
  const stage = `${overlay}.stage`;
  await fs.rm(stage, { recursive: true, force: true });
  await run('cp', ['-al', rootfs, stage], { step: 'import', progress });
  await fs.rm(path.join(stage, '.studio-complete'), { force: true });
  for (const file of await listFiles(overlay)) {
    await fs.rm(path.join(stage, path.relative(overlay, file)), { force: true });
  }
  await run('cp', ['-a', `${overlay}/.`, stage], { step: 'import', progress });
  const tar = spawn('tar', ['--numeric-owner', '-c', '-f', '-', '-C', stage, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarError = '';
  tar.stderr.on('data', (c: Buffer) => (tarError += c.toString()));
  const [repo, version] = tag.split(':') as [string, string];
  const changes = [
    // The launcher starts as root with only SETUID, SETGID and KILL, and drops to the uids below (see launch.mjs).
    'ENTRYPOINT ["/usr/local/bin/node", "/opt/studio/agent/launch.mjs"]',
    'USER 0:0',
    'WORKDIR /tmp',
    `ENV PATH=/opt/fabric/bin:/usr/local/bin:/usr/bin:/bin HOME=/tmp FABRIC_CFG_PATH=/opt/fabric/config STUDIO_SANDBOX_UID=${sandboxUid} STUDIO_CHAINCODE_UID=${chaincodeUid}`,
    `LABEL ${labelOwner}=${ownerValue}`,
  ];
  const stream = await docker.importImage(tar.stdout, { repo, tag: version, changes } as unknown as string);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
  }).catch((err: unknown) => {
    throw new StudioError(ErrorCode.ImageBuild, `docker import failed: ${err instanceof Error ? err.message : String(err)} ${tarError}`, { cause: err });
  });
  const exit: number | null = tar.exitCode ?? (await new Promise((r) => tar.on('close', r)));
  await fs.rm(stage, { recursive: true, force: true });
  if (exit !== 0) throw new StudioError(ErrorCode.ImageBuild, `tar of the image failed: ${tarError}`);
}

/** Returns the sandbox image tag, building the image first if its inputs changed. */
export async function ensureSandboxImage(docker: Docker, progress: ProgressFn = () => undefined): Promise<ImageInfo> {
  await checkSandboxUids();
  const hash = await imageInputsHash();
  const tag = `${imageRepository}:${hash}`;
  const built = async () =>
    docker
      .getImage(tag)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  if (await built()) return { tag, buildMs: null };
  const waitMessage = () => progress('image', 'Another process is building the sandbox image here: waiting for it to finish');
  return withBuildLock(path.join(cacheDir, 'sandbox-image.lock'), async () => (await built() ? { tag, buildMs: null } : buildSandboxImage(docker, tag, hash, progress)), waitMessage);
}

async function buildSandboxImage(docker: Docker, tag: string, hash: string, progress: ProgressFn): Promise<ImageInfo> {
  const started = Date.now();
  const [{ binDir, sampleConfigDir }, rootfs, runtimeDir, delve, goRoot] = await Promise.all([
    ensureFabricBinaries(progress),
    ensureRootfs(progress),
    ensureRuntimeModules(progress),
    ensureDelve(progress),
    ensureGoToolchain(progress),
  ]);
  progress('overlay', 'Assembling the image');
  const overlay = await makeOverlay({ binDir, sampleConfigDir, runtimeDir, rootfs, delve, goRoot }, hash, progress);
  await importImage(docker, rootfs, overlay, tag, progress);
  await fs.rm(overlay, { recursive: true, force: true });
  progress('done', `Built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { tag, buildMs: Date.now() - started };
}
