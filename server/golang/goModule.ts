/**
 * What we read from a workspace's go.mod before building it: the module path
 * (the prefix of every source path in a `-trimpath` binary) and whether its
 * `replace` directives stay inside the workspace. go.mod is untrusted: a
 * `replace` to `../../etc` would make the compiler read host folders.
 */
import path from 'node:path';
import type { Diagnostic } from '../../protocol/messages.ts';

export interface GoModule {
  /** The `module` line's path, e.g. `example.com/asset-transfer`. */
  readonly modulePath: string;
  /** Problems with go.mod itself (a replace that leaves the workspace, no module line), as diagnostics on go.mod. */
  readonly problems: Diagnostic[];
}

const moduleLine = /^\s*module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/;

/** Reads go.mod's text; `problems` empty means it may be built. */
export function readGoModule(text: string): GoModule {
  const problems: Diagnostic[] = [];
  let modulePath: string | undefined;
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

/** One `old [v] => new [v]` replacement: a local path (no version) must stay inside the workspace. */
function checkReplacement(spec: string, line: number, problems: Diagnostic[]): void {
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

/** Go's own rule: a replacement path is local when it is absolute or starts with ./ or ../. */
function isLocalPath(target: string): boolean {
  return target.startsWith('./') || target.startsWith('../') || target === '.' || target === '..' || path.isAbsolute(target) || target.startsWith('.\\') || target.startsWith('..\\') || target.startsWith('~');
}

function goModProblem(line: number, message: string): Diagnostic {
  return { file: 'go.mod', line, column: 1, severity: 'error', message, code: 'go.mod' };
}
