// ESLint flat config: typescript-eslint's recommended rules on the project's
// TypeScript and JavaScript.  Formatting is prettier's job (npm run lint:format).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/',
      'build/',
      '.cache/',
      'bench-results/',
      'kmod/',
      'utils/src/gen/',
      'test/c/gen/',
      'test/codegen/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
