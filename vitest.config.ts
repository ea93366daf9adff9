import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global_setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Kernels use both cores through their own thread pool; parallel test files would oversubscribe.
    fileParallelism: false,
  },
});
