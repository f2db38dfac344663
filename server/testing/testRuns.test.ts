import { describe, expect, it } from 'vitest';
import type { SandboxDriver } from '../sandbox/sandboxDriver.ts';
import { createTestRuns } from './testRuns.ts';

// No test files in the folder, so a run never reaches the driver.
const sandboxes = {} as SandboxDriver;
const store = (existing: string[]) => ({ exists: (id: string) => Promise.resolve(existing.includes(id)), dir: () => '/nonexistent-ccs-test-dir' });

describe('tests/run', () => {
  it('refuses a workspace that does not exist, and one whose test sandbox id is another workspace', async () => {
    await expect(createTestRuns({ store: store([]), sandboxes }).run('demo', () => undefined)).rejects.toMatchObject({ code: 'not_found' });
    await expect(createTestRuns({ store: store(['demo', 'demo--test']), sandboxes }).run('demo', () => undefined)).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('runs one at a time per workspace', async () => {
    const runs = createTestRuns({ store: store(['demo']), sandboxes });
    const first = runs.run('demo', () => undefined);
    await expect(runs.run('demo', () => undefined)).rejects.toMatchObject({ code: 'limit' });
    expect(await first).toMatchObject({ passed: true, counts: { files: 0 } });
    expect(await runs.run('demo', () => undefined)).toMatchObject({ counts: { files: 0 } });
  });
});
