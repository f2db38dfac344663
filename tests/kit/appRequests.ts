/**
 * Requests to a whole app (createApp) as the WebSocket layer makes them, and
 * the global-cap scenario the warm pool suites of both drivers run.
 */
import { expect } from 'vitest';
import type { InvokeResult } from '../../protocol/messages.ts';
import type { App } from '../../server/app.ts';
import { mainScope } from '../../server/http/tokenScope.ts';
import type { RequestContext } from '../../server/ws/handlers.ts';

/** A request from a connection holding the main token. */
export const ctx: RequestContext = {
  connectionId: 'test',
  remoteAddress: '127.0.0.1',
  scope: mainScope,
  signal: new AbortController().signal,
  subscribe: () => undefined,
  unsubscribe: () => undefined,
  notify: () => undefined,
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(a: App, workspace: string): Promise<void> {
  const reply = await a.handlers.run?.({ workspace }, ctx);
  expect(reply?.ok).toBe(true);
}

export async function invoke(a: App, workspace: string, mode: 'submit' | 'evaluate', fn: string, ...args: string[]): Promise<InvokeResult> {
  const result = await a.handlers.invoke?.({ workspace, mode, contract: '', fn, args }, ctx);
  if (!result) throw new Error('no invoke handler');
  return result;
}

/**
 * With room for two sandboxes and workspace 'two' running: the pool keeps one spare; once 'two'
 * stops it keeps two; a Run of 'two' makes room by giving a spare up, and at no moment do more than
 * two sandboxes run (`sandboxesRunning` counts them as the driver sees them).
 */
export async function expectPoolWithinCap(d: App, sandboxesRunning: () => Promise<number>): Promise<void> {
  await d.reattach();
  expect(await d.sandboxes.list()).toEqual([{ workspace: 'two', running: true }]);
  await d.startPool();
  while (d.pool.ready < 1) await sleep(300);
  await sleep(1500);
  expect(d.pool.count).toBe(1);
  expect(await sandboxesRunning()).toBe(2);

  await (await d.session('two')).stop();
  while (d.pool.count < 2) await sleep(100);
  let most = 0;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      most = Math.max(most, await sandboxesRunning());
      await sleep(200);
    }
  })();
  try {
    await run(d, 'two');
  } finally {
    watching = false;
    await watch;
  }
  expect(most).toBeLessThanOrEqual(2);
  expect(d.pool.count).toBeLessThanOrEqual(1);
  await d.pool.destroyAll();
}
