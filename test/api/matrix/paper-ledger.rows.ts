import { ControlledCopy } from '../../../src/entities/ControlledCopy';
import { makePhone, makeUser, MadeUser } from '../../helpers/factories';
import { adminActor, Caller, env, Expectation, Role, uid } from './env';

/**
 * Access-matrix rows of the paper-ledger area, written from the Rules:
 * - R-PRINT-APPROVE (§3.4.1, §5.2.1.1): those with a controlled need who enter control data in
 *   the project (staff, the clerk, the project manager, the department head; R-CTRL-STAFF) ask
 *   for printouts; a department head or the project manager of that scope approves or rejects.
 *   Everyone sees their own requests and may withdraw them (record-level: the requester).
 * - R-NO-PAPER, R-NO-LEND (§5.2.1): supervisors (project manager, department head) and auditors
 *   read the ledger; a copy is printed, signed for, returned, destroyed or reported lost by
 *   whoever holds it (record-level); nobody, the IT admin included, passes a copy on. A return
 *   or a destruction is confirmed (or declined) by the keeper or witness it names, a supervisor
 *   of the project (controlled_copy:witness; record-level: the one named); everyone may list
 *   what waits for their own confirmation.
 * - R-LEDGER-FORM (§7): supervisors, the quality department and auditors produce the form.
 * - R-PENALTY (§5.3.4): the quality department and auditors read incidents.
 */
const REQUESTERS: Role[] = ['staff', 'info_clerk', 'project_manager', 'dept_head'];
const APPROVERS: Role[] = ['project_manager', 'dept_head'];
const LEDGER_READERS: Role[] = ['project_manager', 'dept_head', 'auditor'];
const FORM_READERS: Role[] = ['project_manager', 'dept_head', 'quality_inspector', 'auditor'];
const INCIDENT_READERS: Role[] = ['quality_inspector', 'auditor'];
/** §5.2.1: the supervisors of the project keep returned copies and witness destructions. */
const WITNESSES: Role[] = ['project_manager', 'dept_head'];

let supervisor: MadeUser | null = null;
let requester: MadeUser | null = null;
/** A project manager of the matrix project who is none of the callers: approves, keeps, witnesses. */
async function matrixSupervisor(): Promise<MadeUser> {
  return (supervisor ??= await makeUser(env.t, { roles: [['project_manager', `project:${env.project}`]] }));
}
/** A staff member of the matrix project who is none of the callers: asks for printouts. */
async function matrixRequester(): Promise<MadeUser> {
  return (requester ??= await makeUser(env.t, { roles: [['staff', `project:${env.project}`]] }));
}
/** The caller, or (for the anonymous caller, refused before any record matters) the matrix requester. */
const owner = async (c: Caller) => (c.user ? { id: c.user.id, username: c.user.username } : await matrixRequester());

async function freshCustomerId(): Promise<number> {
  const c = await env.t.ctx.customers.create(adminActor(), env.project, { name: `印${uid()}`, unit: '2棟202室', nationality: 'domestic', phones: [makePhone()] });
  return c.id;
}

/** A pending print request of `who` in the matrix project. */
async function freshRequest(who: { id: number; username: string }): Promise<number> {
  const r = await env.t.ctx.printRequests.request(who, {
    project: env.project,
    purpose: 'access matrix printout',
    customerIds: [await freshCustomerId()],
    copies: 1,
    usageDays: 3,
    includePersonal: false,
  });
  return r.id;
}

/** A controlled copy issued to `who` (approved by the matrix supervisor), awaiting signature. */
async function freshCopy(who: { id: number; username: string }): Promise<string> {
  const id = await freshRequest(who);
  const approver = await matrixSupervisor();
  await env.t.ctx.printRequests.approve({ id: approver.id, username: approver.username }, await env.t.ctx.printRequests.load(id), null);
  const c = await env.t.ctx.db.manager.getRepository(ControlledCopy).findOneByOrFail({ printRequestId: id });
  return c.serial;
}

