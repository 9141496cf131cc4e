import fs from 'node:fs';
import path from 'node:path';
import { buildOpenApi } from '../../src/api/openapi';
import { ERROR_CODE_LIST, ERROR_CODES, isErrorCode, statusesOf } from '../../src/errors/codes';

/**
 * The closed catalogue of error codes (src/errors/codes.ts). The error classes accept only its
 * codes (type-checked); this scan also catches a code that reaches them through a cast or a
 * helper, and keeps docs/errors.md and the OpenAPI document in step with the catalogue.
 */
const ROOT = path.resolve(__dirname, '../..');
const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
const src = sources(path.join(ROOT, 'src'))
  .filter((f) => !f.endsWith(path.join('src', 'errors', 'codes.ts')))
  .map((f) => ({ f: path.relative(ROOT, f), text: fs.readFileSync(f, 'utf8') }));

interface Use {
  f: string;
  code: string;
  /** The status it is thrown with, when the throw site says. */
  status: number | null;
}

const CLASS_STATUS: Record<string, number> = { ForbiddenError: 403, ConflictError: 409, UnauthorizedError: 401 };

/** Every error code a source file throws or hands to a refusal, as written at the site. */
function codesThrown(): Use[] {
  const uses: Use[] = [];
  for (const { f, text } of src) {
    for (const m of text.matchAll(/new AppError\(\s*(\d{3}),\s*'([^']+)'/g)) uses.push({ f, code: m[2], status: Number(m[1]) });
    for (const m of text.matchAll(/new (ForbiddenError|ConflictError|UnauthorizedError)\(\s*'([^']+)'/g)) uses.push({ f, code: m[2], status: CLASS_STATUS[m[1]] });
    // refuse(db, audit, actor, 'code', ...) (src/policy/refusal.ts) and a feature's refusals.refuse(actor, f, scope, action, 'code', ...): 403.
    for (const m of text.matchAll(/(?<![.\w])refuse\(\s*[\w.]+,\s*[\w.]+,\s*\w+,\s*'([^']+)'/g)) uses.push({ f, code: m[1], status: 403 });
    for (const m of text.matchAll(/\.refuse\(\s*\w+,\s*\w+,\s*\w+,\s*(?:'[^']*'|\w+),\s*'([^']+)'/g)) uses.push({ f, code: m[1], status: 403 });
    // Codes carried in objects and thrown later (the account gate, a viewing decision): { code: 'x', ... }. zod's 'custom' is not ours.
    for (const m of text.matchAll(/\bcode: '([a-z][a-z0-9_]*)'/g)) if (m[1] !== 'custom') uses.push({ f, code: m[1], status: null });
  }
  return uses;
}

describe('the closed catalogue of error codes', () => {
  test('every code thrown anywhere in src is in the catalogue, with the status it is thrown with', () => {
    const uses = codesThrown();
    // The scan must keep finding the codes (a changed idiom would otherwise make this test pass vacuously).
    expect(new Set(uses.map((u) => u.code)).size).toBeGreaterThanOrEqual(80);
    expect(uses.filter((u) => !isErrorCode(u.code))).toEqual([]);
    expect(uses.filter((u) => u.status !== null && isErrorCode(u.code) && !statusesOf(u.code).includes(u.status))).toEqual([]);
  });

  test('the error classes accept only catalogue codes (a code is typed ErrorCode)', () => {
    const errors = fs.readFileSync(path.join(ROOT, 'src/errors.ts'), 'utf8');
    expect(errors).not.toMatch(/code(\??): string/);
    expect(errors).toMatch(/readonly code: ErrorCode/);
    for (const cls of ['ForbiddenError', 'ConflictError', 'UnauthorizedError']) {
      expect(errors).toMatch(new RegExp(`class ${cls} extends AppError \\{\\s*constructor\\(code: ErrorCode`));
    }
  });

  test('docs/errors.md lists every code of the catalogue with its status, and no other', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([^`]+)` \| (\d{3})/gm)].map((m) => ({ code: m[1], status: Number(m[2]) }));
    expect(rows.map((r) => r.code).sort()).toEqual([...ERROR_CODE_LIST].sort());
    for (const r of rows) expect({ code: r.code, status: r.status }).toEqual({ code: r.code, status: ERROR_CODES[r.code as keyof typeof ERROR_CODES].status });
  });

  test('the OpenAPI document publishes the catalogue, and the error schema refers to it', () => {
    const doc = buildOpenApi([], 'test') as { components: { schemas: Record<string, any> } };
    const schemas = doc.components.schemas;
    expect(schemas.ErrorCode.enum).toEqual(ERROR_CODE_LIST);
    expect(schemas.Error.properties.error.properties.code).toEqual({ $ref: '#/components/schemas/ErrorCode' });
    for (const c of ERROR_CODE_LIST) expect(schemas.ErrorCode['x-error-codes'][c]).toMatchObject({ status: ERROR_CODES[c].status, meaning: ERROR_CODES[c].meaning });
  });

  test('every catalogue entry has a status a client can act on and a one-line meaning', () => {
    for (const c of ERROR_CODE_LIST) {
      expect({ c, ok: /^[a-z][a-z0-9_]*$/.test(c) }).toEqual({ c, ok: true });
      expect(ERROR_CODES[c].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_CODES[c].status).toBeLessThan(600);
      expect(ERROR_CODES[c].meaning).not.toMatch(/\n/);
      expect(ERROR_CODES[c].meaning.length).toBeGreaterThan(10);
    }
  });
});
