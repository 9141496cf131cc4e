import { z } from 'zod';
import type { AppContext } from '../../context';
import { CASE_CAUSES, CASE_CHANNELS, CASE_PROPOSALS, CASE_STATUSES, CASE_TYPES, ComplaintCase } from '../../entities/ComplaintCase';
import { acting, loaded, permission, projectInBody, route, RouteSpec, ScopeInput } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { CaseService } from './case.service';
import { CASE_SORTS, caseListSchema, caseStatisticsListSchema, caseStatisticsSchema, caseViewSchema } from './case.schemas';

const text = (max: number) => z.string().trim().min(1).max(max);

/** A product or order concerned, with quantities where known (第九條(一)). */
const item = z
  .strictObject({
    product: text(200).optional(),
    orderNo: text(60).optional(),
    quantity: z.number().int().min(0).max(100_000_000).optional(),
    defectiveQuantity: z.number().int().min(0).max(100_000_000).optional(),
  })
  .refine((i) => i.product !== undefined || i.orderNo !== undefined, { message: 'name the product or the order number', path: ['product'] })
  .refine((i) => i.quantity === undefined || i.defectiveQuantity === undefined || i.defectiveQuantity <= i.quantity, {
    message: 'cannot exceed quantity',
    path: ['defectiveQuantity'],
  });

/** An amount in yuan with at most two decimals (stored in fen). */
const amount = z
  .number()
  .min(0)
  .max(20_000_000)
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, { message: 'at most two decimals (yuan and fen)' });

/** Amount where relevant: required and > 0 for a discount or compensation; none for a rejected complaint. */
const proposeBody = z
  .strictObject({ proposal: z.enum(CASE_PROPOSALS), amount: amount.nullable().optional(), note: text(4000).optional() })
  .superRefine((b, ctx) => {
    if ((b.proposal === 'discount' || b.proposal === 'compensation') && !(b.amount && b.amount > 0)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `a ${b.proposal} needs its amount (yuan, > 0)` });
    }
    if (b.proposal === 'rejected' && b.amount) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a rejected complaint has no amount' });
  });

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * Complaint cases (R-CASE-NO … R-CASE-STATS), customer information under the Rules (R-CASE-CONFIDENTIAL): each
 * route needs case:<action> where the case is (its project; the department and the company
 * enclose it), or, to read and handle a case, in the department responsible for it once one is
 * assigned (it is chased for it, R-CASE-CHASE). Statistics need case_stats:read in the company
 * (R-CASE-STATS).
 */
