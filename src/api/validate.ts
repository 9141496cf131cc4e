import { z } from 'zod';
import { FieldIssue, ValidationError } from '../errors';

/** Parses one part of a request; failures become a 400 with one entry per field. */
export function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, part: 'params' | 'query' | 'body'): z.infer<T> {
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
