import type { ErrorBody, ErrorCode } from '../../../protocol/errors.ts';

/** Codes the client raises itself, when no reply could come from the server. */
export type ClientErrorCode = 'connection_lost' | 'closed';

/** An error reply from the server, or a request the connection could not carry. */
export class RpcError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  readonly data: unknown;

  constructor(code: ErrorCode | ClientErrorCode, message: string, data?: unknown) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
  }

  /** The error carried by a server reply. */
  static fromBody(body: ErrorBody): RpcError {
    return new RpcError(body.code, body.message, body.data);
  }
}

/** The text to show a user for any thrown value: the code and message of an `RpcError`, else the message. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof RpcError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
