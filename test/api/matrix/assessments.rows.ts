import { periodFromKey } from '../../../src/jobs/period';
import { riskAssessmentJob } from '../../../src/features/assessments/assessment.job';
import { localDate } from '../../../src/lib/time';
import { makeDepartment } from '../../helpers/factories';
import { adminActor, Caller, env, Expectation, Role, uid } from './env';

/**
 * Access-matrix rows of the monthly risk assessment (R-RISK-MONTHLY), its rectifications and
 * the port register (R-PORTS), written from the Rules:
 * - R-RISK-MONTHLY (§5.3.1, §7): each department assesses its own risk monthly: the department
 *   head fills and submits; the Quality Management Dept supervises (§3.1) and reviews; the
 *   general manager and the auditors read (the auditor reads reports, changes nothing). The
 *   owner of a rectification, whoever they are, records its progress (their own action).
 * - R-PORTS (§5.2.4): each department records its own port decisions: the department head
 *   keeps the register; the Quality Management Dept (supervision, §3.1) and the auditors read.
 */
const READERS: Role[] = ['dept_head', 'quality_inspector', 'general_manager', 'auditor'];
const EDITORS: Role[] = ['dept_head'];
const REVIEWERS: Role[] = ['quality_inspector'];
/** The Quality Management Dept supervises the assessments (§3.1): it opens one by hand where the monthly job has none yet. */
const OPENERS: Role[] = ['quality_inspector'];
const PORT_READERS: Role[] = ['dept_head', 'quality_inspector', 'auditor'];
const PORT_KEEPERS: Role[] = ['dept_head'];

let month = 0;
/** A fresh month (far from real ones) for a fresh assessment of the matrix department. */
function freshPeriod() {
  month++;
  const y = 2400 + Math.floor(month / 12);
  const key = `${y}-${String((month % 12) + 1).padStart(2, '0')}`;
  return periodFromKey(riskAssessmentJob, key, env.t.ctx.config.timezone)!;
}

async function freshAssessment(status: 'draft' | 'submitted' = 'draft'): Promise<number> {
  const d = await env.t.ctx.org.getDepartment(env.dept);
  const { assessment } = await env.t.ctx.assessments.ensureFor(d.id, freshPeriod());
  if (status === 'submitted') await env.t.ctx.assessments.submit(adminActor(), assessment.id);
  return assessment.id;
}

async function freshItem(): Promise<{ id: number; itemId: number }> {
  const id = await freshAssessment();
  const item = await env.t.ctx.assessments.addItem(adminActor(), id, { description: 'Customer list left on a desk', likelihood: 3, impact: 4 });
  return { id, itemId: item.id };
}

const inAMonth = () => localDate(new Date(Date.now() + 30 * 86_400_000), env.t.ctx.config.timezone);

async function freshRectification(ownerUserId = env.t.admin.id): Promise<number> {
  const id = await freshAssessment();
  const r = await env.t.ctx.assessments.addRectification(adminActor(), id, { description: 'Lock the archive cabinet', ownerUserId, dueDate: inAMonth() });
  return r.id;
}

/** A fresh rectification owned by the caller (the anonymous caller is refused before any record matters). */
const ownedRectification = (c: Caller) => freshRectification(c.user?.id);

const portBody = () => ({
  assetTag: `PC-${uid()}`,
  userName: 'Front desk',
  location: 'Service center lobby',
  usbStatus: 'sealed',
  burnerStatus: 'none',
  decision: 'Seal USB: the desk handles customer records',
  approvedById: env.t.admin.id,
});

async function freshPort(): Promise<number> {
  const p = await env.t.ctx.ports.create(adminActor(), env.dept, portBody() as Parameters<typeof env.t.ctx.ports.create>[2]);
  return p.id;
}

