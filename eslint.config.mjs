// Lint doubles as the architecture's guard: the layers' import rules live here.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Bare builtin names are matched exactly (`paths`): as gitignore-style patterns, 'domain' or 'path'
// would also match ../shared/domain/x. The `node:` prefix is matched as a pattern.
const nodeBuiltinPaths = builtinModules.filter((name) => !name.startsWith('_'));
/** no-restricted-imports options banning Electron and every Node builtin, plus extra patterns */
function noNode(message, patterns = []) {
  return {
    paths: nodeBuiltinPaths.map((name) => ({ name, message })),
    patterns: [{ group: ['node:*', 'electron', 'electron/*'], message }, ...patterns],
  };
}

// The core's rooms and what each may import (docs/architecture.md says the same in prose).
// Bottom: store, then hosts and evidence on it, helper on hosts; the small shared files directly in
// main/core (errors, clock, event-hub, audit-fn, examiner, ...) import no room at all.
// Capabilities stand on the bottom rooms and do not import each other, except the one module each
// publishes for the others (listed in `published`, so reaching further in is an error).
const bottomRooms = ['store', 'hosts', 'evidence', 'helper'];
const capabilities = [
  'inventory',
  'drift',
  'processes',
  'capture',
  'network',
  'quarantine',
  'logs',
  'journal',
  'benchmark',
  'sbom',
  'vulns',
  'memory',
];
capabilities.push('dataroot'); // dead-box analysis: a Docker data root read with no daemon
capabilities.push('timeline', 'report'); // one timeline per case; the case report
capabilities.push('yara'); // YARA scans: Debian's yara in a helper, libyara as WebAssembly in the app
capabilities.push('collect'); // one container's evidence in order of volatility; its steps are passed in
capabilities.push('cluster'); // a Swarm's nodes, services and tasks, read from one of its managers
capabilities.push('fleet'); // a swarm's nodes triaged by its own scheduler: the collector as a global-job service
const rooms = [...bottomRooms, ...capabilities];
/** @type {Record<string, string[]>} room → the rooms it may import */
const mayImport = {
  store: [],
  hosts: ['store'],
  evidence: ['store'],
  helper: ['hosts', 'store'],
  ...Object.fromEntries(capabilities.map((room) => [room, bottomRooms])),
};
/** @type {Record<string, string[]>} capability → the modules other capabilities may import from it */
const published = {
  inventory: ['risk-flags', 'container-summary'], // the risk assessment, shared with drift's and quarantine's verdicts; the summary a data root's inventory shares
  drift: ['layer-drift', 'tar-reader'], // drift read from overlay2 layers on disk (a data root), classified as live drift is; the tar reader (memory reads helpers' archives with it)
  logs: ['log-lines'], // the stored log format, written alike from the engine and from a data root's log files
  processes: ['drift-crossref', 'proc-table'], // the lookup drift fills in for the process view; the /proc parsers
  network: ['socket-tables'], // the /proc/net socket-table parser (memory joins sockets to processes by inode)
  sbom: ['rpmdb-sqlite'], // rpm's SQLite database: drift's package integrity reads its per-file digests
};
const up = '^(\\.\\.?/)+'; // any relative prefix: ./, ../, ../../, ...
const outsideCore = {
  regex: `${up}(app|cli|bridge|electron)(/|$)`,
  message: 'The core is the bottom of main/: it never imports the dispatcher, the CLI, the bridge or the Electron shell.',
};
const coreBase = {
  group: ['electron', 'electron/*', 'react', 'react-dom', 'd3', '**/renderer/**'],
  message: 'The core runs without Electron or React: the CLI and the tests drive it on plain Node.',
};
/** no-restricted-imports for one room (or for the shared files directly in main/core when room is undefined) */
function roomRule(room) {
  const allowed = room ? [room, ...mayImport[room]] : [];
  const patterns = [coreBase, outsideCore];
  for (const other of rooms.filter((r) => !allowed.includes(r))) {
    const open = room && capabilities.includes(room) ? (published[other] ?? []) : [];
    const where = room ? `main/core/${room}` : 'the shared files directly in main/core';
    patterns.push({
      regex: open.length > 0 ? `${up}${other}(/(?!(${open.join('|')})$)|$)` : `${up}${other}(/|$)`,
      message:
        `${where} may not import main/core/${other}` +
        (room ? ` (it may import ${mayImport[room].join(', ') || 'no other room'}` : ' (they import no room') +
        (open.length > 0 ? `; from ${other} only ${open.join(', ')})` : ')') +
        '. Move the shared piece down a room or pass it in.',
    });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

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
    // Type-aware rules: each file is checked with the tsconfig nearest to it.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        noNode('shared/ is the contract: no Electron, Node or DOM framework imports.', [
          { group: ['react', 'react-dom'], message: 'shared/ is the contract: no Electron, Node or DOM framework imports.' },
          { regex: `${up}(main|renderer)(/|$)`, message: 'shared/ is the contract: it imports nothing from main/ or renderer/.' },
        ]),
      ],
      // shared/ is type-checked without the DOM library (tsconfig.json); these globals exist in one
      // runtime only, so the contract must not touch them.
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'localStorage',
          'sessionStorage',
          'location',
          'process',
          'Buffer',
          'require',
          '__dirname',
          '__filename',
        ].map((name) => ({ name, message: 'shared/ runs in the renderer and in Node: no runtime-specific globals.' })),
      ],
    },
  },
  { files: ['main/core/*.ts'], rules: roomRule(undefined) },
  ...rooms.map((room) => ({ files: [`main/core/${room}/**/*.ts`], rules: roomRule(room) })),
  {
    files: ['main/core/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['main/app/**/*.ts', 'main/cli/**/*.ts', 'main/bridge/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'react', 'react-dom', 'd3', '**/renderer/**'],
              message: 'The core runs without Electron or React: the CLI and the tests drive it on plain Node.',
            },
          ],
        },
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
        noNode('The renderer has no Node: it talks to the core only through the DrydockClient contract.', [
          {
            group: ['better-sqlite3', 'dockerode'],
            message: 'The renderer has no Node: it talks to the core only through the DrydockClient contract.',
          },
          {
            regex: `${up}main(/|$)`,
            message: 'The renderer imports nothing from main/: it talks to the core only through the DrydockClient contract.',
          },
        ]),
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
