import { expect, it } from 'vitest';
import type { Notification } from '../../protocol/messages.ts';
import { ErrorCode } from '../errors.ts';
import { createChaincodeDebugger } from './chaincodeDebugger.ts';
import { createSessionReporter } from './sessionReporter.ts';

function detachedDebugger() {
  const published: Notification[] = [];
  const reporter = createSessionReporter({ workspace: 'w', publish: (n) => published.push(n) });
  return { debug: createChaincodeDebugger({ workspace: 'w', workspaceDir: '/nowhere', reporter }), published };
}

it('keeps breakpoints set before Run, unverified, with ids that survive an edit of the same line', async () => {
  const { debug } = detachedDebugger();
  const first = await debug.setBreakpoints('src/contract.ts', [{ line: 10 }, { line: 20 }]);
  expect(first.breakpoints).toEqual([
    { id: 1, verified: false, line: 10, message: 'Applied when the chaincode runs' },
    { id: 2, verified: false, line: 20, message: 'Applied when the chaincode runs' },
  ]);
  const edited = await debug.setBreakpoints('src/contract.ts', [{ line: 20, condition: 'id === "a"' }]);
  expect(edited.breakpoints.map((bp) => bp.id)).toEqual([2]);
  expect(debug.breakpoints.get('src/contract.ts')).toEqual([{ id: 2, line: 20, condition: 'id === "a"' }]);
});

it('keeps exception filters set before Run', async () => {
  const { debug } = detachedDebugger();
  expect(await debug.setExceptionBreakpoints(['uncaught', 'uncaught'])).toEqual({});
  expect(debug.breakpoints.exceptionFilters).toEqual(['uncaught']);
});

it('says how to attach when a debugger request comes with no process attached, and detaching then is quiet', async () => {
  const { debug, published } = detachedDebugger();
  expect(() => debug.session()).toThrow(expect.objectContaining({ code: ErrorCode.Debugger, message: expect.stringMatching(/press Run/) }));
  expect(debug.isPaused).toBe(false);
  expect(debug.release()).toBeUndefined();
  await debug.detach();
  expect(published).toEqual([]);
});
