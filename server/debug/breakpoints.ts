/**
 * Binds the user's breakpoints (original source lines) to V8 breakpoints
 * (generated positions), and reports where they really landed.
 *
 * Breakpoints are set by URL, so one set before a script loads binds when it
 * does; that is how breakpoints reach code that runs right after
 * --inspect-brk releases the process.
 */
import type { Protocol } from 'devtools-protocol';
import type { Breakpoint } from '../../protocol/messages.ts';
import type { BreakpointStore, StoredBreakpoint } from './breakpointStore.ts';
import type { CdpConnection } from './cdpConnection.ts';
import { logpointCondition } from './logpoint.ts';
import type { GeneratedPosition, SourceMapRegistry } from './sourceMaps.ts';

interface Bound {
  readonly path: string;
  readonly id: number;
  readonly cdpId: string;
  readonly generated: GeneratedPosition;
}

export class BreakpointBinder {
  #cdp: CdpConnection;
  #registry: SourceMapRegistry;
  #store: BreakpointStore;
  #onChanged: (path: string, breakpoint: Breakpoint) => void;
  #active = false;
  #byCdpId = new Map<string, Bound>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    cdp: CdpConnection,
    registry: SourceMapRegistry,
    store: BreakpointStore,
    onChanged: (path: string, breakpoint: Breakpoint) => void,
  ) {
    this.#cdp = cdp;
    this.#registry = registry;
    this.#store = store;
    this.#onChanged = onChanged;
    cdp.on('Debugger.breakpointResolved', (event) => void this.#resolved(event));
  }

  /** Sends every stored breakpoint to V8; from now on, `set` does too. Needs Debugger.enable first. */
  activate(): Promise<void> {
    return this.#serial(async () => {
      this.#active = true;
      for (const path of this.#store.paths()) await this.#bind(path, this.#store.get(path));
    });
  }

  /** Replaces the breakpoints of one source (workspace-relative) and says where each landed. */
  set(path: string, breakpoints: readonly StoredBreakpoint[]): Promise<Breakpoint[]> {
    return this.#serial(() => this.#bind(path, breakpoints));
  }

  /** The DAP ids of the V8 breakpoints a pause reports as hit. */
  idsOf(cdpIds: readonly string[]): number[] {
    return cdpIds.flatMap((cdpId) => {
      const bound = this.#byCdpId.get(cdpId);
      return bound ? [bound.id] : [];
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #bind(path: string, breakpoints: readonly StoredBreakpoint[]): Promise<Breakpoint[]> {
    if (this.#active) {
      const stale = [...this.#byCdpId.values()].filter((bound) => bound.path === path);
      await Promise.all(
        stale.map(async (bound) => {
          this.#byCdpId.delete(bound.cdpId);
          await this.#cdp.send('Debugger.removeBreakpoint', { breakpointId: bound.cdpId }).catch(() => undefined);
        }),
      );
    }
    const results: Breakpoint[] = [];
    for (const breakpoint of breakpoints) results.push(await this.#bindOne(path, breakpoint));
    return results;
  }

  async #bindOne(path: string, breakpoint: StoredBreakpoint): Promise<Breakpoint> {
    if (breakpoint.enabled === false) return { id: breakpoint.id, verified: false, line: breakpoint.line, message: 'Disabled' };
    const generated = await this.#registry.generatedPosition(path, breakpoint.line);
    if (!generated) {
      return { id: breakpoint.id, verified: false, line: breakpoint.line, message: 'No compiled code on or after this line' };
    }
    const pending: Breakpoint = { id: breakpoint.id, verified: false, line: generated.originalLine };
    if (!this.#active) return pending;
    const condition = breakpoint.logMessage
      ? logpointCondition(breakpoint.id, breakpoint.logMessage, breakpoint.condition)
      : breakpoint.condition?.trim() || undefined;
    let result: Protocol.Debugger.SetBreakpointByUrlResponse;
    try {
      result = await this.#cdp.send('Debugger.setBreakpointByUrl', {
        urlRegex: this.#registry.urlRegexForHostPath(generated.hostPath),
        lineNumber: generated.line,
        columnNumber: generated.column,
        ...(condition === undefined ? {} : { condition }),
      });
    } catch (err) {
      return { ...pending, message: err instanceof Error ? err.message : String(err) };
    }
    this.#byCdpId.set(result.breakpointId, { path, id: breakpoint.id, cdpId: result.breakpointId, generated });
    const location = result.locations[0];
    if (!location) return pending;
    return { id: breakpoint.id, verified: true, line: await this.#originalLine(generated, location) };
  }

  async #resolved(event: Protocol.Debugger.BreakpointResolvedEvent): Promise<void> {
    const bound = this.#byCdpId.get(event.breakpointId);
    if (!bound) return;
    const line = await this.#originalLine(bound.generated, event.location);
    this.#onChanged(bound.path, { id: bound.id, verified: true, line });
  }

  // V8 may move a breakpoint to the next statement; report the line it really landed on.
  async #originalLine(generated: GeneratedPosition, location: Protocol.Debugger.Location): Promise<number> {
    const original = await this.#registry.originalPosition(generated.hostPath, location.lineNumber, location.columnNumber ?? 0);
    return original?.line ?? generated.originalLine;
  }
}
