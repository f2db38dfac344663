import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import { startTestServer, testToken, type TestServer } from '../../tests/kit/studioHarness.ts';
import type { Handlers } from './handlers.ts';

const messageCount = 5000;
const batchSize = 50;
/** Heap growth allowed over the whole run, measured after a forced GC. */
const maxHeapGrowthBytes = 16 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** mulberry32: a seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = 20_250_101;
const rand = random(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const int = (max: number): number => Math.floor(rand() * max);

function garbageText(length: number): string {
  const alphabet = '{}[]":,0123456789abcdefghijklmnopqrstuvwxyz \\\n\t\u0000\u00e9\u4e2d\ud83d\ude00-+.eEtruefalsnul';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
  return out;
}

/** Valid params for methods that have handlers; the fuzzer only ever sends broken versions. */
const validParams: Record<string, Record<string, unknown>> = {
  'file/read': { workspace: 'demo', path: 'src/index.ts' },
  'workspace/create': { name: 'demo', sample: 'asset-transfer' },
  invoke: { workspace: 'demo', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['a1'], transient: {} },
  setBreakpoints: { workspace: 'demo', source: { path: 'src/a.ts' }, breakpoints: [{ line: 3 }] },
  evaluate: { workspace: 'demo', expression: 'x', frameId: 1, context: 'watch' },
};
const requiredKeys: Record<string, string[]> = {
  'file/read': ['workspace', 'path'],
  'workspace/create': ['name', 'sample'],
  invoke: ['workspace', 'mode', 'contract', 'fn', 'args'],
  setBreakpoints: ['workspace', 'source', 'breakpoints'],
  evaluate: ['workspace', 'expression'],
};
/** Not valid for any required field above (the string is longer than any of their limits). */
const wrongValues: unknown[] = [null, {}, true, 12.5, -1, JSON.parse('{"__proto__":{"polluted":true}}') as unknown, 'x'.repeat(20_000)];

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function brokenParams(method: string): unknown {
  const base = { ...validParams[method] };
  const key = pick(requiredKeys[method] ?? []);
  switch (int(4)) {
    case 0:
      delete base[key];
      return base;
    case 1:
      return { ...base, [key]: pick(wrongValues) };
    case 2:
      return pick([5, 'params', [base], null, false]);
    default:
      return { ...base, [key]: JSON.parse(nested(1 + int(200))) as unknown };
  }
}

/** One message that must be answered with an error. */
function fuzzMessage(): { data: string | Buffer; binary: boolean } {
  const methods = Object.keys(validParams);
  const text = (data: string) => ({ data, binary: false });
  switch (int(12)) {
    case 0:
      return text(garbageText(1 + int(300)));
    case 1: {
      const valid = JSON.stringify({ id: int(1000), method: 'file/read', params: validParams['file/read'] });
      return text(valid.slice(0, int(valid.length)));
    }
    case 2:
      return text(JSON.stringify(pick([0, -3, 'str', true, null, [], [1, 2], 1e308, '{"id":1}'])));
    case 3:
      return text(JSON.stringify({ id: pick(['1', -1, 1.5, null, 2 ** 60, {}, [], true]), method: 'sample/list' }));
    case 4:
      return text(JSON.stringify({ id: int(1e6), method: pick([5, '', null, {}, 'x'.repeat(65), ['sample/list']]) }));
    case 5:
      return text(JSON.stringify({ id: int(1e6), method: pick(['nope', '__proto__', 'constructor', 'valueOf', 'file/READ', ' run', garbageText(10)]) }));
    case 6:
      // Known methods with no handler on this server.
      return text(JSON.stringify({ id: int(1e6), method: pick(['run', 'threads', 'export/ccaas', 'workspace/list']), params: {} }));
    case 7:
    case 8: {
      const method = pick(methods);
      return text(JSON.stringify({ id: int(1e6), method, params: brokenParams(method) }));
    }
    case 9:
      return text(JSON.stringify({ id: int(1e6), method: 'sample/list', params: pick([5, 'x', [], null, true]) }));
    case 10:
      return text(pick([nested(3000), `{"id":1,"method":"file/read","params":${nested(2000)}}`, '{"__proto__":{"polluted":1},"id":1}', '\u0000', ' ', '']));
    default:
      return { data: Buffer.from(garbageText(1 + int(100))), binary: true };
  }
}

describe('dispatcher fuzz', () => {
  let server: TestServer;
  let ws: WebSocket;
  const codes = new Map<string, number>();
  let results = 0;
  let received = 0;
  let onMessage: () => void = () => undefined;

  const handlers: Handlers = {
    'sample/list': async () => ({ samples: [] }),
    'file/read': async (p) => ({ path: p.path, content: '', version: '0' }),
    'workspace/create': async (p) => ({ workspace: p.name }),
    invoke: async () => ({ mode: 'submit', result: '', txId: 't', events: [], durationMs: 0 }),
    setBreakpoints: async () => ({ breakpoints: [] }),
    evaluate: async () => ({ result: '', variablesReference: 0 }),
  };

  beforeAll(async () => {
    // The fuzzer sends far faster than a browser; the rate limit is tested elsewhere.
    server = await startTestServer({ handlers, limits: { maxRequestsPerSecond: 1_000_000 } });
    ws = new WebSocket(`${server.wsUrl}?token=${testToken}`, { origin: server.origin });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      received += 1;
      if ('error' in message) codes.set(message.error.code, (codes.get(message.error.code) ?? 0) + 1);
      else results += 1;
      onMessage();
    });
  });
  afterAll(async () => {
    ws.close();
    await server.close();
  });

  async function sendBatch(count: number): Promise<void> {
    const target = received + count;
    const done = new Promise<void>((resolve) => {
      onMessage = () => {
        if (received >= target) resolve();
      };
    });
    for (let i = 0; i < count; i++) {
      const { data, binary } = fuzzMessage();
      ws.send(data, { binary });
    }
    await done;
  }

  it(`answers ${messageCount} garbage messages with errors, stays usable and does not leak`, { timeout: 60_000 }, async () => {
    // Warm up so lazily built code paths do not count as growth.
    for (let i = 0; i < 5; i++) await sendBatch(batchSize);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    received = 0;
    results = 0;
    codes.clear();

    for (let sent = 0; sent < messageCount; sent += batchSize) await sendBatch(batchSize);

    collectGarbage();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(received).toBe(messageCount);
    expect(results).toBe(0);
    expect([...codes.keys()].sort()).toEqual([ErrorCode.BadMessage, ErrorCode.InvalidParams, ErrorCode.UnknownMethod].sort());
    expect(server.log.errors).toEqual([]);
    expect(heapGrowth).toBeLessThan(maxHeapGrowthBytes);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const reply = new Promise<ServerMessage>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as ServerMessage)));
    ws.send(JSON.stringify({ id: 424242, method: 'sample/list', params: {} }));
    expect(await reply).toEqual({ id: 424242, result: { samples: [] } });
    expect(server.server.hub.connectionCount).toBe(1);
    console.info(`fuzz: seed ${seed}, ${messageCount} messages, codes ${JSON.stringify(Object.fromEntries(codes))}, heap growth ${(heapGrowth / 1024).toFixed(0)} KiB`);
  });
});
