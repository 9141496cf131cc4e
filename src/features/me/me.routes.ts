import { z } from 'zod';
import type { AppContext } from '../../context';
import { Reply, route, RouteSpec, selfAccess } from '../../api/route';
import { hasSignedCurrentAgreement } from '../../api/mount-routes';
import { CURRENT_AGREEMENT } from '../../policy/agreement';
import { USER_LANGUAGES } from '../../entities/User';
import { emailField, languageField, userViewSchema } from '../users/user.views';

const password = z.string().min(10, 'at least 10 characters').max(200);

/** GET /api/v1/me, documented for the console's typed client. */
const meSchema = z.object({
  user: z.object({
    id: z.number(),
    username: z.string(),
    displayName: z.string(),
    departmentCode: z.string().nullable(),
    status: z.enum(['pending_agreement', 'active', 'offboarded']),
    agreementVersion: z.string().nullable(),
    email: z.string().nullable(),
    language: z.enum(USER_LANGUAGES),
  }),
  status: z.string(),
  assignments: z.array(z.object({ id: z.number(), role: z.string(), scope: z.string() })),
  permissions: z.array(z.object({ permission: z.string(), scopes: z.array(z.string()) })),
  session: z.object({ idleTimeoutSeconds: z.number() }),
  agreement: z.object({ currentVersion: z.string(), signedVersion: z.string().nullable(), required: z.boolean() }),
  /** The company's IANA time zone (JOBS_TIMEZONE): the console shows dates in it, whatever the browser's. */
  company: z.object({ timeZone: z.string().describe('IANA time zone, e.g. Asia/Shanghai') }),
});

/** Self-service: what a user may do before signing the agreement (R-ONBOARD) and their profile. */
export function meRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/me',
      summary: 'The current user, status, role assignments, and the permissions the policy grants in each scope where they hold a role (what the console shows)',
      tags: ['me'],
      access: selfAccess({ pendingAgreement: true }),
      response: meSchema,
      handler: async ({ actor }) => {
        const [user, assignments] = await Promise.all([ctx.users.get(actor!.id), ctx.access.listAssignments({ userId: actor!.id })]);
        return {
          user,
          status: user.status,
          assignments: assignments.map(({ id, role, scope }) => ({ id, role, scope })),
          permissions: ctx.access.permissionsInHeldScopes(actor!.id, assignments.map((a) => a.scope)),
          session: { idleTimeoutSeconds: ctx.config.sessionIdleSeconds },
          agreement: {
            currentVersion: CURRENT_AGREEMENT.version,
            signedVersion: user.agreementVersion,
            required: !hasSignedCurrentAgreement(actor!),
          },
          company: { timeZone: ctx.config.timezone },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/agreement',
      summary: 'The current confidentiality agreement (text and version)',
      tags: ['me'],
      access: selfAccess({ pendingAgreement: true }),
      handler: async () => CURRENT_AGREEMENT,
    }),
    route({
      method: 'post',
      path: '/api/v1/me/agreement',
      summary: 'Sign the current confidentiality agreement (R-ONBOARD)',
      tags: ['me'],
      access: selfAccess({ pendingAgreement: true }),
      body: z.strictObject({ version: z.string().min(1).max(20) }),
      handler: ({ body, actor, auditActor }) => ctx.users.signAgreement({ ...auditActor, id: actor!.id }, body.version),
    }),
    route({
      method: 'patch',
      path: '/api/v1/me/profile',
      summary: 'Change the own e-mail address (null: in-app notifications only) or the language messages are written in (issue 13)',
      tags: ['me'],
      access: selfAccess(),
      body: z
        .strictObject({ email: emailField.optional(), language: languageField.optional() })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
      response: userViewSchema,
      handler: ({ body, actor, auditActor }) => ctx.users.updateProfile({ ...auditActor, id: actor!.id }, body),
    }),
    route({
      method: 'post',
      path: '/api/v1/me/password',
      summary: 'Change the own password; every existing token is revoked',
      tags: ['me'],
      access: selfAccess({ pendingAgreement: true }),
      body: z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: password }),
      handler: async ({ body, actor, auditActor }) => {
        await ctx.auth.changePassword({ ...auditActor, id: actor!.id }, body.currentPassword, body.newPassword);
        return new Reply(204, undefined);
      },
    }),
  ];
}
