import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs the fast tests beside each module; `integration`
 * runs the suites under tests/ that start real sandbox containers (Docker and the real peer).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['protocol/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts', 'client/**/*.test.tsx', 'sandbox/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/*.long.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.integration.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // The sandboxes share a 2-core machine: run integration files one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The sandbox on the Kubernetes driver against the cluster that `npm run test:k8s` starts (scripts/k8s/test.mjs).
          name: 'k8s',
          include: ['tests/k8s/**/*.k8s.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Tests that mostly wait (a transaction paused for ten minutes); `npm test` runs them beside the others.
          name: 'long',
          include: ['tests/long/**/*.long.test.ts'],
          environment: 'node',
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
