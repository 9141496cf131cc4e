import { z } from 'zod';
import type { AppContext } from '../../context';
import { publicAccess, Reply, route, RouteSpec, selfAccess } from '../../api/route';

const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

export function authRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/login',
      summary: 'Log in with username and password; returns a bearer token',
      tags: ['auth'],
      access: publicAccess(),
      body: loginBody,
      handler: ({ body, auditActor }) => ctx.auth.login(body.username, body.password, auditActor),
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/logout',
      summary: 'Revoke every token of the current user',
      tags: ['auth'],
      access: selfAccess({ pendingAgreement: true }),
      status: 204,
      handler: async ({ auditActor, actor }) => {
        await ctx.auth.logout({ ...auditActor, id: actor!.id });
        return new Reply(204, undefined);
      },
    }),
  ];
}
