/**
 * One test run for the whole repository: unit tests beside the code (`x.test.ts`, the web app's
 * included), tests that need PostgreSQL (`x.int.test.ts`) and journeys across packages in test/.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts', 'dashboard/app/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 90_000,
    reporters: ['default'],
  },
});
