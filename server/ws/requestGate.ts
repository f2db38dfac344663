/**
 * Per-connection admission: a token bucket for the request rate and a
 * counter for requests in flight. Every incoming frame passes through it,
 * well-formed or not, so garbage cannot flood the server either.
 */
import { ErrorCode, type ErrorBody } from '../../protocol/errors.ts';

export interface RequestGateLimits {
  readonly maxRequestsPerSecond: number;
  readonly maxRequestsInFlight: number;
}

export class RequestGate {
  readonly #limits: RequestGateLimits;
  readonly #nowMs: () => number;
  #tokens: number;
  #refilledAtMs: number;
  #inFlight = 0;

  /** `nowMs` is a monotonic clock in milliseconds; tests pass a fake one. */
  constructor(limits: RequestGateLimits, nowMs: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#nowMs = nowMs;
    this.#tokens = limits.maxRequestsPerSecond;
    this.#refilledAtMs = nowMs();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Admits one request, or says why not as a `rate_limited` error body.
   * Every admitted request must be followed by exactly one `leave()`.
   */
  enter(): ErrorBody | undefined {
    const { maxRequestsInFlight, maxRequestsPerSecond } = this.#limits;
    if (this.#inFlight >= maxRequestsInFlight) {
      return {
        code: ErrorCode.RateLimited,
        message: `Too many requests in flight: at most ${maxRequestsInFlight} may wait for a reply at once. Wait for replies before sending more.`,
      };
    }
    const now = this.#nowMs();
    const elapsedMs = Math.max(0, now - this.#refilledAtMs);
    this.#tokens = Math.min(maxRequestsPerSecond, this.#tokens + (elapsedMs / 1000) * maxRequestsPerSecond);
    this.#refilledAtMs = now;
    if (this.#tokens < 1) {
      return {
        code: ErrorCode.RateLimited,
        message: `Too many requests: at most ${maxRequestsPerSecond} per second on one connection. Slow down and retry.`,
      };
    }
    this.#tokens -= 1;
    this.#inFlight += 1;
    return undefined;
  }

  leave(): void {
    if (this.#inFlight > 0) this.#inFlight -= 1;
  }
}
