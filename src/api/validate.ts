import { z } from 'zod';
import { FieldIssue, ValidationError } from '../errors';
import { xmlForbiddenReason, xmlSafe } from '../lib/xml-safe';

/**
 * Strings (values and keys) the service refuses to store, one issue each (bounded in count and
 * depth), for every string of the params, the query and the body of every route:
 * - a lone UTF-16 surrogate: JSON can carry one ("\ud800") but no database column can store it:
 *   it comes back as U+FFFD, so a value hashed before it was stored (the audit chain, R-AUDIT)
 *   no longer matches its hash. Found by test/api/robustness.test.ts: one such note broke the chain.
 * - a character XML forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF): one such character in a
 *   print request's purpose made the company-wide §7 form unreadable as XLSX (R-LEDGER-FORM);
 *   refused here, at input, for every text field (src/lib/xml-safe.ts defines them).
 */
function illFormedStrings(value: unknown, path: string[], out: FieldIssue[], depth = 0): FieldIssue[] {
  if (out.length >= 20 || depth > 32) return out;
  if (typeof value === 'string') {
    const reason = xmlForbiddenReason(value);
    if (reason) out.push({ path: path.join('.'), message: `the value ${reason}` });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // The path names the key with what it cannot hold replaced by U+FFFD.
      const key = xmlSafe(k);
      const reason = xmlForbiddenReason(k);
      if (reason) out.push({ path: [...path, key].join('.'), message: `the key ${reason}` });
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
  if (result.success) {
    if (part === 'params') requireCanonicalNumbers(value as Record<string, unknown>, result.data as Record<string, unknown>);
    return result.data;
  }
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

/**
 * A record id as a path names it: decimal digits, no sign, space, leading zero, fraction, hex or
 * exponent, at most Number.MAX_SAFE_INTEGER. Number() read "0x1", "1e0", " 1 " and "1.0" all as
 * customer 1: one record had many addresses, and an id that is not canonical is not an id (400).
 */
const CANONICAL_ID = /^[1-9][0-9]{0,15}$/;
const ID_MESSAGE = 'an id: a whole number in decimal digits, without sign, spaces, leading zeros, fraction, hex or exponent';
const isCanonicalId = (s: string): boolean => CANONICAL_ID.test(s) && Number.isSafeInteger(Number(s));
/** The pattern also documents the id in the API document (openapi.ts). */
export const recordId = z
  .string()
  .regex(CANONICAL_ID, { message: ID_MESSAGE, abort: true })
  .refine(isCanonicalId, ID_MESSAGE)
  .transform((s) => Number(s));

/**
 * Every path parameter that a route's schema reads as a number must be written canonically too,
 * also where a route declares its own params schema (z.coerce.number() reads loosely): the same
 * rule as recordId, checked here for every route.
 */
function requireCanonicalNumbers(raw: Record<string, unknown>, parsed: Record<string, unknown>): void {
  const issues: FieldIssue[] = Object.entries(parsed)
    .filter(([k, v]) => typeof v === 'number' && !isCanonicalId(String(raw?.[k])))
    .map(([k]) => ({ path: `params.${k}`, message: ID_MESSAGE }));
  if (issues.length > 0) throw new ValidationError('Invalid request params', issues);
}

/** Shared schema pieces. */
export const idParam = z.strictObject({ id: recordId });
export const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'letters, digits, "_", "-" or "." (max 40), starting with a letter or digit');
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
