/**
 * Stable error codes carried by every error reply. A code names what went
 * wrong; the message says it in words a user can act on.
 */
export const ErrorCode = {
  /** The message was not JSON, not an object, or not of the envelope's shape. */
  BadMessage: 'bad_message',
  /** The method is not one the server knows. */
  UnknownMethod: 'unknown_method',
  /** The params did not match the method's schema. */
  InvalidParams: 'invalid_params',
  /** The message is larger than the server accepts. */
  TooLarge: 'too_large',
  /** Too many requests in flight or per second from one connection. */
  RateLimited: 'rate_limited',
  /** The token does not allow this (e.g. another workspace). */
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  AlreadyExists: 'already_exists',
  /** A path escapes the workspace, is absolute, or names something not allowed. */
  BadPath: 'bad_path',
  /** The file is not text, or is over the size limit. */
  BadFile: 'bad_file',
  /** The chaincode did not compile; `data` holds the diagnostics. */
  CompileFailed: 'compile_failed',
  /** Docker is not reachable, or refused an operation. */
  Docker: 'docker',
  /** The sandbox image could not be built. */
  ImageBuild: 'image_build',
  /** The sandbox is not running or not ready for this request. */
  SandboxNotReady: 'sandbox_not_ready',
  /** The sandbox failed to start or stopped unexpectedly. */
  Sandbox: 'sandbox',
  /** The chaincode process is not running. */
  ChaincodeNotRunning: 'chaincode_not_running',
  /** The peer or orderer answered with an error (endorse, submit, commit). */
  Fabric: 'fabric',
  /** The chaincode itself returned an error; the message is the chaincode's. */
  Chaincode: 'chaincode',
  /** The debugger is not attached or the request does not fit its state. */
  Debugger: 'debugger',
  /** Packaging or deploying failed. */
  Export: 'export',
  /** A limit was reached (sandboxes per user, connections). */
  Limit: 'limit',
  Timeout: 'timeout',
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The error object of a reply. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  data?: unknown;
}
