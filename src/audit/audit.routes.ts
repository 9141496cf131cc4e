import { once } from 'node:events';
import { z } from 'zod';
import type { AppContext } from '../context';
import { permission, route, RouteSpec } from '../api/route';
import { pageQuery } from '../api/validate';
import { csvHeader, csvRow } from './audit-query.service';
import { digestRoutes } from './digest/digest.routes';

/** One event as GET /api/v1/audit lists it (dates as ISO 8601), for the API document. */
export const auditEventSchema = z.object({
  seq: z.number().int(),
  at: z.string().describe('ISO 8601'),
  actorId: z.number().int().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  scope: z.string().nullable(),
  decision: z.enum(['allow', 'deny']).nullable(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  before: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullable(),
  after: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

const coverageSchema = z.object({
  digests: z.number().int().describe('Signed digests checked against the chain'),
  latestNumber: z.number().int().nullable(),
  coveredToSeq: z.number().int().describe('Last sequence number a signed digest covers'),
  latestAt: z.string().nullable().describe('ISO 8601 time of the latest digest'),
  uncovered: z.number().int().describe('Entries written after the latest digest (not yet signed for)'),
});

export const verifySchema = z.union([
  z.object({
    ok: z.literal(true),
    count: z.number().int(),
    headSeq: z.number().int(),
    headHash: z.string(),
    coverage: coverageSchema.optional(),
    resumedAfterSeq: z.number().int().optional().describe('With resume=true: the entries up to this one were taken on the latest digest\'s word, only those after it walked'),
  }),
  z.object({ ok: z.literal(false), count: z.number().int(), brokenAtSeq: z.number().int(), reason: z.string() }),
]);

export const auditPageSchema = z.object({
  items: z.array(auditEventSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  nextCursor: z.number().int().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

const filters = {
  actorId: z.coerce.number().int().positive().optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(100).optional(),
  objectType: z.string().max(60).optional(),
  objectId: z.string().max(120).optional(),
  scope: z.string().max(120).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
};

/** R-AUDIT: read, export and verify the trail. There is no route that changes it. */
export function auditRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/audit',
      summary: 'Audit events, filtered by actor, action, object, scope and time range; paged by cursor (nextCursor) or by offset',
      tags: ['audit'],
      access: permission('audit', 'read'),
      query: z
        .strictObject({
          ...filters,
          ...pageQuery,
          order: z.enum(['asc', 'desc']).default('desc'),
          // Issue 14 §3: paging by key, so that a deep page costs what the first one does.
          cursor: z.coerce.number().int().min(0).optional().describe("The previous page's nextCursor"),
        })
        .refine((q) => q.cursor === undefined || q.offset === 0, { message: 'cursor and offset do not go together: a cursor already says where the page starts', path: ['offset'] }),
      response: auditPageSchema,
      handler: ({ query }) => {
        const { limit, offset, order, cursor, ...f } = query;
        return ctx.auditQuery.list(f, { limit, offset, order, cursor });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/audit/export',
      summary: 'Audit events as CSV (same filters), oldest first',
      tags: ['audit'],
      access: permission('audit', 'export'),
      query: z.strictObject(filters),
      produces: 'text/csv',
      handler: async ({ query, res, auditActor }) => {
        await ctx.auditQuery.recordExport(auditActor, query);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="audit.csv"');
        res.write(csvHeader());
        // Bounded memory: a batch is read only once the client has taken the previous one.
        for await (const batch of ctx.auditQuery.batches(query)) {
          if (!res.write(batch.map(csvRow).join(''))) await once(res, 'drain');
        }
        res.end();
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/audit/verify',
      summary:
        'Recompute the hash chain: ok with count and head hash, or the first broken sequence; optionally check a head recorded earlier (anchorSeq, anchorHash) and the signed digests (digests=true)',
      tags: ['audit'],
      access: permission('audit', 'verify'),
      query: z
        .strictObject({
          anchorSeq: z.coerce.number().int().positive().optional(),
          anchorHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
          digests: z.enum(['true', 'false']).optional().describe('Also check against the signed digests in AUDIT_DIGEST_DIR'),
          resume: z
            .enum(['true', 'false'])
            .optional()
            .describe('With digests=true: start at the latest signed digest instead of the genesis row (a quick check of what no signature covers yet)'),
        })
        .refine((q) => (q.anchorSeq === undefined) === (q.anchorHash === undefined), { message: 'anchorSeq and anchorHash go together', path: ['anchorHash'] })
        .refine((q) => q.resume !== 'true' || q.digests === 'true', { message: 'resume=true starts at a signed digest: it needs digests=true', path: ['resume'] }),
      response: verifySchema,
      handler: ({ query }) =>
        ctx.auditQuery.verify(query.anchorSeq !== undefined ? [{ seq: query.anchorSeq, hash: query.anchorHash! }] : [], {
          digests: query.digests === 'true',
          resume: query.resume === 'true',
        }),
    }),
    ...digestRoutes(ctx),
  ];
}
