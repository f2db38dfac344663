const tokenStorageKey = 'chaincode-studio:token';

/** The parts of `window` the token is read from and removed from. */
export interface TokenPage {
  readonly location: Pick<Location, 'href'>;
  readonly history: Pick<History, 'state' | 'replaceState'>;
}

/**
 * The access token. Taken once from the page URL (`?token=…`), kept in
 * sessionStorage (this tab only, gone when it closes) so a reload still
 * connects, and removed from the address bar at once so it does not stay in
 * the browser's history, a bookmark or a screenshot. Returns '' when there is none.
 */
export function takeAccessToken(page: TokenPage, storage: Storage): string {
  const url = new URL(page.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    page.history.replaceState(page.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    if (fromUrl !== '') {
      storage.setItem(tokenStorageKey, fromUrl);
      return fromUrl;
    }
  }
  return storage.getItem(tokenStorageKey) ?? '';
}

/** A same-origin download link for a path the server handed out (an export), carrying the token. */
export function downloadHref(path: string, token: string): string {
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
}

/** The WebSocket URL of the server that served this page, carrying the token. */
export function socketUrl(location: Location, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}/ws${query}`;
}
