import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../protocol/agent.ts';
import { logHistoryLines, maxLogLineChars, maxLogLinesPerSecond } from './constants.mjs';
import { LogHub } from './logs.mjs';

afterEach(() => {
  vi.useRealTimers();
});

const texts = (hub: LogHub) => hub.history().map((e) => `${e.source}: ${e.text}`);

describe('LogHub', () => {
  it('tags, timestamps and hands lines to subscribers until they unsubscribe', () => {
    const hub = new LogHub({ now: () => Date.UTC(2026, 0, 1, 12) });
    const seen: AgentEvent[] = [];
    const unsubscribe = hub.subscribe((e) => seen.push(e));
    hub.write('peer', 'hello');
    hub.publish({ type: 'ping' });
    unsubscribe();
    hub.write('peer', 'unseen');
    expect(seen).toEqual([{ type: 'log', source: 'peer', time: '2026-01-01T12:00:00.000Z', text: 'hello' }, { type: 'ping' }]);
    expect(texts(hub)).toEqual(['peer: hello', 'peer: unseen']);
  });

  it('keeps the last lines of each source, in order, and cuts a long line', () => {
    let now = 0;
    const hub = new LogHub({ now: () => (now += 1000) });
    hub.write('chaincode', 'my own line');
    for (let i = 0; i < logHistoryLines + 10; i++) hub.write('peer', `line ${i}`);
    expect(hub.history()).toHaveLength(logHistoryLines + 1);
    // A chatty peer does not push the chaincode's line out.
    expect(texts(hub).slice(0, 2)).toEqual(['chaincode: my own line', 'peer: line 10']);
    hub.write('chaincode', 'x'.repeat(maxLogLineChars + 50));
    expect(hub.history().at(-1)?.text).toBe(`${'x'.repeat(maxLogLineChars)}… (line cut at ${maxLogLineChars} characters)`);
  });

  it('drops lines over the per-source rate and says how many, without starving other sources', () => {
    vi.useFakeTimers();
    let now = Date.UTC(2026, 0, 1, 12);
    const hub = new LogHub({ now: () => now });
    for (let i = 0; i < maxLogLinesPerSecond + 100; i++) hub.write('chaincode', `flood ${i}`);
    hub.write('peer', 'still heard');
    const chaincodeLines = hub.history().filter((e) => e.source === 'chaincode');
    expect(chaincodeLines).toHaveLength(maxLogLinesPerSecond);
    expect(texts(hub).at(-1)).toBe('peer: still heard');
    // The flood ended with its second: the report comes from the timer, once.
    now += 1000;
    vi.advanceTimersByTime(1010);
    expect(texts(hub).at(-1)).toBe(`sandbox: 100 chaincode log lines dropped: over the log rate limit of ${maxLogLinesPerSecond} lines per second`);
    hub.write('chaincode', 'next second');
    expect(texts(hub).slice(-2)).toEqual([`sandbox: 100 chaincode log lines dropped: over the log rate limit of ${maxLogLinesPerSecond} lines per second`, 'chaincode: next second']);
  });

  it("tags the chaincode's lines as the user's or the shim's, with their level", async () => {
    const hub = new LogHub({ now: () => 0 });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    hub.attach('chaincode', { stdout, stderr });
    stdout.write('1970-01-01T00:00:00.000Z info [c-api:lib/handler.js]   ready\n');
    stdout.write('user line\n');
    stderr.end('Error: boom\n');
    stdout.end();
    await new Promise((resolve) => stderr.on('end', resolve));
    expect(hub.history().map((e) => [e.source, e.level ?? 'info', e.text.slice(0, 10)])).toEqual([
      ['shim', 'info', '1970-01-01'],
      ['chaincode', 'info', 'user line'],
      ['chaincode', 'error', 'Error: boo'],
    ]);
  });

  it("splits a child's output into lines, and bounds a flood without newlines", () => {
    let now = 0;
    const hub = new LogHub({ now: () => (now += 1000) });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    hub.attach('orderer', { stdout, stderr });
    stdout.write('one\r\ntw');
    stdout.write('o\n\n');
    stderr.write('err line\n');
    stdout.write('x'.repeat(maxLogLineChars * 5));
    stdout.end('tail');
    return new Promise<void>((resolve) => {
      stdout.on('end', () => {
        const lines = hub.history().map((e) => e.text);
        expect(lines.slice(0, 3)).toEqual(['one', 'two', 'err line']);
        // The flood is cut into bounded lines; nothing was buffered whole.
        expect(lines.slice(3).every((l) => l.length <= maxLogLineChars + 40)).toBe(true);
        expect(lines.at(-1)).toBe('tail');
        resolve();
      });
    });
  });
});
