import { z } from 'zod';
import type { AppContext } from '../../context';
import { ACCESS_KINDS } from '../../entities/CustomerAccess';
import { permission, route, RouteSpec } from '../../api/route';
import { idParam, pageQuery } from '../../api/validate';
import { ValidationError } from '../../errors';
import type { AccessLogFilter } from './access-log.store';

const period = {
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
};

const itemSchema = z.object({
  id: z.number().int(),
  at: z.string().describe('ISO 8601'),
  userId: z.number().int(),
  username: z.string().nullable(),
  customerId: z.number().int().nullable(),
  project: z.string().nullable(),
  kind: z.enum(ACCESS_KINDS),
  revealed: z.boolean(),
  route: z.string(),
  requestId: z.string().nullable(),
  ref: z.string().nullable(),
});
const pageSchema = z.object({ items: z.array(itemSchema), total: z.number().int() });

function filterOf(key: 'customerId' | 'userId', id: number, q: { from?: Date; to?: Date }): AccessLogFilter {
  if (q.from && q.to && q.from.getTime() >= q.to.getTime()) throw new ValidationError('Invalid period', [{ path: 'query.to', message: 'to must be after from' }]);
  return { [key]: id, from: q.from, to: q.to };
}

/**
 * Who viewed which customer (issue 14 §2, R-AUDIT, R-SECRET): the auditor and the IT admin read
 * a customer's or a user's reads over a period [from, to), and export them as CSV. Company-wide
 * (access_log:read / access_log:export in "*"): a customer deleted since still has its readers.
 */
export function accessLogRoutes(ctx: AppContext): RouteSpec[] {
  return [verifyRoute(ctx), ...readRoutes(ctx)];
}

const verifySchema = z.union([
  z.object({
    ok: z.literal(true),
    batches: z.number().int(),
    rows: z.number().int(),
    headSeq: z.number().int(),
    headHash: z.string(),
    anchoredBy: z.enum(['genesis', 'purge']).describe('What the first kept batch links to: the start, or the latest purge summary in the audit trail'),
    digests: z.number().int().describe('Signed digests whose access-log head was checked'),
  }),
  z.object({ ok: z.literal(false), brokenAtBatch: z.number().int(), reason: z.string() }),
]);

/** R-AUDIT: the batch chain recomputed and held against the signed digests (issue 14 §1, §2). */
function verifyRoute(ctx: AppContext): RouteSpec {
  return route({
    method: 'get',
    path: '/api/v1/access-log/verify',
    summary: 'Recompute the access log\'s batch chain and check it against the signed audit digests in AUDIT_DIGEST_DIR: ok with counts, or the first batch that differs',
    tags: ['access log'],
    access: permission('access_log', 'read'),
    response: verifySchema,
    handler: () => ctx.accessLog.verifyAgainstDigests(ctx.auditDigests.files.dir),
  });
}

function readRoutes(ctx: AppContext): RouteSpec[] {
  const views = [
    { key: 'customerId' as const, path: '/api/v1/customers/:id/access-log', who: 'customer' },
    { key: 'userId' as const, path: '/api/v1/users/:id/access-log', who: 'user' },
  ];
  return views.flatMap(({ key, path, who }) => [
    route({
      method: 'get',
      path,
      summary: `Who read this ${who === 'customer' ? "customer's information" : "user's customer reads"}: ids, masked or revealed, route, request id; period [from, to), newest first, paged with the total (R-AUDIT)`,
      tags: ['access log'],
      access: permission('access_log', 'read'),
      params: idParam,
      query: z.strictObject({ ...period, ...pageQuery }),
      response: pageSchema,
      handler: ({ params, query }) => ctx.accessLog.page(filterOf(key, Number(params.id), query), query.limit, query.offset),
    }),
    route({
      method: 'get',
      path: `${path}/export`,
      summary: `The same reads of the ${who} as CSV, oldest first (the export is audited)`,
      tags: ['access log'],
      access: permission('access_log', 'export'),
      params: idParam,
      query: z.strictObject(period),
      produces: 'text/csv',
      handler: async ({ params, query, auditActor, res }) => {
        await ctx.accessLog.exportCsv(auditActor, filterOf(key, Number(params.id), query), res);
      },
    }),
  ]);
}
