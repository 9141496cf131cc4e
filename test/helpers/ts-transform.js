// Jest transformer for the TypeScript sources: ts.transpileModule with the project's compiler
// options. Types are checked once, by `npm run typecheck` (CI runs it); tests only need the
// JavaScript. ts-jest did the same work per file at about 15 ms a module (its per-file config
// and cache-key machinery); this is one hash and, on a cache miss, one transpile.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const tsconfigPath = path.join(__dirname, '..', '..', 'tsconfig.json');
const { config } = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions ?? {}, path.dirname(tsconfigPath));
const compilerOptions = {
  ...options,
  module: ts.ModuleKind.CommonJS,
  inlineSourceMap: true,
  inlineSources: true,
  sourceMap: false,
  declaration: false,
  noEmit: false,
};
const salt = crypto
  .createHash('sha1')
  .update(fs.readFileSync(__filename))
  .update(JSON.stringify(config))
  .update(ts.version)
  .digest('hex');

module.exports = {
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(salt).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    const out = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false });
    return { code: out.outputText };
  },
};
