import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundariesConfig } from './eslint.boundaries.js';

// Only the image adapter touches sharp (ARCHITECTURE rule 1). Every block that sets
// no-restricted-imports repeats it: a later block's options replace an earlier one's.
const onlyImagesImportSharp = {
  name: 'sharp',
  message: 'Only src/platform/images may import sharp.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'public/', 'data/', 'migrations/', 'coverage/', '.tmp/', 'dist*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [onlyImagesImportSharp] }],
    },
  },
  {
    // Type-aware rules that catch real faults: a promise nobody awaits or catches (an unhandled
    // rejection, a job or write that silently never happened), a promise passed where a plain
    // callback is expected, and a switch over a union that forgets a member.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // The one adapter that wraps sharp, and the tests and benchmark that build images with it.
    files: ['src/platform/images/**', 'test/bench/media.bench.ts', 'test/support/scan-fixtures.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/**/*.routes.ts', 'src/**/*.service.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [onlyImagesImportSharp],
          patterns: [
            {
              group: ['**/*.tables.ts'],
              message: 'Only repositories import tables (ARCHITECTURE rule 1).',
            },
          ],
        },
      ],
    },
  },
  // Module boundaries (eslint.boundaries.js, ADR 0025).
  ...boundariesConfig,
);
