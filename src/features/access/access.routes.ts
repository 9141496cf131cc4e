import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, Reply, route, RouteSpec } from '../../api/route';
import { idParam } from '../../api/validate';
import { ROLES } from '../../policy/roles';
import { PERMISSIONS } from '../../policy/permissions';
import { assignmentSchema, assignmentsSchema, catalogueSchema, effectivePermissionsSchema, explanationSchema, policyLineSchema, policySchema, rolesSchema } from './access.schemas';

const scope = z.string().min(1).max(120);
const role = z.string().min(1).max(64);
const object = z.string().regex(/^(\*|[a-z_]{1,40})$/, 'a permission object name or *');
const action = z.string().regex(/^(\*|[a-z_]{1,40})$/, 'an action name or *');

/** Roles, assignments, policy lines, effective permissions and explanations (R-IT-PERMS). */
export function accessRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/roles',
      summary: 'The roles of the Rules and where each may be held',
      tags: ['access'],
      access: permission('role_assignment', 'read'),
      response: rolesSchema,
      handler: async () => ({ items: ROLES }),
    }),
    route({
      method: 'get',
      path: '/api/v1/role-assignments',
      summary: 'List role assignments (user, role, scope)',
      tags: ['access'],
      access: permission('role_assignment', 'read'),
      query: z.strictObject({ userId: z.coerce.number().int().positive().optional(), role: role.optional(), scope: scope.optional() }),
      response: assignmentsSchema,
      handler: async ({ query }) => ({ items: await ctx.access.listAssignments(query) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/role-assignments',
      summary: 'Grant a role in a scope ("*", "dept:<code>", "project:<code>"); 409 if already granted',
      tags: ['access'],
      access: permission('role_assignment', 'manage'),
      body: z.strictObject({ userId: z.number().int().positive(), role, scope }),
      status: 201,
      response: assignmentSchema,
      handler: ({ body, auditActor }) => ctx.access.grant(acting(auditActor), body),
    }),
    route({
      method: 'delete',
      path: '/api/v1/role-assignments/:id',
      summary: 'Revoke a role assignment',
      tags: ['access'],
      access: permission('role_assignment', 'manage'),
      params: idParam,
      handler: async ({ params, auditActor }) => {
        await ctx.access.revoke(acting(auditActor), params.id);
        return new Reply(204, undefined);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/users/:id/permissions',
      summary: "A user's role assignments and every policy line that applies through them",
      tags: ['access'],
      access: permission('role_assignment', 'read'),
      params: idParam,
      response: effectivePermissionsSchema,
      handler: ({ params }) => ctx.access.effectivePermissions(params.id),
    }),
    route({
      method: 'get',
      path: '/api/v1/authz/explain',
      // R-ONBOARD, R-OFFBOARD, R-SCOPE: the account gate first, as on every request; then the policy (R-IT-PERMS).
      summary:
        'Would the API allow this user object:action in scope? The account gate first (agreement signed, not locked, not offboarded), then the policy; answers allowed, who refuses (account or policy), the reason in words and the deciding policy line',
      tags: ['access'],
      access: permission('policy', 'read'),
      query: z.strictObject({ user: z.string().min(1).max(64), scope, object, action }),
      response: explanationSchema,
      handler: ({ query }) => ctx.access.explain(query.user, query.scope, query.object, query.action),
    }),
    route({
      method: 'get',
      path: '/api/v1/permissions',
      // R-IT-PERMS: the console lets the IT admin pick a permission (policy lines, explain) instead of typing one.
      summary: 'The permission vocabulary: every object and its actions a policy line may name',
      tags: ['access'],
      access: permission('policy', 'read'),
      response: catalogueSchema,
      handler: async () => ({ items: Object.entries(PERMISSIONS).map(([object, actions]) => ({ object, actions: [...actions] })) }),
    }),
    route({
      method: 'get',
      path: '/api/v1/policy',
      summary: 'The policy lines (p) and the policy version',
      tags: ['access'],
      access: permission('policy', 'read'),
      response: policySchema,
      handler: () => ctx.access.listLines(),
    }),
    route({
      method: 'post',
      path: '/api/v1/policy/lines',
      summary: 'Add a policy line (audited; bumps the policy version)',
      tags: ['access'],
      access: permission('policy', 'manage'),
      body: z.strictObject({ role, scope: scope.default('*'), object, action, effect: z.enum(['allow', 'deny']) }),
      status: 201,
      response: policyLineSchema,
      handler: ({ body, auditActor }) => ctx.access.addLine(acting(auditActor), body),
    }),
    route({
      method: 'delete',
      path: '/api/v1/policy/lines/:id',
      summary: 'Remove a policy line (audited; bumps the policy version)',
      tags: ['access'],
      access: permission('policy', 'manage'),
      params: idParam,
      handler: async ({ params, auditActor }) => {
        await ctx.access.removeLine(acting(auditActor), params.id);
        return new Reply(204, undefined);
      },
    }),
  ];
}
