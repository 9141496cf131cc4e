import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, route, RouteSpec, selfAccess } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { NOTICE_KINDS } from '../../entities/Notice';
import { noticeListSchema, noticeSchema } from './notice.views';

/**
 * R-INSPECT (§5.3.2): notices, above all the public criticism (通報批評) of a project with a
 * major hidden hazard. A notice is published to the whole company, so any signed-in user reads
 * them; publishing is the quality department's (notice:publish).
 */
export function noticeRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/notices',
      summary: 'Published notices (public criticism 通報批評, announcements), newest first: readable by every signed-in user (R-INSPECT)',
      tags: ['inspections'],
      access: selfAccess(),
      response: noticeListSchema,
      query: z.strictObject({ project: code.optional(), kind: z.enum(NOTICE_KINDS).optional(), ...pageQuery }),
      handler: ({ query }) => ctx.notices.list(query),
    }),
    route({
      method: 'get',
      path: '/api/v1/notices/:id',
      response: noticeSchema,
      summary: 'One published notice: readable by every signed-in user',
      tags: ['inspections'],
      access: selfAccess(),
      params: idParam,
      handler: async ({ params }) => ctx.notices.view(await ctx.notices.load(params.id)),
    }),
    route({
      method: 'post',
      path: '/api/v1/notices',
      summary: 'Publish a notice by hand (the quality department): a public criticism names a project, optionally the inspection it follows',
      tags: ['inspections'],
      access: permission('notice', 'publish', 'company'),
      body: z.strictObject({
        kind: z.enum(NOTICE_KINDS).default('public_criticism'),
        project: code.optional(),
        inspectionId: z.number().int().positive().optional(),
        title: z.string().trim().min(3).max(300),
        body: z.string().trim().min(3).max(10000),
      }),
      status: 201,
      handler: ({ body, auditActor }) => ctx.notices.publish(acting(auditActor), body),
    }),
  ];
}
