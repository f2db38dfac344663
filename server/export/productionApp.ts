/**
 * The production form of a compiled chaincode: what both the peer's node
 * builder and the ccaas container need, and nothing else.
 *
 * We ship compiled JavaScript, not TypeScript to be built on the peer.
 * Fabric's node builder (fabric-nodeenv's build.sh) runs only
 * `npm ci --omit=dev` (or `npm install --omit=dev`): it never runs a `build`
 * script, and without devDependencies there is no `tsc` to run. So the
 * package holds the compiled files as they are, a package.json reduced to
 * what running needs (its `start` runs `fabric-chaincode-node start`; no
 * devDependencies, and no other scripts, since `npm ci` would run a
 * `prepare` script that calls a compiler it no longer has), and the
 * lockfile that makes `npm ci` reproducible.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { npmRegistryUrl } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { readDependencyManifest } from '../npm/dependencyManifest.ts';
import { nodePackage, type ChaincodePackage } from './chaincodePackage.ts';
import type { TarFile } from './fabricTar.ts';
import { lockfileFor, type LockfileOptions } from './lockfile.ts';
import { readSourceTree } from './sourceTree.ts';

/** A compiled chaincode read from its build folder. */
export interface CompiledApp {
  /** The production package.json text (see {@link productionManifest}). */
  readonly packageJson: string;
  /** The compiled files: everything in the build folder except package.json and lockfiles. */
  readonly files: readonly TarFile[];
  /** Entries of the build folder left out because they are not regular files (symbolic links). */
  readonly skipped: readonly string[];
  /** The sources' own lockfile, checked, when they have one: it pins what `npm ci` installs. */
  readonly lockfile?: string;
}

/** The runtime dependencies `fabric-chaincode-node start` and `server` need. */
const requiredDependencies = ['fabric-contract-api', 'fabric-shim'];
const sourceLockfileNames = ['package-lock.json', 'npm-shrinkwrap.json'];
const replacedFiles = new Set(['package.json', ...sourceLockfileNames]);

const metaInfName = 'META-INF';

/**
 * The sources' own package-lock.json or npm-shrinkwrap.json, checked by the
 * same rules as Run's installs (dependencyManifest.ts), or undefined.
 */
async function sourceLockfile(sourceDir: string): Promise<string | undefined> {
  const present = await Promise.all(sourceLockfileNames.map((name) => lstat(path.join(sourceDir, name)).then(() => true, () => false)));
  if (!present.includes(true)) return undefined;
  try {
    return (await readDependencyManifest(sourceDir, npmRegistryUrl)).lockfile?.bytes.toString('utf8');
  } catch (err) {
    if (err instanceof StudioError) throw new StudioError(ErrorCode.Export, err.message, { cause: err });
    throw err;
  }
}

/**
 * The `META-INF/` folder (CouchDB index definitions) of the chaincode's
 * source folder, with paths starting `META-INF/`: Fabric's packager takes it
 * from the root of the folder it packages, the one holding package.json.
 * A compiler emits only JavaScript, so the build folder alone would lose it.
 */
async function readMetaInf(sourceDir: string): Promise<TarFile[]> {
  const dir = path.join(sourceDir, metaInfName);
  const stats = await lstat(dir).catch(() => undefined);
  if (stats === undefined || !stats.isDirectory()) return [];
  const tree = await readSourceTree(dir);
  return tree.files.map((file) => ({ path: `${metaInfName}/${file.path}`, content: file.content }));
}

/**
 * Reads a build folder (package.json plus the compiled JavaScript, e.g.
 * `dist/*.js`, as `compileWorkspace` writes it) and, when `sourceDir` is
 * given, the `META-INF/` of the sources it was compiled from in place of any
 * in the build. Throws `export` if it is not a runnable chaincode.
 */
