import { z } from 'zod';
import { ERROR_CODES, ERROR_CODE_LIST } from '../errors';
import { RouteSpec } from './route';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The OpenAPI 3.1 document, generated from the same route specs (and zod schemas) that serve requests. */
export function buildOpenApi(routes: RouteSpec[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const access = r.access;
    const responses: Record<string, Json> = {
      [String(r.status ?? 200)]: r.produces
        ? { description: 'Success', content: { [r.produces]: {} } }
        : { description: 'Success', content: { 'application/json': r.response ? { schema: jsonSchema(r.response, 'output') } : {} } },
      '400': errorResponse('Invalid input, with one detail per field'),
    };
    if (access.kind !== 'public') {
      responses['401'] = errorResponse('Missing, invalid, expired or revoked token');
      responses['403'] = errorResponse('Missing permission, or the confidentiality agreement is not signed');
    }
    const op: Json = {
      summary: r.summary,
      tags: r.tags,
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses,
      'x-access':
        access.kind === 'permission'
          ? { permission: `${access.object}:${access.action}`, scope: typeof access.scope === 'function' ? 'record' : access.scope }
          : access.kind,
    };
    if (access.kind !== 'public') op.security = [{ bearer: [] }];
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Custodian API',
      version,
      description:
        'Customer-information security and access governance, enforcing the Customer Information Confidentiality Rules. ' +
        'x-access on each operation names the permission (object:action) the policy must grant in the resolved scope.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        // The closed catalogue of error codes (src/errors/codes.ts, docs/errors.md): status and meaning of each.
        ErrorCode: {
          type: 'string',
          enum: ERROR_CODE_LIST,
          description: 'Every code an error can carry. See docs/errors.md.',
          'x-error-codes': Object.fromEntries(ERROR_CODE_LIST.map((c) => [c, ERROR_CODES[c]])),
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { $ref: '#/components/schemas/ErrorCode' },
                message: { type: 'string' },
                details: {},
                requestId: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
  };
}
