/**
 * Where code lives, seen from three places: the debuggee (script URLs under
 * `scriptRoot`), the host build dir that mirrors it (compiled JS and its
 * `.js.map` files), and the workspace (the user's original sources).
 *
 * Source maps are read from the host build dir, never fetched over CDP: the
 * files are local, and this works before the debuggee has loaded a script,
 * which is when --inspect-brk breakpoints have to be placed.
 *
 * The build and the `sourceMappingURL` a script names are the user's: only an
 * inline `data:` map or a regular file inside the build dir is read, under a
 * size cap (see confinedFile.ts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  LEAST_UPPER_BOUND,
  TraceMap,
  allGeneratedPositionsFor,
  originalPositionFor,
  type EncodedSourceMap,
} from '@jridgewell/trace-mapping';
import { debugSourceMapMaxBytes } from '../config.ts';
import { readConfinedFile } from './confinedFile.ts';

export interface CodeLayout {
  /** Path prefix of the compiled code inside the debuggee, e.g. `/chaincode`. */
  readonly scriptRoot: string;
  /** Host directory that mirrors `scriptRoot`. */
  readonly buildDir: string;
  /** Host directory of the original sources when they are not under `buildDir`. */
  readonly sourceDir?: string;
}

/** A position in a generated (host) JS file; line and column are 0-based like CDP's. */
export interface GeneratedPosition {
  readonly hostPath: string;
  readonly line: number;
  readonly column: number;
  /** The 1-based original line this position was found for (may be after the line asked for). */
  readonly originalLine: number;
}

/** A position in an original source; line and column are 1-based like DAP's. */
export interface OriginalPosition {
  /** Workspace-relative path when the source is the user's. */
  readonly workspacePath: string | undefined;
  readonly name: string;
  readonly line: number;
  readonly column: number;
}

interface LoadedMap {
  readonly trace: TraceMap;
  /** For each entry of `sources`: its workspace-relative path, if it is the user's. */
  readonly workspacePaths: readonly (string | undefined)[];
}

const mapFileSuffix = '.js.map';
/** How far below the requested line a breakpoint may move to reach code. */
const maxBreakpointLineShift = 200;

/** Answers path and position questions for one build of the chaincode. */
export class SourceMapRegistry {
  #layout: CodeLayout;
  #maps = new Map<string, Promise<LoadedMap | undefined>>();
  #scan: Promise<string[]> | undefined;

  constructor(layout: CodeLayout) {
    this.#layout = layout;
  }

