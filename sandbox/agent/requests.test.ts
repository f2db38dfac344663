import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { maxRequestBodyBytes } from './constants.mjs';
import { authorized, checkName, HttpError, parseToken, readJson } from './requests.mjs';

const body = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

async function httpError(promise: Promise<unknown> | (() => unknown)): Promise<HttpError> {
  const err = await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('the agent token', () => {
  const token = parseToken('0123456789abcdef0123\n');

  it('is taken from the launcher without its newline, and refused when short', () => {
    expect(token.toString()).toBe('0123456789abcdef0123');
    expect(() => parseToken('short')).toThrow(/16\+ characters/);
    expect(() => parseToken('')).toThrow(/16\+ characters/);
  });

  it('authorizes only the exact bearer token', () => {
    expect(authorized('Bearer 0123456789abcdef0123', token)).toBe(true);
    expect(authorized('Bearer 0123456789abcdef0124', token)).toBe(false);
    expect(authorized('Bearer 0123456789abcdef012', token)).toBe(false);
    expect(authorized('0123456789abcdef0123', token)).toBe(false);
    expect(authorized('Basic 0123456789abcdef0123', token)).toBe(false);
    expect(authorized(undefined, token)).toBe(false);
    expect(authorized('Bearer ', token)).toBe(false);
  });
});

describe('request bodies', () => {
  it('reads a JSON object split across chunks; an empty body is {}', async () => {
    expect(await readJson(body('{"name":', '"basic","debug":false}'))).toEqual({ name: 'basic', debug: false });
    expect(await readJson(body())).toEqual({});
  });

  it('refuses a body over the limit with 413, and one that is not a JSON object with 400', async () => {
    const big = await httpError(readJson(body('{"a":"', 'x'.repeat(maxRequestBodyBytes), '"}')));
    expect(big.status).toBe(413);
    expect((await httpError(readJson(body('{not json')))).status).toBe(400);
    expect((await httpError(readJson(body('[1,2]')))).status).toBe(400);
    expect((await httpError(readJson(body('"text"')))).status).toBe(400);
    expect((await httpError(readJson(body('null')))).status).toBe(400);
  });
});

describe('chaincode names', () => {
  it('accepts what can become a Fabric package label', () => {
    expect(checkName('basic')).toBe('basic');
    expect(checkName('a-b_c9')).toBe('a-b_c9');
    expect(checkName('x'.repeat(50))).toBe('x'.repeat(50));
  });

  it('refuses anything else with 400', async () => {
    for (const name of ['', 'Basic', '-basic', '_x', 'x'.repeat(51), 'a b', 'a/b', 'a.b', 7, undefined, null, ['basic']]) {
      expect((await httpError(() => checkName(name))).status, String(name)).toBe(400);
    }
  });
});
