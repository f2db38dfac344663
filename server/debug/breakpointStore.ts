/**
 * The user's breakpoints, per workspace source path, kept by the owner of the
 * debug sessions so they outlive one chaincode process: each new session (after
 * a crash, a restart or a rebuild) is given the same store and re-applies them.
 */
import type { ExceptionFilter, SourceBreakpoint, SourceBreakpoints } from '../../protocol/messages.ts';

/** A breakpoint as the user set it, with the id the client knows it by. */
export interface StoredBreakpoint extends SourceBreakpoint {
  readonly id: number;
}

export type { ExceptionFilter };

export class BreakpointStore {
  #byPath = new Map<string, readonly StoredBreakpoint[]>();
  #nextId = 1;
  #exceptionFilters: readonly ExceptionFilter[] = [];

  /**
   * Replaces the breakpoints of one source, as DAP's setBreakpoints does. A
   * breakpoint on a line that already had one keeps its id, so the client's
   * view survives edits of conditions and log messages.
   */
  set(path: string, breakpoints: readonly SourceBreakpoint[]): readonly StoredBreakpoint[] {
    const previous = new Map((this.#byPath.get(path) ?? []).map((bp) => [bp.line, bp.id]));
    const next = breakpoints.map((bp) => ({ ...bp, id: previous.get(bp.line) ?? this.#nextId++ }));
    if (next.length === 0) this.#byPath.delete(path);
    else this.#byPath.set(path, next);
    return next;
  }

  get(path: string): readonly StoredBreakpoint[] {
    return this.#byPath.get(path) ?? [];
  }

  /** Every source path that has breakpoints. */
  paths(): string[] {
    return [...this.#byPath.keys()];
  }

  /** Every source's breakpoints as the user set them (without ids), sorted by path. */
  all(): SourceBreakpoints[] {
    return [...this.#byPath.keys()].sort().map((path) => ({ path, breakpoints: this.get(path).map(withoutId) }));
  }

  /** The sources whose path is `from` or under the folder `from`, moved to `to`: returns the new paths. */
  move(from: string, to: string): string[] {
    const moved: string[] = [];
    for (const [path, list] of [...this.#byPath]) {
      if (!isUnderPath(path, from)) continue;
      const target = to + path.slice(from.length);
      this.#byPath.delete(path);
      this.#byPath.set(target, list);
      moved.push(path, target);
    }
    return moved;
  }

  /** Forgets the sources at or under `root`; returns their paths. */
  drop(root: string): string[] {
    const dropped = [...this.#byPath.keys()].filter((path) => isUnderPath(path, root));
    for (const path of dropped) this.#byPath.delete(path);
    return dropped;
  }

  /** Finds a breakpoint by id, with its source path. */
  find(id: number): { path: string; breakpoint: StoredBreakpoint } | undefined {
    for (const [path, list] of this.#byPath) {
      const breakpoint = list.find((bp) => bp.id === id);
      if (breakpoint) return { path, breakpoint };
    }
    return undefined;
  }

  /**
   * Whether a process must wait for the debugger before its first line: a breakpoint (logpoints
   * included) or a pause on every exception may stop it while it loads. The default pause on uncaught
   * exceptions does not: one thrown while loading ends the process before it registers, and the Run
   * reports its error text; waiting would cost every start the whole attach (about 100 ms).
   */
  get stopsWhileLoading(): boolean {
    return this.#byPath.size > 0 || this.#exceptionFilters.includes('all');
  }

  get exceptionFilters(): readonly ExceptionFilter[] {
    return this.#exceptionFilters;
  }

  set exceptionFilters(filters: readonly ExceptionFilter[]) {
    this.#exceptionFilters = [...new Set(filters)];
  }
}

function withoutId(breakpoint: StoredBreakpoint): SourceBreakpoint {
  const { id: _id, ...rest } = breakpoint;
  return rest;
}

/** True when `path` is `root` or inside the folder `root`. */
function isUnderPath(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}