  /** The host path of a debuggee script URL, or undefined when it is outside `scriptRoot`. */
  hostPathForUrl(url: string): string | undefined {
    const debuggeePath = debuggeePathOfUrl(url);
    if (debuggeePath === undefined) return undefined;
    const rel = path.posix.relative(this.#layout.scriptRoot, debuggeePath);
    if (rel === '' || rel.startsWith('..') || path.posix.isAbsolute(rel)) return undefined;
    return path.join(this.#layout.buildDir, ...rel.split('/'));
  }

  /** A `urlRegex` for Debugger.setBreakpointByUrl that matches the debuggee script of a host file. */
  urlRegexForHostPath(hostPath: string): string {
    const rel = path.relative(this.#layout.buildDir, hostPath).split(path.sep).join('/');
    const debuggeePath = path.posix.join(this.#layout.scriptRoot, rel);
    const plain = escapeRegExp(debuggeePath);
    const encoded = escapeRegExp(encodeURI(debuggeePath));
    return plain === encoded ? `^(?:file://)?${plain}$` : `^(?:file://)?(?:${plain}|${encoded})$`;
  }

  /** The workspace-relative path of a host file, or undefined when it is not the user's. */
  workspacePath(hostPath: string): string | undefined {
    if (hostPath.split(path.sep).includes('node_modules')) return undefined;
    for (const root of [this.#layout.sourceDir, this.#layout.buildDir]) {
      if (root === undefined) continue;
      const rel = path.relative(root, hostPath);
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
    }
    return undefined;
  }

  /** Maps a 1-based original line to the first generated position at or after it that has code. */
  async generatedPosition(workspacePath: string, line: number): Promise<GeneratedPosition | undefined> {
    for (const hostPath of await this.#mapFiles()) {
      const jsPath = hostPath.slice(0, -'.map'.length);
      const loaded = await this.#load(jsPath);
      const index = loaded?.workspacePaths.indexOf(workspacePath) ?? -1;
      const source = loaded?.trace.sources[index];
      if (!loaded || index < 0 || source == null) continue;
      const jsLines = (await this.#readLines(jsPath)) ?? [];
      for (let candidate = line; candidate <= line + maxBreakpointLineShift; candidate++) {
        const positions = allGeneratedPositionsFor(loaded.trace, {
          source,
          line: candidate,
          column: 0,
          bias: LEAST_UPPER_BOUND,
        });
        // TypeScript maps the comments it keeps, and V8 would slide such a
        // breakpoint to the next statement anyway: skip them here so the line
        // is right before the script has even loaded.
        const first = positions
          .sort((a, b) => a.line - b.line || a.column - b.column)
          .find((p) => isCode(jsLines[p.line - 1]?.slice(p.column)));
        if (first) return { hostPath: jsPath, line: first.line - 1, column: first.column, originalLine: candidate };
      }
      return undefined;
    }
    // Plain JavaScript without a map: the file itself runs, line for line.
    if (/\.[cm]?js$/.test(workspacePath)) {
      const hostPath = path.join(this.#layout.buildDir, ...workspacePath.split('/'));
      const lines = await this.#readLines(hostPath);
      if (lines === undefined) return undefined;
      for (let candidate = line; candidate <= Math.min(lines.length, line + maxBreakpointLineShift); candidate++) {
        if (isCode(lines[candidate - 1])) return { hostPath, line: candidate - 1, column: 0, originalLine: candidate };
      }
    }
    return undefined;
  }

  /** Maps a 0-based generated position in a host file to its original position. */
  async originalPosition(hostPath: string, line: number, column: number, sourceMapUrl?: string): Promise<OriginalPosition | undefined> {
    const loaded = await this.#load(hostPath, sourceMapUrl);
    if (!loaded) {
      return { workspacePath: this.workspacePath(hostPath), name: path.basename(hostPath), line: line + 1, column: column + 1 };
    }
    const found = originalPositionFor(loaded.trace, { line: line + 1, column });
    if (found.source === null) return undefined;
    const index = loaded.trace.resolvedSources.indexOf(found.source);
    return {
      workspacePath: index >= 0 ? loaded.workspacePaths[index] : undefined,
      name: path.basename(found.source),
      line: found.line,
      column: found.column + 1,
    };
  }

  #mapFiles(): Promise<string[]> {
    this.#scan ??= listMapFiles(this.#layout.buildDir);
    return this.#scan;
  }

  #load(jsPath: string, sourceMapUrl?: string): Promise<LoadedMap | undefined> {
    let loaded = this.#maps.get(jsPath);
    if (!loaded) {
      loaded = this.#read(jsPath, sourceMapUrl).catch(() => undefined);
      this.#maps.set(jsPath, loaded);
    }
    return loaded;
  }

  async #read(jsPath: string, sourceMapUrl?: string): Promise<LoadedMap | undefined> {
    let mapPath = `${jsPath}.map`;
    // The map beside the script wins over what the script names.
    let text = await this.#readBuildFile(mapPath);
    if (text === undefined && sourceMapUrl?.startsWith('data:')) {
      text = decodeDataUrl(sourceMapUrl, debugSourceMapMaxBytes);
      mapPath = jsPath;
    } else if (text === undefined && sourceMapUrl && !/^[a-z][a-z0-9+.-]*:/i.test(sourceMapUrl) && !path.isAbsolute(sourceMapUrl)) {
      mapPath = path.resolve(path.dirname(jsPath), sourceMapUrl);
      text = await this.#readBuildFile(mapPath);
    }
    if (text === undefined) return undefined;
    const trace = new TraceMap(JSON.parse(text) as EncodedSourceMap, mapPath);
    const workspacePaths = trace.resolvedSources.map((resolved) => this.workspacePath(path.resolve(resolved)));
    return { trace, workspacePaths };
  }

  /** A file's text if it is a regular file inside the build dir under the cap; undefined otherwise. */
  async #readBuildFile(file: string): Promise<string | undefined> {
    const read = await readConfinedFile(file, { root: this.#layout.buildDir, maxBytes: debugSourceMapMaxBytes });
    return read.ok ? read.text : undefined;
  }

  async #readLines(file: string): Promise<string[] | undefined> {
    return (await this.#readBuildFile(file))?.split(/\r?\n/);
  }
}

/** The file path of a debuggee script URL (`file:///x.js` or a bare `/x.js`), or undefined for others (`node:fs`). */
export function debuggeePathOfUrl(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(url).pathname);
    } catch {
      return undefined;
    }
  }
  return url.startsWith('/') ? url : undefined;
}

async function listMapFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith(mapFileSuffix)) found.push(full);
    }
  };
  await walk(root);
  return found.sort();
}

/** Whether generated text (from a mapped column on) starts with code rather than a comment or nothing. */
function isCode(text: string | undefined): boolean {
  const rest = text?.trimStart() ?? '';
  return rest !== '' && !rest.startsWith('//') && !rest.startsWith('/*') && !rest.startsWith('*');
}

/** The text of a `data:` URL of at most `maxBytes` decoded bytes, or undefined. */
function decodeDataUrl(url: string, maxBytes: number): string | undefined {
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice(0, comma);
  const data = url.slice(comma + 1);
  const base64 = meta.endsWith(';base64');
  // Checked before decoding: base64 is 4 characters per 3 bytes, percent-encoding at least 1 per byte.
  if (data.length > (base64 ? Math.ceil(maxBytes / 3) * 4 : 3 * maxBytes)) return undefined;
  let text: string;
  try {
    text = base64 ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
  } catch {
    return undefined;
  }
  return Buffer.byteLength(text, 'utf8') > maxBytes ? undefined : text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
