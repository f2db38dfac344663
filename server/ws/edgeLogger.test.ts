import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleEdgeLogger, redactQueries, redactUrl } from './edgeLogger.ts';

const token = 'secret-token-0123456789';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('redactUrl', () => {
  it('drops the query string of a request target and keeps the path', () => {
    expect(redactUrl(`/download/pkg-1?token=${token}`)).toBe('/download/pkg-1?[redacted]');
    expect(redactUrl(`/ws?a=1&token=${token}`)).toBe('/ws?[redacted]');
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl(undefined)).toBe('?');
  });
});

describe('redactQueries', () => {
  it('drops the query string of every URL or path in a text and leaves prose alone', () => {
    const text = `GET http://127.0.0.1:8080/download/x?token=${token} then /ws?token=${token} and "/a?b=c" — why? fine`;
    expect(redactQueries(text)).toBe('GET http://127.0.0.1:8080/download/x?[redacted] then /ws?[redacted] and "/a?[redacted]" — why? fine');
  });
});

describe('consoleEdgeLogger', () => {
  it('writes warnings, messages and error stacks without query strings', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    consoleEdgeLogger.warn(`Refused /ws?token=${token}`);
    consoleEdgeLogger.error(`HTTP GET /download/p?token=${token} failed:`, new Error(`fetch /download/p?token=${token}`));
    consoleEdgeLogger.error(`plain /x?token=${token}`);
    const written = JSON.stringify([...warn.mock.calls, ...error.mock.calls]);
    expect(written).not.toContain(token);
    expect(warn.mock.calls).toEqual([['Refused /ws?[redacted]']]);
    expect(error.mock.calls[0]?.[0]).toBe('HTTP GET /download/p?[redacted] failed:');
    expect(String(error.mock.calls[0]?.[1])).toMatch(/^Error: fetch \/download\/p\?\[redacted\]\n\s+at /);
  });
});
