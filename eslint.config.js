import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.cache/**', '.scratch/**', '.tally-data/**', 'web/dist/**', 'packages/contracts/src/generated/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // CommonJS run by Node tools themselves (.pnpmfile.cjs, loaded by pnpm)
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // better-sqlite3 is loaded in one place, which picks the major that works on the running Node (README.md, "Node versions")
    files: ['**/*.ts'],
    ignores: ['packages/sqlite/src/driver.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'better-sqlite3', allowTypeImports: true, message: 'construct databases with `Database` from @tally/sqlite (packages/sqlite/src/driver.ts)' }],
      }],
    },
  },
  {
    // The domain stays pure: no I/O libraries in packages/core.
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['kafkajs', 'mongodb', 'fastify', 'better-sqlite3', '@grpc/*', 'node:fs', 'node:net', 'node:http', 'fs', 'http', 'net', '@tally/*'] }],
    },
  },
);
