/**
 * Compares what a replayed invoke answered with what its test expects, and
 * says what differed as "expected … / actual …" lines a user can act on.
 */
import type { ExpectedEvent, InvokeExpectation } from '../../protocol/invokeTests.ts';
import { writesIn } from '../../protocol/invokeTests.ts';
import type { InvokeResult } from '../../protocol/messages.ts';

/** What the invoke did: answered, or failed with a message. */
export type InvokeOutcome = { result: InvokeResult } | { error: string };

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

function mismatch(field: string, expected: unknown, actual: unknown): string {
  return `${field}:\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`;
}

/** `/body/flags` is a regular expression; anything else a substring. Returns whether `message` matches. */
export function messageMatches(pattern: string, message: string): boolean {
  const regex = /^\/(.*)\/([dgimsuvy]*)$/s.exec(pattern);
  if (!regex) return message.includes(pattern);
  return new RegExp(regex[1] ?? '', regex[2]).test(message);
}

/** The first place `actual` does not contain `expected` (a JSON path), or undefined when it does. */
export function subsetMismatch(expected: unknown, actual: unknown, at = '$'): { path: string; expected: unknown; actual: unknown } | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return { path: at, expected, actual };
    for (const [i, item] of expected.entries()) {
      const found = subsetMismatch(item, actual[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return { path: at, expected, actual };
    for (const [key, value] of Object.entries(expected)) {
      const own = Object.prototype.hasOwnProperty.call(actual, key);
      const found = subsetMismatch(value, own ? (actual as Record<string, unknown>)[key] : undefined, `${at}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return expected === actual ? undefined : { path: at, expected, actual };
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function includesCheck(field: string, expected: unknown, text: string): string | undefined {
  const parsed = parseJson(text);
  if (!parsed) return `${field}: expected JSON containing ${show(expected)}, but it is not JSON: ${show(text)}`;
  const found = subsetMismatch(expected, parsed.value);
  return found ? mismatch(`${field} at ${found.path}`, found.expected, found.actual) : undefined;
}

function eventChecks(expected: ExpectedEvent[], actual: InvokeResult['events']): string[] {
  if (expected.length !== actual.length) return [mismatch('events', expected.map((e) => e.name), actual.map((e) => e.name))];
  return expected.flatMap((e, i) => {
    const got = actual[i];
    if (!got) return [];
    if (got.name !== e.name) return [mismatch(`events[${i}].name`, e.name, got.name)];
    const diffs: string[] = [];
    if (e.payload !== undefined && e.payload !== got.payload) diffs.push(mismatch(`events[${i}].payload`, e.payload, got.payload));
    if (e.payloadIncludes !== undefined) {
      const diff = includesCheck(`events[${i}].payload`, e.payloadIncludes, got.payload);
      if (diff) diffs.push(diff);
    }
    return diffs;
  });
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((k, i) => k === [...b].sort()[i]);

/** The differences between `expect` and `outcome` (empty: the invoke passed). `namespace`: the chaincode's, for the write set. */
export function checkInvoke(expect: InvokeExpectation, outcome: InvokeOutcome, namespace: string): string[] {
  if ('error' in outcome) {
    if (expect.error === undefined) return [`unexpected error: ${outcome.error}`];
    return messageMatches(expect.error, outcome.error) ? [] : [mismatch('error', expect.error, outcome.error)];
  }
  const { result } = outcome;
  const diffs: string[] = [];
  if (expect.error !== undefined) diffs.push(`error:\n  expected: an error matching ${show(expect.error)}\n  actual:   success, result ${show(result.result)}`);
  if (expect.result !== undefined && expect.result !== result.result) diffs.push(mismatch('result', expect.result, result.result));
  if (expect.resultIncludes !== undefined) {
    const diff = includesCheck('result', expect.resultIncludes, result.result);
    if (diff) diffs.push(diff);
  }
  if (expect.validationCode !== undefined && expect.validationCode !== result.validationCode) diffs.push(mismatch('validationCode', expect.validationCode, result.validationCode ?? '(none: not a submit)'));
  if (expect.events) diffs.push(...eventChecks(expect.events, result.events));
  if (expect.writes) {
    const actual = writesIn(result, namespace) ?? { written: [], deleted: [] };
    if (!sameSet(expect.writes.written, actual.written)) diffs.push(mismatch('writes.written', [...expect.writes.written].sort(), actual.written));
    if (!sameSet(expect.writes.deleted, actual.deleted)) diffs.push(mismatch('writes.deleted', [...expect.writes.deleted].sort(), actual.deleted));
  }
  return diffs;
}
