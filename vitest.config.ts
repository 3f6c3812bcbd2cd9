import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'e2e'],
    globalSetup: ['./packages/test-helpers/src/global-setup.ts'],
  },
});