/** The one the act names: the caller when the caller may witness (an allowed cell), else the matrix supervisor. */
async function namedFor(c: Caller): Promise<{ id: number; username: string }> {
  return c.role && WITNESSES.includes(c.role) && c.user ? c.user : matrixSupervisor();
}

/** A copy of the matrix requester whose destruction (or return) the requester recorded, naming `confirmer` as witness (or keeper). */
async function pendingAct(act: 'destruction' | 'return', confirmer: { id: number; username: string }): Promise<string> {
  const who = await matrixRequester();
  const serial = await freshCopy(who);
  const copy = await env.t.ctx.copies.loadBySerial(serial);
  if (act === 'return') await env.t.ctx.copies.returnCopy({ id: who.id, username: who.username }, copy, { keeperUserId: confirmer.id });
  else await env.t.ctx.copies.destroy({ id: who.id, username: who.username }, copy, { method: 'shredding', place: 'Service centre', witnessUserId: confirmer.id });
  return serial;
}

/** An incident: a copy of the matrix requester reported lost. */
async function freshIncidentId(): Promise<number> {
  const who = await matrixRequester();
  const serial = await freshCopy(who);
  const r = await env.t.ctx.copies.reportLost({ id: who.id, username: who.username }, await env.t.ctx.copies.loadBySerial(serial), { description: 'access matrix loss' });
  return r.incident.id;
}

