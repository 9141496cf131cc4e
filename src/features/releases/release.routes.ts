import { z } from 'zod';
import type { AppContext } from '../../context';
import { ExternalRelease, RELEASE_STATUSES } from '../../entities/ExternalRelease';
import { acting, loaded, permission, projectInBody, recordScope, route, RouteSpec } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { PERSONAL_FIELDS } from '../customers/customer.service';
import { readerOf } from '../access-log/access-log.service';

/** R-EXTERNAL: release requests (IT admin), the general manager's decision, the one download. */
export function releaseRoutes(ctx: AppContext): RouteSpec[] {
  const releaseScope = recordScope('release', (id) => ctx.releases.load(Number(id)), (r) => ctx.releases.scopeOf(r));
  const release = (locals: Record<string, unknown>) => loaded<ExternalRelease>(locals, 'release');

  return [
    route({
      method: 'post',
      path: '/api/v1/external-releases',
      summary: 'Request a release of customer information outside the company: recipient, purpose, project, fields (R-EXTERNAL)',
      tags: ['external releases'],
      access: permission('external_release', 'request', projectInBody),
      body: z.strictObject({
        project: code,
        recipient: z.string().trim().min(2).max(200),
        purpose: z.string().trim().min(5).max(500),
        fields: z.array(z.enum(PERSONAL_FIELDS)).max(PERSONAL_FIELDS.length).default([]),
        format: z.enum(['csv', 'xlsx']).default('csv'),
      }),
      status: 201,
      handler: ({ body, auditActor }) => ctx.releases.request(acting(auditActor), body),
    }),
    route({
      method: 'get',
      path: '/api/v1/external-releases',
      summary: 'Release requests and their state',
      tags: ['external releases'],
      access: permission('external_release', 'read'),
      query: z.strictObject({ status: z.enum(RELEASE_STATUSES).optional(), ...pageQuery }),
      handler: ({ query }) => ctx.releases.list(query),
    }),
    route({
      method: 'get',
      path: '/api/v1/external-releases/:id',
      summary: 'One release request',
      tags: ['external releases'],
      access: permission('external_release', 'read', releaseScope),
      params: idParam,
      handler: async ({ locals }) => ctx.releases.view(release(locals)),
    }),
    route({
      method: 'post',
      path: '/api/v1/external-releases/:id/approve',
      summary: "The general manager approves (R-EXTERNAL); the requester may then download once within 24 hours",
      tags: ['external releases'],
      access: permission('external_release', 'approve', releaseScope),
      params: idParam,
      body: z.strictObject({ note: z.string().trim().max(500).optional() }).optional(),
      handler: ({ locals, body, auditActor }) => ctx.releases.decide(acting(auditActor), release(locals), true, body?.note ?? null),
    }),
    route({
      method: 'post',
      path: '/api/v1/external-releases/:id/reject',
      summary: 'The general manager rejects, with a reason',
      tags: ['external releases'],
      access: permission('external_release', 'approve', releaseScope),
      params: idParam,
      body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
      handler: ({ locals, body, auditActor }) => ctx.releases.decide(acting(auditActor), release(locals), false, body.reason),
    }),
    route({
      method: 'get',
      path: '/api/v1/external-releases/:id/download',
      summary: 'Download an approved release: the requester only, once, within 24 hours',
      tags: ['external releases'],
      access: permission('external_release', 'request', releaseScope),
      params: idParam,
      produces: 'text/csv',
      handler: async ({ locals, auditActor, res }) => {
        await ctx.releases.download(acting(auditActor), release(locals), res, readerOf(auditActor, res));
      },
    }),
  ];
}
