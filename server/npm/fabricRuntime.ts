/**
 * Which fabric-contract-api and fabric-shim run a workspace's chaincode. The
 * sandbox image ships its own (sandbox/runtime/package.json): the chaincode
 * runs on those whatever the workspace's package.json asks for, so Run tells
 * the user which version runs and whether it is one the project accepts.
 */
import { readFile } from 'node:fs/promises';
import { sandboxRuntimeManifestPath } from '../config.ts';
import type { DependencyField } from './dependencyManifest.ts';
import { satisfies } from './semverRange.ts';

/** The packages the sandbox provides rather than the workspace's node_modules. */
export const sandboxProvidedPackages = ['fabric-contract-api', 'fabric-shim'] as const;
export type SandboxProvidedPackage = (typeof sandboxProvidedPackages)[number];

/** What runs for one sandbox-provided package, next to what the project asks for. */
export interface RuntimeVersionCheck {
  readonly package: SandboxProvidedPackage;
  /** The version in the sandbox image. */
  readonly runs: string;
  /** The workspace's range, or undefined when its package.json does not list the package. */
  readonly requested: string | undefined;
  /** False only when the range is one we can read and the sandbox's version is outside it. */
  readonly compatible: boolean;
  /** One sentence for the user. */
  readonly message: string;
}

/** The versions the sandbox image ships, read from its runtime package.json. */
export async function sandboxRuntimeVersions(manifestPath = sandboxRuntimeManifestPath): Promise<Record<SandboxProvidedPackage, string>> {
  const parsed = JSON.parse(await readFile(manifestPath, 'utf8')) as { dependencies?: Record<string, unknown> };
  const versions = {} as Record<SandboxProvidedPackage, string>;
  for (const name of sandboxProvidedPackages) {
    const version = parsed.dependencies?.[name];
    if (typeof version !== 'string') throw new Error(`${manifestPath} does not pin ${name}`);
    versions[name] = version;
  }
  return versions;
}

/**
 * Compares the ranges the workspace asks for (`specs`, as read by
 * dependencyManifest.ts) with the versions the sandbox runs.
 */
export function checkRuntimeVersions(
  specs: Readonly<Partial<Record<DependencyField, Readonly<Record<string, string>>>>>,
  runs: Readonly<Record<SandboxProvidedPackage, string>>,
): RuntimeVersionCheck[] {
  return sandboxProvidedPackages.map((name) => {
    const requested = specs.dependencies?.[name] ?? specs.devDependencies?.[name] ?? specs.optionalDependencies?.[name];
    const version = runs[name];
    if (requested === undefined) {
      return { package: name, runs: version, requested, compatible: true, message: `${name} ${version} runs (the sandbox's; package.json does not list it).` };
    }
    const inRange = satisfies(version, requested);
    if (inRange === undefined) {
      return { package: name, runs: version, requested, compatible: true, message: `${name} ${version} runs (the sandbox's), for "${requested}" in package.json.` };
    }
    return inRange
      ? { package: name, runs: version, requested, compatible: true, message: `${name} ${version} runs (the sandbox's), which matches "${requested}" in package.json.` }
      : {
          package: name,
          runs: version,
          requested,
          compatible: false,
          message:
            `${name} ${version} runs (the sandbox's), outside "${requested}" that package.json asks for: ` +
            `to develop against what runs, ask for a range that includes ${version}, e.g. "^${version}".`,
        };
  });
}
