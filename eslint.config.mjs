// Lint doubles as the architecture's guard: the layers' import rules live here.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.electron-native/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'react', 'react-dom', ...nodeBuiltins, '../main/**', '../renderer/**', '../../main/**', '../../renderer/**'], message: 'shared/ is the contract: no Electron, Node, DOM framework or implementation imports.' }] },
      ],
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/app/**/*.ts', 'main/cli/**/*.ts', 'main/bridge/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'react', 'react-dom', 'd3', '**/renderer/**'], message: 'The core runs without Electron or React: the CLI and the tests drive it on plain Node.' }] },
      ],
    },
  },
  {
    files: ['main/electron/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', ...nodeBuiltins, '**/main/**', 'better-sqlite3', 'dockerode'], message: 'The renderer has no Node: it talks to the core only through the DrydockClient contract.' }] },
      ],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bin/**/*.js', 'test/**/*.ts', '*.mjs', 'renderer/vite.config.mts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['bin/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
