import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, loaded, permission, projectInBody, recordScope, route, RouteSpec, ScopeInput } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { INSPECTION_STATUSES, Inspection } from '../../entities/Inspection';
import { FINDING_SEVERITIES } from '../../entities/InspectionFinding';
import { projectScope } from '../../policy/scope';
import { rectificationChangesBody, rectificationSchema } from '../rectifications/rectification.views';
import { findingSchema, inspectionListSchema, inspectionSchema } from './inspection.schemas';
import { PERIOD_KEY, ProducedFile } from './inspection.views';

const period = z.string().regex(PERIOD_KEY, 'a two-month period such as 2026-B6 (November–December 2026)');
const text = (max: number) => z.string().trim().min(1).max(max);
const subId = (name: string) => z.strictObject({ id: z.coerce.number().int().positive(), [name]: z.coerce.number().int().positive() });

/** What a checklist item records: the fields of PATCH …/items/:itemId, with the result required. */
const itemFields = {
  notes: text(4000).nullable().optional(),
  evidence: text(4000).nullable().optional(),
};
const checklistEntry = z.strictObject({ itemId: z.number().int().positive(), result: z.enum(['pass', 'fail', 'na']), ...itemFields });

/** YYYY-MM-DD, a real calendar day. */
const dueDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

function sendFile(res: Response, out: ProducedFile): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', out.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${out.filename}"`);
  res.status(200).end(out.body);
}

/**
 * R-INSPECT (§5.3.2): the bimonthly project inspection. The quality department conducts
 * (inspection:conduct); the quality department, the general manager and auditors read every
 * inspection, a project manager their project's (inspection:read in the project's scope).
 * Auditors read everything and change nothing. The quality department opens a project's
 * inspection by hand (inspection:create) when the bimonthly job has none for it yet.
 */
