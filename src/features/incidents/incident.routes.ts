import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, loaded, permission, recordScope, route, RouteSpec, selfAccess } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { Incident, INCIDENT_STATUSES, INCIDENT_TYPES } from '../../entities/Incident';
import { ANONYMOUS_REPORTER } from './incident.service';
import { incidentListSchema, incidentSchema } from './incident.schemas';

/**
 * Incidents (R-PENALTY §5.3.4, R-REWARD §5.3.3).
 * - Reporting is open to every signed-in employee (selfAccess): §5.3.3 rewards any employee
 *   (凡…公司員工) who reports a leak, and R-SCOPE makes every employee a user, role or not; a
 *   permission would have shut out auditors, customer managers and employees without a role.
 * - The quality department reads and handles incidents (incident:read, incident:manage);
 *   auditors read; nobody else sees them (reports may name colleagues).
 */
export function incidentRoutes(ctx: AppContext): RouteSpec[] {
  const incidentScope = recordScope('incident', (id) => ctx.incidents.load(Number(id)), (i) => ctx.incidents.scopeOf(i));
  const incident = (locals: Record<string, unknown>) => loaded<Incident>(locals, 'incident');

  return [
    route({
      method: 'post',
      path: '/api/v1/incidents',
      summary:
        'Report a suspected leak, lost written list, sale or illegal acquisition of customer information; any signed-in employee, anonymously if they wish (R-REWARD, R-PENALTY)',
      tags: ['incidents'],
      access: selfAccess(),
      response: incidentSchema,
      body: z.strictObject({
        type: z.enum(INCIDENT_TYPES),
        description: z.string().trim().min(10).max(4000),
        project: code.optional(),
        department: code.optional(),
        anonymous: z.boolean().default(false),
      }),
      status: 201,
      handler: ({ body, auditActor, res }) => {
        // Anonymity holds in the request log too: its line for this request names no user.
        if (body.anonymous) res.locals.userId = ANONYMOUS_REPORTER.id;
        return ctx.incidents.report(acting(auditActor), body);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/incidents',
      summary: 'Incidents, newest first (the quality department, auditors)',
      tags: ['incidents'],
      access: permission('incident', 'read'),
      response: incidentListSchema,
      query: z.strictObject({ status: z.enum(INCIDENT_STATUSES).optional(), type: z.enum(INCIDENT_TYPES).optional(), project: code.optional(), ...pageQuery }),
      handler: ({ query }) => ctx.incidents.list(query),
    }),
    route({
      method: 'get',
      path: '/api/v1/incidents/:id',
      summary: 'One incident (e.g. the one opened when a controlled copy was reported lost, R-PENALTY)',
      tags: ['incidents'],
      access: permission('incident', 'read', incidentScope),
      response: incidentSchema,
      params: idParam,
      handler: ({ locals }) => ctx.incidents.view(incident(locals)),
    }),
    route({
      method: 'post',
      path: '/api/v1/incidents/:id/investigate',
      summary: 'The quality department takes the incident up: reported → investigating (R-PENALTY)',
      tags: ['incidents'],
      access: permission('incident', 'manage', incidentScope),
      response: incidentSchema,
      params: idParam,
      body: z.strictObject({ note: z.string().trim().min(1).max(1000).optional() }).optional(),
      handler: ({ locals, body, auditActor }) => ctx.incidents.investigate(acting(auditActor), incident(locals), body?.note ?? null),
    }),
    route({
      method: 'post',
      path: '/api/v1/incidents/:id/conclude',
      summary: 'The quality department concludes with findings and the persons responsible: investigating → concluded (R-PENALTY)',
      tags: ['incidents'],
      access: permission('incident', 'manage', incidentScope),
      response: incidentSchema,
      params: idParam,
      body: z.strictObject({
        findings: z.string().trim().min(10).max(4000),
        responsibleUserIds: z.array(z.number().int().positive()).max(50),
        type: z.enum(INCIDENT_TYPES).optional(),
      }),
      handler: ({ locals, body, auditActor }) => ctx.incidents.conclude(acting(auditActor), incident(locals), body),
    }),
  ];
}
