/** The access token check shared by the WebSocket upgrade and the download route. */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when `given` is the server's token. Constant time: both sides are
 * hashed to equal length first, so neither the length nor the first
 * differing byte shows in the timing.
 */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}
