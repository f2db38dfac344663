/**
 * Invokes kept as tests: the `tests/*.invokes.json` file format of a
 * workspace, declared once. The server validates a file before replaying it
 * and `tests/save` writes one; the browser builds the expectations of a saved
 * test from what its invokes actually answered (`expectationOf`).
 */
import { z } from 'zod';
import type { InvokeResult } from './messages.ts';
import { EndorsingOrgs, mspIdPattern } from './networkSettings.ts';

/** Where a workspace's test files live, and how they end. */
export const invokeTestsDir = 'tests';
export const invokeTestSuffix = '.invokes.json';

/** A test file's name as `tests/save` takes it (without folder or suffix). */
export const InvokeTestName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a test name is 1-100 letters, digits, dots, dashes or underscores');

/** An expected event: its name, and optionally its payload exactly or a JSON subset of it. */
export const ExpectedEvent = z
  .object({
    name: z.string().max(256),
    payload: z.string().max(1_000_000).optional(),
    payloadIncludes: z.unknown().optional(),
  })
  .strict();
export type ExpectedEvent = z.infer<typeof ExpectedEvent>;

/** What an invoke should answer. Fields left out are not checked. */
export const InvokeExpectation = z
  .object({
    /** The result string exactly. */
    result: z.string().max(1_000_000).optional(),
    /** The result parsed as JSON contains this (objects: these keys; arrays: same length, each element a subset). */
    resultIncludes: z.unknown().optional(),
    /** The invoke fails, with a message containing this text, or matching it when written `/regex/flags`. */
    error: z.string().min(1).max(10_000).optional(),
    /** Fabric's validation code of a submit, e.g. VALID. */
    validationCode: z.string().max(64).optional(),
    /** The chaincode events, in order (an empty list: no event). */
    events: z.array(ExpectedEvent).max(100).optional(),
    /** The keys written and deleted in the chaincode's own namespace, as sets (order ignored). */
    writes: z.object({ written: z.array(z.string().max(65_536)).max(10_000), deleted: z.array(z.string().max(65_536)).max(10_000) }).strict().optional(),
  })
  .strict()
  .refine((e) => !(e.error !== undefined && (e.result !== undefined || e.resultIncludes !== undefined)), { message: 'expect either an error or a result, not both' });
export type InvokeExpectation = z.infer<typeof InvokeExpectation>;

/** One invoke of a test and what it should answer. */
export const InvokeTestStep = z
  .object({
    /** Shown in results instead of `<mode> <fn>`. */
    name: z.string().max(200).optional(),
    mode: z.enum(['submit', 'evaluate']),
    /** The contract's name; '' or left out: the default contract. */
    contract: z.string().max(256).default(''),
    fn: z.string().min(1).max(256),
    args: z.array(z.string().max(1_000_000)).max(100).default([]),
    transient: z.record(z.string().max(256), z.string().max(1_000_000)).optional(),
    /** The orgs whose peers must endorse (as the invoke request's `endorsingOrgs`); left out: the Gateway picks by the policy. */
    endorsingOrgs: EndorsingOrgs.optional(),
    /** The org whose client identity sends it (as the invoke request's `asOrg`); left out: the first org. */
    asOrg: z.string().regex(mspIdPattern, 'an MSP ID').optional(),
    expect: InvokeExpectation.default({}),
  })
  .strict();
export type InvokeTestStep = z.infer<typeof InvokeTestStep>;
export type InvokeTestStepInput = z.input<typeof InvokeTestStep>;

/** A `tests/*.invokes.json` file: invokes replayed in order on a fresh ledger. */
export const InvokeTestFile = z
  .object({
    description: z.string().max(2000).optional(),
    invokes: z.array(InvokeTestStep).min(1).max(1000),
  })
  .strict();
export type InvokeTestFile = z.infer<typeof InvokeTestFile>;

/** One replayed invoke: passed, or what differed (`diff`: expected against actual, in words). */
export interface InvokeCheck {
  index: number;
  name: string;
  passed: boolean;
  diff: string[];
  durationMs: number;
}

/** One test file's outcome; `error` when it could not be read or replayed at all. */
export interface InvokeTestFileResult {
  file: string;
  passed: boolean;
  error?: string;
  invokes: InvokeCheck[];
}

export interface InvokeTestRunResult {
  passed: boolean;
  /** Invokes that passed and failed, over all files. */
  counts: { passed: number; failed: number; files: number };
  files: InvokeTestFileResult[];
  durationMs: number;
}

/** Keys an invoke wrote and deleted in `namespace`, from its read/write set. */
export function writesIn(result: Pick<InvokeResult, 'readWriteSet'>, namespace: string): { written: string[]; deleted: string[] } | undefined {
  if (!result.readWriteSet) return undefined;
  const ns = result.readWriteSet.namespaces.find((n) => n.namespace === namespace);
  const writes = ns?.writes ?? [];
  return { written: writes.filter((w) => !w.isDelete).map((w) => w.key).sort(), deleted: writes.filter((w) => w.isDelete).map((w) => w.key).sort() };
}

/** What a saved test expects of an invoke: exactly what it answered this time. */
export function expectationOf(outcome: { result: InvokeResult } | { error: string }, namespace: string | undefined): InvokeExpectation {
  if ('error' in outcome) return { error: outcome.error };
  const { result } = outcome;
  const writes = namespace === undefined ? undefined : writesIn(result, namespace);
  return {
    result: result.result,
    ...(result.validationCode !== undefined ? { validationCode: result.validationCode } : {}),
    events: result.events.map((e) => ({ name: e.name, payload: e.payload })),
    ...(writes && result.mode === 'submit' ? { writes } : {}),
  };
}
