import { caseStatsJob } from '../../../src/features/cases/case.job';
import { periodFromKey } from '../../../src/jobs/period';
import { advanceCase, intake, makeCustomer, registerCase } from '../../helpers/case-factories';
import type { CaseStatus } from '../../../src/entities/ComplaintCase';
import { adminActor, env, Expectation, Role } from './env';

/**
 * Complaint cases, written from the complaint procedure and the Rules. R-CASE-CONFIDENTIAL
 * (第九條(十)): case records are customer information, so they are reached only by the case roles
 * where the case is (its project, the project's department, the company):
 * - the business side registers cases and files a new one when the customer does not accept the
 *   decision (第九條(一),(八)): staff, the customer manager, the information clerk (case:create;
 *   a reopening that closes a still "communicated" case is a handling step too: case:handle);
 * - the project manager and the department head handle them: investigation, proposal, result,
 *   closing (第九條(三),(四)) (case:handle);
 * - the decision goes by the amount to the project manager, the department head or the general
 *   manager (第九條(五), 第十一條) (case:decide; the amount itself is checked on the case);
 * - those who register, handle or decide read them, and so does the quality department, which
 *   investigates and checks them (第七條(二)); the IT admin and the auditor do not (case data is not
 *   control data, nor the audit trail).
 * R-CASE-STATS (第九條(九)): the monthly statistics are read by the quality department and the
 * auditors (they hold counts, no customer data).
 */
const CREATORS: Role[] = ['staff', 'customer_manager', 'info_clerk'];
const HANDLERS: Role[] = ['project_manager', 'dept_head'];
const DECIDERS: Role[] = ['project_manager', 'dept_head', 'general_manager'];
const READERS: Role[] = [...CREATORS, ...HANDLERS, 'general_manager', 'quality_inspector'];
// R-CASE-STATS (第九條(九)): the general manager's office (總經理室) compiles the table with the quality department; auditors read it.
const STATS_READERS: Role[] = ['general_manager', 'quality_inspector', 'auditor'];

/** A fresh customer and a fresh case of the matrix project in the given state. */
async function freshCase(status: CaseStatus = 'registered') {
  const customer = await makeCustomer(env.t, env.project);
  const c = await registerCase(env.t, adminActor(), env.project, customer.id);
  if (status === 'registered') return c;
  // Handling steps by the bootstrap admin through the service (no route: no permission check); the decision by the matrix's general manager.
  const gm = env.callers.get('general_manager')!.user!;
  return advanceCase(env.t, { dept: env.dept, pm: adminActor(), gm: { id: gm.id, username: gm.username } }, c.id, status, { amount: 100 });
}

const step = (name: string, from: CaseStatus, permission: string, allow: Role[], body: () => object): Expectation => ({
  rid: 'R-CASE-CONFIDENTIAL',
  allow,
  permission,
  prepare: async () => ({ path: `/api/v1/cases/${(await freshCase(from)).id}/${name}`, body: body() }),
});

let statsReady: Promise<unknown> | null = null;

/** Access-matrix rows of the cases area, written from the Rules. */
export function casesRows(): Record<string, Expectation> {
  return {
    'POST /api/v1/cases': {
      rid: 'R-CASE-CONFIDENTIAL',
      allow: CREATORS,
      permission: 'case:create',
      prepare: async () => ({ path: '/api/v1/cases', body: intake(env.project, (await makeCustomer(env.t, env.project)).id) }),
    },
    'GET /api/v1/cases': {
      rid: 'R-CASE-CONFIDENTIAL',
      allow: READERS,
      permission: 'case:read',
      prepare: async () => ({ path: '/api/v1/cases', query: { project: env.project } }),
    },
    'GET /api/v1/cases/:id': {
      rid: 'R-CASE-CONFIDENTIAL',
      allow: READERS,
      permission: 'case:read',
      prepare: async () => ({ path: `/api/v1/cases/${(await freshCase()).id}` }),
    },
    'POST /api/v1/cases/:id/investigate': step('investigate', 'registered', 'case:handle', HANDLERS, () => ({ department: env.dept, cause: 'quality' })),
    'POST /api/v1/cases/:id/propose': step('propose', 'investigating', 'case:handle', HANDLERS, () => ({ proposal: 'discount', amount: 100 })),
    'POST /api/v1/cases/:id/decide': step('decide', 'proposed', 'case:decide', DECIDERS, () => ({})),
    'POST /api/v1/cases/:id/communicate': step('communicate', 'decided', 'case:handle', HANDLERS, () => ({ result: 'Told the customer by phone' })),
    'POST /api/v1/cases/:id/close': step('close', 'communicated', 'case:handle', HANDLERS, () => ({})),
    // A closed original: reopening it is a registration (case:create). Reopening a still "communicated" case also closes it and needs case:handle as well (test/cases/cases.test.ts).
    'POST /api/v1/cases/:id/reopen': step('reopen', 'closed', 'case:create', CREATORS, () => ({ request: 'The customer does not accept the decision' })),
    'GET /api/v1/case-statistics': {
      rid: 'R-CASE-STATS',
      allow: STATS_READERS,
      permission: 'case_stats:read',
      prepare: async () => ({ path: '/api/v1/case-statistics' }),
    },
    'GET /api/v1/case-statistics/:period': {
      rid: 'R-CASE-STATS',
      allow: STATS_READERS,
      permission: 'case_stats:read',
      prepare: async () => {
        // The month is computed once (the job is idempotent); every caller reads the same table.
        statsReady ??= env.t.ctx.jobs.find(caseStatsJob.name).run(periodFromKey(caseStatsJob, '2026-01', env.t.ctx.config.timezone)!);
        await statsReady;
        return { path: '/api/v1/case-statistics/2026-01' };
      },
    },
  };
}
