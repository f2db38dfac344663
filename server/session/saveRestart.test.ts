import { describe, expect, it } from 'vitest';
import { createSaveRestart, restartWaitsMessage } from './saveRestart.ts';
import { createSessionReporter } from './sessionReporter.ts';

function setup(inFlight: number, restartOnSave = true) {
  const reporter = createSessionReporter({ workspace: 'w', publish: () => undefined });
  const state = { inFlight, restarts: 0 };
  const saves = createSaveRestart({
    reporter,
    restartOnSave: () => restartOnSave,
    sandboxAttached: () => true,
    transactionsInFlight: () => state.inFlight,
    restart: async () => {
      state.restarts += 1;
      // Run clears the flag when it restarts the chaincode.
      reporter.setStatus({ restartPending: false, message: 'Chaincode is running' });
    },
  });
  return { reporter, state, saves };
}

describe('restart on save', () => {
  it('restarts at once when no transaction is in flight', async () => {
    const { state, saves, reporter } = setup(0);
    await saves.fileSaved();
    expect(state.restarts).toBe(1);
    expect(reporter.status.restartPending).toBe(false);
  });

  it('waits for the transaction in flight, says so, and restarts once when the last one finishes', async () => {
    const { state, saves, reporter } = setup(1);
    await saves.fileSaved();
    await saves.fileSaved();
    expect(state.restarts).toBe(0);
    expect(reporter.status).toMatchObject({ restartPending: true, message: restartWaitsMessage });
    expect(reporter.logHistory.filter((l) => l.text === restartWaitsMessage)).toHaveLength(1);
    state.inFlight = 0;
    saves.transactionsSettled();
    await Promise.resolve();
    expect(state.restarts).toBe(1);
    expect(reporter.status.restartPending).toBe(false);
    saves.transactionsSettled();
    expect(state.restarts).toBe(1);
  });

  it('does nothing when the user turned restart on save off', async () => {
    const { state, saves, reporter } = setup(0, false);
    await saves.fileSaved();
    saves.transactionsSettled();
    expect(state.restarts).toBe(0);
    expect(reporter.status.restartPending).toBeUndefined();
  });
});
