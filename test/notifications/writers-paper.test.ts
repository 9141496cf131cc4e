/**
 * Issue 13: the messages of the paper side, each written by the real flow (HTTP where the flow
 * is an HTTP action, the job where a job writes it), to exactly the right people, once, with the
 * link to its console page; and no message carries anything of the customer (name, phone, ID
 * number, unit), even when users typed it into a purpose, a note, a reason or a file name.
 */
import crypto from 'node:crypto';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { HandoverDelegation } from '../../src/entities/HandoverDelegation';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { Notification } from '../../src/entities/Notification';
import { handoverOverdueJob } from '../../src/features/handover/handover.job';
import { copiesOverdueJob } from '../../src/features/paper/copy.job';
import { periodFromKey } from '../../src/jobs/period';
import { makeIdNumber, makePhone, makeUser, MadeUser } from '../helpers/factories';
import { heldFile, ownersCsv } from '../helpers/handover-factories';
import { actorOf, makeCopy, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const uid = () => crypto.randomBytes(3).toString('hex');
const DAY = 86_400_000;

let t: TestApp;
let o: PaperOrg;
let gm: MadeUser;
let itadm: MadeUser;
/** The customer, with values no message may carry. */
const cust = { name: `龍傲天${uid()}`, phone: makePhone(), idNumber: makeIdNumber(), unit: `${uid()}棟8808室` };
let customerId: number;

beforeAll(async () => {
  t = await startTestApp();
  o = await makePaperOrg(t);
  gm = await makeUser(t, { roles: [['general_manager', '*']] });
  itadm = await makeUser(t, { roles: [['it_admin', '*']] });
  const c = await t.ctx.customers.create(actorOf({ id: t.admin.id, username: 'admin' }), o.project, {
    name: cust.name,
    unit: cust.unit,
    nationality: 'domestic',
    phones: [cust.phone],
    idNumber: cust.idNumber,
  });
  customerId = c.id;
});
afterAll(async () => {
  await t?.close();
});

const repo = () => t.ctx.db.manager.getRepository(Notification);
const notes = (kind: string, objectId: string | number) => repo().find({ where: { kind, objectId: String(objectId) }, order: { recipientId: 'ASC', id: 'ASC' } });
const post = (u: MadeUser, path: string, body: Record<string, unknown> = {}) => t.http().post(path).set('Authorization', u.auth).send(body);
/** Free text a user might type, quoting the customer. */
const quoting = `for ${cust.name}, ${cust.unit}, tel ${cust.phone}, ID ${cust.idNumber}`;

/** Exactly one row per recipient (and none for anyone else), each with the link, the action flag and the scope. */
function expectRecipients(rows: Notification[], recipients: number[], link: string, action: boolean, scope: string | null) {
  expect(rows.map((r) => r.recipientId)).toEqual([...new Set(recipients)].sort((a, b) => a - b));
  for (const r of rows) {
    expect({ link: r.link, action: Boolean(r.action), scope: r.scope }).toEqual({ link, action, scope });
    expect(r.subject.length).toBeGreaterThan(0);
    expect(r.body.length).toBeGreaterThan(0);
  }
}
const paramsOf = (n: Notification) => JSON.parse(n.params ?? '{}') as Record<string, unknown>;

describe('issue 13, paper side: who is told what, once', () => {
  test('R-PRINT-APPROVE: a new print request tells every approver of the project (never the requester); the decision tells the requester', async () => {
    const P = `project:${o.project}`;
    const created = await post(o.staff, '/api/v1/print-requests', { project: o.project, purpose: `Owner meeting ${quoting}`, customerIds: [customerId], copies: 2, usageDays: 5, includePersonal: true });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    // print_request:approve in the project: its two managers and the head of its department.
    const pending = await notes('print_request.pending', id);
    expectRecipients(pending, [o.pm.id, o.pm2.id, o.head.id], '/print-requests', true, P);
    expect(pending.map((n) => n.dedupeKey)).toEqual(pending.map((n) => `print_request.pending:${id}:user:${n.recipientId}`));
    expect(paramsOf(pending[0])).toEqual({ requestId: id, project: o.project, requester: o.staff.username, copies: 2, usageDays: 5 });

    expect(pending.every((n) => n.readAt === null)).toBe(true);

    expect((await post(o.pm, `/api/v1/print-requests/${id}/approve`, { note: `ok ${quoting}` })).status).toBe(200);
    expectRecipients(await notes('print_request.approved', id), [o.staff.id], '/copies', false, P);
    // Decided: every approver's request to approve is settled (read), the others' included.
    expect((await notes('print_request.pending', id)).every((n) => n.readAt !== null)).toBe(true);
    expect(await notes('print_request.rejected', id)).toEqual([]);

    // A manager's own request: the other approvers only; a rejection tells the requester, without the reason.
    const own = await post(o.pm, '/api/v1/print-requests', { project: o.project, purpose: 'Notice board', customerIds: [customerId], copies: 1, usageDays: 1, includePersonal: false });
    expectRecipients(await notes('print_request.pending', own.body.id), [o.pm2.id, o.head.id], '/print-requests', true, P);
    expect((await post(o.head, `/api/v1/print-requests/${own.body.id}/reject`, { reason: `not needed ${quoting}` })).status).toBe(200);
    const rejected = await notes('print_request.rejected', own.body.id);
    expectRecipients(rejected, [o.pm.id], '/print-requests', false, P);
    expect(paramsOf(rejected[0])).toEqual({ requestId: own.body.id, project: o.project, approver: o.head.username });
    expect((await notes('print_request.pending', own.body.id)).every((n) => n.readAt !== null)).toBe(true);

    // Withdrawn by the requester: the approvers are no longer asked; another request's messages stay unread.
    const third = await post(o.staff, '/api/v1/print-requests', { project: o.project, purpose: 'Meeting', customerIds: [customerId], copies: 1, usageDays: 1, includePersonal: false });
    const fourth = await post(o.staff, '/api/v1/print-requests', { project: o.project, purpose: 'Meeting', customerIds: [customerId], copies: 1, usageDays: 1, includePersonal: false });
    expect((await post(o.staff, `/api/v1/print-requests/${third.body.id}/cancel`, {})).status).toBe(200);
    expect((await notes('print_request.pending', third.body.id)).every((n) => n.readAt !== null)).toBe(true);
    const untouched = await notes('print_request.pending', fourth.body.id);
    expect(untouched.length).toBe(3);
    expect(untouched.every((n) => n.readAt === null)).toBe(true);
  });

  test('R-NO-PAPER: the named witness of a destruction and the named keeper of a return are asked to confirm (action); a decline tells the holder', async () => {
    const P = `project:${o.project}`;
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const destroyed = await post(o.staff, `/api/v1/copies/${c.serial}/destroy`, { method: 'shredding', place: `Room of ${cust.name}`, note: quoting, witnessUserId: o.pm.id });
    expect(destroyed.status).toBe(200);
    const asked = await notes('confirmation.requested', c.serial);
    expectRecipients(asked, [o.pm.id], `/copies/${c.serial}`, true, P);
    expect(asked[0].readAt).toBeNull();
    expect(paramsOf(asked[0])).toMatchObject({ act: 'copy_destruction', serial: c.serial, project: o.project, requester: o.staff.username });

    expect((await post(o.pm, `/api/v1/copies/${c.serial}/destruction/decline`, { reason: `I was not there, ask ${cust.name}` })).status).toBe(200);
    // Decided (declined): the witness's request to confirm is settled.
    expect((await notes('confirmation.requested', c.serial))[0].readAt).not.toBeNull();
    const declined = await notes('confirmation.declined', c.serial);
    expectRecipients(declined, [o.staff.id], `/copies/${c.serial}`, false, P);
    expect(paramsOf(declined[0])).toMatchObject({ act: 'copy_destruction', serial: c.serial, confirmer: o.pm.username });

    expect((await post(o.staff, `/api/v1/copies/${c.serial}/return`, { keeperUserId: o.pm2.id, note: quoting })).status).toBe(200);
    const keeper = (await notes('confirmation.requested', c.serial)).filter((n) => n.recipientId === o.pm2.id);
    expectRecipients(keeper, [o.pm2.id], `/copies/${c.serial}`, true, P);
    expect(paramsOf(keeper[0])).toMatchObject({ act: 'copy_return' });
  });

  test('R-NO-PAPER: the daily job tells the holder and the supervisors once when a copy expires within two days, then daily once it is overdue', async () => {
    const P = `project:${o.project}`;
    const tz = t.ctx.config.timezone;
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const day1 = periodFromKey(copiesOverdueJob, '2026-12-10', tz)!;
    // Expires a day after the run: expiring.
    await t.ctx.db.manager.getRepository(ControlledCopy).update({ id: c.id }, { expiresAt: new Date(day1.dueAt.getTime() + DAY) });
    const everyone = [o.staff.id, o.pm.id, o.pm2.id, o.head.id];
    const run = (key: string) => t.ctx.jobs.find(copiesOverdueJob.name).run(periodFromKey(copiesOverdueJob, key, tz)!);
    await run('2026-12-10');
    await run('2026-12-10');
    expectRecipients(await notes('copy.expiring', c.serial), everyone, `/copies/${c.serial}`, false, P);
    expect(await notes('copy.overdue', c.serial)).toEqual([]);
    // The day after expiry: overdue, daily; the expiring reminder is not repeated.
    await run('2026-12-12');
    await run('2026-12-12');
    await run('2026-12-13');
    expect(await notes('copy.expiring', c.serial)).toHaveLength(everyone.length);
    const overdue = await notes('copy.overdue', c.serial);
    expect(overdue).toHaveLength(2 * everyone.length);
    for (const day of ['2026-12-12', '2026-12-13']) {
      expectRecipients(
        overdue.filter((n) => n.dedupeKey.includes(`:${day}:`)),
        everyone,
        `/copies/${c.serial}`,
        false,
        P,
      );
    }
  });

  test('R-HANDOVER-HOLD: a delegation tells the clerk; the witness named for a destruction is asked to confirm (action)', async () => {
    const P = `project:${o.project}`;
    const f = await heldFile(t, o, o.pm, `${cust.name}-owners.csv`, ownersCsv());
    const d = await post(o.pm, `/api/v1/handover-files/${f.id}/delegations`, { clerkUserId: o.clerk.id, days: 3 });
    expect(d.status).toBe(201);
    const told = await notes('handover.delegated', f.id);
    expectRecipients(told, [o.clerk.id], '/handover/delegated', false, P);
    expect(paramsOf(told[0])).toMatchObject({ fileId: f.id, serial: `HF-${f.id}`, project: o.project, holder: o.pm.username });

    const destroy = await post(o.pm, `/api/v1/handover-files/${f.id}/destroy`, { witnessUserId: o.pm2.id, reason: `duplicate of ${cust.name}` });
    expect(destroy.status).toBe(200);
    const asked = await notes('confirmation.requested', f.id);
    expectRecipients(asked, [o.pm2.id], '/handover/witness', true, P);
    expect(paramsOf(asked[0])).toMatchObject({ act: 'handover_destruction', serial: `HF-${f.id}` });
    expect((await post(o.pm2, `/api/v1/handover-files/${f.id}/destruction/decline`, { reason: `not with ${cust.name}` })).status).toBe(200);
    expectRecipients(await notes('confirmation.declined', f.id), [o.pm.id], `/handover/${f.id}`, false, P);
  });

  test('R-HANDOVER-DESTROY: the daily job tells the holder once that a file is due for destruction, then daily once it is overdue; an expired delegation daily', async () => {
    const P = `project:${o.project}`;
    const tz = t.ctx.config.timezone;
    const day = periodFromKey(handoverOverdueJob, '2026-12-20', tz)!;
    const files = t.ctx.db.manager.getRepository(HandoverFile);
    const due = await heldFile(t, o, o.pm);
    const late = await heldFile(t, o, o.pm);
    const lent = await heldFile(t, o, o.pm);
    await files.update({ id: due.id }, { status: 'pending_destruction', confirmedAt: new Date(day.dueAt.getTime() - 6 * DAY), destructionDeadline: new Date(day.dueAt.getTime() + DAY) });
    await files.update({ id: late.id }, { status: 'pending_destruction', confirmedAt: new Date(day.dueAt.getTime() - 8 * DAY), destructionDeadline: new Date(day.dueAt.getTime() - DAY) });
    const grant = await t.ctx.handover.delegate(actorOf(o.pm), lent, { clerkUserId: o.clerk.id, days: 1 });
    await t.ctx.db.manager.getRepository(HandoverDelegation).update({ id: grant.id }, { expiresAt: new Date(day.dueAt.getTime() - 60_000) });

    const run = (key: string) => t.ctx.jobs.find(handoverOverdueJob.name).run(periodFromKey(handoverOverdueJob, key, tz)!);
    await run('2026-12-20');
    await run('2026-12-20');
    expectRecipients(await notes('handover.destruction_due', due.id), [o.pm.id], `/handover/${due.id}`, false, P);
    expect(await notes('handover.destruction_overdue', due.id)).toEqual([]);
    expectRecipients(await notes('handover.destruction_overdue', late.id), [o.pm.id], `/handover/${late.id}`, false, P);
    expect(await notes('handover.destruction_due', late.id)).toEqual([]);
    const expired = await notes('handover.delegation_expired', lent.id);
    expectRecipients(expired, [o.pm.id], `/handover/${lent.id}`, false, P);
    expect(paramsOf(expired[0])).toMatchObject({ delegations: String(grant.id) });

    await run('2026-12-21');
    expect(await notes('handover.destruction_due', due.id)).toHaveLength(1);
    expect(await notes('handover.destruction_overdue', late.id)).toHaveLength(2);
    expect(await notes('handover.delegation_expired', lent.id)).toHaveLength(2);
  });

  test('R-EXTERNAL: a release request tells the general manager (action), never the requester; the decision tells the requester', async () => {
    const P = `project:${o.project}`;
    const req = await post(itadm, '/api/v1/external-releases', { project: o.project, recipient: `${cust.name} c/o City Gas`, purpose: `meter check at ${cust.unit}`, fields: ['phones'], format: 'csv' });
    expect(req.status).toBe(201);
    const pending = await notes('release.pending', req.body.id);
    expectRecipients(pending, [gm.id], '/admin/releases', true, P);
    expect(paramsOf(pending[0])).toEqual({ releaseId: req.body.id, project: o.project, requester: itadm.username, format: 'csv', fields: 1 });
    expect((await post(gm, `/api/v1/external-releases/${req.body.id}/approve`, { note: `fine, ${cust.phone}` })).status).toBe(200);
    const decided = await notes('release.decided', req.body.id);
    expectRecipients(decided, [itadm.id], '/admin/releases', false, P);
    expect(paramsOf(decided[0])).toMatchObject({ decision: 'approved', decidedBy: gm.username });

    const other = await post(itadm, '/api/v1/external-releases', { project: o.project, recipient: 'Water Co.', purpose: 'meter check', fields: ['phones'] });
    expect((await post(gm, `/api/v1/external-releases/${other.body.id}/reject`, { reason: `no, ${cust.name}` })).status).toBe(200);
    const rejected = await notes('release.decided', other.body.id);
    expectRecipients(rejected, [itadm.id], '/admin/releases', false, P);
    expect(paramsOf(rejected[0])).toMatchObject({ decision: 'rejected', availableUntil: '' });
  });

  test('issue 13: no notification written above carries the customer name, phone, ID number or unit (subject, body, params, link)', async () => {
    const rows = await repo().find();
    expect(rows.length).toBeGreaterThan(20);
    const kinds = new Set(rows.map((r) => r.kind));
    for (const k of ['print_request.pending', 'print_request.approved', 'print_request.rejected', 'confirmation.requested', 'confirmation.declined', 'copy.expiring', 'copy.overdue']) {
      expect(kinds).toContain(k);
    }
    for (const k of ['handover.delegated', 'handover.destruction_due', 'handover.destruction_overdue', 'handover.delegation_expired', 'release.pending', 'release.decided']) {
      expect(kinds).toContain(k);
    }
    for (const r of rows) {
      const text = [r.subject, r.body, r.params ?? '', r.link ?? ''].join('\n');
      for (const value of Object.values(cust)) expect({ kind: r.kind, leaks: text.includes(value) }).toEqual({ kind: r.kind, leaks: false });
      expect(r.params).not.toBeNull();
    }
  });
});