export function caseRoutes(ctx: AppContext): RouteSpec[] {
  /**
   * Loads the case (404 if absent), leaves it for the handler, and answers where case:<action> is
   * checked for the caller (CaseService.accessScope): the middleware then decides there, and a
   * refusal is audited once and names the permission.
   */
  const caseScope =
    (action: 'read' | 'handle' | 'decide' | 'create') =>
    async ({ params, locals, actor }: ScopeInput): Promise<string> => {
      const c = await ctx.cases.load(Number(params.id));
      locals.case = c;
      return actor ? ctx.cases.accessScope(actor.id, c, action) : ctx.cases.scopeOf(c);
    };
  const theCase = (locals: Record<string, unknown>) => loaded<ComplaintCase>(locals, 'case');
  const workflow = (
    name: string,
    action: 'handle' | 'decide' | 'create',
    summary: string,
    body: z.ZodType,
    run: (actor: ReturnType<typeof acting>, id: number, body: never) => Promise<unknown>,
  ) =>
    route({
      method: 'post',
      path: `/api/v1/cases/:id/${name}`,
      summary,
      tags: ['cases'],
      access: permission('case', action, caseScope(action)),
      params: idParam,
      body,
      response: caseViewSchema,
      handler: ({ locals, body: b, auditActor }) => run(acting(auditActor), theCase(locals).id, b as never),
    });

  return [
    route({
      method: 'post',
      path: '/api/v1/cases',
      summary: 'Register a complaint case for a customer of the project: numbered YYMM-NNN (R-CASE-NO), due in 15/20 days (R-CASE-DEADLINE)',
      tags: ['cases'],
      access: permission('case', 'create', projectInBody),
      body: z.strictObject({
        project: code,
        customerId: z.number().int().positive(),
        channel: z.enum(CASE_CHANNELS),
        type: z.enum(CASE_TYPES),
        request: text(4000),
        items: z.array(item).max(50).optional(),
        notes: text(4000).nullable().optional(),
      }),
      status: 201,
      response: caseViewSchema,
      handler: ({ body, auditActor }) => ctx.cases.register(acting(auditActor), body),
    }),
    route({
      method: 'get',
      path: '/api/v1/cases',
      summary: 'Cases of a project (?project=), a department (?department=: its projects\' cases and the cases assigned to it) or the company, filtered by status and overdue; sort=caseNo|registeredAt|deadline|status with order=asc (default)|desc, id breaking ties (without sort: newest first); free text redacted, customer masked',
      tags: ['cases'],
      access: permission('case', 'read', ({ query }) => CaseService.listScope(query)),
      query: z
        .strictObject({
          project: code.optional(),
          department: code.optional(),
          status: z.enum(CASE_STATUSES).optional(),
          overdue: bool.optional(),
          customerId: z.coerce.number().int().positive().optional(),
          sort: z.enum(CASE_SORTS).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          ...pageQuery,
        })
        .refine((q) => q.project === undefined || q.department === undefined, { message: 'give project or department, not both', path: ['department'] }),
      response: caseListSchema,
      handler: ({ query }) => ctx.cases.list(query),
    }),
    route({
      method: 'get',
      path: '/api/v1/cases/:id',
      summary: 'One case with its due date and history; free text redacted, customer masked (R-CASE-CONFIDENTIAL)',
      tags: ['cases'],
      access: permission('case', 'read', caseScope('read')),
      params: idParam,
      response: caseViewSchema,
      handler: ({ locals }) => ctx.cases.view(theCase(locals)),
    }),
    workflow(
      'investigate',
      'handle',
      'registered → investigating: the responsible department, the cause (quality / non-quality), the findings and the persons responsible',
      z.strictObject({
        department: code,
        cause: z.enum(CASE_CAUSES),
        findings: text(4000).optional(),
        responsibleUserIds: z.array(z.number().int().positive()).max(20).optional(),
      }),
      (actor, id, b: Parameters<CaseService['investigate']>[2]) => ctx.cases.investigate(actor, id, b),
    ),
    workflow(
      'propose',
      'handle',
      'investigating → proposed: return, replacement, discount, compensation or rejected complaint, with the amount where relevant',
      proposeBody,
      (actor, id, b: Parameters<CaseService['propose']>[2]) => ctx.cases.propose(actor, id, b),
    ),
    workflow(
      'decide',
      'decide',
      'proposed → decided, by an approver whose authority (CASE_APPROVAL_LIMITS) covers the amount (403 naming the limit otherwise); approve:false sends it back to investigating',
      z
        .strictObject({ approve: z.boolean().default(true), note: text(4000).optional() })
        .refine((b) => b.approve || b.note !== undefined, { message: 'say why the proposal is sent back', path: ['note'] }),
      (actor, id, b: Parameters<CaseService['decide']>[2]) => ctx.cases.decide(actor, id, b),
    ),
    workflow(
      'communicate',
      'handle',
      'decided → communicated: the result given to the customer (by letter or phone; the internal form is never given, 第九條(十))',
      z.strictObject({ result: text(4000) }),
      (actor, id, b: Parameters<CaseService['communicate']>[2]) => ctx.cases.communicate(actor, id, b),
    ),
    workflow(
      'close',
      'handle',
      'communicated → closed; closing after the due date needs lateReason (R-CASE-CHASE)',
      z.strictObject({ lateReason: text(2000).optional() }).default({}),
      (actor, id, b: Parameters<CaseService['close']>[2]) => ctx.cases.close(actor, id, b),
    ),
    workflow(
      'reopen',
      'create',
      'The customer does not accept the decision (第九條(八)): a new linked case with a new number; a case still "communicated" is closed by it, which needs case:handle as well (403 naming it otherwise)',
      z.strictObject({ request: text(4000), notes: text(4000).optional(), lateReason: text(2000).optional() }),
      (actor, id, b: Parameters<CaseService['reopen']>[2]) => ctx.cases.reopen(actor, id, b),
    ),

    // ---- R-CASE-STATS --------------------------------------------------------------------
    route({
      method: 'get',
      path: '/api/v1/case-statistics',
      summary: 'The monthly statistics tables of closed cases, newest first (R-CASE-STATS)',
      tags: ['cases'],
      access: permission('case_stats', 'read'),
      query: z.strictObject({ ...pageQuery }),
      response: caseStatisticsListSchema,
      handler: ({ query }) => ctx.caseStatistics.list(query),
    }),
    route({
      method: 'get',
      path: '/api/v1/case-statistics/:period',
      summary:
        'One month (YYYY-MM) of case statistics: JSON, or ?format=xlsx|pdf (客訴案件統計表); exports are audited. `current` (or the month under way) is the month to date, computed now and not stored (final: false)',
      tags: ['cases'],
      access: permission('case_stats', 'read'),
      // R-CASE-STATS: `current` is the month-to-date view.
      params: z.strictObject({ period: z.string().regex(/^(current|\d{4}-(0[1-9]|1[0-2]))$/, 'a month such as 2026-10, or current') }),
      query: z.strictObject({ format: z.enum(['json', 'xlsx', 'pdf']).default('json') }),
      // The JSON answer (format=json); xlsx/pdf answer the file.
      response: caseStatisticsSchema,
      handler: async ({ params, query, auditActor, res }) => {
        if (query.format === 'json') return ctx.caseStatistics.get(params.period);
        const out = await ctx.caseStatistics.export(acting(auditActor), params.period, query.format);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', out.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${out.filename}"`);
        res.status(200).end(out.body);
        return undefined;
      },
    }),
  ];
}
