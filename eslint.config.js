import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'migrations/', 'coverage/', 'bench/_*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
      // Code reaches tables through the handle it runs on (`tablesOf(db)`) and names rows with
      // `core/storage/rows.ts`: a dialect's schema imported elsewhere is the wrong dialect's
      // tables on the other backend.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'schema\\.(sqlite|pg)(\\.js|\\.ts)?$',
              message: 'Get tables from the handle (tablesOf(db) in core/storage/prepared.ts) and row types from core/storage/rows.ts.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSImportType[argument.literal.value=/schema\\.(sqlite|pg)/], ImportExpression[source.value=/schema\\.(sqlite|pg)/]",
          message: 'Get tables from the handle (tablesOf(db) in core/storage/prepared.ts) and row types from core/storage/rows.ts.',
        },
      ],
    },
  },
  {
    // One write boundary (docs/architecture.md, "Writes"): product code changes the database only
    // through commit(actor, fn), so every write gets the same transaction, retry and after-commit
    // signals. Only the boundary itself and the stores that implement it open a transaction.
    files: ['core/**/*.ts', 'core/**/*.tsx', 'connectors/**/*.ts'],
    ignores: ['core/commit/**', 'core/storage/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSImportType[argument.literal.value=/schema\\.(sqlite|pg)/], ImportExpression[source.value=/schema\\.(sqlite|pg)/]",
          message: 'Get tables from the handle (tablesOf(db) in core/storage/prepared.ts) and row types from core/storage/rows.ts.',
        },
        {
          selector: "CallExpression[callee.property.name='transaction']",
          message: 'Write through the boundary: commit(actor, async (w) => …) (core/commit/commit.ts, docs/architecture.md "Writes").',
        },
      ],
    },
  },
  {
    // The dialect builders, their own tests, and drizzle-kit's configs (which read the files by path).
    files: ['core/storage/**', 'tests/storage/**', 'drizzle.*.config.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // SuiteScript that runs inside NetSuite (connectors/netsuite/suitescript): an AMD module,
    // loaded by NetSuite's `define` (docs/connectors/netsuite.md).
    files: ['connectors/*/suitescript/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { define: 'readonly' } },
  },
  {
    // The console's own script runs in the browser, as it is (docs/console.md): no modules, no build.
    files: ['core/console/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', window: 'readonly' } },
  },
  {
    // The CLI and benchmarks talk to a person on a terminal; the server logs through the logger.
    files: ['core/cli/**', 'bench/**', 'bin/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
);
