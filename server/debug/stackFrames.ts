/**
 * Turns V8 call frames into DAP stack frames and scopes as the user sees
 * them: positions in the original TypeScript, library and runtime frames
 * de-emphasized.
 */
import path from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { DapSource, StackFrame } from '../../protocol/messages.ts';
import type { SourceMapRegistry } from './sourceMaps.ts';
import type { ExtraVariable } from './variables.ts';

/** What the session learnt about a script from Debugger.scriptParsed. */
export interface ScriptInfo {
  readonly url: string;
  readonly sourceMapUrl?: string;
}

/** Maps one V8 call frame; `id` is the DAP frame id the session assigned. */
export async function mapCallFrame(
  id: number,
  frame: Protocol.Debugger.CallFrame,
  script: ScriptInfo | undefined,
  registry: SourceMapRegistry,
): Promise<StackFrame> {
  const url = script?.url ?? frame.url;
  const name = frame.functionName || '(anonymous)';
  const { lineNumber, columnNumber = 0 } = frame.location;
  const hostPath = registry.hostPathForUrl(url);
  if (hostPath !== undefined && registry.workspacePath(hostPath) !== undefined) {
    const original = await registry.originalPosition(hostPath, lineNumber, columnNumber, script?.sourceMapUrl);
    if (original?.workspacePath !== undefined) {
      return { id, name, source: { name: original.name, path: original.workspacePath }, line: original.line, column: original.column };
    }
  }
  const source: DapSource = { name: libraryName(url), presentationHint: 'deemphasize' };
  return { id, name, source, line: lineNumber + 1, column: columnNumber + 1, presentationHint: 'subtle' };
}

/** The name a scope has in the Variables pane. */
export function scopeName(scope: Protocol.Debugger.Scope): string {
  const base = scopeNames[scope.type];
  return scope.type === 'closure' && scope.name ? `${base} (${scope.name})` : base;
}

/** Entries the Local scope shows besides the frame's variables: the return value (after a step out) and `this`. */
export function localExtras(frame: Protocol.Debugger.CallFrame): ExtraVariable[] {
  const extras: ExtraVariable[] = [];
  if (frame.returnValue) extras.push({ name: 'Return value', value: frame.returnValue });
  if (frame.this.type !== 'undefined') extras.push({ name: 'this', value: frame.this });
  return extras;
}

const scopeNames: Record<Protocol.Debugger.Scope['type'], string> = {
  local: 'Local',
  closure: 'Closure',
  block: 'Block',
  catch: 'Catch',
  with: 'With',
  script: 'Script',
  module: 'Module',
  eval: 'Eval',
  global: 'Global',
  'wasm-expression-stack': 'Wasm Stack',
};

function libraryName(url: string): string {
  if (url === '') return '(unknown)';
  if (url.startsWith('node:')) return url;
  const marker = url.lastIndexOf('/node_modules/');
  if (marker >= 0) return url.slice(marker + '/node_modules/'.length);
  return path.posix.basename(url);
}
