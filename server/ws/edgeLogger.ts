/**
 * Where the network edge reports what the user cannot see: handler crashes,
 * refused upgrades. Tokens travel in query strings (`/ws?token=`,
 * `/download/:id?token=`), so nothing this writes keeps a query string.
 */
export interface EdgeLogger {
  warn(message: string): void;
  /** `err`'s stack is printed when it has one. */
  error(message: string, err?: unknown): void;
}

const redacted = '[redacted]';

/** `url` (a request target) without its query string, which may carry the token; '?' when there is none. */
export function redactUrl(url: string | undefined): string {
  if (url === undefined) return '?';
  const query = url.indexOf('?');
  return query < 0 ? url : `${url.slice(0, query)}?${redacted}`;
}

/** `text` with the query string of every URL or path in it replaced. */
export function redactQueries(text: string): string {
  return text.replace(/(\/[^\s?"'<>]*)\?[^\s"'<>]*/g, `$1?${redacted}`);
}

/** What an error prints (its stack, else its message), with query strings redacted. */
function redactError(err: unknown): string {
  if (err instanceof Error) return redactQueries(err.stack ?? `${err.name}: ${err.message}`);
  return redactQueries(String(err));
}

/** Writes to stderr, query strings redacted. */
export const consoleEdgeLogger: EdgeLogger = {
  warn: (message) => console.warn(redactQueries(message)),
  error: (message, err) => (err === undefined ? console.error(redactQueries(message)) : console.error(redactQueries(message), redactError(err))),
};
