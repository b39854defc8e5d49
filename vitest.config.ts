import { defineConfig } from 'vitest/config';

/**
 * The suite runs twice: on SQLite (the embedded default) and on PostgreSQL (scale-out), each
 * test on a fresh database of its project's backend. The pg project starts its own server.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Most of a test's time is spent waiting on a database (PostgreSQL above all) or a child
    // process, not on the CPU: on the 2-core CI machine three workers run the PostgreSQL webhook
    // tests in 72 s against 124 s with the default one (availableParallelism - 1).
    maxWorkers: 3,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['tests/**/*.test.ts'],
          // Several hub processes on one database is what the PostgreSQL backend is for.
          exclude: ['tests/multiprocess/two-hubs.test.ts'],
          env: { TEST_BACKEND: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['tests/**/*.test.ts'],
          // SQLite's group commit has no PostgreSQL counterpart.
          exclude: ['tests/storage/group-commit.test.ts'],
          env: { TEST_BACKEND: 'pg' },
          globalSetup: ['tests/helpers/pg-global-setup.ts'],
        },
      },
    ],
  },
});
