import type { Expectation, Role } from './env';

/**
 * Access-matrix rows of the governance area, written from the Rules.
 * R-IT-PERMS (§3.1), R-AUDIT: the IT admin manages the policy, the auditors review it; both read
 * the permission vocabulary the console offers when a line is added or a decision explained.
 */
const REVIEWERS: Role[] = ['it_admin', 'auditor'];

export function governanceRows(): Record<string, Expectation> {
  return {
    'GET /api/v1/permissions': { rid: 'R-IT-PERMS', allow: REVIEWERS, permission: 'policy:read', prepare: async () => ({ path: '/api/v1/permissions' }) },
  };
}
