import type { HandoverFile } from '../../../src/entities/HandoverFile';
import { makeUser, MadeUser } from '../../helpers/factories';
import { Caller, env, Expectation, Role } from './env';

/**
 * Access-matrix rows of the handover-file area, written from the Rules:
 * - R-HANDOVER-HOLD (§5.2.2.1): the developer's electronic handover files are held by the project
 *   lead alone (takes them in, lists, opens, downloads, delegates); the information clerk may
 *   view them, view only, for a set time (record-level: an open delegation); nobody prints,
 *   copies, downloads (but the holder) or forwards them. The IT admin sees that they exist
 *   (metadata, never content); so do the auditors, who read everything and change nothing
 *   (R-AUDIT; the role table: "reads the audit trail, inspections and reports").
 * - R-HANDOVER-DESTROY (§5.2.2.2–3): the clerk reports the control data entered, the lead
 *   confirms and destroys under supervision; a second person who supervises the project (another
 *   lead, the head of its department) witnesses it and confirms or declines it (record-level: the
 *   one named); the record is readable by those who read the files (auditors included).
 * - R-OFFBOARD (§5.2.5): the IT admin passes a leaver's files to another lead of the project.
 * Every caller may list their own delegations (an empty list without any).
 */
const HOLDER: Role[] = ['project_manager'];
const READERS: Role[] = ['project_manager', 'it_admin', 'auditor'];
const VIEWERS: Role[] = ['project_manager', 'info_clerk'];
/** §5.2.2.3: another lead of the project or the head of its department witnesses a destruction. */
const WITNESSES: Role[] = ['project_manager', 'dept_head'];

let witness: MadeUser | null = null;
/** A second project manager of the matrix project: witness of destructions, target of transfers. */
async function secondLead(): Promise<MadeUser> {
  return (witness ??= await makeUser(env.t, { roles: [['project_manager', `project:${env.project}`]] }));
}

const user = (name: 'project_manager' | 'info_clerk') => env.callers.get(name)!.user!;
const actor = (u: MadeUser) => ({ id: u.id, username: u.username });

const CSV = 'name,unit\n業主,1棟101室\n';

/** A fresh file held by the matrix project manager. */
async function freshFile(): Promise<HandoverFile> {
  const project = await env.t.ctx.handover.projectByCode(env.project);
  const v = await env.t.ctx.handover.storeFile(actor(user('project_manager')), project, 'matrix.csv', Buffer.from(CSV));
  return env.t.ctx.handover.load(v.id);
}

/** A fresh file delegated to the matrix clerk; returns the file and the delegation. */
async function freshDelegated(): Promise<{ file: HandoverFile; delegationId: number }> {
  const f = await freshFile();
  const d = await env.t.ctx.handover.delegate(actor(user('project_manager')), f, { clerkUserId: user('info_clerk').id, days: 2 });
  return { file: await env.t.ctx.handover.load(f.id), delegationId: d.id };
}

/** A fresh file whose entry the matrix clerk reported. */
async function freshReported(): Promise<HandoverFile> {
  const { file } = await freshDelegated();
  await env.t.ctx.handover.reportEntry(actor(user('info_clerk')), file, { records: 1 });
  return env.t.ctx.handover.load(file.id);
}

/** A fresh file confirmed by the lead: pending destruction. */
async function freshConfirmed(): Promise<HandoverFile> {
  const f = await freshReported();
  await env.t.ctx.handover.confirm(actor(user('project_manager')), f);
  return env.t.ctx.handover.load(f.id);
}

/**
 * A file whose destruction its holder recorded (early, with a reason), naming as witness the caller
 * when the caller may witness (the matrix lead then witnesses for the second lead, who holds the
 * file), else the second lead.
 */
async function pendingDestruction(c: Caller): Promise<number> {
  const lead = user('project_manager');
  const second = await secondLead();
  const [holder, witness] = c.role === 'project_manager' ? [second, lead] : c.role === 'dept_head' && c.user ? [lead, c.user] : [lead, second];
  const project = await env.t.ctx.handover.projectByCode(env.project);
  const v = await env.t.ctx.handover.storeFile(actor(holder), project, 'matrix.csv', Buffer.from(CSV));
  await env.t.ctx.handover.destroy(actor(holder), await env.t.ctx.handover.load(v.id), { witnessUserId: witness.id, reason: 'access matrix duplicate' });
  return v.id;
}

/** The view target: a file of the matrix lead, delegated to the caller if the caller is the clerk. */
async function viewTarget(c: Caller): Promise<number> {
  if (c.role === 'info_clerk') return (await freshDelegated()).file.id;
  return (await freshFile()).id;
}

