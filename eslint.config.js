// Lint rules for every package: typescript-eslint's recommended set on top of ESLint's,
// for sources, tests, benchmarks and scripts. Formatting is Prettier's job (npm run format).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/dist/', 'data/', '.tap/', 'test-output/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names fail the build already (noUnusedLocals/noUnusedParameters); `_x` marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Services log through pino; console belongs to command-line output, tests and benchmarks only.
      'no-console': 'error',
    },
  },
  {
    files: ['**/test/**', '**/bench/**', '**/eval/**', 'scripts/**', 'testkit/**', '**/src/cli.ts', '**/src/**/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['cloud/web/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
