/**
 * The step of Run before the compile: installs the workspace's npm
 * dependencies (through the server's one installer, which caches them by
 * their specs and lockfile), reporting each step as `sandbox/progress` and a
 * log line, and tells the user which fabric-contract-api and fabric-shim run.
 *
 * Nothing is installed when package.json lists only what the studio brings:
 * the Fabric packages (the sandbox's copies run, and the compiler reads the
 * studio's matching types), TypeScript and @types/node (the compiler's own).
 * When something else is listed, the whole set is installed as npm would,
 * those included: one cache entry per package.json, and a dependency's peer
 * ranges are checked against them. The Fabric packages are then left out of
 * what the chaincode loads (runtimeDependencies.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dependencyFields, type DependencyField } from '../npm/dependencyManifest.ts';
import { createDependencyInstaller, type DependencyInstaller, type InstalledDependencies } from '../npm/dependencyInstaller.ts';
import { checkRuntimeVersions, sandboxProvidedPackages, sandboxRuntimeVersions } from '../npm/fabricRuntime.ts';
import type { SessionReporter } from './sessionReporter.ts';

/** Packages a workspace may list without anything being installed: the sandbox or the compiler brings them. */
const broughtByStudio = new Set<string>([...sandboxProvidedPackages, 'typescript', '@types/node']);

export interface DependencyStepOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  readonly installer: DependencyInstaller;
  readonly reporter: SessionReporter;
}

type Specs = Partial<Record<DependencyField, Record<string, string>>>;

export interface DependencyStepResult {
  /** The installed packages; undefined when the workspace needs none. */
  readonly installed: InstalledDependencies | undefined;
  /** For the status once Run is done: the Fabric packages that run in another version than package.json asks for. */
  readonly runtimeWarning: string | undefined;
}

/**
 * Installs the workspace's dependencies, or finds them installed. Throws the
 * installer's error (a refused spec, a missing package, a limit), after
 * putting its message in the log and the status.
 */
export async function installForRun(options: DependencyStepOptions): Promise<DependencyStepResult> {
  const { workspace, workspaceDir, installer, reporter } = options;
  const specs = await readSpecs(workspaceDir);
  // An unreadable package.json is the compile's to report, in Problems.
  if (specs === undefined) return { installed: undefined, runtimeWarning: undefined };
  const runtimeWarning = await reportRuntimeVersions(specs, reporter);
  const wanted = Object.values(specs).flatMap((field) => Object.keys(field));
  if (wanted.every((name) => broughtByStudio.has(name))) return { installed: undefined, runtimeWarning };

  reporter.setStatus({ message: 'Installing dependencies' });
  const progress = (message: string): void => {
    reporter.log('sandbox', message);
    reporter.publish('sandbox/progress', { workspace, step: 'dependencies', message });
  };
  try {
    const installed = await installer.install(workspaceDir, { onProgress: progress });
    // The editor's IntelliSense asks for these packages' declarations (dependencies/types).
    reporter.publish('dependencies/installed', { workspace, key: installed.key });
    return { installed, runtimeWarning };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    reporter.log('sandbox', `Dependencies not installed: ${message}`);
    reporter.setStatus({ message });
    throw err;
  }
}

/** A log line per Fabric package the project lists; returns the messages of those it asks another version of. */
async function reportRuntimeVersions(specs: Specs, reporter: SessionReporter): Promise<string | undefined> {
  const checks = checkRuntimeVersions(specs, await sandboxRuntimeVersions());
  for (const check of checks) if (check.requested !== undefined) reporter.log('sandbox', check.message);
  const outside = checks.filter((check) => !check.compatible);
  return outside.length > 0 ? outside.map((check) => check.message).join(' ') : undefined;
}

/** The string specs of the dependency fields, or undefined without a package.json object to read them from. */
async function readSpecs(workspaceDir: string): Promise<Specs | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.join(workspaceDir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const specs: Specs = {};
  for (const field of dependencyFields) {
    const value: unknown = (parsed as Record<string, unknown>)[field];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    // Every entry counts as wanted, whatever its value: the installer refuses the ones it cannot install.
    specs[field] = Object.fromEntries(Object.entries(value).map(([name, spec]) => [name, typeof spec === 'string' ? spec : String(spec)]));
  }
  return specs;
}

let sharedInstaller: DependencyInstaller | undefined;

/** The process's installer, for sessions made without one (tests, benchmarks): the server passes its own. */
export function sharedDependencyInstaller(): DependencyInstaller {
  sharedInstaller ??= createDependencyInstaller();
  return sharedInstaller;
}
