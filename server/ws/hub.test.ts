import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notification, ServerMessage } from '../../protocol/messages.ts';
import { startTestServer, type TestClient, type TestServer } from '../../tests/kit/studioHarness.ts';
import type { Handlers } from './handlers.ts';
import { createHub, type HubMember } from './hub.ts';

const handlers: Handlers = {
  'workspace/open': async (params, ctx) => {
    ctx.subscribe(params.workspace);
    return { workspace: params.workspace, files: [], status: { workspace: params.workspace, phase: 'absent', chaincode: 'stopped' }, diagnostics: [], debugger: { attached: false, breakpoints: [], exceptionFilters: [] } };
  },
  'sandbox/stop': async (params, ctx) => {
    ctx.unsubscribe(params.workspace);
    return { workspace: params.workspace, phase: 'stopped', chaincode: 'stopped' };
  },
};

function log(workspace: string, text: string): Notification<'log'> {
  return { method: 'log', params: { workspace, lines: [{ source: 'peer', time: '2025-01-01T00:00:00.000Z', text }] } };
}

const isLog = (text: string) => (m: ServerMessage) => 'method' in m && m.method === 'log' && (m as Notification<'log'>).params.lines[0]?.text === text;

describe('hub fan-out over real connections', () => {
  let server: TestServer;
  let tabA: TestClient;
  let tabB: TestClient;
  let other: TestClient;

  beforeEach(async () => {
    server = await startTestServer({ handlers });
    [tabA, tabB, other] = await Promise.all([server.connect(), server.connect(), server.connect()]);
    await tabA.request('workspace/open', { workspace: 'shared' });
    await tabB.request('workspace/open', { workspace: 'shared' });
    await other.request('workspace/open', { workspace: 'elsewhere' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('publishes to every connection subscribed to the workspace and to no other', async () => {
    const hub = server.server.hub;
    expect(hub.connectionCount).toBe(3);
    expect(hub.subscriberCount('shared')).toBe(2);
    hub.publish('shared', log('shared', 'hello tabs'));
    hub.publish('elsewhere', log('elsewhere', 'marker'));

    await expect(tabA.waitFor(isLog('hello tabs'))).resolves.toBeDefined();
    await expect(tabB.waitFor(isLog('hello tabs'))).resolves.toBeDefined();
    // Messages on one socket arrive in order: once the later marker is here, the earlier publish would have been too.
    await expect(other.waitFor(isLog('marker'))).resolves.toBeDefined();
    expect(other.pending).toEqual([]);
    expect(tabA.pending).toEqual([]);
  });

  it('stops publishing to a connection that unsubscribes or closes', async () => {
    const hub = server.server.hub;
    await tabA.request('sandbox/stop', { workspace: 'shared' });
    expect(hub.subscriberCount('shared')).toBe(1);
    await tabB.close();
    await expect.poll(() => hub.connectionCount).toBe(2);
    expect(hub.subscriberCount('shared')).toBe(0);
    hub.publish('shared', log('shared', 'nobody listens'));
    hub.publish('elsewhere', log('elsewhere', 'marker'));
    await other.waitFor(isLog('marker'));
    await tabA.request('workspace/open', { workspace: 'elsewhere' });
    expect(tabA.pending).toEqual([]);
  });
});

describe('createHub', () => {
  function member(id: string, received: string[]): HubMember {
    return { id, deliver: (_n, text) => received.push(`${id}:${text}`) };
  }

  it('serializes a notification once and delivers the same text to each subscriber', () => {
    const hub = createHub();
    const received: string[] = [];
    const a = member('a', received);
    const b = member('b', received);
    hub.join(a);
    hub.join(b);
    hub.subscribe(a, 'w');
    hub.subscribe(b, 'w');
    hub.subscribe(b, 'w');
    hub.publish('w', log('w', 'x'));
    const text = JSON.stringify(log('w', 'x'));
    expect(received).toEqual([`a:${text}`, `b:${text}`]);
  });

  it('ignores subscriptions of members that have left, and logs unserializable notifications instead of throwing', () => {
    const errors: string[] = [];
    const hub = createHub({ warn: () => undefined, error: (message) => errors.push(message) });
    const received: string[] = [];
    const a = member('a', received);
    hub.subscribe(a, 'w');
    expect(hub.subscriberCount('w')).toBe(0);
    hub.join(a);
    hub.subscribe(a, 'w');
    const cyclic: Record<string, unknown> = { workspace: 'w' };
    cyclic.self = cyclic;
    expect(() => hub.publish('w', { method: 'sandbox/progress', params: cyclic as never })).not.toThrow();
    expect(errors).toHaveLength(1);
    hub.leave(a);
    expect(hub.subscriberCount('w')).toBe(0);
    expect(hub.connectionCount).toBe(0);
  });
});
