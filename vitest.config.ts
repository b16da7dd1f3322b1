import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM builds. Node (and so yoga's executor) loads the CJS one;
    // vite would hand our sources the ESM one, and `instanceof GraphQLError` would then fail
    // across the two copies. Point both at the one Node uses, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql', { paths: ['packages/graphql'] }) }],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      // The portal's component tests (happy-dom, per file).
      'services/web/src/**/*.test.tsx',
      'test/**/*.test.ts',
      'infra/**/*.test.ts',
    ],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    pool: 'forks',
    // Each embedded database costs ~0.5–0.8 GB: two files at a time on two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
