import { z } from 'zod';
import type { AppContext } from '../../context';
import { permission, route, RouteSpec, ScopeInput } from '../../api/route';
import { parseScope } from '../../policy/scope';
import { PICKABLE, PICKABLE_PERMISSIONS } from './people.service';
import { peopleSchema } from './people.schemas';

const scope = z.string().refine((s) => parseScope(s) !== null, 'a scope: "*", "dept:<code>" or "project:<code>"');

/** The scope named in ?scope= (validated with the query). */
const scopeInQuery = ({ query }: ScopeInput): string => String(query.scope);

/**
 * R-SCOPE (§2): the people picker. Who must name a keeper, a witness or an approver may list who
 * is eligible, without user:read: user:pick, held by every role, in the scope asked about, so
 * only those holding a role there or in an enclosing scope see it (others 403, recorded).
 */
export function peopleRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/people',
      summary: `The active users who hold a permission in a scope, to name one of them (id, username, display name only). permission is one of: ${Object.entries(PICKABLE)
        .map(([p, why]) => `${p} (${why})`)
        .join('; ')}`,
      tags: ['users'],
      access: permission('user', 'pick', scopeInQuery),
      query: z.strictObject({ permission: z.enum(PICKABLE_PERMISSIONS), scope }),
      response: peopleSchema,
      handler: ({ query }) => ctx.people.eligible(query.scope, query.permission),
    }),
  ];
}
