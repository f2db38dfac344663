/**
 * What a workspace asks npm to install, read from its package.json and its
 * lockfile, both untrusted: their shape is checked, every dependency spec
 * must name a registry package (see registrySpec.ts), and every package a
 * lockfile locks must come from the registry. The result is the only input
 * the install gets: a package.json generated from the checked fields (no
 * name, scripts, workspaces or bins) and the lockfile's bytes.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { maxFileBytes } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { checkRegistryDependencies, isRegistrySpec } from './registrySpec.ts';

/** The package.json fields whose packages are installed (devDependencies too: the compiler needs them). */
export const dependencyFields = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;
export type DependencyField = (typeof dependencyFields)[number];

/** The lockfile names npm reads, in npm's order of preference. */
const lockfileNames = ['npm-shrinkwrap.json', 'package-lock.json'] as const;

/** The checked dependencies of a workspace. */
export interface DependencyManifest {
  /** The package.json npm installs from: the dependency fields and overrides under a fixed name, nothing else. */
  readonly packageJson: Readonly<Record<string, unknown>>;
  /** The dependency fields, each sorted by package name (empty fields left out). */
  readonly specs: Readonly<Partial<Record<DependencyField, Readonly<Record<string, string>>>>>;
  /** The workspace's lockfile, when it has one. */
  readonly lockfile?: { readonly name: (typeof lockfileNames)[number]; readonly bytes: Buffer };
  /** How many packages the dependency fields name. */
  readonly directCount: number;
}

const specMap = z.record(z.string(), z.unknown());
const manifestSchema = z.looseObject({
  dependencies: specMap.optional(),
  devDependencies: specMap.optional(),
  optionalDependencies: specMap.optional(),
  overrides: specMap.optional(),
});

const lockedPackageSchema = z.looseObject({
  version: z.string().optional(),
  resolved: z.string().optional(),
  link: z.boolean().optional(),
});
const lockfileSchema = z.looseObject({
  lockfileVersion: z.number().int(),
  packages: z.record(z.string(), lockedPackageSchema).optional(),
});

function badFile(message: string, cause?: unknown): StudioError {
  return new StudioError(ErrorCode.BadFile, message, { cause });
}

/** The first problem zod found, as "the field `x.y` …" for the message. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'is not of the expected shape';
  const field = issue.path.map(String).join('.');
  return field === '' ? `is not of the expected shape (${issue.message})` : `field "${field}" is not valid (${issue.message})`;
}

async function readSmallFile(file: string, shown: string): Promise<Buffer | undefined> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (size > maxFileBytes) throw badFile(`The workspace's ${shown} is ${size} bytes, over the ${maxFileBytes}-byte limit.`);
  return readFile(file);
}

function parseJson(bytes: Buffer, shown: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw badFile(`The workspace's ${shown} is not valid JSON: fix it, or delete it to let npm write a new one.`, err);
  }
}

/** registrySpec's refusal, as a problem of the workspace's file rather than of an export. */
function checkField(value: unknown, field: string): void {
  try {
    checkRegistryDependencies(value, field);
  } catch (err) {
    if (err instanceof StudioError) throw badFile(err.message, err);
    throw err;
  }
}

/**
 * Overrides replace specs deep in the tree, so each value must be a registry
 * spec too, or a `$name` reference to a direct dependency (checked already).
 */
function checkOverrides(overrides: Record<string, unknown>, where: string): void {
  for (const [selector, value] of Object.entries(overrides)) {
    const at = `${where}.${selector}`;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      checkOverrides(value as Record<string, unknown>, at);
    } else if (typeof value !== 'string' || !(isRegistrySpec(value) || /^\$[^\s$]+$/.test(value))) {
      throw badFile(
        `The override "${at}": ${JSON.stringify(value) ?? 'undefined'} in the workspace package.json is not a registry version or range; ` +
          'only packages from the npm registry can be used. Name a version or range instead, e.g. "^1.2.3".',
      );
    }
  }
}