export function assessmentsRows(): Record<string, Expectation> {
  const base = '/api/v1/risk-assessments';
  return {
    // --- R-RISK-MONTHLY: reading ---
    'GET /api/v1/risk-assessments': { rid: 'R-RISK-MONTHLY', allow: READERS, permission: 'risk_assessment:read', prepare: async () => ({ path: base }) },
    'GET /api/v1/risk-assessments/:id': {
      rid: 'R-RISK-MONTHLY',
      allow: READERS,
      permission: 'risk_assessment:read',
      prepare: async () => ({ path: `${base}/${await freshAssessment()}` }),
    },
    'GET /api/v1/risk-assessments/:id/export': {
      rid: 'R-RISK-MONTHLY',
      allow: READERS,
      permission: 'risk_assessment:read',
      prepare: async () => ({ path: `${base}/${await freshAssessment()}/export`, query: { format: 'xlsx' } }),
    },
    'POST /api/v1/risk-assessments': {
      rid: 'R-RISK-MONTHLY',
      allow: OPENERS,
      permission: 'risk_assessment:create',
      prepare: async () => ({
        path: base,
        body: { department: (await makeDepartment(env.t)).code, period: localDate(new Date(), env.t.ctx.config.timezone).slice(0, 7) },
      }),
    },
    // --- R-RISK-MONTHLY: the department head fills the draft ---
    'POST /api/v1/risk-assessments/:id/items': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => ({ path: `${base}/${await freshAssessment()}/items`, body: { description: 'USB port of the clerk PC open', likelihood: 2, impact: 5 } }),
    },
    'PATCH /api/v1/risk-assessments/:id/items/:itemId': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => {
        const { id, itemId } = await freshItem();
        return { path: `${base}/${id}/items/${itemId}`, body: { impact: 2 } };
      },
    },
    'DELETE /api/v1/risk-assessments/:id/items/:itemId': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => {
        const { id, itemId } = await freshItem();
        return { path: `${base}/${id}/items/${itemId}` };
      },
    },
    'POST /api/v1/risk-assessments/:id/rectifications': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => ({
        path: `${base}/${await freshAssessment()}/rectifications`,
        body: { description: 'Seal the USB port', ownerUserId: env.t.admin.id, dueDate: inAMonth() },
      }),
    },
    'POST /api/v1/risk-assessments/:id/refresh': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => ({ path: `${base}/${await freshAssessment()}/refresh` }),
    },
    'POST /api/v1/risk-assessments/:id/submit': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => ({ path: `${base}/${await freshAssessment()}/submit` }),
    },
    'PATCH /api/v1/rectifications/:id': {
      rid: 'R-RISK-MONTHLY',
      allow: EDITORS,
      permission: 'risk_assessment:edit',
      prepare: async () => ({ path: `/api/v1/rectifications/${await freshRectification()}`, body: { status: 'in_progress' } }),
    },
    'PATCH /api/v1/me/rectifications/:id': {
      rid: 'R-RISK-MONTHLY',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/me/rectifications/${await ownedRectification(c)}`, body: { status: 'in_progress', evidenceNotes: 'Lock ordered' } }),
    },
    // R-RISK-MONTHLY, R-INSPECT: every signed-in user lists the rectifications they own (none is a page of 0).
    'GET /api/v1/me/rectifications': {
      rid: 'R-RISK-MONTHLY',
      allow: 'authenticated',
      prepare: async (c) => {
        await ownedRectification(c);
        return { path: '/api/v1/me/rectifications', query: { status: 'not_done', limit: '5' } };
      },
    },
    // --- R-RISK-MONTHLY: the quality department reviews ---
    'POST /api/v1/risk-assessments/:id/review': {
      rid: 'R-RISK-MONTHLY',
      allow: REVIEWERS,
      permission: 'risk_assessment:review',
      prepare: async () => ({ path: `${base}/${await freshAssessment('submitted')}/review`, body: { comment: 'Complete; rectifications adequate' } }),
    },
    'POST /api/v1/risk-assessments/:id/return': {
      rid: 'R-RISK-MONTHLY',
      allow: REVIEWERS,
      permission: 'risk_assessment:review',
      prepare: async () => ({ path: `${base}/${await freshAssessment('submitted')}/return`, body: { reason: 'The open USB port is not assessed' } }),
    },
    // --- R-PORTS ---
    'GET /api/v1/departments/:code/ports': {
      rid: 'R-PORTS',
      allow: PORT_READERS,
      permission: 'port_register:read',
      prepare: async () => ({ path: `/api/v1/departments/${env.dept}/ports` }),
    },
    'POST /api/v1/departments/:code/ports': {
      rid: 'R-PORTS',
      allow: PORT_KEEPERS,
      permission: 'port_register:manage',
      prepare: async () => ({ path: `/api/v1/departments/${env.dept}/ports`, body: portBody() }),
    },
    'PATCH /api/v1/ports/:id': {
      rid: 'R-PORTS',
      allow: PORT_KEEPERS,
      permission: 'port_register:manage',
      prepare: async () => ({ path: `/api/v1/ports/${await freshPort()}`, body: { location: 'Back office' } }),
    },
    'POST /api/v1/ports/:id/verify': {
      rid: 'R-PORTS',
      allow: PORT_KEEPERS,
      permission: 'port_register:manage',
      prepare: async () => ({ path: `/api/v1/ports/${await freshPort()}/verify`, body: { note: 'Checked on site' } }),
    },
  };
}
