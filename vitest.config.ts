import { defineConfig } from 'vitest/config';

// Four tiers (ARCHITECTURE.md §Tests). Database-backed tiers share one PostgreSQL server,
// started (or found via TEST_DATABASE_URL) by the global setup; each test file gets its own
// database cloned from a migrated template.
const dbSetup = ['test/setup/global-setup.ts'];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, which
    // sat mostly idle while its file waited on PostgreSQL, argon2 or a child process (load ~1.5).
    // Three files at a time keep both cores busy; the e2e tier runs after the others, two at a
    // time.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          // CI runs this tier beside the database tier's second pass on two cores: a test that
          // takes 1 s alone can take several there. A hang still fails.
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'db',
          include: ['test/db/**/*.test.ts'],
          globalSetup: dbSetup,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'http',
          include: ['test/http/**/*.test.ts'],
          globalSetup: dbSetup,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: dbSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // After the other tiers (a group of its own: Vitest runs groups in order), two files at
          // a time: each is its own app, database and chromium, and one at a time (as it was)
          // left a core idle for the last third of `npm test` on a 2-core machine.
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
        },
      },
    ],
  },
});