export function paperLedgerRows(): Record<string, Expectation> {
  return {
    // --- print requests (R-PRINT-APPROVE) ---
    'POST /api/v1/print-requests': {
      rid: 'R-PRINT-APPROVE',
      allow: REQUESTERS,
      permission: 'print_request:create',
      prepare: async () => ({
        path: '/api/v1/print-requests',
        body: { project: env.project, purpose: 'access matrix printout', customerIds: [await freshCustomerId()], copies: 1, usageDays: 3 },
      }),
    },
    'GET /api/v1/print-requests': { rid: 'R-PRINT-APPROVE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/print-requests' }) },
    'GET /api/v1/print-requests/:id': {
      rid: 'R-PRINT-APPROVE',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/print-requests/${await freshRequest(await owner(c))}` }),
    },
    'POST /api/v1/print-requests/:id/approve': {
      rid: 'R-PRINT-APPROVE',
      allow: APPROVERS,
      permission: 'print_request:approve',
      prepare: async () => ({ path: `/api/v1/print-requests/${await freshRequest(await matrixRequester())}/approve`, body: {} }),
    },
    'POST /api/v1/print-requests/:id/reject': {
      rid: 'R-PRINT-APPROVE',
      allow: APPROVERS,
      permission: 'print_request:approve',
      prepare: async () => ({ path: `/api/v1/print-requests/${await freshRequest(await matrixRequester())}/reject`, body: { reason: 'access matrix' } }),
    },
    'POST /api/v1/print-requests/:id/cancel': {
      rid: 'R-PRINT-APPROVE',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/print-requests/${await freshRequest(await owner(c))}/cancel`, body: {} }),
    },

    // --- the controlled-copy ledger (R-NO-PAPER, R-NO-LEND) ---
    'GET /api/v1/copies': {
      rid: 'R-NO-PAPER',
      allow: LEDGER_READERS,
      permission: 'controlled_copy:read',
      prepare: async () => ({ path: '/api/v1/copies', query: { project: env.project } }),
    },
    'GET /api/v1/me/copies': { rid: 'R-NO-PAPER', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/copies' }) },
    'GET /api/v1/copies/:serial': {
      rid: 'R-NO-PAPER',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/copies/${await freshCopy(await owner(c))}` }),
    },
    'GET /api/v1/copies/:serial/confirmations': {
      rid: 'R-NO-PAPER',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/copies/${await freshCopy(await owner(c))}/confirmations` }),
    },
    'GET /api/v1/copies/:serial/pdf': {
      rid: 'R-NO-PAPER',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/copies/${await freshCopy(await owner(c))}/pdf` }),
    },
    'POST /api/v1/copies/:serial/sign': {
      rid: 'R-NO-PAPER',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/copies/${await freshCopy(await owner(c))}/sign` }),
    },
    'POST /api/v1/copies/:serial/transfer': {
      rid: 'R-NO-LEND',
      allow: [],
      permission: 'controlled_copy:transfer',
      prepare: async () => ({ path: `/api/v1/copies/${await freshCopy(await matrixRequester())}/transfer`, body: { toUserId: (await matrixSupervisor()).id } }),
    },
    'PATCH /api/v1/copies/:serial': {
      rid: 'R-NO-LEND',
      allow: [],
      permission: 'controlled_copy:transfer',
      prepare: async () => ({ path: `/api/v1/copies/${await freshCopy(await matrixRequester())}`, body: { holderUserId: (await matrixSupervisor()).id } }),
    },
    'POST /api/v1/copies/:serial/return': {
      rid: 'R-NO-LEND',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/copies/${await freshCopy(await owner(c))}/return`, body: { keeperUserId: (await matrixSupervisor()).id } }),
    },
    'POST /api/v1/copies/:serial/return/confirm': {
      rid: 'R-NO-PAPER',
      allow: WITNESSES,
      permission: 'controlled_copy:witness',
      prepare: async (c) => ({ path: `/api/v1/copies/${await pendingAct('return', await namedFor(c))}/return/confirm`, body: {} }),
    },
    'POST /api/v1/copies/:serial/return/decline': {
      rid: 'R-NO-PAPER',
      allow: WITNESSES,
      permission: 'controlled_copy:witness',
      prepare: async (c) => ({ path: `/api/v1/copies/${await pendingAct('return', await namedFor(c))}/return/decline`, body: { reason: 'access matrix: not received' } }),
    },
    'POST /api/v1/copies/:serial/destroy': {
      rid: 'R-NO-PAPER',
      allow: 'authenticated',
      prepare: async (c) => ({
        path: `/api/v1/copies/${await freshCopy(await owner(c))}/destroy`,
        body: { method: 'shredding', place: 'Service centre', witnessUserId: (await matrixSupervisor()).id },
      }),
    },
    'POST /api/v1/copies/:serial/destruction/confirm': {
      rid: 'R-NO-PAPER',
      allow: WITNESSES,
      permission: 'controlled_copy:witness',
      prepare: async (c) => ({ path: `/api/v1/copies/${await pendingAct('destruction', await namedFor(c))}/destruction/confirm`, body: {} }),
    },
    'POST /api/v1/copies/:serial/destruction/decline': {
      rid: 'R-NO-PAPER',
      allow: WITNESSES,
      permission: 'controlled_copy:witness',
      prepare: async (c) => ({ path: `/api/v1/copies/${await pendingAct('destruction', await namedFor(c))}/destruction/decline`, body: { reason: 'access matrix: not seen' } }),
    },
    'GET /api/v1/me/confirmations': { rid: 'R-NO-PAPER', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/confirmations' }) },
    'POST /api/v1/copies/:serial/report-lost': {
      rid: 'R-PENALTY',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/copies/${await freshCopy(await owner(c))}/report-lost`, body: { description: 'access matrix loss' } }),
    },

    // --- the §7 form (R-LEDGER-FORM) ---
    'GET /api/v1/ledger/form': {
      rid: 'R-LEDGER-FORM',
      allow: FORM_READERS,
      permission: 'ledger_form:read',
      prepare: async () => ({ path: '/api/v1/ledger/form', query: { from: '2020-01-01', to: '2100-01-01', scope: `project:${env.project}`, format: 'csv' } }),
    },

    // --- incidents (R-PENALTY) ---
    'GET /api/v1/incidents/:id': {
      rid: 'R-PENALTY',
      allow: INCIDENT_READERS,
      permission: 'incident:read',
      prepare: async () => ({ path: `/api/v1/incidents/${await freshIncidentId()}` }),
    },
  };
}