export function handoverRows(): Record<string, Expectation> {
  return {
    'POST /api/v1/handover-files': {
      rid: 'R-HANDOVER-HOLD',
      allow: HOLDER,
      permission: 'handover_file:hold',
      prepare: async () => ({ path: '/api/v1/handover-files', query: { project: env.project, name: 'matrix.csv' }, body: CSV, contentType: 'text/csv' }),
    },
    'GET /api/v1/handover-files': {
      rid: 'R-HANDOVER-HOLD',
      allow: READERS,
      permission: 'handover_file:read',
      prepare: async () => ({ path: '/api/v1/handover-files', query: { project: env.project } }),
    },
    'GET /api/v1/handover-files/:id': {
      rid: 'R-HANDOVER-HOLD',
      allow: READERS,
      permission: 'handover_file:read',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshFile()).id}` }),
    },
    'GET /api/v1/handover-files/:id/record': {
      rid: 'R-HANDOVER-DESTROY',
      allow: READERS,
      permission: 'handover_file:read',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshFile()).id}/record` }),
    },
    'GET /api/v1/handover-files/:id/view': {
      rid: 'R-HANDOVER-HOLD',
      allow: VIEWERS,
      permission: 'handover_file:view',
      prepare: async (c) => ({ path: `/api/v1/handover-files/${await viewTarget(c)}/view` }),
    },
    'GET /api/v1/handover-files/:id/download': {
      rid: 'R-HANDOVER-HOLD',
      allow: HOLDER,
      permission: 'handover_file:hold',
      prepare: async (c) => ({ path: `/api/v1/handover-files/${await viewTarget(c)}/download` }),
    },
    'POST /api/v1/handover-files/:id/forward': {
      rid: 'R-HANDOVER-HOLD',
      allow: [],
      permission: 'handover_file:forward',
      prepare: async (c) => ({ path: `/api/v1/handover-files/${await viewTarget(c)}/forward`, body: {} }),
    },
    'GET /api/v1/handover-files/:id/delegations': {
      rid: 'R-HANDOVER-HOLD',
      allow: READERS,
      permission: 'handover_file:read',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshDelegated()).file.id}/delegations` }),
    },
    'GET /api/v1/handover-files/:id/clerks': {
      rid: 'R-HANDOVER-HOLD',
      allow: HOLDER,
      permission: 'handover_file:delegate',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshFile()).id}/clerks` }),
    },
    'POST /api/v1/handover-files/:id/delegations': {
      rid: 'R-HANDOVER-HOLD',
      allow: HOLDER,
      permission: 'handover_file:delegate',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshFile()).id}/delegations`, body: { clerkUserId: user('info_clerk').id, days: 2 } }),
    },
    'DELETE /api/v1/handover-files/:id/delegations/:delegationId': {
      rid: 'R-HANDOVER-HOLD',
      allow: HOLDER,
      permission: 'handover_file:delegate',
      prepare: async () => {
        const { file, delegationId } = await freshDelegated();
        return { path: `/api/v1/handover-files/${file.id}/delegations/${delegationId}` };
      },
    },
    'POST /api/v1/handover-files/:id/entry-confirmation': {
      rid: 'R-HANDOVER-DESTROY',
      allow: ['info_clerk'],
      permission: 'handover_file:confirm_entry',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshDelegated()).file.id}/entry-confirmation`, body: { records: 1 } }),
    },
    'POST /api/v1/handover-files/:id/confirm': {
      rid: 'R-HANDOVER-DESTROY',
      allow: HOLDER,
      permission: 'handover_file:confirm',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshReported()).id}/confirm`, body: {} }),
    },
    'POST /api/v1/handover-files/:id/destroy': {
      rid: 'R-HANDOVER-DESTROY',
      allow: HOLDER,
      permission: 'handover_file:destroy',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshConfirmed()).id}/destroy`, body: { witnessUserId: (await secondLead()).id } }),
    },
    'POST /api/v1/handover-files/:id/destruction/confirm': {
      rid: 'R-HANDOVER-DESTROY',
      allow: WITNESSES,
      permission: 'handover_file:witness',
      prepare: async (c) => ({ path: `/api/v1/handover-files/${await pendingDestruction(c)}/destruction/confirm`, body: {} }),
    },
    'POST /api/v1/handover-files/:id/destruction/decline': {
      rid: 'R-HANDOVER-DESTROY',
      allow: WITNESSES,
      permission: 'handover_file:witness',
      prepare: async (c) => ({ path: `/api/v1/handover-files/${await pendingDestruction(c)}/destruction/decline`, body: { reason: 'access matrix: not seen' } }),
    },
    'POST /api/v1/handover-files/:id/transfer': {
      rid: 'R-OFFBOARD',
      allow: ['it_admin'],
      permission: 'handover_file:transfer',
      prepare: async () => ({ path: `/api/v1/handover-files/${(await freshFile()).id}/transfer`, body: { toUserId: (await secondLead()).id } }),
    },
    'GET /api/v1/handover-destructions/:id': {
      rid: 'R-HANDOVER-DESTROY',
      allow: READERS,
      permission: 'handover_file:read',
      prepare: async () => {
        const f = await freshConfirmed();
        await env.t.ctx.handover.destroy(actor(user('project_manager')), f, { witnessUserId: (await secondLead()).id });
        const d = await env.t.ctx.handover.confirmDestruction(actor(await secondLead()), await env.t.ctx.handover.load(f.id));
        return { path: `/api/v1/handover-destructions/${d.id}` };
      },
    },
    'GET /api/v1/handover-delegations': {
      rid: 'R-HANDOVER-HOLD',
      allow: 'authenticated',
      prepare: async () => ({ path: '/api/v1/handover-delegations' }),
    },
  };
}
