import type { Expectation } from './env';

/**
 * Scheduled jobs and reminders. R-IT-PERMS (§3.1): the IT admin runs the system, so the IT admin
 * alone sees and runs jobs. Reminders (the outbox) are each user's own (R-SCOPE).
 */
export function jobsRows(): Record<string, Expectation> {
  return {
    'GET /api/v1/jobs': { rid: 'R-IT-PERMS', allow: ['it_admin'], permission: 'job:read', prepare: async () => ({ path: '/api/v1/jobs' }) },
    'GET /api/v1/jobs/:name/runs': {
      rid: 'R-IT-PERMS',
      allow: ['it_admin'],
      permission: 'job:read',
      prepare: async () => ({ path: '/api/v1/jobs/audit-verify/runs' }),
    },
    'POST /api/v1/jobs/:name/run': {
      rid: 'R-IT-PERMS',
      allow: ['it_admin'],
      permission: 'job:run',
      prepare: async () => ({ path: '/api/v1/jobs/audit-verify/run', body: {} }),
    },
    'GET /api/v1/me/notifications': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/notifications' }) },
  };
}
