import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// A deep import such as '@temporalio/common/lib/time' works through tsx but not in the compiled CLI (dist/),
// where Node's ESM resolver needs the file extension: import from the package's entry point instead.
const deepImport = {
  group: ['@temporalio/*/lib/*', '@temporalio/*/src/*'],
  message: "Import from the package's entry point: a deep import breaks the compiled CLI in dist/.",
};

// Workflow code is replayed deterministically inside Temporal's sandbox: no Node built-ins, no I/O clients.
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'pg',
  'ioredis',
  'pino',
  'yaml',
  'nodemailer',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'reports/**',
      'coverage/**',
      'dist/**',
      'console/dist/**',
      'bin/**',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      'no-restricted-imports': ['error', { patterns: [deepImport] }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'shared/**/*.ts'],
    // A domain's client.ts starts and messages its workflows from outside (CLI, tests): never workflow code.
    ignores: ['workflows/*/client.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({
            name,
            message: 'Workflow and shared code must stay deterministic: do I/O in activities/.',
          })),
          patterns: [
            deepImport,
            {
              group: ['**/activities/*', '!**/activities/index'],
              message: 'Import activity types only: `import type` from activities/index.',
            },
            {
              group: ['**/workers/**', '**/cli/**'],
              message: 'Workflows must not import process-level code.',
            },
            {
              regex: '^\\.{1,2}/(.*/)?client$',
              message: "A domain's client.ts is for code outside workflows (it uses @temporalio/client).",
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in deterministic code.' },
        { name: 'setTimeout', message: 'Use workflow sleep() in workflows.' },
        { name: 'fetch', message: 'No I/O in deterministic code.' },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
