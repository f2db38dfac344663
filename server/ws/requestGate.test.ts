import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.ts';
import { RequestGate } from './requestGate.ts';

describe('RequestGate', () => {
  it('admits a burst up to the rate, then refuses until tokens refill', () => {
    let now = 0;
    const gate = new RequestGate({ maxRequestsPerSecond: 3, maxRequestsInFlight: 100 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(gate.enter()).toBeUndefined();
      gate.leave();
    }
    expect(gate.enter()).toMatchObject({ code: ErrorCode.RateLimited, message: expect.stringContaining('3 per second') });
    now += 340; // a third of a second buys one token
    expect(gate.enter()).toBeUndefined();
    gate.leave();
    expect(gate.enter()?.code).toBe(ErrorCode.RateLimited);
    now += 10_000; // refills cap at one second's worth
    for (let i = 0; i < 3; i++) {
      expect(gate.enter()).toBeUndefined();
      gate.leave();
    }
    expect(gate.enter()?.code).toBe(ErrorCode.RateLimited);
  });

  it('refuses beyond the in-flight limit without spending a token', () => {
    let now = 0;
    const gate = new RequestGate({ maxRequestsPerSecond: 3, maxRequestsInFlight: 2 }, () => now);
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()).toBeUndefined();
    expect(gate.inFlight).toBe(2);
    expect(gate.enter()).toMatchObject({ code: ErrorCode.RateLimited, message: expect.stringContaining('in flight') });
    gate.leave();
    expect(gate.enter()).toBeUndefined();
    expect(gate.inFlight).toBe(2);
    gate.leave();
    gate.leave();
    expect(gate.enter()?.code).toBe(ErrorCode.RateLimited); // three tokens spent on three admissions
    now += 1000;
    expect(gate.enter()).toBeUndefined();
  });
});
