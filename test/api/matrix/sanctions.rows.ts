import type { Role } from './env';
import { adminActor, env, Expectation } from './env';
import { makeUser, MadeUser } from '../../helpers/factories';
import { makeIncident } from '../../helpers/sanctions-factories';

/**
 * Access-matrix rows of incidents and the reward/penalty register, written from the Rules:
 * - R-REWARD (§5.3.3): any employee may report a leak (and be rewarded for it): reporting is
 *   open to every signed-in user; the quality department investigates, the auditor reads;
 * - R-REWARD, R-PENALTY (§5.3.3, §5.3.4): the Quality Management Dept (quality_inspector) records
 *   rewards and penalties;
 * - R-CASE-SANCTION (complaint procedure 第十二條): the notice (獎罰通知單) goes to the general
 *   manager for approval: the general manager alone approves or rejects, and reads the register;
 * - the auditor reads everything and changes nothing (role table).
 */
const READERS: Role[] = ['quality_inspector', 'general_manager', 'auditor'];
/** R-PENALTY: the quality department investigates incidents; the auditor reads them. */
const INCIDENT_READERS: Role[] = ['quality_inspector', 'auditor'];

let proposer: MadeUser | null = null;
let approver: MadeUser | null = null;

/** A pending penalty proposed by a quality inspector who is not the caller, on a concluded incident. */
async function freshSanctionId(approved = false): Promise<number> {
  const t = env.t;
  proposer ??= await makeUser(t, { roles: [['quality_inspector', '*']] });
  const culprit = await makeUser(t);
  const incident = await makeIncident(t, { project: env.project, concludedWith: [culprit.id] });
  const s = await t.ctx.sanctions.propose(
    { id: proposer.id, username: proposer.username },
    { source: { type: 'incident', id: incident.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 500, reason: 'access matrix check' },
  );
  if (approved) {
    approver ??= await makeUser(t, { roles: [['general_manager', '*']] });
    await t.ctx.sanctions.decide({ id: approver.id, username: approver.username }, await t.ctx.sanctions.load(s.id), true, null);
  }
  return s.id;
}

/** A fresh incident as reported by the bootstrap admin, taken up for investigation if asked. */
async function freshIncidentId(investigating = false): Promise<number> {
  const i = await makeIncident(env.t, { project: env.project });
  if (investigating) await env.t.ctx.incidents.investigate(adminActor(), await env.t.ctx.incidents.load(i.id), null);
  return i.id;
}

export function sanctionsRows(): Record<string, Expectation> {
  return {
    // --- incidents (R-PENALTY, R-REWARD). GET /api/v1/incidents/:id is in paper-ledger.rows.ts. ---
    // §5.3.3 rewards any employee (凡…公司員工) who reports: every signed-in user reports, role or not (R-SCOPE).
    'POST /api/v1/incidents': {
      rid: 'R-REWARD',
      allow: 'authenticated',
      prepare: async () => ({
        path: '/api/v1/incidents',
        body: { type: 'negligent_leak', description: 'access matrix: a list left on the printer', project: env.project, anonymous: false },
      }),
    },
    'GET /api/v1/incidents': {
      rid: 'R-PENALTY',
      allow: INCIDENT_READERS,
      permission: 'incident:read',
      prepare: async () => ({ path: '/api/v1/incidents', query: { limit: '5' } }),
    },
    'POST /api/v1/incidents/:id/investigate': {
      rid: 'R-PENALTY',
      allow: ['quality_inspector'],
      permission: 'incident:manage',
      prepare: async () => ({ path: `/api/v1/incidents/${await freshIncidentId()}/investigate`, body: {} }),
    },
    'POST /api/v1/incidents/:id/conclude': {
      rid: 'R-PENALTY',
      allow: ['quality_inspector'],
      permission: 'incident:manage',
      prepare: async () => ({
        path: `/api/v1/incidents/${await freshIncidentId(true)}/conclude`,
        body: { findings: 'access matrix: nobody was at fault', responsibleUserIds: [] },
      }),
    },

    // --- the reward/penalty register (R-REWARD, R-PENALTY, R-CASE-SANCTION) ---
    'POST /api/v1/sanctions': {
      rid: 'R-PENALTY',
      allow: ['quality_inspector'],
      permission: 'sanction:manage',
      prepare: async () => {
        const culprit = await makeUser(env.t);
        const incident = await makeIncident(env.t, { project: env.project, concludedWith: [culprit.id] });
        return {
          path: '/api/v1/sanctions',
          body: { source: { type: 'incident', id: incident.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 300, reason: 'access matrix check' },
        };
      },
    },
    'GET /api/v1/sanctions': { rid: 'R-PENALTY', allow: READERS, permission: 'sanction:read', prepare: async () => ({ path: '/api/v1/sanctions', query: { limit: '5' } }) },
    // The bands and grounds the proposal form shows: whoever reads the register (R-REWARD, R-PENALTY).
    'GET /api/v1/sanctions/rules': { rid: 'R-PENALTY', allow: READERS, permission: 'sanction:read', prepare: async () => ({ path: '/api/v1/sanctions/rules' }) },
    'GET /api/v1/sanctions/:id': {
      rid: 'R-PENALTY',
      allow: READERS,
      permission: 'sanction:read',
      prepare: async () => ({ path: `/api/v1/sanctions/${await freshSanctionId()}` }),
    },
    'POST /api/v1/sanctions/:id/approve': {
      rid: 'R-CASE-SANCTION',
      allow: ['general_manager'],
      permission: 'sanction:approve',
      prepare: async () => ({ path: `/api/v1/sanctions/${await freshSanctionId()}/approve`, body: {} }),
    },
    'POST /api/v1/sanctions/:id/reject': {
      rid: 'R-CASE-SANCTION',
      allow: ['general_manager'],
      permission: 'sanction:approve',
      prepare: async () => ({ path: `/api/v1/sanctions/${await freshSanctionId()}/reject`, body: { reason: 'access matrix check' } }),
    },
    'GET /api/v1/sanctions/:id/notice': {
      rid: 'R-CASE-SANCTION',
      allow: READERS,
      permission: 'sanction:read',
      prepare: async () => ({ path: `/api/v1/sanctions/${await freshSanctionId(true)}/notice` }),
    },
  };
}
