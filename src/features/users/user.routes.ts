import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, Reply, route, RouteSpec } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { USER_STATUSES } from '../../entities/User';
import { emailField, holdingsSchema, languageField, USER_SORTS, userPageSchema, userViewSchema } from './user.schemas';

const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lowercase letters, digits, ".", "_" or "-" (2-64)');
const displayName = z.string().trim().min(1).max(200);
const password = z.string().min(10, 'at least 10 characters').max(200);

/** Accounts: IT admin creates, changes and offboards them (R-IT-PERMS, R-ONBOARD, R-OFFBOARD). */
export function usersRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/users',
      summary: 'List users (q: part of the username or the display name); sort=username|displayName|createdAt|status with order=asc (default)|desc, id breaking ties; without sort, by id',
      tags: ['users'],
      access: permission('user', 'read'),
      query: z.strictObject({
        status: z.enum(USER_STATUSES).optional(),
        q: z.string().max(64).optional(),
        sort: z.enum(USER_SORTS).optional(),
        order: z.enum(['asc', 'desc']).optional(),
        ...pageQuery,
      }),
      response: userPageSchema,
      handler: ({ query }) => ctx.users.list(query),
    }),
    route({
      method: 'post',
      path: '/api/v1/users',
      summary: 'Create a user (status pending_agreement until they sign)',
      tags: ['users'],
      access: permission('user', 'manage'),
      body: z.strictObject({ username, displayName, password, departmentCode: code.nullable().optional(), email: emailField.optional(), language: languageField.optional() }),
      status: 201,
      response: userViewSchema,
      handler: ({ body, auditActor }) => ctx.users.create(auditActor, body),
    }),
    route({
      method: 'get',
      path: '/api/v1/users/:id',
      summary: 'One user',
      tags: ['users'],
      access: permission('user', 'read'),
      params: idParam,
      response: userViewSchema,
      handler: ({ params }) => ctx.users.get(params.id),
    }),
    route({
      method: 'patch',
      path: '/api/v1/users/:id',
      summary: "Change a user's display name, department, e-mail address or language",
      tags: ['users'],
      access: permission('user', 'manage'),
      params: idParam,
      // An empty body was a 500 (TypeORM refuses an UPDATE without values): refused as 400 like the other PATCH routes.
      body: z
        .strictObject({ displayName: displayName.optional(), departmentCode: code.nullable().optional(), email: emailField.optional(), language: languageField.optional() })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
      response: userViewSchema,
      handler: ({ params, body, auditActor }) => ctx.users.update(acting(auditActor), params.id, body),
    }),
    route({
      method: 'post',
      path: '/api/v1/users/:id/password',
      summary: "Set a user's password (revokes their tokens, clears a lock)",
      tags: ['users'],
      access: permission('user', 'manage'),
      params: idParam,
      body: z.strictObject({ password }),
      handler: async ({ params, body, auditActor }) => {
        await ctx.users.resetPassword(acting(auditActor), params.id, body.password);
        return new Reply(204, undefined);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/users/:id/holdings',
      summary: 'What the user still holds (copies, handover files...) and must hand over before leaving',
      tags: ['users'],
      access: permission('user', 'read'),
      params: idParam,
      response: holdingsSchema,
      handler: async ({ params }) => ({ items: await ctx.users.holdingsOf(params.id) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/users/:id/offboard',
      summary: 'Close the account: roles removed, every token refused at once (409 while holdings remain)',
      tags: ['users'],
      access: permission('user', 'offboard'),
      params: idParam,
      body: z.strictObject({ reason: z.string().max(500).optional() }).optional(),
      response: userViewSchema,
      handler: ({ params, body, auditActor }) => ctx.users.offboard(acting(auditActor), params.id, body?.reason),
    }),
  ];
}
