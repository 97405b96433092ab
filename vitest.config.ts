import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{services,scanner-pipeline,cli,tests}/**/*.test.ts'],
    exclude: ['node_modules/**', 'tests/bench/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: test files share one PostgreSQL server and one chain node; each file gets its own
    // database and its own contract, so files run in parallel safely.
    maxWorkers: 2,
  },
});
