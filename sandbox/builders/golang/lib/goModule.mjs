// @ts-check
// What we read from an untrusted go.mod before building it: the module path
// (the prefix of every source path in a `-trimpath` binary) and whether its
// `replace` directives stay inside the module. A `replace` to `../../etc`
// would make the compiler read files outside it. One rule for both places
// that build Go: the server (server/golang/goModule.ts re-exports it) and the
// sandbox's offline golang builder.
import path from 'node:path';

/**
 * A problem with go.mod, shaped as the protocol's Diagnostic.
 * @typedef {{ file: string, line: number, column: number, severity: 'error', message: string, code: string }} GoModProblem
 */

/**
 * @typedef {object} GoModule
 * @property {string} modulePath the `module` line's path, e.g. `example.com/asset-transfer`
 * @property {GoModProblem[]} problems problems with go.mod itself (a replace that leaves the workspace, no module line)
 */

const moduleLine = /^\s*module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/;

/**
 * Reads go.mod's text; `problems` empty means it may be built.
 * @param {string} text
 * @returns {GoModule}
 */
export function readGoModule(text) {
  /** @type {GoModProblem[]} */
  const problems = [];
  /** @type {string | undefined} */
  let modulePath;
  let inReplaceBlock = false;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const match = moduleLine.exec(raw);
    if (match && modulePath === undefined) modulePath = match[2];
    if (inReplaceBlock) {
      if (line === ')') inReplaceBlock = false;
      else if (line !== '') checkReplacement(line, index + 1, problems);
      return;
    }
    if (/^replace\s*\($/.test(line)) inReplaceBlock = true;
    else if (/^replace\s/.test(line)) checkReplacement(line.replace(/^replace\s+/, ''), index + 1, problems);
  });
  if (modulePath === undefined) problems.push(goModProblem(1, 'go.mod has no module line: start it with `module <path>`.'));
  return { modulePath: modulePath ?? '', problems };
}

/**
 * One `old [v] => new [v]` replacement: a local path (no version) must stay inside the workspace.
 * @param {string} spec
 * @param {number} line
 * @param {GoModProblem[]} problems
 */
function checkReplacement(spec, line, problems) {
  const [, right] = spec.split('=>');
  if (right === undefined) return; // the go command reports the syntax error itself
  const parts = right.trim().split(/\s+/);
  const target = (parts[0] ?? '').replace(/^"|"$/g, '');
  if (parts.length > 1 || !isLocalPath(target)) return; // a module path: fetched through the proxy like any dependency
  if (path.isAbsolute(target) || target.startsWith('~')) {
    problems.push(goModProblem(line, `replace points at ${target}, outside the workspace: only paths inside the workspace (./…) can be built.`));
    return;
  }
  const normal = path.posix.normalize(target.replaceAll('\\', '/'));
  if (normal === '..' || normal.startsWith('../')) {
    problems.push(goModProblem(line, `replace points at ${target}, outside the workspace: only paths inside the workspace (./…) can be built.`));
  }
}

/**
 * Go's own rule: a replacement path is local when it is absolute or starts with ./ or ../.
 * @param {string} target
 */
function isLocalPath(target) {
  return target.startsWith('./') || target.startsWith('../') || target === '.' || target === '..' || path.isAbsolute(target) || target.startsWith('.\\') || target.startsWith('..\\') || target.startsWith('~');
}

/**
 * @param {number} line
 * @param {string} message
 * @returns {GoModProblem}
 */
function goModProblem(line, message) {
  return { file: 'go.mod', line, column: 1, severity: 'error', message, code: 'go.mod' };
}
