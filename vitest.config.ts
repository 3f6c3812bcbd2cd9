import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    globalSetup: ['./packages/test-helpers/src/global-setup.ts'],
  },
});
