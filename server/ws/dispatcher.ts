/**
 * Turns one incoming WebSocket frame into exactly one reply. Every check a
 * message from the network must pass happens here, in order: JSON, envelope,
 * admission (rate and in-flight limits), method, params; then the handler.
 * `dispatch` never throws and never rejects: whatever goes wrong becomes an
 * error reply, so one bad message cannot take the connection down.
 */
import type { RawData } from 'ws';
import type { z } from 'zod';
import { ErrorCode, type ErrorBody } from '../../protocol/errors.ts';
import { RequestEnvelope, isMethod, requestParams, type Method, type Reply, type ResultOf } from '../../protocol/messages.ts';
import { StudioError, toErrorBody } from '../errors.ts';
import type { TokenScope } from '../http/tokenScope.ts';
import type { EdgeLogger } from './edgeLogger.ts';
import type { Handlers, RequestContext } from './handlers.ts';
import type { RequestGate } from './requestGate.ts';
import { scopeRefusal } from './scopeCheck.ts';

/** How many validation issues an error message lists before it says "and N more". */
const maxIssuesListed = 8;

export interface DispatcherOptions {
  readonly handlers: Handlers;
  readonly log: EdgeLogger;
  /** Whether a connection's scope still holds (its workspace was not deleted since); default: always. */
  readonly scopeIsCurrent?: (scope: TokenScope) => Promise<boolean>;
}

export interface Dispatcher {
  /** Answers one frame. Resolves with the reply to send; never rejects. */
  dispatch(data: RawData | string, isBinary: boolean, ctx: RequestContext, gate: RequestGate): Promise<Reply>;
}

type UntypedHandler = (params: unknown, ctx: RequestContext) => Promise<unknown>;

type Decoded = { id: number | null; envelope: RequestEnvelope } | { id: number | null; error: ErrorBody };

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { handlers, log } = options;

  async function call(envelope: RequestEnvelope, ctx: RequestContext): Promise<Reply> {
    const { id, method } = envelope;
    if (!isMethod(method)) {
      return errorReply(id, ErrorCode.UnknownMethod, `Unknown method "${method}".`);
    }
    const handler = Object.hasOwn(handlers, method) ? (handlers[method] as UntypedHandler | undefined) : undefined;
    if (handler === undefined) {
      return errorReply(id, ErrorCode.UnknownMethod, `The method "${method}" is not available on this server.`);
    }
    const rawParams = envelope.params === undefined ? {} : envelope.params;
    const parsed = requestParams[method].safeParse(rawParams);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, rawParams, 'params');
      return {
        id,
        error: {
          code: ErrorCode.InvalidParams,
          message: `Invalid params for ${method}: ${joinIssues(issues)}`,
          data: { issues },
        },
      };
    }
    const refusal = scopeRefusal(method, parsed.data, ctx.scope);
    if (refusal !== undefined) return errorReply(id, ErrorCode.Forbidden, refusal);
    try {
      if (ctx.scope.kind === 'workspace' && options.scopeIsCurrent !== undefined && !(await options.scopeIsCurrent(ctx.scope))) {
        return errorReply(id, ErrorCode.Forbidden, `The workspace "${ctx.scope.workspace}" this link opened was deleted. Ask for a new link.`);
      }
      const result = await handler(parsed.data, ctx);
      // A reply without `result` would look like neither a result nor an error to the client.
      return { id, result: (result ?? {}) as ResultOf<Method> };
    } catch (err) {
      if (!(err instanceof StudioError)) {
        log.error(`Handler for ${method} failed (request ${id} on ${ctx.connectionId}):`, err);
      }
      return { id, error: toErrorBody(err) };
    }
  }

  return {
    async dispatch(data, isBinary, ctx, gate) {
      let id: number | null = null;
      try {
        const decoded = decode(data, isBinary);
        id = decoded.id;
        const refusal = gate.enter();
        if (refusal !== undefined) return { id, error: refusal };
        try {
          if ('error' in decoded) return { id, error: decoded.error };
          return await call(decoded.envelope, ctx);
        } finally {
          gate.leave();
        }
      } catch (err) {
        // Only a bug in this module gets here; still answer rather than throw.
        log.error(`Dispatcher failed on ${ctx.connectionId}:`, err);
        return { id, error: toErrorBody(err) };
      }
    },
  };
}

