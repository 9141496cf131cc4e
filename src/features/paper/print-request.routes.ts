import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, loaded, permission, projectInBody, route, RouteSpec, ScopeInput, selfAccess } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { PRINT_REQUEST_STATUSES, PrintRequest } from '../../entities/PrintRequest';
import { PRINT_MAX_COPIES, PRINT_MAX_RECORDS } from './print-request.service';
import { printRequestPageSchema, printRequestSchema } from './paper.schemas';

const note = z.string().trim().max(500);

/**
 * Print requests (R-PRINT-APPROVE): a printout of customer records is requested, approved or
 * rejected by a supervisor of the project (never the requester), or withdrawn by its requester.
 *
 * Record-level rules (only the requester cancels; nobody approves their own request) are checked
 * in the service after the record is loaded, refused with 403 and a stable code, and audited.
 */
export function printRequestRoutes(ctx: AppContext): RouteSpec[] {
  const maxDays = ctx.config.printMaxUsageDays;

  const requestScope = async ({ params, locals }: ScopeInput) => {
    const r = await ctx.printRequests.load(Number(params.id));
    locals.request = r;
    return ctx.printRequests.scopeOf(r);
  };
  const request = (locals: Record<string, unknown>) => loaded<PrintRequest>(locals, 'request');
  const loadRequest = async (id: number, locals: Record<string, unknown>) => (locals.request as PrintRequest | undefined) ?? ctx.printRequests.load(id);

  return [
    route({
      method: 'post',
      path: '/api/v1/print-requests',
      summary: `Request a printout of customer records of one project: purpose, customer ids or a saved filter (at most ${PRINT_MAX_RECORDS} records), copies, usage period (R-PRINT-APPROVE)`,
      tags: ['paper ledger'],
      access: permission('print_request', 'create', projectInBody),
      body: z
        .strictObject({
          project: code,
          purpose: z.string().trim().min(5).max(500),
          customerIds: z.array(z.number().int().positive()).min(1).max(PRINT_MAX_RECORDS).optional(),
          filter: z.strictObject({ q: z.string().trim().max(100).optional() }).optional(),
          copies: z.number().int().min(1, 'at least 1 copy').max(PRINT_MAX_COPIES, `at most ${PRINT_MAX_COPIES} copies`),
          usageDays: z.number().int().min(1, 'at least 1 day').max(maxDays, `the usage period is at most ${maxDays} days (PRINT_MAX_USAGE_DAYS)`),
          includePersonal: z.boolean().default(false),
        })
        .refine((b) => (b.customerIds === undefined) !== (b.filter === undefined), {
          message: 'give either customerIds or filter (the customer list filter, e.g. {"q": "王"})',
          path: ['customerIds'],
        }),
      status: 201,
      response: printRequestSchema,
      handler: ({ body, auditActor }) => ctx.printRequests.request(acting(auditActor), body),
    }),
    route({
      method: 'get',
      path: '/api/v1/print-requests',
      summary: 'Print requests: your own, and every request of the projects where you may read them (supervisors, auditors); mine=true only your own',
      tags: ['paper ledger'],
      access: selfAccess(),
      query: z.strictObject({
        project: code.optional(),
        status: z.enum(PRINT_REQUEST_STATUSES).optional(),
        // The console's "my requests": only the caller's own, also for a supervisor who reads the project's.
        mine: z.enum(['true', 'false']).optional(),
        ...pageQuery,
      }),
      response: printRequestPageSchema,
      handler: ({ query, auditActor }) => ctx.printRequests.list(acting(auditActor), { ...query, mine: query.mine === 'true' }),
    }),
    route({
      method: 'get',
      path: '/api/v1/print-requests/:id',
      summary: 'One print request: its requester, or a reader of the project (print_request:read)',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: idParam,
      response: printRequestSchema,
      handler: async ({ params, auditActor }) => ctx.printRequests.viewFor(acting(auditActor), await ctx.printRequests.load(params.id)),
    }),
    route({
      method: 'post',
      path: '/api/v1/print-requests/:id/approve',
      summary: "Approve (the project manager or the department head; never one's own): issues one controlled copy per copy (R-PRINT-APPROVE, R-NO-PAPER)",
      tags: ['paper ledger'],
      access: permission('print_request', 'approve', requestScope),
      params: idParam,
      body: z.strictObject({ note: note.optional() }).optional(),
      response: printRequestSchema,
      handler: ({ locals, body, auditActor }) => ctx.printRequests.approve(acting(auditActor), request(locals), body?.note ?? null),
    }),
    route({
      method: 'post',
      path: '/api/v1/print-requests/:id/reject',
      summary: "Reject with a reason (the project manager or the department head; never one's own)",
      tags: ['paper ledger'],
      access: permission('print_request', 'approve', requestScope),
      params: idParam,
      body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
      response: printRequestSchema,
      handler: ({ locals, body, auditActor }) => ctx.printRequests.reject(acting(auditActor), request(locals), body.reason),
    }),
    route({
      method: 'post',
      path: '/api/v1/print-requests/:id/cancel',
      summary: 'The requester withdraws a pending request',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: idParam,
      body: z.strictObject({ note: note.optional() }).optional(),
      response: printRequestSchema,
      handler: async ({ params, locals, body, auditActor }) => ctx.printRequests.cancel(acting(auditActor), await loadRequest(params.id, locals), body?.note ?? null),
    }),
  ];
}
