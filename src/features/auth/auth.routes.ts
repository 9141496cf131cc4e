import { z } from 'zod';
import type { AppContext } from '../../context';
import { publicAccess, Reply, route, RouteSpec, selfAccess } from '../../api/route';
import { endSession, startSession } from '../../api/middleware/session';
import { hasSignedCurrentAgreement } from '../../policy/agreement';

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
      path: '/api/v1/auth/session',
      summary:
        'Sign in to the console: sets an HttpOnly, SameSite=Strict session cookie (no token in the body). Changes made with the cookie must send the X-Custodian-Console: 1 header from the same origin; the session ends after SESSION_IDLE_SECONDS without a request',
      tags: ['auth'],
      access: publicAccess(),
      body: loginBody,
      handler: async ({ body, auditActor, req, res }) => {
        const user = await ctx.auth.signIn(body.username, body.password, auditActor);
        startSession(req, res, ctx.tokens, ctx.config, user);
        return { idleTimeoutSeconds: ctx.config.sessionIdleSeconds, agreementRequired: !hasSignedCurrentAgreement(user) };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/auth/session',
      summary: 'Sign out of the console: every token and session of the user is revoked on the server and the cookie is cleared',
      tags: ['auth'],
      access: selfAccess({ pendingAgreement: true }),
      status: 204,
      handler: async ({ auditActor, actor, req, res }) => {
        await ctx.auth.logout({ ...auditActor, id: actor!.id });
        endSession(req, res);
        return new Reply(204, undefined);
      },
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
