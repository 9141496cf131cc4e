import { InspectionItem } from '../../../src/entities/InspectionItem';
import { makeDepartment, makeProject } from '../../helpers/factories';
import { blockKeys, makeInspection } from '../../helpers/inspections-factories';
import { adminActor, env, Expectation, Role } from './env';

/**
 * Access-matrix rows of the bimonthly inspection (R-INSPECT, §5.3.2), written from the Rules:
 * - the Quality Management Department inspects every project and publicly criticizes a project
 *   with a major hidden hazard: it alone conducts inspections and publishes notices;
 * - the general manager and auditors read inspections and reports (auditors change nothing);
 *   a project manager reads the inspections of their own project;
 * - a criticism notice is published to the whole company: every signed-in user reads notices.
 */
const READERS: Role[] = ['quality_inspector', 'general_manager', 'auditor', 'project_manager'];
const COMPANY_READERS: Role[] = ['quality_inspector', 'general_manager', 'auditor'];
const INSPECTORS: Role[] = ['quality_inspector'];

let shared: Promise<{ id: number; itemId: number }> | null = null;
/** One inspection of the matrix project, for the read routes (never changed). */
function sharedInspection() {
  shared ??= (async () => {
    const p = await env.t.ctx.org.getProject(env.project);
    const { inspection, items } = await makeInspection(env.t, p.id);
    return { id: inspection.id, itemId: items[0].id };
  })();
  return shared;
}

let sharedNotice: Promise<number> | null = null;
function sharedNoticeId() {
  sharedNotice ??= env.t.ctx.notices
    .publish(adminActor(), { kind: 'public_criticism', project: env.project, title: 'Matrix criticism', body: 'Matrix criticism text' })
    .then((n) => n.id);
  return sharedNotice;
}

let dept: Promise<string> | null = null;
/** A fresh in-progress inspection (of a fresh project: one inspection per project and period), for the routes that change one. */
async function freshInspection() {
  dept ??= makeDepartment(env.t).then((d) => d.code);
  const p = await makeProject(env.t, { departmentCode: await dept });
  const { inspection, items } = await makeInspection(env.t, p.id);
  return { id: inspection.id, items };
}

/** A fresh inspection whose first item failed with a minor finding. */
async function freshFinding() {
  const i = await freshInspection();
  await env.t.ctx.inspections.recordItem(adminActor(), i.id, i.items[0].id, { result: 'fail' });
  const f = await env.t.ctx.inspections.addFinding(adminActor(), i.id, { itemId: i.items[0].id, severity: 'minor', description: 'Matrix finding' });
  return { ...i, findingId: f.id };
}

export function inspectionsRows(): Record<string, Expectation> {
  return {
    'GET /api/v1/inspections': {
      rid: 'R-INSPECT',
      allow: READERS,
      permission: 'inspection:read',
      prepare: async () => ({ path: '/api/v1/inspections' }),
    },
    // The quality department opens a project's inspection by hand (a project created during the period).
    'POST /api/v1/inspections': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:create',
      prepare: async () => {
        dept ??= makeDepartment(env.t).then((d) => d.code);
        const p = await makeProject(env.t, { departmentCode: await dept });
        return { path: '/api/v1/inspections', body: { project: p.code, period: blockKeys(env.t).current } };
      },
    },
    'GET /api/v1/inspections/summary': {
      rid: 'R-INSPECT',
      allow: COMPANY_READERS,
      permission: 'inspection:read',
      prepare: async () => ({ path: '/api/v1/inspections/summary', query: { period: blockKeys(env.t).current } }),
    },
    'GET /api/v1/inspections/:id': {
      rid: 'R-INSPECT',
      allow: READERS,
      permission: 'inspection:read',
      prepare: async () => ({ path: `/api/v1/inspections/${(await sharedInspection()).id}` }),
    },
    'GET /api/v1/inspections/:id/report': {
      rid: 'R-INSPECT',
      allow: READERS,
      permission: 'inspection:read',
      prepare: async () => ({ path: `/api/v1/inspections/${(await sharedInspection()).id}/report`, query: { format: 'xlsx' } }),
    },
    'GET /api/v1/projects/:code/history': {
      rid: 'R-INSPECT',
      allow: READERS,
      permission: 'inspection:read',
      prepare: async () => ({ path: `/api/v1/projects/${env.project}/history` }),
    },
    'PATCH /api/v1/inspections/:id/items/:itemId': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:conduct',
      prepare: async () => {
        const i = await freshInspection();
        return { path: `/api/v1/inspections/${i.id}/items/${i.items[0].id}`, body: { result: 'pass', notes: 'Matrix check' } };
      },
    },
    'PUT /api/v1/inspections/:id/checklist': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:conduct',
      prepare: async () => {
        const i = await freshInspection();
        return { path: `/api/v1/inspections/${i.id}/checklist`, body: { items: i.items.map((it) => ({ itemId: it.id, result: 'pass' })) } };
      },
    },
    'POST /api/v1/inspections/:id/findings': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:conduct',
      prepare: async () => {
        const i = await freshInspection();
        await env.t.ctx.inspections.recordItem(adminActor(), i.id, i.items[0].id, { result: 'fail' });
        return { path: `/api/v1/inspections/${i.id}/findings`, body: { itemId: i.items[0].id, severity: 'minor', description: 'Matrix finding' } };
      },
    },
    'POST /api/v1/inspections/:id/rectifications': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:conduct',
      prepare: async () => {
        const i = await freshFinding();
        return {
          path: `/api/v1/inspections/${i.id}/rectifications`,
          body: { findingId: i.findingId, description: 'Matrix rectification', ownerUserId: env.t.admin.id, dueDate: '2099-12-31' },
        };
      },
    },
    'PATCH /api/v1/inspections/:id/rectifications/:rectificationId': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:conduct',
      prepare: async () => {
        const i = await freshFinding();
        const r = await env.t.ctx.inspections.assignRectification(adminActor(), i.id, {
          findingId: i.findingId,
          description: 'Matrix rectification',
          ownerUserId: env.t.admin.id,
          dueDate: '2099-12-31',
        });
        return { path: `/api/v1/inspections/${i.id}/rectifications/${r.id}`, body: { status: 'in_progress' } };
      },
    },
    'POST /api/v1/inspections/:id/complete': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'inspection:conduct',
      prepare: async () => {
        const i = await freshInspection();
        // Every item recorded (a fixture shortcut: the recording itself is tested in test/inspections).
        await env.t.ctx.db.manager.getRepository(InspectionItem).update({ inspectionId: i.id }, { result: 'pass' });
        return { path: `/api/v1/inspections/${i.id}/complete`, body: { conclusion: 'Matrix conclusion' } };
      },
    },
    'GET /api/v1/notices': { rid: 'R-INSPECT', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/notices' }) },
    'GET /api/v1/notices/:id': {
      rid: 'R-INSPECT',
      allow: 'authenticated',
      prepare: async () => ({ path: `/api/v1/notices/${await sharedNoticeId()}` }),
    },
    'POST /api/v1/notices': {
      rid: 'R-INSPECT',
      allow: INSPECTORS,
      permission: 'notice:publish',
      prepare: async () => ({ path: '/api/v1/notices', body: { project: env.project, title: 'Matrix criticism', body: 'Matrix criticism text' } }),
    },
  };
}
