import type { Expectation, Role } from './env';
import { env, ROLES } from './env';

/**
 * The people picker. R-SCOPE (§2): whoever holds a role in a scope, or in an enclosing one (the
 * department of a project, the company), may list who there can be named keeper, witness or
 * approver; a user with no role there lists nobody. Every matrix role is held in the matrix
 * project, its department or the company.
 */
export function peopleRows(): Record<string, Expectation> {
  const everyRole: Role[] = [...ROLES];
  return {
    'GET /api/v1/people': {
      rid: 'R-SCOPE',
      allow: everyRole,
      permission: 'user:pick',
      prepare: async () => ({ path: '/api/v1/people', query: { permission: 'print_request:approve', scope: `project:${env.project}` } }),
    },
  };
}