export async function readCompiledApp(buildDir: string, sourceDir?: string): Promise<CompiledApp> {
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(buildDir, 'package.json'), 'utf8');
  } catch (err) {
    throw new StudioError(ErrorCode.Export, `The build folder ${buildDir} has no package.json; compile the chaincode first.`, { cause: err });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch (err) {
    throw new StudioError(ErrorCode.Export, 'The chaincode package.json is not valid JSON.', { cause: err });
  }
  const tree = await readSourceTree(buildDir);
  const built = tree.files.filter((file) => !replacedFiles.has(file.path));
  const files =
    sourceDir === undefined ? built : [...built.filter((file) => file.path.split('/')[0] !== metaInfName), ...(await readMetaInf(sourceDir))];
  const lockfile = sourceDir === undefined ? undefined : await sourceLockfile(sourceDir);
  // `npm ci` refuses a package.json that disagrees with its lockfile, so with the sources' own lockfile
  // the devDependencies it locks stay listed; `--omit=dev` still leaves them uninstalled.
  const { text, main } = productionManifest(manifest, { keepDevDependencies: lockfile !== undefined });
  const mainPath = path.posix.normalize(main);
  if (!files.some((file) => file.path === mainPath)) {
    throw new StudioError(
      ErrorCode.Export,
      `package.json names "${main}" as the chaincode's main file, but the build has no such file; compile the chaincode, or fix "main".`,
    );
  }
  return { packageJson: text, files, skipped: tree.skipped, ...(lockfile === undefined ? {} : { lockfile }) };
}

/**
 * The package.json a production chaincode ships: the identifying fields,
 * `main`, `engines` and `dependencies` of `source`, and one script, `start`.
 */
export function productionManifest(source: unknown, options: { readonly keepDevDependencies?: boolean } = {}): { readonly text: string; readonly main: string } {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new StudioError(ErrorCode.Export, 'The chaincode package.json must hold a JSON object.');
  }
  const fields = source as Record<string, unknown>;
  const name = fields.name;
  const version = fields.version;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
    throw new StudioError(ErrorCode.Export, 'The chaincode package.json needs a "name" and a "version".');
  }
  const dependencies = fields.dependencies;
  const dependencyNames =
    typeof dependencies === 'object' && dependencies !== null && !Array.isArray(dependencies) ? Object.keys(dependencies) : [];
  const missing = requiredDependencies.filter((dependency) => !dependencyNames.includes(dependency));
  if (missing.length > 0) {
    throw new StudioError(
      ErrorCode.Export,
      `The chaincode package.json must list ${missing.join(' and ')} under "dependencies" (not devDependencies): the peer starts the chaincode with them.`,
    );
  }
  const main = typeof fields.main === 'string' && fields.main !== '' ? fields.main : 'index.js';
  const kept: Record<string, unknown> = {};
  for (const key of ['name', 'version', 'description', 'license', 'private', 'type', 'main', 'engines']) {
    if (fields[key] !== undefined) kept[key] = fields[key];
  }
  kept.main = main;
  kept.scripts = { start: 'fabric-chaincode-node start' };
  kept.dependencies = dependencies;
  if (options.keepDevDependencies === true && fields.devDependencies !== undefined) kept.devDependencies = fields.devDependencies;
  return { text: `${JSON.stringify(kept, null, 2)}\n`, main };
}

/** The files of a production chaincode: the compiled files, package.json and package-lock.json. */
export function productionFiles(app: CompiledApp, lockfile: string): TarFile[] {
  return [
    ...app.files,
    { path: 'package.json', content: Buffer.from(app.packageJson) },
    { path: 'package-lock.json', content: Buffer.from(lockfile) },
  ];
}

/** Options of {@link productionNodePackage}. */
export interface ProductionNodePackageOptions {
  readonly label: string;
  readonly buildDir: string;
  /** The chaincode's source folder, whose `META-INF/` the package carries (see {@link readCompiledApp}). */
  readonly sourceDir?: string;
  /** The lockfile to ship; by default the sources' own, else resolved with {@link lockfileFor}. */
  readonly lockfile?: string;
  readonly lockfileOptions?: LockfileOptions;
}

/**
 * A `node` package of a compiled chaincode, for `peer lifecycle chaincode
 * install` on a peer that builds chaincode itself.
 */
export async function productionNodePackage(options: ProductionNodePackageOptions): Promise<ChaincodePackage> {
  const app = await readCompiledApp(options.buildDir, options.sourceDir);
  const lockfile = options.lockfile ?? app.lockfile ?? (await lockfileFor(app.packageJson, options.lockfileOptions));
  return nodePackage({ label: options.label, files: productionFiles(app, lockfile) });
}
