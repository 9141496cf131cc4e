import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, recordScope, route, RouteSpec, selfAccess } from '../../api/route';
import { idParam, pageQuery } from '../../api/validate';
import { Rectification } from '../../entities/Rectification';
import { NotFoundError } from '../../errors';
import { MY_RECTIFICATION_FILTERS, myRectificationListSchema, ownerChangesBody, rectificationChangesBody, rectificationSchema } from './rectification.views';

/**
 * R-RISK-MONTHLY (§5.3.1): progress of the rectifications a department's assessment opened.
 * Who may act is decided by the rectification's source: this route serves assessment
 * rectifications only (risk_assessment:edit in the rectification's department); inspection
 * rectifications (R-INSPECT) are updated through the inspection's own route
 * (inspection:conduct), which calls the same RectificationService.update. An inspection
 * rectification named here is a 404 for this route.
 * The owner of a rectification of either source records its progress and evidence on
 * PATCH /api/v1/me/rectifications/:id: any signed-in user may call it, and the service lets
 * only the owner through (403 not_owner, audited): the action is theirs, and the daily
 * reminder asks them to. GET /api/v1/me/rectifications lists the caller's own (self access: the
 * owner is the filter), so an owner who may not read assessments or inspections finds them.
 */
export function rectificationRoutes(ctx: AppContext): RouteSpec[] {
  const assessmentRectification = recordScope(
    'rectification',
    async (id) => {
      const r = await ctx.rectifications.load(Number(id));
      if (r.sourceType !== 'risk_assessment') throw new NotFoundError('Risk-assessment rectification (inspection rectifications are updated on the inspection route)', id);
      return r;
    },
    (r: Rectification) => ctx.rectifications.scopeOf(r),
  );
  return [
    route({
      method: 'patch',
      path: '/api/v1/rectifications/:id',
      summary: "Progress of a risk assessment's rectification: status, evidence notes, owner (R-RISK-MONTHLY)",
      tags: ['risk assessments'],
      access: permission('risk_assessment', 'edit', assessmentRectification),
      response: rectificationSchema,
      params: idParam,
      body: rectificationChangesBody,
      handler: ({ params, body, auditActor }) => ctx.rectifications.updateAssessmentRectification(acting(auditActor), params.id, body),
    }),
    route({
      method: 'get',
      path: '/api/v1/me/rectifications',
      summary:
        'The rectifications I own (assessment or inspection), not done first and soonest due first, with the total; status=not_done for open and in progress together (R-RISK-MONTHLY, R-INSPECT)',
      tags: ['risk assessments'],
      access: selfAccess(),
      query: z.strictObject({ status: z.enum(MY_RECTIFICATION_FILTERS).optional(), ...pageQuery }),
      response: myRectificationListSchema,
      handler: ({ query, auditActor }) => ctx.rectifications.listOwn(acting(auditActor), query),
    }),
    route({
      method: 'patch',
      path: '/api/v1/me/rectifications/:id',
      summary: 'The owner records the progress of their own rectification (assessment or inspection): status and evidence notes, not the owner; anyone else 403 not_owner (R-RISK-MONTHLY, R-INSPECT)',
      tags: ['risk assessments'],
      access: selfAccess(),
      response: rectificationSchema,
      params: idParam,
      body: ownerChangesBody,
      handler: ({ params, body, auditActor }) => ctx.rectifications.updateAsOwner(acting(auditActor), params.id, body),
    }),
  ];
}
