import { describe, expect, it } from 'vitest';
import { takeAccessToken, type TokenPage } from './token.ts';

/** A tab: its address (which replaceState changes, as a browser does) and its sessionStorage. */
function tab(href: string): TokenPage & { href: string; storage: Storage } {
  const items = new Map<string, string>();
  const storage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  } as Storage;
  const page = {
    href,
    storage,
    location: { href },
    history: {
      state: { kept: true },
      replaceState(state: unknown, _unused: string, url?: string | URL | null) {
        expect(state).toEqual({ kept: true });
        page.href = new URL(String(url), page.href).href;
        page.location.href = page.href;
      },
    },
  };
  return page;
}

describe('takeAccessToken', () => {
  it('takes the token from the address, removes it from there and keeps the rest of the address', () => {
    const page = tab('http://127.0.0.1:8080/?token=abc123&workspace=demo#files');
    expect(takeAccessToken(page, page.storage)).toBe('abc123');
    expect(page.href).toBe('http://127.0.0.1:8080/?workspace=demo#files');
    expect(page.href).not.toContain('abc123');
  });

  it('still has the token after a reload of the cleaned address', () => {
    const page = tab('http://127.0.0.1:8080/?token=abc123');
    takeAccessToken(page, page.storage);
    expect(page.href).toBe('http://127.0.0.1:8080/');
    expect(takeAccessToken(page, page.storage)).toBe('abc123');
  });

  it('prefers a new token in the address to the kept one, and has none without either', () => {
    const page = tab('http://127.0.0.1:8080/?token=first');
    takeAccessToken(page, page.storage);
    page.location.href = 'http://127.0.0.1:8080/?token=second';
    expect(takeAccessToken(page, page.storage)).toBe('second');
    const fresh = tab('http://127.0.0.1:8080/?token=');
    expect(takeAccessToken(fresh, fresh.storage)).toBe('');
    expect(fresh.href).toBe('http://127.0.0.1:8080/');
  });
});
