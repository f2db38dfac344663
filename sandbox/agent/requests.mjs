// @ts-check
// The agent's HTTP edge, as plain functions: the token check, request bodies
// and the checks on what a request names.
import { timingSafeEqual } from 'node:crypto';
import { isValidLabel } from './lifecycle.mjs';
import { maxRequestBodyBytes, minTokenChars } from './constants.mjs';

/** An error with the HTTP status the agent answers it with. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * The agent's token, as the launcher handed it over (its trailing newline, if any, dropped).
 * @param {string} text
 * @returns {Buffer}
 */
export function parseToken(text) {
  const token = text.trim();
  if (token.length < minTokenChars) throw new Error(`the agent token must have ${minTokenChars}+ characters`);
  return Buffer.from(token);
}

/**
 * Whether an `Authorization` header carries `token` (compared in constant time).
 * @param {string | undefined} header
 * @param {Buffer} token
 */
export function authorized(header, token) {
  const value = header ?? '';
  const given = Buffer.from(value.startsWith('Bearer ') ? value.slice(7) : '');
  return given.length === token.length && timingSafeEqual(given, token);
}

/**
 * A JSON object body, at most `maxBytes` long; an empty body is `{}`.
 * @param {AsyncIterable<Buffer | string>} req
 * @param {number} [maxBytes]
 * @returns {Promise<Record<string, unknown>>}
 */
export async function readJson(req, maxBytes = maxRequestBodyBytes) {
  /** @type {Buffer[]} */
  const chunks = [];
  let total = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > maxBytes) throw new HttpError(413, `request body too large (over ${maxBytes} bytes)`);
    chunks.push(bytes);
  }
  if (total === 0) return {};
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the request body must be a JSON object');
  return body;
}

/**
 * A chaincode name as the agent accepts it: it becomes part of a Fabric package label.
 * @param {unknown} name
 * @returns {string}
 */
export function checkName(name) {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,49}$/.test(name) || !isValidLabel(`${name}_studio`)) {
    throw new HttpError(400, 'a chaincode name is 1-50 lowercase letters, digits, _ or -');
  }
  return name;
}
