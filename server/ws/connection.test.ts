import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.ts';
import type { LogLine, Notification } from '../../protocol/messages.ts';
import { maxMessageBytes } from '../config.ts';
import { startTestServer, type TestServer } from '../../tests/kit/studioHarness.ts';
import type { Handlers } from './handlers.ts';

const sampleList: Handlers['sample/list'] = async () => ({ samples: [] });

/** `workspace/open` subscribes the connection, as the real handler does. */
const subscribingOpen: Handlers['workspace/open'] = async (params, ctx) => {
  ctx.subscribe(params.workspace);
  return { workspace: params.workspace, files: [], status: { workspace: params.workspace, phase: 'absent', chaincode: 'stopped' }, diagnostics: [], debugger: { attached: false, breakpoints: [], exceptionFilters: [] } };
};

function logLine(workspace: string, text: string): Notification<'log'> {
  return { method: 'log', params: { workspace, lines: [{ source: 'chaincode', time: '2025-01-01T00:00:00.000Z', text }] } };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('message size', () => {
  it('answers an oversize message with too_large naming its id, then closes 1009', async () => {
    server = await startTestServer({ handlers: { 'sample/list': sampleList } });
    const client = await server.connect();
    const content = 'x'.repeat(maxMessageBytes);
    client.send(JSON.stringify({ id: 41, method: 'file/write', params: { workspace: 'demo', path: 'big.txt', content } }));
    const reply = await client.nextReply();
    expect(reply).toMatchObject({ id: 41, error: { code: ErrorCode.TooLarge, message: expect.stringContaining('at most 2.0 MB') } });
    expect((await client.closed).code).toBe(1009);
  });

  it('accepts a message of exactly the limit', async () => {
    server = await startTestServer({ handlers: { 'sample/list': sampleList }, limits: { maxMessageBytes: 1000 } });
    const client = await server.connect();
    const head = JSON.stringify({ id: 1, method: 'sample/list', params: {} });
    client.send(head.padEnd(1000, ' '));
    expect(await client.nextReply()).toEqual({ id: 1, result: { samples: [] } });
  });

  it('cuts off a message far over the limit at the frame header, with 1009 and no reply', async () => {
    server = await startTestServer({ limits: { maxMessageBytes: 1000, oversizeReplyMarginBytes: 1000 } });
    const client = await server.connect();
    client.send(JSON.stringify({ id: 2, method: 'sample/list', params: { pad: 'y'.repeat(5000) } }));
    expect((await client.closed).code).toBe(1009);
    expect(client.pending).toEqual([]);
  });
});

describe('request limits', () => {
  it('answers requests over the per-second rate with rate_limited and recovers', async () => {
    server = await startTestServer({ handlers: { 'sample/list': sampleList }, limits: { maxRequestsPerSecond: 5 } });
    const client = await server.connect();
    const replies = await Promise.all(Array.from({ length: 20 }, () => client.request('sample/list', {})));
    const ok = replies.filter((r) => 'result' in r).length;
    const limited = replies.filter((r) => 'error' in r && r.error.code === ErrorCode.RateLimited);
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(7); // a slow machine may refill a token or two while the burst is read
    expect(limited).toHaveLength(20 - ok);
    expect(limited[0]).toMatchObject({ id: expect.any(Number), error: { message: expect.stringContaining('5 per second') } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await client.request('sample/list', {})).toMatchObject({ result: { samples: [] } });
  });

  it('answers requests over the in-flight limit with rate_limited', async () => {
    const releases: (() => void)[] = [];
    server = await startTestServer({
      handlers: {
        'sample/list': () =>
          new Promise((resolve) => {
            releases.push(() => resolve({ samples: [] }));
          }),
      },
      limits: { maxRequestsInFlight: 2 },
    });
    const client = await server.connect();
    const first = client.request('sample/list', {});
    const second = client.request('sample/list', {});
    const third = await client.request('sample/list', {});
    expect(third).toMatchObject({ id: 3, error: { code: ErrorCode.RateLimited, message: expect.stringContaining('in flight') } });
    expect(releases).toHaveLength(2);
    for (const release of releases) release();
    expect(await first).toEqual({ id: 1, result: { samples: [] } });
    expect(await second).toEqual({ id: 2, result: { samples: [] } });
    const fourth = client.request('sample/list', {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    releases[2]?.();
    expect(await fourth).toEqual({ id: 4, result: { samples: [] } });
  });
});

describe('connection lifetime', () => {
  it('aborts the context signal when the connection closes', async () => {
    let signal: AbortSignal | undefined;
    let handlerCalled: () => void = () => undefined;
    const called = new Promise<void>((resolve) => (handlerCalled = resolve));
    server = await startTestServer({
      handlers: {
        'sample/list': (_params, ctx) => {
          signal = ctx.signal;
          handlerCalled();
          return new Promise(() => undefined);
        },
      },
    });
    const client = await server.connect();
    client.send(JSON.stringify({ id: 1, method: 'sample/list' }));
    await called;
    expect(signal?.aborted).toBe(false);
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    await client.close();
    await aborted;
    expect(signal?.aborted).toBe(true);
  });

  it('notify sends to the requesting connection only', async () => {
    server = await startTestServer({
      handlers: {
        'sample/list': sampleList,
        'workspace/list': async (_params, ctx) => {
          ctx.notify(logLine('demo', 'just for you'));
          return { workspaces: [] };
        },
      },
    });
    const asker = await server.connect();
    const bystander = await server.connect();
    await asker.request('workspace/list', {});
    expect(await asker.nextNotification('log')).toMatchObject({ params: { lines: [{ text: 'just for you' }] } });
    // A round trip on the bystander after the notification was sent: had it been sent there too, it would be here by now.
    await bystander.request('sample/list', {});
    expect(bystander.pending).toEqual([]);
  });
});

describe('backpressure', () => {
  const maxBufferedBytes = 64 * 1024;

  it('drops log lines while the browser is behind, keeps state notifications, and then says how many were dropped', async () => {
    server = await startTestServer({ handlers: { 'workspace/open': subscribingOpen }, limits: { maxBufferedBytes, backpressurePollMs: 20 } });
    const client = await server.connect();
    await client.request('workspace/open', { workspace: 'demo' });
    client.ws.pause();

    const published = 5000;
    const padding = 'z'.repeat(4096);
    for (let i = 0; i < published; i++) {
      server.server.hub.publish('demo', logLine('demo', `line ${i} ${padding}`));
      if (i === published / 2) {
        server.server.hub.publish('demo', { method: 'sandbox/status', params: { workspace: 'demo', phase: 'ready', chaincode: 'running' } });
      }
    }
    client.ws.resume();

    const summary = (await client.waitFor(
      (m) => 'method' in m && m.method === 'log' && (m as Notification<'log'>).params.lines[0]?.source === 'sandbox',
      10_000,
    )) as Notification<'log'>;
    const summaryLine = summary.params.lines[0] as LogLine;
    const match = /^(\d+) lines were dropped because the browser was too slow to receive them\.$/.exec(summaryLine.text);
    expect(match).not.toBeNull();
    const dropped = Number(match?.[1]);
    const delivered = client.pending.filter((m) => 'method' in m && m.method === 'log');
    expect(dropped).toBeGreaterThan(0);
    expect(delivered.length + dropped).toBe(published);
    expect(client.pending.some((m) => 'method' in m && m.method === 'sandbox/status')).toBe(true);

    // Once drained, lines flow again and arrive after the summary.
    server.server.hub.publish('demo', logLine('demo', 'after the gap'));
    expect(await client.waitFor((m) => 'method' in m && (m as Notification<'log'>).params.lines?.[0]?.text === 'after the gap')).toBeDefined();
  });

  it('closes with 1013 when even replies and state notifications cannot be queued', async () => {
    server = await startTestServer({ handlers: { 'workspace/open': subscribingOpen }, limits: { maxBufferedBytes } });
    const client = await server.connect();
    await client.request('workspace/open', { workspace: 'demo' });
    client.ws.pause();
    const message = 'm'.repeat(100_000);
    for (let i = 0; i < 400; i++) {
      server.server.hub.publish('demo', { method: 'sandbox/status', params: { workspace: 'demo', phase: 'starting', chaincode: 'stopped', message } });
    }
    client.ws.resume();
    expect((await client.closed).code).toBe(1013);
    expect(server.log.warnings.some((w) => w.includes('not reading'))).toBe(true);
  });
});
