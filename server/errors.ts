import { ErrorCode, type ErrorBody } from '../protocol/errors.ts';

/**
 * An error the user should see: a stable code, a message that says what went
 * wrong and what to do, optional data (e.g. diagnostics) and the cause.
 * Create it where the failure happens so its stack is useful.
 */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; data?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StudioError';
    this.code = code;
    this.data = options.data;
  }

  toBody(): ErrorBody {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** Turns anything thrown into an error body; unknown failures become `internal`. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof StudioError) return err.toBody();
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.Internal, message: `Internal error: ${message}` };
}

export { ErrorCode };
