import { defineConfig } from 'vitest/config';

// Temporal's worker and native bridge do not like worker_threads: every test file runs in its own fork.
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          // One Temporal dev server and one workflow bundle for every integration file.
          globalSetup: ['tests/integration/global-setup.ts'],
          setupFiles: ['tests/helpers/runtime-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
