/**
 * The Playwright fixtures of the browser tests: `studio`, one real server
 * per worker (its own port, data dir, token and sandboxes), torn down with
 * every sandbox it started; and the server's output attached to every
 * failed test.
 */
import { test as base } from '@playwright/test';
import { startStudioServer } from './studioServer.ts';
import type { StudioServer } from './studioServer.ts';

export { expect } from '@playwright/test';
export type { StudioServer } from './studioServer.ts';

/**
 * `test` with the worker-scoped `studio` server. `studioEnv` (a worker option:
 * `test.use({ studioEnv: { … } })` in a file gives it a server of its own) adds
 * settings to the server's environment, e.g. a shorter long-transaction warning.
 */
export const test = base.extend<{ serverOutputOnFailure: void }, { studio: StudioServer; studioEnv: Readonly<Record<string, string>> }>({
  studioEnv: [{}, { scope: 'worker', option: true }],
  studio: [
    async ({ studioEnv }, use) => {
      const server = await startStudioServer({ env: studioEnv });
      try {
        await use(server);
      } finally {
        await server.dispose();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  serverOutputOnFailure: [
    async ({ studio }, use, testInfo) => {
      const from = studio.output().length;
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('studio-server-output', { body: studio.output().slice(from), contentType: 'text/plain' });
        console.log(`--- Studio server output during "${testInfo.title}" ---\n${studio.output().slice(from).slice(-6000)}`);
      }
    },
    { auto: true },
  ],
});
