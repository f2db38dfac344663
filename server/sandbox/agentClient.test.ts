/**
 * The agent client against a fake agent on 127.0.0.1 that answers what each
 * test sets: valid replies, malformed ones, oversized ones, and event streams
 * with bad lines among good ones.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../protocol/agent.ts';
import { maxAgentEventLineBytes, maxAgentReplyBytes } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createAgentClient, type AgentClient, type AgentEvent } from './agentClient.ts';

const token = 'a-test-token-of-enough-length';
const status: AgentStatus = {
  phase: 'ready',
  message: 'Fabric 2.5 is ready',
  mode: 'dev',
  fabricVersion: 'v2.5.0',
  channel: 'studio',
  mspId: 'Org1MSP',
  orderer: { running: true, restarts: 0 },
  peer: { running: true, restarts: 1 },
  chaincode: { phase: 'running', name: 'basic', packageId: 'basic_studio:abc', pid: 42, debug: true },
};

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: http.Server;
let warnings: string[];
let client: AgentClient;

const json = (body: unknown, code = 200): Handler => (_req, res) => res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) res.writeHead(401).end('{"error":"wrong token"}');
    else handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  warnings = [];
  client = createAgentClient({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, token, warn: (m) => warnings.push(m) });
});

async function rejection(promise: Promise<unknown>): Promise<StudioError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

describe('replies', () => {
  it('returns a reply that matches its schema, without unknown fields', async () => {
    handler = json({ ...status, extra: 'dropped' });
    const reply = await client.status();
    expect(reply).toEqual(status);
    expect(reply).not.toHaveProperty('extra');
  });

  it('turns a reply of the wrong shape into a sandbox error naming the endpoint and the field', async () => {
    handler = json({ ...status, chaincode: { ...status.chaincode, pid: 'forty-two' } });
    const err = await rejection(client.status());
    expect(err.code).toBe(ErrorCode.Sandbox);
    expect(err.message).toContain('/status');
    expect(err.message).toContain('chaincode.pid');
  });

  it('turns a reply that is not JSON into a sandbox error naming the endpoint', async () => {
    handler = (_req, res) => res.writeHead(200).end('<html>not json</html>');
    const err = await rejection(client.define('basic'));
    expect(err.code).toBe(ErrorCode.Sandbox);
    expect(err.message).toMatch(/reply to \/chaincode\/define is not JSON/);
  });

  it('checks the connection reply (production mode) and builds endpoints from the host', async () => {
    const identity = { mspId: 'Org1MSP', certificate: 'CERT', privateKey: 'KEY' };
    const node = (port: number, hostname: string) => ({ port, hostname, tlsRootCert: 'CA' });
    handler = json({ mode: 'production', channel: 'studio', mspId: 'Org1MSP', peer: node(7051, 'peer0'), orderer: node(7050, 'orderer'), admin: { ...identity, caCert: 'ORGCA' }, user: identity });
    const connection = await client.connection();
    expect(connection.peer).toEqual({ endpoint: '127.0.0.1:7051', hostname: 'peer0', tlsRootCert: 'CA' });
    expect(connection.admin.caCert).toBe('ORGCA');

    handler = json({ mode: 'production', channel: 'studio', mspId: 'Org1MSP', peer: node(70_510, 'peer0'), orderer: node(7050, 'orderer'), admin: identity, user: identity });
    const err = await rejection(client.connection());
    expect(err.message).toContain('/connection');
  });

  it("reports the agent's refusal with its message, 409 as not ready", async () => {
    handler = json({ error: 'the sandbox is not ready: starting' }, 409);
    const notReady = await rejection(client.startChaincode('basic', { debug: true }));
    expect(notReady.code).toBe(ErrorCode.SandboxNotReady);
    expect(notReady.message).toBe('The sandbox refused /chaincode/start: the sandbox is not ready: starting');

    handler = json({ error: { nested: 'not a string' } }, 500);
    const odd = await rejection(client.stopChaincode());
    expect(odd.code).toBe(ErrorCode.Sandbox);
    expect(odd.message).toBe('The sandbox refused /chaincode/stop: HTTP 500');
  });

  it('stops reading a reply over the size cap, declared or not', async () => {
    const big = JSON.stringify({ mspId: 'x'.repeat(maxAgentReplyBytes), certificate: '', privateKey: '' });
    handler = json(JSON.parse(big));
    const declared = await rejection(client.identity());
    expect(declared.code).toBe(ErrorCode.Sandbox);
    expect(declared.message).toContain(`reply to /identity is larger than ${maxAgentReplyBytes} bytes`);

    // Chunked, with no length: an endless body is cut off at the cap.
    let written = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && written < 50 * maxAgentReplyBytes) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    };
    const streamed = await rejection(client.identity());
    expect(streamed.message).toContain('larger than');
    expect(written).toBeLessThan(10 * maxAgentReplyBytes);
  });
});

describe('events', () => {
  /** Serves `body` as the event stream and collects what the client passes on until the stream ends. */
  function streamOf(...parts: (string | Buffer)[]): Promise<{ events: AgentEvent[]; error?: Error }> {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      for (const part of parts) res.write(part);
      res.end();
    };
    return new Promise((resolve) => {
      const events: AgentEvent[] = [];
      client.events(
        (e) => events.push(e),
        (error) => resolve({ events, error }),
      );
    });
  }
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const log = (text: string) => ({ type: 'log', source: 'peer', time: '2026-01-01T00:00:00.000Z', text });

  it('passes on valid events, drops malformed ones and goes on', async () => {
    const { events, error } = await streamOf(
      line({ type: 'status', status }),
      'not json at all\n',
      line(log('one')),
      line({ type: 'log', source: 'kernel', time: 'now', text: 'bad source' }),
      line({ type: 'status', status: { ...status, phase: 'exploded' } }),
      line({ type: 'mystery' }),
      line(log('two')),
      line({ type: 'ping' }),
    );
    expect(error).toBeUndefined();
    expect(events).toEqual([{ type: 'status', status }, log('one'), log('two'), { type: 'ping' }]);
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/not JSON/);
    expect(warnings.join('\n')).toMatch(/type log.*source/);
    expect(warnings.join('\n')).toMatch(/type status.*status\.phase/);
    expect(warnings.join('\n')).toMatch(/type mystery/);
  });

  it('reports each kind of malformed event once, not once per line', async () => {
    const bad = Array.from({ length: 500 }, () => line({ type: 'log', source: 'kernel', time: 'now', text: 'x' })).join('');
    const { events } = await streamOf(bad, line(log('after')));
    expect(events).toEqual([log('after')]);
    expect(warnings).toHaveLength(1);
  });

  it('drops a line over the cap without buffering it, and reads the next one', async () => {
    const huge = line(log('y'.repeat(maxAgentEventLineBytes)));
    // Split across many writes, as a socket delivers it.
    const pieces = [];
    for (let i = 0; i < huge.length; i += 1000) pieces.push(huge.slice(i, i + 1000));
    const justUnder = line(log('z'.repeat(maxAgentEventLineBytes - 200)));
    const { events } = await streamOf(line(log('before')), ...pieces, line(log('after')), justUnder);
    expect(events.map((e) => (e.type === 'log' ? e.text.slice(0, 6) : e.type))).toEqual(['before', 'after', 'zzzzzz']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('oversized');
  });

  it('keeps a multi-byte character split across chunks whole', async () => {
    const text = 'ünïcödé ✓';
    const bytes = Buffer.from(line(log(text)));
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    const { events } = await streamOf(bytes.subarray(0, cut), bytes.subarray(cut));
    expect(events).toEqual([log(text)]);
  });

  it('ends with an error when the agent refuses the stream', async () => {
    const client2 = createAgentClient({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, token: 'wrong-token-of-enough-length', warn: () => undefined });
    const error = await new Promise<Error | undefined>((resolve) => client2.events(() => undefined, resolve));
    expect(error?.message).toBe('agent events answered HTTP 401');
  });
});
