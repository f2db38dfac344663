/**
 * The WebSocket edge as a browser meets it: a page from a foreign origin
 * cannot open it even with the token, and on the IDE's own origin a
 * malformed message gets an error reply while the session goes on.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures.ts';

/** What happened to a `new WebSocket(url)` made inside the page. */
interface SocketOutcome {
  opened: boolean;
  closeCode: number | null;
}

/** Opens a WebSocket from the page and reports whether it opened (and then closes it). */
const tryWebSocket = (url: string): Promise<SocketOutcome> =>
  new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.onopen = () => {
      socket.close();
      resolve({ opened: true, closeCode: null });
    };
    socket.onclose = (ev) => resolve({ opened: false, closeCode: ev.code });
  });

test.describe('the WebSocket from a browser', () => {
  let foreign: Server;
  let foreignUrl = '';

  test.beforeAll(async () => {
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>Not the IDE</title><p>A page from another origin.</p>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
  });
  test.afterAll(async () => {
    await new Promise((resolve) => foreign.close(resolve));
  });

  test('a page from a foreign origin cannot open it, even with the token; the IDE’s origin can', async ({ page, studio }) => {
    const wsUrl = `ws://127.0.0.1:${studio.port}/ws?token=${studio.token}`;
    await page.goto(foreignUrl);
    const fromForeign = await page.evaluate(tryWebSocket, wsUrl);
    expect(fromForeign.opened).toBe(false);
    // 1006: the handshake was refused, so the browser never had a connection to close cleanly.
    expect(fromForeign.closeCode).toBe(1006);

    await page.goto(`${studio.url}/healthz`);
    const fromIde = await page.evaluate(tryWebSocket, wsUrl);
    expect(fromIde.opened).toBe(true);
  });

  test('a malformed message gets a bad_message reply and the session goes on', async ({ page, studio }) => {
    await page.goto(`${studio.url}/healthz`);
    const replies = await page.evaluate(async (url) => {
      const socket = new WebSocket(url);
      const received: unknown[] = [];
      const next = (): Promise<unknown> =>
        new Promise((resolve, reject) => {
          const onMessage = (ev: MessageEvent): void => {
            const message = JSON.parse(String(ev.data)) as { id?: unknown; method?: unknown };
            // Notifications (no id, with a method) are not replies.
            if (message.method !== undefined && message.id === undefined) return;
            socket.removeEventListener('message', onMessage);
            resolve(message);
          };
          socket.addEventListener('message', onMessage);
          socket.addEventListener('close', (ev) => reject(new Error(`closed ${ev.code}`)), { once: true });
        });
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      for (const message of ['this is {not json', '{"id": "seven", "method": 7}', '{"id": 3, "method": "file/read", "params": {"workspace": "../etc", "path": "passwd"}}', '{"id": 4, "method": "no/such"}']) {
        socket.send(message);
        received.push(await next());
      }
      socket.send(JSON.stringify({ id: 5, method: 'sample/list', params: {} }));
      received.push(await next());
      socket.close();
      return received;
    }, `ws://127.0.0.1:${studio.port}/ws?token=${studio.token}`);

    const [garbage, badEnvelope, badParams, unknown, valid] = replies as { id: number | null; error?: { code: string; message: string }; result?: { samples: { id: string }[] } }[];
    expect(garbage?.error?.code).toBe('bad_message');
    expect(garbage?.id).toBeNull();
    expect(badEnvelope?.error?.code).toBe('bad_message');
    expect(badParams).toMatchObject({ id: 3, error: { code: 'invalid_params' } });
    expect(unknown).toMatchObject({ id: 4, error: { code: 'unknown_method' } });
    expect(valid?.id).toBe(5);
    expect(valid?.result?.samples.map((s) => s.id)).toEqual(expect.arrayContaining(['asset-transfer-ts', 'asset-transfer-js']));
  });
});
