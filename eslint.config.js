// ESLint (flat config): typescript-eslint's recommended rules plus the house's import boundaries,
// which keep the layering in docs/architecture.md true as the code grows:
// - a route file never touches the database: no typeorm, no src/db, no ctx.db; it calls a service;
// - a feature imports another feature only through that feature's service (or its views' types);
// - src/lib and src/policy (shared code) import no feature.
// Import cycles are checked separately by scripts/check-cycles.js (type-only imports count too).
const path = require('node:path');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const SRC = path.join(__dirname, 'src');
const FEATURES = path.join(SRC, 'features');

/** src/features/<name>/... → <name>; anything else → null. */
function featureOf(file) {
  const rel = path.relative(FEATURES, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep)[0];
}

function resolved(context, spec) {
  return spec.startsWith('.') ? path.resolve(path.dirname(context.filename), spec) : null;
}

const boundaries = {
  meta: { type: 'problem', schema: [], messages: {} },
  create(context) {
    const file = context.filename;
    const isRoute = /\.routes\.ts$/.test(file);
    const ownFeature = featureOf(file);
    const shared = [path.join(SRC, 'lib'), path.join(SRC, 'policy')].some((d) => file.startsWith(d + path.sep));
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      const target = resolved(context, spec);
      if (isRoute && (spec === 'typeorm' || (target && target.startsWith(path.join(SRC, 'db') + path.sep)))) {
        context.report({ node, message: `A route file does not touch the database ('${spec}'): call its service.` });
      }
      if (!target) return;
      const targetFeature = featureOf(target);
      if (shared && targetFeature) {
        context.report({ node, message: `Shared code (src/lib, src/policy) imports no feature ('${spec}'): move what both need into src/lib or src/policy.` });
      }
      if (ownFeature && targetFeature && targetFeature !== ownFeature && !/\.(service|views)$/.test(path.basename(target))) {
        context.report({
          node,
          message: `Feature '${ownFeature}' imports '${spec}' from feature '${targetFeature}': go through its *.service.ts (or *.views.ts for types), or move shared code to src/lib or src/policy.`,
        });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      // ctx.db (or this.ctx.db) inside a route file: the database reached without a service.
      MemberExpression: (node) => {
        if (!isRoute || node.computed || node.property.name !== 'db') return;
        const obj = node.object;
        const name = obj.type === 'Identifier' ? obj.name : obj.type === 'MemberExpression' && !obj.computed ? obj.property.name : null;
        if (name === 'ctx') context.report({ node, message: 'A route file does not touch the database (ctx.db): call its service.' });
      },
    };
  },
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', 'web/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { custodian: { rules: { boundaries } } },
    rules: {
      'custodian/boundaries': 'error',
      // `_name` marks a deliberately unused parameter (express's 4-argument error handler).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Migrations and the test harness load modules by path at run time.
      '@typescript-eslint/no-require-imports': 'off',
      // The service matches control characters on purpose: input XML forbids (src/lib/xml-safe.ts),
      // CSV cells, file names.
      'no-control-regex': 'off',
      // Function is the type of an entity or migration class in typeorm's own signatures.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests reach into records and services directly; the boundaries are the application's.
      'custodian/boundaries': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
