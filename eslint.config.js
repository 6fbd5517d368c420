import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';
import layers from './scripts/eslint/layers.js';

export default ts.config(
  {
    ignores: [
      'dist/',
      'dist-cli/',
      'node_modules/',
      'sample-images/',
      'bench-data/',
      'test-results/',
      'playwright-report/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    // Which folder of src/ may import which: one table, in scripts/eslint/layers.js.
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    plugins: { layerscope: layers },
    rules: { 'layerscope/layers': 'error' },
  },
  {
    // The core is pure TypeScript: no DOM, no Svelte, no Node built-ins (it also runs in a worker).
    // Which app folders it may not import is the layer table's business (layerscope/layers).
    files: ['src/lib/core/**/*.ts'],
    ignores: ['src/lib/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: ['svelte', 'svelte/*', 'node:*', '*.svelte'],
        },
      ],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'navigator',
        'localStorage',
        'indexedDB',
        'process',
      ],
    },
  },
  {
    // Storage is plain data and IndexedDB: no components, no runes; state and the views show it.
    files: ['src/lib/persistence/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['svelte', 'svelte/*', '*.svelte'] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.name=/^\\$/], CallExpression[callee.object.name=/^\\$/]',
          message: 'Runes state belongs in src/lib/state; persistence is plain data.',
        },
      ],
    },
  },
);
