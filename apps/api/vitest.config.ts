import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'api',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    // Capture's decode threads load TypeScript source, as under tsx in development.
    execArgv: ['--import', 'tsx'],
    hookTimeout: 30_000,
  },
});
