const tokenStorageKey = 'chaincode-studio:token';

/**
 * The access token from the page URL (`?token=…`), kept in sessionStorage so a
 * reload without the query string still connects. Returns '' when there is none.
 */
export function readAccessToken(location: Location, storage: Storage): string {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    storage.setItem(tokenStorageKey, fromUrl);
    return fromUrl;
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
