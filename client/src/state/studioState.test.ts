import { describe, expect, it } from 'vitest';
import type { ResultOf, StackFrame } from '../../../protocol/messages.ts';
import { initialStudioState, studioReducer } from './studioState.ts';
import type { StudioAction, StudioState } from './studioState.ts';

const run = (actions: StudioAction[], state: StudioState = initialStudioState(true)): StudioState => actions.reduce(studioReducer, state);

const opened = (workspace: string): StudioAction => {
  const result: ResultOf<'workspace/open'> = {
    workspace,
    files: [{ path: 'src/a.ts', kind: 'file' }],
    status: { workspace, phase: 'ready', chaincode: 'running' },
    diagnostics: [],
    debugger: { attached: true, breakpoints: [{ path: 'src/a.ts', breakpoints: [{ line: 3 }] }], exceptionFilters: ['uncaught'] },
  };
  return { type: 'workspaceOpened', result };
};

const frame: StackFrame = { id: 7, name: 'CreateAsset', line: 12, column: 5, source: { name: 'a.ts', path: 'src/a.ts' } };

describe('studioReducer', () => {
  it('activates the neighbour when the active tab closes', () => {
    const state = run([
      opened('demo'),
      { type: 'tabOpened', path: 'a.ts', dirty: false, activate: true },
      { type: 'tabOpened', path: 'b.ts', dirty: false, activate: true },
      { type: 'tabOpened', path: 'c.ts', dirty: false, activate: false },
      { type: 'tabClosed', path: 'b.ts' },
    ]);
    expect(state.tabs.map((t) => t.path)).toEqual(['a.ts', 'c.ts']);
    expect(state.activeTab).toBe('c.ts');
  });

  it('moves tabs and breakpoints when a folder is renamed, and drops them when deleted', () => {
    let state = run([opened('demo'), { type: 'tabOpened', path: 'src/a.ts', dirty: true, activate: true }, { type: 'pathMoved', from: 'src', to: 'lib' }]);
    expect(state.tabs).toEqual([{ path: 'lib/a.ts', dirty: true }]);
    expect(state.activeTab).toBe('lib/a.ts');
    expect(state.breakpoints).toEqual({ 'lib/a.ts': [{ line: 3 }] });
    state = run([{ type: 'pathDeleted', path: 'lib' }], state);
    expect(state.tabs).toEqual([]);
    expect(state.breakpoints).toEqual({});
  });

  it('keeps tabs when the same workspace is reopened after a reconnect, and takes the server’s breakpoints', () => {
    const before = run([opened('demo'), { type: 'tabOpened', path: 'src/a.ts', dirty: true, activate: true }, { type: 'breakpoints', path: 'src/a.ts', breakpoints: [{ line: 9 }] }]);
    const after = run([opened('demo')], before);
    expect(after.tabs).toEqual(before.tabs);
    expect(after.breakpoints).toEqual({ 'src/a.ts': [{ line: 3 }] });
    const other = run([opened('other')], before);
    expect(other.tabs).toEqual([]);
  });

  it('shows a pause the server reports when a tab opens the workspace, and none when there is none', () => {
    const paused = { workspace: 'demo', reason: 'breakpoint' as const, threadId: 1, txId: 'tx1', frame };
    const open = opened('demo');
    if (open.type !== 'workspaceOpened') throw new Error('not an open');
    const withPause: StudioAction = { ...open, result: { ...open.result, debugger: { ...open.result.debugger, paused } } };
    const state = run([withPause]);
    expect(state.paused).toEqual(paused);
    expect(state.stack).toEqual([frame]);
    expect(state.selectedFrameId).toBe(7);
    expect(state.sideTab).toBe('debug');
    expect(state.debuggerAttached).toBe(true);
    expect(run([open], state).paused).toBeNull();
  });

  it('shows the debug side on a stop and clears the paused state on continue', () => {
    let state = run([opened('demo'), { type: 'stopped', info: { workspace: 'demo', reason: 'breakpoint', threadId: 1, txId: 'tx1', frame } }]);
    expect(state.paused?.txId).toBe('tx1');
    expect(state.sideTab).toBe('debug');
    expect(state.selectedFrameId).toBe(7);
    state = run([{ type: 'stack', frames: [frame, { ...frame, id: 8, name: 'Invoke' }] }], state);
    expect(state.selectedFrameId).toBe(7);
    state = run([{ type: 'continued' }], state);
    expect(state.paused).toBeNull();
    expect(state.stack).toEqual([]);
  });

  it('ignores a status of another workspace', () => {
    const state = run([opened('demo')]);
    expect(studioReducer(state, { type: 'status', status: { workspace: 'other', phase: 'error', chaincode: 'crashed' } })).toBe(state);
  });

  it('keeps the contract metadata through a compile that fails, and drops it when the chaincode restarts', () => {
    const metadata = { contracts: [{ name: 'C', isDefault: true, transactions: [] }], raw: {} };
    const status = (chaincode: 'compiling' | 'running' | 'starting') => ({ type: 'status', status: { workspace: 'demo', phase: 'ready', chaincode } }) as const;
    let state = run([opened('demo'), { type: 'metadata', metadata }, status('compiling'), status('running')]);
    expect(state.metadata).toBe(metadata);
    state = run([status('compiling'), status('starting')], state);
    expect(state.metadata).toBeNull();
  });

  it('records an invoke as pending, then with its outcome', () => {
    let state = run([
      opened('demo'),
      { type: 'invokeStarted', request: { mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['a1'], transient: {} } },
    ]);
    const id = state.invokes[0]?.id ?? -1;
    expect(state.invokes[0]?.outcome).toEqual({ pending: true });
    state = run([{ type: 'invokeFinished', id, outcome: { ok: false, code: 'chaincode', message: 'asset a1 does not exist' } }], state);
    expect(state.invokes[0]?.outcome).toEqual({ ok: false, code: 'chaincode', message: 'asset a1 does not exist' });
  });

  it('remembers on an invoke that the previous build was running when it was sent', () => {
    const request = { mode: 'evaluate' as const, contract: '', fn: 'ReadAsset', args: ['a'], transient: {} };
    const stale = run([
      opened('demo'),
      { type: 'status', status: { workspace: 'demo', phase: 'ready', chaincode: 'running', previousBuild: 'The last change did not compile (1 error, see Problems)' } },
      { type: 'invokeStarted', request },
    ]);
    expect(stale.invokes[0]?.previousBuild).toBe('The last change did not compile (1 error, see Problems)');
    const fresh = run([{ type: 'status', status: { workspace: 'demo', phase: 'ready', chaincode: 'running' } }, { type: 'invokeStarted', request }], stale);
    expect(fresh.invokes[0]?.previousBuild).toBeUndefined();
  });

  it('forgets a refused Run when another workspace opens', () => {
    const blocked = run([opened('demo'), { type: 'runBlocked', blocked: { message: 'limit', limit: { limit: 'user', max: 1, running: ['other'] } } }]);
    expect(run([opened('demo')], blocked).runBlocked).not.toBeNull();
    expect(run([opened('other')], blocked).runBlocked).toBeNull();
  });
});

describe('studioReducer: restored history and the logs of one transaction', () => {
  it('numbers a restored history anew after the ids in use', () => {
    const state = run([opened('w1'), { type: 'notice', kind: 'info', text: 'x' }]);
    const record = { id: 1, startedAt: '2026-12-02T10:00:00.000Z', request: { mode: 'evaluate' as const, contract: '', fn: 'ReadAsset', args: ['a1'], transient: {} }, outcome: { ok: false as const, code: 'chaincode', message: 'no' } };
    const restored = studioReducer(state, { type: 'invokesRestored', invokes: [record, { ...record, id: 2 }] });
    expect(restored.invokes.map((r) => r.id)).toEqual([state.nextId, state.nextId + 1]);
    expect(restored.nextId).toBe(state.nextId + 2);
  });

  it('shows the Logs panel when a transaction is picked, and forgets it with the workspace', () => {
    const picked = run([opened('w1'), { type: 'logsForTransaction', transaction: { txId: 'ab'.repeat(32), durationMs: 20 } }]);
    expect(picked.bottomTab).toBe('logs');
    expect(picked.logTransaction?.txId).toBe('ab'.repeat(32));
    expect(run([opened('w2')], picked).logTransaction).toBeNull();
  });
});
