import { defineConfig } from 'vitest/config';

/**
 * The suite runs twice: on SQLite (the embedded default) and on PostgreSQL (scale-out), each
 * test on a fresh database of its project's backend. The pg project starts its own server.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
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
