import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Folders bundled into workflows: see docs/architecture.md. */
export const WORKFLOW_SAFE_FOLDERS = ['src/shared', 'src/pipeline', 'src/workflows'];
/** Everything else under src/, which workflow-safe code may import as types only; a test checks every src/ folder is in one list. */
export const NOT_WORKFLOW_SAFE = [
  'activities',
  'cli',
  'client',
  'codec',
  'codika',
  'provisioning',
  'testing',
  'worker-setup',
  'worker',
];

/** What workflow-safe code may import: no Node built-in; other layers' values never (types are fine). */
const workflowSafeImports = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow-safe code must not import Node built-ins.' })),
  patterns: [
    {
      group: NOT_WORKFLOW_SAFE.flatMap((folder) => [`**/${folder}`, `**/${folder}/**`]),
      allowTypeImports: true,
      message:
        'Workflow-safe code imports values only from workflow-safe folders (src/shared, src/pipeline, src/workflows); other layers as types only.',
    },
  ],
};

/**
 * Modules that load zod. The SDK gives every workflow it creates a fresh copy of each module the
 * bundle imports at its top, and zod's were most of that cost: workflows load them on demand
 * through src/workflows/lazy-schemas.ts (bench/README.md, "Where the time goes").
 */
const ZOD_MODULES =
  '^zod(/|$)|(^|/)shared/poll-options-schema$|(^|/)pipeline(/index|/definition|/check-pipeline|/json-schema)?$';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/results/**',
      // A project of its own, type-checked against the packed tarball by its test.
      'examples/quickstart/**',
      'tools/**',
      'docs/api/**',
      '.cluster/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { typescript: true, node: true } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
    },
  },
  {
    // Workflow-safe folders: bundled into workflows and replayed, so nothing from Node, no I/O. Each
    // folder's index.ts states the contract; a new file in these folders is covered without listing it.
    files: WORKFLOW_SAFE_FOLDERS.map((folder) => `${folder}/**/*.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', workflowSafeImports],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    ignores: ['src/workflows/lazy-schemas.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: workflowSafeImports.paths,
          patterns: [
            ...workflowSafeImports.patterns,
            {
              regex: ZOD_MODULES,
              allowTypeImports: true,
              message:
                'Workflows load zod on demand (src/workflows/lazy-schemas.ts): every workflow the SDK creates would pay for it otherwise.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
