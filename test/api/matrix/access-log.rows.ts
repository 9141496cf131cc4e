import { makePhone } from '../../helpers/factories';
import { adminActor, env, Expectation, Role } from './env';

/**
 * Who viewed which customer (issue 14 §2), written from the Rules:
 * - R-AUDIT (§3.1, §5.3): the IT admin and the auditor read and export the records of access to
 *   customer information; they change nothing, and nobody else reads them (R-SECRET, §4: deny
 *   unless the Rules give it), the customer's own project staff included.
 */
const REVIEWERS: Role[] = ['it_admin', 'auditor'];

async function customerId(): Promise<number> {
  const c = await env.t.ctx.customers.create(adminActor(), env.project, { name: 'Matrix customer', unit: '1棟101室', nationality: 'domestic', phones: [makePhone()] });
  return c.id;
}

export function accessLogRows(): Record<string, Expectation> {
  return {
    'GET /api/v1/access-log/verify': { rid: 'R-AUDIT', allow: REVIEWERS, permission: 'access_log:read', prepare: async () => ({ path: '/api/v1/access-log/verify' }) },
    'GET /api/v1/customers/:id/access-log': {
      rid: 'R-AUDIT',
      allow: REVIEWERS,
      permission: 'access_log:read',
      prepare: async () => ({ path: `/api/v1/customers/${await customerId()}/access-log`, query: { from: '2026-01-01T00:00:00Z' } }),
    },
    'GET /api/v1/customers/:id/access-log/export': {
      rid: 'R-AUDIT',
      allow: REVIEWERS,
      permission: 'access_log:export',
      prepare: async () => ({ path: `/api/v1/customers/${await customerId()}/access-log/export` }),
    },
    'GET /api/v1/users/:id/access-log': {
      rid: 'R-AUDIT',
      allow: REVIEWERS,
      permission: 'access_log:read',
      prepare: async () => ({ path: `/api/v1/users/${env.t.admin.id}/access-log` }),
    },
    'GET /api/v1/users/:id/access-log/export': {
      rid: 'R-AUDIT',
      allow: REVIEWERS,
      permission: 'access_log:export',
      prepare: async () => ({ path: `/api/v1/users/${env.t.admin.id}/access-log/export` }),
    },
  };
}
