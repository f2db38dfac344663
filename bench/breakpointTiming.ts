/**
 * Breakpoint hit and step times on a running sandbox, the same for every
 * language: a breakpoint at `line`, then `rounds` submits each stopped on it
 * (invoke sent → stopped), stepped once (step request → stopped) and continued.
 */
import type { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { percentile } from './percentile.ts';

export interface BreakpointTimingOptions {
  session: WorkspaceSession;
  /** The session's `stopped` notifications, as they arrive. */
  stops: readonly unknown[];
  source: string;
  line: number;
  /** Sends round `i`'s submit, which runs through the breakpoint. */
  submit: (i: number) => Promise<unknown>;
  rounds?: number;
}

/** Medians of the hit and step times, in ms; the breakpoint is removed afterwards. */
export async function timeBreakpointAndStep({ session, stops, source, line, submit, rounds = 20 }: BreakpointTimingOptions): Promise<{ hitMs: number; stepMs: number }> {
  await session.debugger().setBreakpoints(source, [{ line }]);
  const waitStop = async (count: number) => {
    while (stops.length <= count) await new Promise((r) => setTimeout(r, 1));
  };
  const hits: number[] = [];
  const steps: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const before = stops.length;
    let started = performance.now();
    const pending = submit(i);
    await waitStop(before);
    hits.push(performance.now() - started);
    const beforeStep = stops.length;
    started = performance.now();
    await session.debugger().next();
    await waitStop(beforeStep);
    steps.push(performance.now() - started);
    await session.debugger().continue();
    await pending;
  }
  await session.debugger().setBreakpoints(source, []);
  return { hitMs: percentile(hits, 50), stepMs: percentile(steps, 50) };
}
