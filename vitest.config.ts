import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Workspace packages expose their TypeScript source under this condition, so tests run
// against source while `node` runs the compiled `dist/`.
const sourceCondition = '@ringbus/source';

const shared = {
  plugins: [
    swc.vite({ jsc: { target: 'es2022', transform: { decoratorMetadata: true, legacyDecorator: true } } }),
  ],
  resolve: { conditions: [sourceCondition, 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: [sourceCondition, 'module', 'node', 'development|production'] } },
};

export default defineConfig({
  ...shared,
  test: {
    pool: 'forks',
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{libs,services,proto}/*/test/**/*.unit.spec.ts', 'proto/test/**/*.unit.spec.ts'],
        },
      },
      {
        ...shared,
        test: {
          name: 'int',
          include: ['{libs,services}/*/test/**/*.int.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['{libs,services}/*/test/**/*.e2e.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