function sortedSpecs(specs: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(specs as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Places npm may fetch a locked package from: the registry, and registry.npmjs.org, which npm rewrites to it. */
function isRegistryTarball(resolved: string, registryUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(resolved);
  } catch {
    return false;
  }
  return [registryUrl, 'https://registry.npmjs.org/'].some((base) => {
    const registry = new URL(base);
    const prefix = registry.pathname.endsWith('/') ? registry.pathname : `${registry.pathname}/`;
    return url.protocol === registry.protocol && url.host === registry.host && url.pathname.startsWith(prefix) && url.username === '' && url.password === '';
  });
}

function checkLockfile(bytes: Buffer, name: string, registryUrl: string): void {
  const parsed = lockfileSchema.safeParse(parseJson(bytes, name));
  if (!parsed.success) throw badFile(`The workspace's ${name} ${describeIssue(parsed.error)}: delete it to let npm write a new one.`, parsed.error);
  const { lockfileVersion, packages } = parsed.data;
  if (lockfileVersion < 2 || packages === undefined) {
    throw badFile(`The workspace's ${name} is of lockfileVersion ${lockfileVersion}; write a new one with npm 7 or later (npm install --package-lock-only).`);
  }
  for (const [where, locked] of Object.entries(packages)) {
    if (where === '') continue;
    const dependency = where.replace(/^.*node_modules\//, '');
    const refuse = (kind: string): StudioError =>
      badFile(
        `The package "${dependency}" in the workspace's ${name} is ${kind}; only packages from the npm registry (${registryUrl}) can be used. ` +
          `Depend on a published version instead, then write the lockfile again (npm install --package-lock-only).`,
      );
    if (!where.startsWith('node_modules/') || where.split('/').some((part) => part === '' || part === '.' || part === '..' || part.includes('\\'))) {
      throw refuse(`a package at "${where}", outside node_modules`);
    }
    if (locked.link === true) throw refuse('a link to a local folder');
    if (locked.resolved !== undefined && !isRegistryTarball(locked.resolved, registryUrl)) throw refuse(`resolved from ${JSON.stringify(locked.resolved)}`);
    if (locked.version !== undefined && /[:/]/.test(locked.version)) throw refuse(`locked to ${JSON.stringify(locked.version)}`);
  }
}

/**
 * Reads and checks the dependencies of the workspace in `workspaceDir`.
 * Throws `bad_file` naming the file, the field or the dependency at fault.
 */
export async function readDependencyManifest(workspaceDir: string, registryUrl: string): Promise<DependencyManifest> {
  const bytes = await readSmallFile(path.join(workspaceDir, 'package.json'), 'package.json');
  if (bytes === undefined) throw badFile('The workspace has no package.json: add one that lists the dependencies of the chaincode.');
  const parsed = manifestSchema.safeParse(parseJson(bytes, 'package.json'));
  if (!parsed.success) throw badFile(`The workspace's package.json ${describeIssue(parsed.error)}.`, parsed.error);
  const manifest = parsed.data;

  const specs: Partial<Record<DependencyField, Record<string, string>>> = {};
  let directCount = 0;
  for (const field of dependencyFields) {
    checkField(manifest[field], field);
    const entries = manifest[field];
    if (entries === undefined || Object.keys(entries).length === 0) continue;
    specs[field] = sortedSpecs(entries);
    directCount += Object.keys(entries).length;
  }
  if (manifest.overrides !== undefined) checkOverrides(manifest.overrides, 'overrides');

  let lockfile: DependencyManifest['lockfile'];
  for (const name of lockfileNames) {
    const lockBytes = await readSmallFile(path.join(workspaceDir, name), name);
    if (lockBytes === undefined) continue;
    checkLockfile(lockBytes, name, registryUrl);
    lockfile = { name, bytes: lockBytes };
    break;
  }

  // One folder serves every workspace with the same dependencies, so it carries no workspace's name.
  const packageJson: Record<string, unknown> = {
    name: 'chaincode-dependencies',
    version: '0.0.0',
    private: true,
    ...specs,
    ...(manifest.overrides === undefined ? {} : { overrides: manifest.overrides }),
  };
  return { packageJson, specs, ...(lockfile === undefined ? {} : { lockfile }), directCount };
}
