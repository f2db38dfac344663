/**
 * Which dependency specs the server lets the host's npm install or resolve:
 * only packages from the npm registry, named by a version, a semver range or
 * a dist-tag. npm also accepts git repositories, URLs, local paths and
 * aliases; each of those makes npm fetch from, or read, a place the user
 * chooses, on the server's machine and network, so they are refused here.
 */
import { ErrorCode, StudioError } from '../errors.ts';

// node-semver's range grammar (loose: a leading `v`, spaces after an operator).
const xr = '(?:[xX*]|0|[1-9][0-9]*)';
const identifier = '[0-9A-Za-z-]+';
const qualifier = `(?:-${identifier}(?:\\.${identifier})*)?(?:\\+${identifier}(?:\\.${identifier})*)?`;
const partial = `v?${xr}(?:\\.${xr}(?:\\.${xr}${qualifier})?)?`;
const simple = `(?:(?:<=|>=|<|>|=|~>?|\\^)\\s*)?${partial}`;
const range = `(?:${partial}\\s+-\\s+${partial}|${simple}(?:\\s+${simple})*)?`;
const rangeSetPattern = new RegExp(`^\\s*${range}(?:\\s*\\|\\|\\s*${range})*\\s*$`);
/** A dist-tag such as `latest` or `next`. */
const distTagPattern = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/;
/** npm package names, scoped or not (older packages may hold capitals). */
const packageNamePattern = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/i;

/** What kind of non-registry spec `spec` is, in words, for the error message. */
function kindOf(spec: string): string {
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:)/i.test(spec) || /\.git(?:#.*)?$/i.test(spec)) return 'a git repository';
  if (/^https?:/i.test(spec)) return 'a URL';
  if (/^(?:file:|link:)/i.test(spec) || /^(?:\.|~\/|\/|\\|[A-Za-z]:)/.test(spec)) return 'a local path';
  if (/^npm:/i.test(spec)) return 'an npm alias';
  if (/^workspace:/i.test(spec)) return 'a workspace reference';
  if (/^[^@:\s/]+\/[^\s/]+$/.test(spec)) return 'a GitHub user/repo shorthand';
  return 'not a version, a semver range or a dist-tag';
}

/** True when npm would take `spec` from the registry: a version, a semver range or a dist-tag. */
export function isRegistrySpec(spec: string): boolean {
  return spec.length <= 256 && (rangeSetPattern.test(spec) || distTagPattern.test(spec));
}

/**
 * Throws `export` naming the first dependency in `dependencies` (a
 * package.json `dependencies`-like object) that is not a registry package:
 * its name and spec, what kind of spec it is, and what to write instead.
 */
export function checkRegistryDependencies(dependencies: unknown, field = 'dependencies'): void {
  if (dependencies === undefined) return;
  if (typeof dependencies !== 'object' || dependencies === null || Array.isArray(dependencies)) {
    throw new StudioError(ErrorCode.Export, `"${field}" in the chaincode package.json must be an object of package names and versions.`);
  }
  for (const [name, spec] of Object.entries(dependencies)) {
    if (!packageNamePattern.test(name) || name.length > 214) {
      throw new StudioError(ErrorCode.Export, `"${name}" in "${field}" of the chaincode package.json is not an npm package name.`);
    }
    if (typeof spec !== 'string' || !isRegistrySpec(spec)) {
      const shown = typeof spec === 'string' ? JSON.stringify(spec) : `a ${typeof spec}`;
      throw new StudioError(
        ErrorCode.Export,
        `The dependency "${name}": ${shown} in "${field}" is ${typeof spec === 'string' ? kindOf(spec) : 'not a string'}; ` +
          'only packages from the npm registry can be used. Publish it to a registry and name a version or range instead, e.g. "^1.2.3".',
      );
    }
  }
}
