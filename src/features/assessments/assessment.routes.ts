import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, recordScope, Reply, route, RouteSpec, ScopeInput } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { ASSESSMENT_STATUSES, RiskAssessment } from '../../entities/RiskAssessment';
import { ValidationError } from '../../errors';
import { deptScope } from '../../policy/scope';
import { rectificationSchema } from '../rectifications/rectification.views';
import { assessmentListSchema, assessmentSchema, riskItemSchema } from './assessment.schemas';

const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month written YYYY-MM');
/** R-RISK-MONTHLY: likelihood and impact are each scored 1–5. */
const score = (what: string) => z.number({ error: `${what}: a whole number from 1 to 5` }).int(`${what}: a whole number from 1 to 5`).min(1, `${what}: at least 1`).max(5, `${what}: at most 5`);
const description = z.string().trim().min(1).max(1000);
const text = z.string().trim().min(1).max(2000);
const itemParams = z.strictObject({ id: z.coerce.number().int().positive(), itemId: z.coerce.number().int().positive() });

const itemBody = z.strictObject({ description, likelihood: score('likelihood'), impact: score('impact') });
const itemChanges = z
  .strictObject({ description: description.optional(), likelihood: score('likelihood').optional(), impact: score('impact').optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change', path: [] });
const rectificationBody = z.strictObject({
  description,
  ownerUserId: z.number().int().positive(),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD'),
  /** Optionally, the department's project the action concerns. */
  project: code.optional(),
});

/**
 * Scope of the department named in the body, checked before the body's own parse: a missing or
 * malformed department is a 400, not a 403 in no scope.
 */
function departmentInBody({ body }: ScopeInput): string {
  const parsed = code.safeParse((body as { department?: unknown } | undefined)?.department);
  if (!parsed.success) throw new ValidationError('Invalid request body', [{ path: 'body.department', message: 'the department code is required' }]);
  return deptScope(parsed.data);
}

/**
 * R-RISK-MONTHLY (§5.3.1, §7): the monthly customer-information confidentiality risk assessment.
 * Department heads read and fill their department's (risk_assessment:read/edit in dept:<code>);
 * the quality department reviews or returns them (risk_assessment:review); the quality
 * department, the general manager and auditors read every department's (R-AUDIT: auditors
 * change nothing). The quality department opens one by hand (risk_assessment:create) when the
 * monthly job has none for a department yet.
 */
export function assessmentRoutes(ctx: AppContext): RouteSpec[] {
  /** dept:<code> of the assessment named by :id (404 if absent). */
  const assessmentScope = recordScope('assessment', (id) => ctx.assessments.load(Number(id)), (a: RiskAssessment) => ctx.assessments.scopeOf(a));
  const base = '/api/v1/risk-assessments';
  const tags = ['risk assessments'];
  return [
    route({
      method: 'get',
      path: base,
      summary: "Risk assessments: a department head sees their departments', company-wide readers every department's; filter by department, period, status",
      tags,
      access: permission('risk_assessment', 'read', 'held'),
      response: assessmentListSchema,
      query: z.strictObject({ department: code.optional(), period: period.optional(), status: z.enum(ASSESSMENT_STATUSES).optional(), ...pageQuery }),
      handler: ({ query, auditActor }) => ctx.assessments.list(acting(auditActor), query),
    }),
    route({
      method: 'post',
      path: base,
      summary:
        "Open a department's assessment by hand for the month under way (indicators to date) or a past month: a department created during the month, a new installation. A future month is 400; one that exists is 409",
      tags,
      access: permission('risk_assessment', 'create', departmentInBody),
      response: assessmentSchema,
      body: z.strictObject({ department: code, period }),
      status: 201,
      handler: ({ body, auditActor }) => ctx.assessments.open(acting(auditActor), body),
    }),
    route({
      method: 'get',
      path: `${base}/:id`,
      summary: 'One risk assessment: indicators, risk items with their level, the 5×5 matrix, rectifications',
      tags,
      access: permission('risk_assessment', 'read', assessmentScope),
      response: assessmentSchema,
      params: idParam,
      handler: ({ params }) => ctx.assessments.view(params.id),
    }),
    route({
      method: 'get',
      path: `${base}/:id/export`,
      summary: 'The Risk Assessment Form (客戶信息保密風險評估表) as PDF or XLSX',
      tags,
      access: permission('risk_assessment', 'read', assessmentScope),
      produces: 'application/pdf',
      params: idParam,
      query: z.strictObject({ format: z.enum(['pdf', 'xlsx']).default('pdf') }),
      handler: async ({ params, query, auditActor, res }) => {
        const out = await ctx.assessments.exportForm(acting(auditActor), params.id, query.format);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', out.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${out.filename}"`);
        res.status(200).end(out.body);
      },
    }),
    route({
      method: 'post',
      path: `${base}/:id/items`,
      summary: 'Add a risk item (likelihood 1–5 × impact 1–5 → level) to a draft',
      tags,
      access: permission('risk_assessment', 'edit', assessmentScope),
      response: riskItemSchema,
      params: idParam,
      body: itemBody,
      status: 201,
      handler: ({ params, body, auditActor }) => ctx.assessments.addItem(acting(auditActor), params.id, body),
    }),
    route({
      method: 'patch',
      path: `${base}/:id/items/:itemId`,
      summary: "Change a draft's risk item",
      tags,
      access: permission('risk_assessment', 'edit', assessmentScope),
      response: riskItemSchema,
      params: itemParams,
      body: itemChanges,
      handler: ({ params, body, auditActor }) => ctx.assessments.updateItem(acting(auditActor), params.id, params.itemId, body),
    }),
    route({
      method: 'delete',
      path: `${base}/:id/items/:itemId`,
      summary: "Remove a draft's risk item (the audit trail keeps what it was)",
      tags,
      access: permission('risk_assessment', 'edit', assessmentScope),
      params: itemParams,
      handler: async ({ params, auditActor }) => {
        await ctx.assessments.removeItem(acting(auditActor), params.id, params.itemId);
        return new Reply(204, undefined);
      },
    }),
    route({
      method: 'post',
      path: `${base}/:id/rectifications`,
      summary: 'Open a rectification action for a draft (owner, due date not in the past)',
      tags,
      access: permission('risk_assessment', 'edit', assessmentScope),
      response: rectificationSchema,
      params: idParam,
      body: rectificationBody,
      status: 201,
      handler: ({ params, body, auditActor }) => ctx.assessments.addRectification(acting(auditActor), params.id, body),
    }),
    route({
      method: 'post',
      path: `${base}/:id/refresh`,
      summary: "Recompute a draft's indicators (as of now, for its month)",
      tags,
      access: permission('risk_assessment', 'edit', assessmentScope),
      response: assessmentSchema,
      params: idParam,
      handler: ({ params, auditActor }) => ctx.assessments.refresh(acting(auditActor), params.id),
    }),
    route({
      method: 'post',
      path: `${base}/:id/submit`,
      summary: 'Submit a draft to the quality department (409 unless it is a draft)',
      tags,
      access: permission('risk_assessment', 'edit', assessmentScope),
      response: assessmentSchema,
      params: idParam,
      handler: ({ params, auditActor }) => ctx.assessments.submit(acting(auditActor), params.id),
    }),
    route({
      method: 'post',
      path: `${base}/:id/review`,
      summary: 'The quality department reviews a submitted assessment, with a comment',
      tags,
      access: permission('risk_assessment', 'review', assessmentScope),
      params: idParam,
      body: z.strictObject({ comment: text }),
      response: assessmentSchema,
      handler: ({ params, body, auditActor }) => ctx.assessments.review(acting(auditActor), params.id, body.comment),
    }),
    route({
      method: 'post',
      path: `${base}/:id/return`,
      summary: 'The quality department returns a submitted assessment to draft, with the reason',
      tags,
      access: permission('risk_assessment', 'review', assessmentScope),
      params: idParam,
      body: z.strictObject({ reason: text }),
      response: assessmentSchema,
      handler: ({ params, body, auditActor }) => ctx.assessments.returnToDraft(acting(auditActor), params.id, body.reason),
    }),
  ];
}
