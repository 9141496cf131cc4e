import { z } from 'zod';
import { FieldIssue, ValidationError } from '../errors';

/**
 * A lone UTF-16 surrogate. JSON can carry one ("\ud800") but no database column can store it:
 * it comes back as U+FFFD, so a value hashed before it was stored (the audit chain, R-AUDIT)
 * no longer matches its hash. Found by test/api/robustness.test.ts: one such note broke the chain.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Strings (values and keys) that are not well-formed Unicode, one issue each (bounded in count and depth). */
function illFormedStrings(value: unknown, path: string[], out: FieldIssue[], depth = 0): FieldIssue[] {
  if (out.length >= 20 || depth > 32) return out;
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) out.push({ path: path.join('.'), message: 'not well-formed Unicode (a lone surrogate)' });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const key = k.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
      if (key !== k) out.push({ path: [...path, key].join('.'), message: 'the key is not well-formed Unicode (a lone surrogate)' });
      illFormedStrings(v, [...path, key], out, depth + 1);
    }
  }
  return out;
}

/** Parses one part of a request; failures become a 400 with one entry per field. */
export function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, part: 'params' | 'query' | 'body'): z.infer<T> {
  const illFormed = illFormedStrings(value, [part], []);
  if (illFormed.length > 0) throw new ValidationError(`Invalid request ${part}`, illFormed);
  if (!schema) {
    // A route that declares no body accepts none: an unexpected body is a client error, not ignored input.
    if (part === 'body' && value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0)) {
      throw new ValidationError('This endpoint takes no request body', [{ path: 'body', message: 'unexpected body' }]);
    }
    if (part === 'query' && value && Object.keys(value as object).length > 0) {
      const keys = Object.keys(value as object);
      throw new ValidationError('Unknown query parameters', keys.map((k) => ({ path: `query.${k}`, message: 'unknown parameter' })));
    }
    return {} as z.infer<T>;
  }
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  // One detail per field: an unknown-keys issue becomes one entry per unknown key.
  const details: FieldIssue[] = result.error.issues.flatMap((issue) => {
    const base = [part, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return (issue as { keys: string[] }).keys.map((k) => ({ path: [...base, k].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
  throw new ValidationError(`Invalid request ${part}`, details);
}

/** Shared schema pieces. */
export const idParam = z.strictObject({ id: z.coerce.number().int().positive() });
export const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'letters, digits, "_", "-" or "." (max 40), starting with a letter or digit');
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