/** Serializes a reply; a result JSON cannot represent becomes an `internal` error reply. */
export function serializeReply(reply: Reply, log: EdgeLogger): string {
  try {
    return JSON.stringify(reply);
  } catch (err) {
    log.error(`Reply ${String(reply.id)} could not be serialized:`, err);
    return JSON.stringify(errorReply(reply.id, ErrorCode.Internal, 'Internal error: the result could not be encoded as JSON.'));
  }
}

/**
 * The reply to a message over the size limit. Its id is read from the start
 * of the text (our client writes `{"id":…` first) because the message is not
 * parsed.
 */
export function tooLargeReply(data: RawData | string, byteLength: number, maxMessageBytes: number): Reply {
  const head = (typeof data === 'string' ? data.slice(0, 64) : toBuffer(data).subarray(0, 64).toString('utf8'));
  const match = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(head);
  const id = match?.[1] === undefined ? null : Number(match[1]);
  return errorReply(
    id,
    ErrorCode.TooLarge,
    `The message is ${formatMegabytes(byteLength)}; the server accepts at most ${formatMegabytes(maxMessageBytes)} per message.`,
  );
}

function decode(data: RawData | string, isBinary: boolean): Decoded {
  if (isBinary) {
    return { id: null, error: badMessage('Binary frames are not accepted; send requests as JSON text.') };
  }
  const text = typeof data === 'string' ? data : toBuffer(data).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { id: null, error: badMessage('The message is not valid JSON.') };
  }
  const id = readId(value);
  const parsed = RequestEnvelope.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues, value, 'message');
    return {
      id,
      error: badMessage(`A request is a JSON object {"id": number, "method": string, "params"?: object}: ${joinIssues(issues)}`),
    };
  }
  return { id, envelope: parsed.data };
}

function readId(value: unknown): number | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id: unknown = (value as Record<string, unknown>).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function badMessage(message: string): ErrorBody {
  return { code: ErrorCode.BadMessage, message };
}

function errorReply(id: number | null, code: ErrorBody['code'], message: string): Reply {
  return { id, error: { code, message } };
}

/** One validation problem, with the path spelled as in JavaScript (`params.args[2]`). */
export interface IssueDescription {
  path: string;
  message: string;
}

/** Plain-words descriptions of zod issues, e.g. `params.path: expected string, got number`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, root: string): IssueDescription[] {
  return issues.map((issue) => {
    const path = formatPath(root, issue.path);
    if (issue.code === 'invalid_type') {
      const actual = valueAt(input, issue.path);
      const message = actual.found
        ? `expected ${issue.expected}, got ${describeType(actual.value)}`
        : `expected ${issue.expected}, but it is missing`;
      return { path, message };
    }
    return { path, message: plainMessage(issue.message) };
  });
}

function joinIssues(issues: readonly IssueDescription[]): string {
  const listed = issues.slice(0, maxIssuesListed).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more} more` : listed.join('; ');
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || typeof key === 'symbol') return { found: false, value: undefined };
    if (!Object.hasOwn(current, key)) return { found: false, value: undefined };
    current = (current as Record<string | number, unknown>)[key];
  }
  return { found: current !== undefined, value: current };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** zod's "Invalid input: expected …" and "Too big: …" read better without the prefix. */
function plainMessage(message: string): string {
  const stripped = message.replace(/^(Invalid input|Invalid option|Too big|Too small|Invalid string): /, '');
  return stripped.charAt(0).toLowerCase() + stripped.slice(1);
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MB`;
}
