import type { Expectation, Role } from './env';

/**
 * Scheduled jobs and reminders, written from the Rules:
 * - R-IT-PERMS (§3.1): the IT admin runs the system: sees and runs every job.
 * - R-RISK-MONTHLY (§5.3.1), R-INSPECT (§5.3.2): the Quality Management Dept supervises the
 *   monthly assessments and inspects every project every two months: it runs those two jobs.
 * - R-CASE-STATS (complaint procedure 第九條(九)): the general manager's office compiles the monthly
 *   case table with the Quality Management Dept; the auditors run their reports: the three run
 *   the case-statistics job.
 * Those who run a job see the jobs list and the runs of their jobs. (The inbox: notifications.rows.ts.)
 */
const QUALITY_JOBS: Role[] = ['it_admin', 'quality_inspector'];
const STATS_RUNNERS: Role[] = ['it_admin', 'quality_inspector', 'general_manager', 'auditor'];

export function jobsRows(): Record<string, Expectation> {
  return {
    'GET /api/v1/jobs': { rid: 'R-IT-PERMS', allow: STATS_RUNNERS, permission: 'job:read', prepare: async () => ({ path: '/api/v1/jobs' }) },
    'GET /api/v1/jobs/:name/runs': {
      rid: 'R-IT-PERMS',
      allow: STATS_RUNNERS,
      permission: 'job:read',
      prepare: async () => ({ path: '/api/v1/jobs/case-statistics/runs' }),
    },
    'POST /api/v1/jobs/:name/run': {
      rid: 'R-IT-PERMS',
      allow: ['it_admin'],
      permission: 'job:run',
      prepare: async () => ({ path: '/api/v1/jobs/audit-verify/run', body: {} }),
    },
    'POST /api/v1/jobs/risk-assessment/run': {
      rid: 'R-RISK-MONTHLY',
      allow: QUALITY_JOBS,
      permission: 'risk_assessment:run',
      prepare: async () => ({ path: '/api/v1/jobs/risk-assessment/run', body: {} }),
    },
    'POST /api/v1/jobs/inspections/run': {
      rid: 'R-INSPECT',
      allow: QUALITY_JOBS,
      permission: 'inspection:run',
      prepare: async () => ({ path: '/api/v1/jobs/inspections/run', body: {} }),
    },
    'POST /api/v1/jobs/case-statistics/run': {
      rid: 'R-CASE-STATS',
      allow: STATS_RUNNERS,
      permission: 'case_stats:run',
      prepare: async () => ({ path: '/api/v1/jobs/case-statistics/run', body: {} }),
    },
  };
}