export function inspectionRoutes(ctx: AppContext): RouteSpec[] {
  /** project:<code> of the inspection in the path; 404 if it does not exist. The record is left for the handler. */
  const inspectionScope = recordScope('inspection', (id) => ctx.inspections.load(Number(id)), (i) => ctx.inspections.scopeOf(i));
  const inspection = (locals: Record<string, unknown>) => loaded<Inspection>(locals, 'inspection');
  /** project:<code> of the project in the path; 404 if it does not exist. */
  const projectPathScope = async ({ params }: ScopeInput) => projectScope((await ctx.org.getProject(String(params.code))).code);

  return [
    route({
      method: 'get',
      path: '/api/v1/inspections',
      summary: 'Inspections by period, project and status, with pass/fail/n.a. counts and findings; a project manager sees their projects (R-INSPECT)',
      tags: ['inspections'],
      access: permission('inspection', 'read', 'held'),
      response: inspectionListSchema,
      query: z.strictObject({ period: period.optional(), project: code.optional(), status: z.enum(INSPECTION_STATUSES).optional(), ...pageQuery }),
      handler: ({ query, auditActor }) => ctx.inspections.list(acting(auditActor), query),
    }),
    route({
      method: 'post',
      path: '/api/v1/inspections',
      summary:
        "Open a project's inspection by hand for the current two-month period or a past one (a project created during the period, a new installation), with its checklist and figures. A future period is 400; one that exists is 409",
      tags: ['inspections'],
      access: permission('inspection', 'create', projectInBody),
      response: inspectionSchema,
      body: z.strictObject({ project: code, period }),
      status: 201,
      handler: ({ body, auditActor }) => ctx.inspections.open(acting(auditActor), body),
    }),
    // Before /:id, which would otherwise take "summary" for an id.
    route({
      method: 'get',
      path: '/api/v1/inspections/summary',
      summary: "Every project's inspection for a period (status, pass/fail/n.a., major hazards, notices), for auditors: JSON, PDF or XLSX",
      tags: ['inspections'],
      access: permission('inspection', 'read', 'company'),
      produces: 'application/pdf',
      query: z.strictObject({ period, format: z.enum(['json', 'pdf', 'xlsx']).default('json') }),
      handler: async ({ query, auditActor, res }) => {
        const out = await ctx.inspections.produceSummary(acting(auditActor), query.period, query.format);
        if ('body' in out) return sendFile(res, out);
        return out;
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/inspections/:id',
      summary: 'One inspection: checklist with figures, results, findings, rectifications, notices',
      tags: ['inspections'],
      access: permission('inspection', 'read', inspectionScope),
      response: inspectionSchema,
      params: idParam,
      handler: ({ locals }) => ctx.inspections.view(inspection(locals)),
    }),
    route({
      method: 'get',
      path: '/api/v1/inspections/:id/report',
      summary: 'The inspection report of the project, as PDF or XLSX (audited)',
      tags: ['inspections'],
      access: permission('inspection', 'read', inspectionScope),
      produces: 'application/pdf',
      params: idParam,
      query: z.strictObject({ format: z.enum(['pdf', 'xlsx']).default('pdf') }),
      handler: async ({ locals, query, auditActor, res }) => sendFile(res, await ctx.inspections.produceReport(acting(auditActor), inspection(locals), query.format)),
    }),
    route({
      method: 'patch',
      path: '/api/v1/inspections/:id/items/:itemId',
      summary: 'Record a checklist item: pass, fail or na, with notes and evidence (409 once the inspection is completed)',
      tags: ['inspections'],
      access: permission('inspection', 'conduct', inspectionScope),
      params: subId('itemId'),
      body: z
        .strictObject({
          result: z.enum(['pass', 'fail', 'na']).optional(),
          ...itemFields,
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to record: give result, notes or evidence' }),
      handler: ({ params, body, auditActor }) => ctx.inspections.recordItem(acting(auditActor), params.id, params.itemId, body),
    }),
    route({
      method: 'put',
      path: '/api/v1/inspections/:id/checklist',
      response: inspectionSchema,
      summary:
        'Save the whole checklist in one request: items [{itemId, result pass|fail|na, notes?, evidence?}], all or nothing (an unknown item is 400 naming body.items.N.itemId; 409 once the inspection is completed); returns the inspection',
      tags: ['inspections'],
      access: permission('inspection', 'conduct', inspectionScope),
      params: idParam,
      body: z.strictObject({ items: z.array(checklistEntry).min(1).max(200) }).superRefine((b, c) => {
        // One entry per item: a second one would make the saved result depend on the order.
        const seen = new Set<number>();
        b.items.forEach((e, n) => {
          if (seen.has(e.itemId)) c.addIssue({ code: 'custom', path: ['items', n, 'itemId'], message: `item ${e.itemId} is given twice` });
          seen.add(e.itemId);
        });
      }),
      handler: ({ params, body, auditActor }) => ctx.inspections.saveChecklist(acting(auditActor), params.id, body.items),
    }),
    route({
      method: 'post',
      path: '/api/v1/inspections/:id/findings',
      response: findingSchema,
      summary: 'Rate a finding on a failed item: minor or major_hazard (409 item_not_failed on any other item)',
      tags: ['inspections'],
      access: permission('inspection', 'conduct', inspectionScope),
      params: idParam,
      body: z.strictObject({ itemId: z.number().int().positive(), severity: z.enum(FINDING_SEVERITIES), description: text(4000) }),
      status: 201,
      handler: ({ params, body, auditActor }) => ctx.inspections.addFinding(acting(auditActor), params.id, body),
    }),
    route({
      method: 'post',
      path: '/api/v1/inspections/:id/rectifications',
      response: rectificationSchema.extend({ findingId: z.number().int().nullable() }),
      summary: 'Assign a rectification for a finding: owner and due date (today or later), kept by the rectification register',
      tags: ['inspections'],
      access: permission('inspection', 'conduct', inspectionScope),
      params: idParam,
      body: z.strictObject({ findingId: z.number().int().positive(), description: text(1000), ownerUserId: z.number().int().positive(), dueDate }),
      status: 201,
      handler: ({ params, body, auditActor }) => ctx.inspections.assignRectification(acting(auditActor), params.id, body),
    }),
    route({
      method: 'patch',
      path: '/api/v1/inspections/:id/rectifications/:rectificationId',
      response: rectificationSchema.extend({ findingId: z.number().int().nullable() }),
      summary: 'Progress of a rectification assigned by the inspection (status, evidence notes, owner), through the rectification register; also after completion',
      tags: ['inspections'],
      access: permission('inspection', 'conduct', inspectionScope),
      params: subId('rectificationId'),
      body: rectificationChangesBody,
      handler: ({ params, body, auditActor }) => ctx.inspections.updateRectification(acting(auditActor), params.id, params.rectificationId, body),
    }),
    route({
      method: 'post',
      path: '/api/v1/inspections/:id/complete',
      response: inspectionSchema,
      summary: 'Complete the inspection (every item recorded, every failed item rated); a major hazard publishes the public criticism 通報批評 (notice:publish). Twice: 409',
      tags: ['inspections'],
      access: permission('inspection', 'conduct', inspectionScope),
      params: idParam,
      body: z.strictObject({ conclusion: text(4000).optional() }).optional(),
      handler: ({ params, body, auditActor }) => ctx.inspections.complete(acting(auditActor), params.id, body?.conclusion ?? null),
    }),
    route({
      method: 'get',
      path: '/api/v1/projects/:code/history',
      summary: "A project's history: its inspections and the notices concerning it (R-INSPECT)",
      tags: ['inspections'],
      access: permission('inspection', 'read', projectPathScope),
      params: z.strictObject({ code }),
      handler: ({ params }) => ctx.inspections.projectHistory(params.code),
    }),
  ];
}
