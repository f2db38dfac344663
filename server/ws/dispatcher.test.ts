import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Reply } from '../../protocol/messages.ts';
import { StudioError } from '../errors.ts';
import { startTestServer, type TestClient, type TestServer } from '../../tests/kit/studioHarness.ts';
import type { Handlers } from './handlers.ts';

const handlers: Handlers = {
  'sample/list': async () => ({ samples: [{ id: 'asset-transfer', title: 'Asset transfer', language: 'typescript' }] }),
  'file/read': async (params) => ({ path: params.path, content: `content of ${params.path}`, version: 'v1' }),
  'workspace/delete': async (params) => {
    throw new StudioError(ErrorCode.NotFound, `No workspace named ${params.workspace}.`, { data: { workspace: params.workspace } });
  },
  'workspace/open': async () => {
    throw new Error('disk on fire');
  },
};

function errorOf(reply: Reply): { id: number | null; code: string; message: string; data?: unknown } {
  if (!('error' in reply)) throw new Error(`Expected an error reply, got ${JSON.stringify(reply)}`);
  return { id: reply.id, ...reply.error };
}

describe('dispatcher over a real connection', () => {
  let server: TestServer;
  let client: TestClient;

  beforeEach(async () => {
    server = await startTestServer({ handlers });
    client = await server.connect();
  });
  afterEach(async () => {
    await server.close();
  });

  /** After every bad message the same connection must still serve a valid request. */
  async function expectStillUsable(): Promise<void> {
    const reply = await client.request('sample/list', {});
    expect(reply).toMatchObject({ result: { samples: [{ id: 'asset-transfer' }] } });
  }

  it('answers a valid request with its result and id', async () => {
    const reply = await client.request('file/read', { workspace: 'demo', path: 'src/index.ts' });
    expect(reply).toEqual({ id: 1, result: { path: 'src/index.ts', content: 'content of src/index.ts', version: 'v1' } });
  });

  it('treats missing params as an empty object', async () => {
    client.send(JSON.stringify({ id: 5, method: 'sample/list' }));
    expect(await client.nextReply()).toMatchObject({ id: 5, result: { samples: [{ id: 'asset-transfer' }] } });
  });

  it('answers malformed JSON with bad_message and id null', async () => {
    client.send('{"id": 3, "method": "sample/list"');
    const error = errorOf(await client.nextReply());
    expect(error).toMatchObject({ id: null, code: ErrorCode.BadMessage, message: 'The message is not valid JSON.' });
    await expectStillUsable();
  });

  it.each([
    ['a number', '42', 'message: expected object, got number'],
    ['an array', '[1, "sample/list"]', 'message: expected object, got array'],
    ['null', 'null', 'message: expected object, got null'],
    ['a string', '"hello"', 'message: expected object, got string'],
  ])('answers %s (not an object) with bad_message', async (_name, text, detail) => {
    client.send(text);
    const error = errorOf(await client.nextReply());
    expect(error.id).toBeNull();
    expect(error.code).toBe(ErrorCode.BadMessage);
    expect(error.message).toContain(detail);
    await expectStillUsable();
  });

  it('answers a request without an id with bad_message naming the id', async () => {
    client.send(JSON.stringify({ method: 'sample/list', params: {} }));
    const error = errorOf(await client.nextReply());
    expect(error).toMatchObject({ id: null, code: ErrorCode.BadMessage });
    expect(error.message).toContain('message.id: expected number, but it is missing');
    await expectStillUsable();
  });

  it('echoes a readable id when the rest of the envelope is wrong', async () => {
    client.send(JSON.stringify({ id: 77, method: 12 }));
    const error = errorOf(await client.nextReply());
    expect(error).toMatchObject({ id: 77, code: ErrorCode.BadMessage });
    expect(error.message).toContain('message.method: expected string, got number');
    await expectStillUsable();
  });

  it('does not echo an id that is not a non-negative integer', async () => {
    client.send(JSON.stringify({ id: -4.5, method: 'sample/list' }));
    const error = errorOf(await client.nextReply());
    expect(error).toMatchObject({ id: null, code: ErrorCode.BadMessage });
    expect(error.message).toContain('message.id');
    await expectStillUsable();
  });

  it('answers an unknown method with unknown_method', async () => {
    const error = errorOf(await client.request('workspace/explode', {}));
    expect(error).toMatchObject({ id: 1, code: ErrorCode.UnknownMethod, message: 'Unknown method "workspace/explode".' });
    await expectStillUsable();
  });

  it('does not treat Object.prototype names as methods', async () => {
    for (const method of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(errorOf(await client.request(method, {})).code).toBe(ErrorCode.UnknownMethod);
    }
    await expectStillUsable();
  });

  it('says a known method without a handler is not available', async () => {
    const error = errorOf(await client.request('invoke', { workspace: 'demo', mode: 'submit', contract: '', fn: 'f', args: [] }));
    expect(error).toMatchObject({ code: ErrorCode.UnknownMethod, message: 'The method "invoke" is not available on this server.' });
    await expectStillUsable();
  });

  it('answers invalid params with invalid_params naming each field in plain words', async () => {
    const error = errorOf(await client.request('file/read', { workspace: 'demo', path: 7 }));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toBe('Invalid params for file/read: params.path: expected string, got number');
    expect(error.data).toEqual({ issues: [{ path: 'params.path', message: 'expected string, got number' }] });

    const missing = errorOf(await client.request('file/read', { path: 'a.ts' }));
    expect(missing.message).toContain('params.workspace: expected string, but it is missing');

    const badId = errorOf(await client.request('file/read', { workspace: 'Not Valid!', path: 'a.ts' }));
    expect(badId.message).toContain('params.workspace: a workspace id is 1-63 lowercase letters, digits or dashes');

    const notObject = errorOf(await client.request('file/read', 'src/index.ts'));
    expect(notObject.message).toContain('params: expected object, got string');
    await expectStillUsable();
  });

  it('passes a StudioError through with its code, message and data', async () => {
    const error = errorOf(await client.request('workspace/delete', { workspace: 'ghost' }));
    expect(error).toEqual({ id: 1, code: ErrorCode.NotFound, message: 'No workspace named ghost.', data: { workspace: 'ghost' } });
    expect(server.log.errors).toEqual([]);
    await expectStillUsable();
  });

  it('turns a plain Error into internal and logs it with its stack', async () => {
    const error = errorOf(await client.request('workspace/open', { workspace: 'demo' }));
    expect(error).toEqual({ id: 1, code: ErrorCode.Internal, message: 'Internal error: disk on fire' });
    expect(server.log.errors).toHaveLength(1);
    const logged = server.log.errors[0];
    expect(logged?.message).toContain('workspace/open');
    expect(logged?.err).toBeInstanceOf(Error);
    expect((logged?.err as Error).stack).toContain('dispatcher.test.ts');
    await expectStillUsable();
  });

  it('answers binary frames with bad_message', async () => {
    client.send(Buffer.from(JSON.stringify({ id: 1, method: 'sample/list' })), true);
    const error = errorOf(await client.nextReply());
    expect(error).toMatchObject({ id: null, code: ErrorCode.BadMessage });
    expect(error.message).toContain('Binary frames');
    await expectStillUsable();
  });

  it('answers a result JSON cannot encode with internal', async () => {
    const cyclic = await startTestServer({
      handlers: {
        'sample/list': async () => {
          const samples: unknown[] = [];
          samples.push(samples);
          return { samples } as never;
        },
      },
    });
    try {
      const other = await cyclic.connect();
      const error = errorOf(await other.request('sample/list', {}));
      expect(error).toMatchObject({ id: 1, code: ErrorCode.Internal });
      expect(cyclic.log.errors).toHaveLength(1);
    } finally {
      await cyclic.close();
    }
  });
});
