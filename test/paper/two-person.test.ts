import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { Notification } from '../../src/entities/Notification';
import { Project } from '../../src/entities/Project';
import { TwoPersonConfirmation } from '../../src/entities/TwoPersonConfirmation';
import { ConfigError, loadConfig } from '../../src/config/env';
import { makePhone, makeUser } from '../helpers/factories';
import { actorOf, confirmedReturn, makeCopy, makeCustomers, makeIssuedCopies, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TEST_BLIND_INDEX_KEY, TEST_DATA_KEY, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

/*
 * R-NO-PAPER (§5.2.1), issue 11 item 3: the two-person rule is witnessed, not asserted. A
 * destruction of a controlled copy, and a return to a keeper, are two acts by two people: one
 * records it naming the second person, who confirms it (or declines it, with a reason) from their
 * own session before it lapses. Until then nothing has happened to the copy.
 */

let t: TestApp;
let o: PaperOrg;
beforeAll(async () => {
  t = await startTestApp();
  o = await makePaperOrg(t);
});
afterAll(async () => {
  await t?.close();
});

const m = () => t.ctx.db.manager;
const post = (path: string, u: { auth: string }, body?: object) => {
  const call = t.http().post(path).set('Authorization', u.auth);
  return body === undefined ? call : call.send(body);
};
const get = (path: string, u: { auth: string }, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', u.auth);
const copyRow = (serial: string) => m().getRepository(ControlledCopy).findOneByOrFail({ serial });
const eventsOf = (serial: string) => m().getRepository(AuditEvent).find({ where: { objectType: 'controlled_copy', objectId: serial }, order: { seq: 'ASC' } });
const headSeq = async () => (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;
const destroyBody = (witness: { id: number }, extra: object = {}) => ({ method: 'shredding', place: 'Service centre shredder room', witnessUserId: witness.id, ...extra });
/** Everything a refused or failed call on a copy could have changed. */
const snapshot = async (serial: string) => ({
  copy: await copyRow(serial),
  confirmations: await m().getRepository(TwoPersonConfirmation).find({ where: { objectId: serial }, order: { id: 'ASC' } }),
  notifications: await m().getRepository(Notification).count(),
});
/** Makes the copy's pending confirmation lapse (as if CONFIRMATION_TTL_HOURS had passed). */
async function lapse(serial: string) {
  const c = await copyRow(serial);
  const past = new Date(Date.now() - 60_000);
  await m().getRepository(TwoPersonConfirmation).update({ id: c.confirmationId! }, { dueAt: past });
  await m().getRepository(ControlledCopy).update({ id: c.id }, { confirmationDueAt: past });
}

describe('destruction before a witness who confirms it (R-NO-PAPER)', () => {
  test('R-NO-PAPER: a recorded destruction is pending_witness and not destroyed until the named witness confirms it from their own session; the witness is notified without customer information and finds it in their confirmations', async () => {
    const phone = makePhone();
    const customers = await makeCustomers(t, o.project, 2, '劉');
    const { copies } = await makeIssuedCopies(t, o.staff, o.pm, o.project, { signed: true, purpose: `Owners meeting ${phone}`, customerIds: customers.map((x) => x.id) });
    const c = copies[0];
    const res = await post(`/api/v1/copies/${c.serial}/destroy`, o.staff, destroyBody(o.pm, { note: `shredded the list of owner ${phone}` }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'pending_witness',
      destroyedAt: null,
      destroyedBy: null,
      witness: null,
      witnessConfirmedAt: null,
      confirmation: { kind: 'copy_destruction', role: 'witness', state: 'pending', serial: c.serial, requestedBy: { id: o.staff.id }, confirmer: { id: o.pm.id }, method: 'shredding', place: 'Service centre shredder room' },
    });
    const conf = res.body.confirmation;
    expect(new Date(conf.dueAt).getTime() - new Date(conf.requestedAt).getTime()).toBe(t.ctx.config.confirmationTtlHours * 3_600_000);
    expect(t.ctx.config.confirmationTtlHours).toBe(72);
    // The copy stays on the ledger as not destroyed.
    expect(await copyRow(c.serial)).toMatchObject({ status: 'issued', destroyedAt: null, destructionMethod: null, witnessUserId: null, pendingAct: 'destruction' });
    const pendingList = await get('/api/v1/copies', o.pm2, { project: o.project, status: 'pending_witness' });
    expect(pendingList.body.items.map((x: { serial: string }) => x.serial)).toContain(c.serial);
    expect((await get('/api/v1/copies', o.pm2, { project: o.project, status: 'destroyed' })).body.items.map((x: { serial: string }) => x.serial)).not.toContain(c.serial);
    expect((await get('/api/v1/copies', o.pm2, { project: o.project, status: 'issued' })).body.items.map((x: { serial: string }) => x.serial)).not.toContain(c.serial);

    // The witness is told, by serial and project: not the purpose, the note, the place or any customer.
    const notes = await get('/api/v1/me/notifications', o.pm, { kind: 'confirmation.requested' });
    const note = notes.body.items.find((n: { objectId: string }) => n.objectId === c.serial);
    expect(note).toMatchObject({ objectType: 'controlled_copy', subject: expect.stringContaining(c.serial), link: `/copies/${c.serial}`, action: true });
    expect(note.body).toContain(o.project);
    expect(note.body).toContain(o.staff.username);
    for (const secret of [phone, 'Owners meeting', 'shredder room', ...customers.flatMap((x) => [x.name, x.phone])]) {
      expect(`${note.subject} ${note.body}`).not.toContain(secret);
    }
    // ...and finds it among what waits for them; nobody else does.
    const mine = await get('/api/v1/me/confirmations', o.pm);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ serial: c.serial, kind: 'copy_destruction', state: 'pending', requestedBy: expect.objectContaining({ id: o.staff.id }) })]));
    expect((await get('/api/v1/me/confirmations', o.staff)).body.items.map((x: { serial: string }) => x.serial)).not.toContain(c.serial);

    // Meanwhile nothing else happens to the copy: no printout, return, loss report or second destruction.
    const before = await snapshot(c.serial);
    for (const [path, body] of [
      ['return', { keeperUserId: o.pm2.id }],
      ['report-lost', { description: 'cannot find it any more' }],
      ['destroy', destroyBody(o.pm2)],
    ] as const) {
      const r = await post(`/api/v1/copies/${c.serial}/${path}`, o.staff, body);
      expect({ path, status: r.status, code: r.body.error.code }).toEqual({ path, status: 409, code: 'confirmation_pending' });
    }
    expect((await t.http().get(`/api/v1/copies/${c.serial}/pdf`).set('Authorization', o.staff.auth)).status).toBe(409);
    expect(await snapshot(c.serial)).toEqual(before);

    // The witness confirms: now it is destroyed, with the destroyer's method, time and place and the witness's confirmation.
    const done = await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'destroyed', destroyedBy: { id: o.staff.id }, witness: { id: o.pm.id }, destructionMethod: 'shredding', destructionPlace: 'Service centre shredder room', confirmation: null });
    expect(done.body.destroyedAt).toBe(conf.actedAt);
    expect(new Date(done.body.witnessConfirmedAt).getTime()).toBeGreaterThanOrEqual(new Date(conf.requestedAt).getTime());
    expect((await get('/api/v1/me/confirmations', o.pm)).body.items.map((x: { serial: string }) => x.serial)).not.toContain(c.serial);
    const history = await get('/api/v1/me/confirmations', o.pm, { all: 'true' });
    expect(history.body.items.find((x: { serial: string }) => x.serial === c.serial)).toMatchObject({ state: 'confirmed', decidedAt: expect.any(String) });
    // Two acts, two people, each in the trail as its own actor.
    const events = (await eventsOf(c.serial)).filter((e) => ['copy.destruction_requested', 'copy.destroyed'].includes(e.action));
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['copy.destruction_requested', o.staff.id],
      ['copy.destroyed', o.pm.id],
    ]);
    expect(JSON.stringify(events)).not.toContain(phone);
  });

  test('R-NO-PAPER: only the named witness may confirm or decline: another supervisor is refused (403 not_confirmer, audited), someone without controlled_copy:witness gets 403 naming it; nothing changes', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, o.staff, destroyBody(o.pm))).status).toBe(200);
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    for (const [u, action] of [
      [o.pm2, 'confirm'],
      [o.head, 'confirm'],
      [o.pm2, 'decline'],
    ] as const) {
      const before = await snapshot(c.serial);
      const seq = await headSeq();
      const r = await post(`/api/v1/copies/${c.serial}/destruction/${action}`, u, action === 'decline' ? { reason: 'I did see it, honestly' } : {});
      expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 403, code: 'not_confirmer' });
      expect(await snapshot(c.serial)).toEqual(before);
      const [refusal] = (await eventsOf(c.serial)).filter((e) => e.seq > seq);
      expect(refusal).toMatchObject({ action: 'copy.destruction_confirmation_refused', decision: 'deny', actorId: u.id });
    }
    // The holder who recorded it, a colleague, the clerk: no controlled_copy:witness at all.
    for (const u of [o.staff, colleague, o.clerk]) {
      const before = await snapshot(c.serial);
      const r = await post(`/api/v1/copies/${c.serial}/destruction/confirm`, u, {});
      expect({ status: r.status, permission: r.body.error.details.permission }).toEqual({ status: 403, permission: 'controlled_copy:witness' });
      expect(await snapshot(c.serial)).toEqual(before);
    }
    // No return was recorded: nothing for a keeper to confirm. An unknown copy is 404.
    const noReturn = await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm, {});
    expect({ status: noReturn.status, code: noReturn.body.error.code }).toEqual({ status: 409, code: 'nothing_to_confirm' });
    expect((await post('/api/v1/copies/CC-0000-99996/destruction/confirm', o.pm, {})).status).toBe(404);
    expect((await copyRow(c.serial)).status).toBe('issued');
  });

  test('R-NO-PAPER: a declined destruction leaves the copy as it was (kept by its keeper), keeps the reason on record, tells whoever recorded it; confirming it afterwards is 409 and it can be recorded again', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    await confirmedReturn(t, o.staff, o.pm, c.serial);
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, o.pm, destroyBody(o.head, { method: 'burning' }))).status).toBe(200);
    const noReason = await post(`/api/v1/copies/${c.serial}/destruction/decline`, o.head, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.map((d: { path: string }) => d.path)).toContain('body.reason');
    const reason = 'I was in another meeting; the box was still full';
    const declined = await post(`/api/v1/copies/${c.serial}/destruction/decline`, o.head, { reason });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'returned', returnedTo: { id: o.pm.id }, destroyedAt: null, witness: null, confirmation: null });
    const row = await copyRow(c.serial);
    expect(row).toMatchObject({ status: 'returned', returnedToUserId: o.pm.id, pendingAct: null, confirmationId: null, destroyedAt: null });
    const stored = await m().getRepository(TwoPersonConfirmation).findOneByOrFail({ objectId: c.serial, kind: 'copy_destruction' });
    expect(stored).toMatchObject({ state: 'declined', declineReason: reason, confirmerId: o.head.id });
    // The keeper who recorded it is told; the reason stays on the record, out of the message and of the trail.
    const told = await m().getRepository(Notification).findOneByOrFail({ recipientId: o.pm.id, kind: 'confirmation.declined', objectId: c.serial });
    expect(`${told.subject} ${told.body} ${told.params}`).not.toContain('another meeting');
    const [ev] = (await eventsOf(c.serial)).filter((e) => e.action === 'copy.destruction_declined');
    expect(ev).toMatchObject({ actorId: o.head.id });
    expect(ev.after).toMatchObject({ reasonGiven: true, confirmationId: stored.id });
    expect(JSON.stringify(ev)).not.toContain('another meeting');
    // Too late to confirm it now.
    const late = await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.head, {});
    expect({ status: late.status, code: late.body.error.code }).toEqual({ status: 409, code: 'already_declined' });
    // The keeper records it again, this time before someone who saw it.
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, o.pm, destroyBody(o.pm2))).body.status).toBe('pending_witness');
    expect((await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm2, {})).body).toMatchObject({ status: 'destroyed', witness: { id: o.pm2.id }, destroyedBy: { id: o.pm.id } });
  });

  test('R-NO-PAPER: confirming twice is 409 already_confirmed; a confirm and a decline at the same moment: exactly one wins, one decision on record', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, o.staff, destroyBody(o.pm))).status).toBe(200);
    const [a, b] = await Promise.all([
      post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm, {}),
      post(`/api/v1/copies/${c.serial}/destruction/decline`, o.pm, { reason: 'changed my mind' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(['already_confirmed', 'already_declined']).toContain(loser.body.error.code);
    const decisions = (await eventsOf(c.serial)).filter((e) => ['copy.destroyed', 'copy.destruction_declined'].includes(e.action));
    expect(decisions).toHaveLength(1);
    const row = await copyRow(c.serial);
    expect(row.status).toBe(decisions[0].action === 'copy.destroyed' ? 'destroyed' : 'issued');
    expect((await m().getRepository(TwoPersonConfirmation).findOneByOrFail({ objectId: c.serial })).state).toBe(decisions[0].action === 'copy.destroyed' ? 'confirmed' : 'declined');
    // Once decided, deciding again is 409 either way.
    const again = await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe(decisions[0].action === 'copy.destroyed' ? 'already_confirmed' : 'already_declined');
  });

  test('R-NO-PAPER: an unconfirmed destruction lapses after CONFIRMATION_TTL_HOURS: the ledger shows confirmation_expired, the witness can no longer confirm (409), offboarding stays blocked, the holder records it again', async () => {
    const holder = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const c = await makeCopy(t, holder, o.pm, o.project, { signed: true });
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, holder, destroyBody(o.pm))).status).toBe(200);
    const first = (await copyRow(c.serial)).confirmationId!;
    await lapse(c.serial);
    const view = await get(`/api/v1/copies/${c.serial}`, o.pm2);
    expect(view.body).toMatchObject({ status: 'confirmation_expired', destroyedAt: null, confirmation: { id: first, state: 'expired' } });
    const expired = await get('/api/v1/copies', o.pm2, { project: o.project, status: 'confirmation_expired' });
    expect(expired.body.items.map((x: { serial: string }) => x.serial)).toContain(c.serial);
    expect((await get('/api/v1/copies', o.pm2, { project: o.project, status: 'pending_witness' })).body.items.map((x: { serial: string }) => x.serial)).not.toContain(c.serial);
    expect((await get('/api/v1/me/confirmations', o.pm)).body.items.map((x: { id: number }) => x.id)).not.toContain(first);
    const late = await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm, {});
    expect({ status: late.status, code: late.body.error.code }).toEqual({ status: 409, code: 'confirmation_expired' });
    const lateDecline = await post(`/api/v1/copies/${c.serial}/destruction/decline`, o.pm, { reason: 'too late anyway' });
    expect(lateDecline.status).toBe(409);
    expect((await copyRow(c.serial)).status).toBe('issued');
    // Not destroyed: the holder still holds it.
    const offboard = await t.http().post(`/api/v1/users/${holder.id}/offboard`).set('Authorization', `Bearer ${t.admin.token}`).send({ reason: 'left' });
    expect(offboard.status).toBe(409);
    expect(JSON.stringify(offboard.body.error.details.holdings)).toContain(`${c.serial}`);
    expect(JSON.stringify(offboard.body.error.details.holdings)).toContain('lapsed');
    // The holder starts again with another witness; the lapsed one is closed as expired.
    const again = await post(`/api/v1/copies/${c.serial}/destroy`, holder, destroyBody(o.pm2));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'pending_witness', confirmation: { state: 'pending', confirmer: { id: o.pm2.id } } });
    expect((await m().getRepository(TwoPersonConfirmation).findOneByOrFail({ id: first })).state).toBe('expired');
    expect((await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm2, {})).body.status).toBe('destroyed');
  });

  test('R-NO-PAPER: CONFIRMATION_TTL_HOURS sets how long a confirmation stays open: 72 hours by default, at least 1', () => {
    const base = { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, DATA_KEY: TEST_DATA_KEY, BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY, DATABASE_URL: 'sqlite::memory:' };
    expect(loadConfig(base).confirmationTtlHours).toBe(72);
    expect(loadConfig({ ...base, CONFIRMATION_TTL_HOURS: '5' }).confirmationTtlHours).toBe(5);
    for (const bad of ['0', '-1', '1.5', 'soon']) expect(() => loadConfig({ ...base, CONFIRMATION_TTL_HOURS: bad })).toThrow(ConfigError);
  });
});

describe('return to a keeper who confirms receipt (R-NO-PAPER)', () => {
  test('R-NO-PAPER: a return completes only when the named keeper confirms receipt: until then the copy stays out with its recipient (pending_receipt); a declined return leaves it there; anyone else is refused', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const res = await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending_receipt', returnedAt: null, returnedTo: null, confirmation: { kind: 'copy_return', role: 'keeper', confirmer: { id: o.pm.id } } });
    expect(await copyRow(c.serial)).toMatchObject({ status: 'issued', returnedToUserId: null, pendingAct: 'return' });
    // Still the recipient's: offboarding-wise and for everything else.
    expect((await t.ctx.copies.heldBy(m(), o.staff.id)).map((h) => h.id)).toContain(c.serial);
    expect((await t.ctx.copies.heldBy(m(), o.pm.id)).map((h) => h.id)).not.toContain(c.serial);
    expect((await m().getRepository(Notification).findOneByOrFail({ recipientId: o.pm.id, kind: 'confirmation.requested', objectId: c.serial })).subject).toContain(c.serial);
    const other = await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm2, {});
    expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 403, code: 'not_confirmer' });
    // Nothing to confirm on the destruction side.
    expect((await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm, {})).body.error.code).toBe('nothing_to_confirm');
    // The keeper never got it: declined, and the copy is with its recipient as before.
    const declined = await post(`/api/v1/copies/${c.serial}/return/decline`, o.pm, { reason: 'nothing was handed to me' });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'issued', returnedTo: null, confirmation: null });
    expect((await eventsOf(c.serial)).map((e) => e.action)).toEqual(expect.arrayContaining(['copy.return_requested', 'copy.return_confirmation_refused', 'copy.return_declined']));

    // Handed over for real, to another keeper, who confirms: returned, kept by them.
    const again = await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm2.id });
    expect(again.status).toBe(200);
    const received = await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm2, {});
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ status: 'returned', returnedTo: { id: o.pm2.id }, returnedAt: again.body.confirmation.requestedAt });
    expect(new Date(received.body.keeperConfirmedAt).getTime()).toBeGreaterThanOrEqual(new Date(received.body.returnedAt).getTime());
    expect((await t.ctx.copies.heldBy(m(), o.pm2.id)).map((h) => h.id)).toContain(c.serial);
    expect((await t.ctx.copies.heldBy(m(), o.staff.id)).map((h) => h.id)).not.toContain(c.serial);
    const twice = await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm2, {});
    expect({ status: twice.status, code: twice.body.error.code }).toEqual({ status: 409, code: 'already_confirmed' });
  });
});

describe('lapsed confirmations in the monthly indicators (R-NO-PAPER)', () => {
  test('R-NO-PAPER: destructions and returns whose witness or keeper let them lapse count as copy_confirmations_expired in the period the lapse falls in; confirmed, declined and still-open ones do not', async () => {
    const org = await makePaperOrg(t);
    const projectId = (await m().getRepository(Project).findOneByOrFail({ code: org.project })).id;
    const [lapsedDestruction, lapsedReturn, open, confirmed, declined] = await Promise.all(
      [0, 1, 2, 3, 4].map(() => makeCopy(t, org.staff, org.pm, org.project, { signed: true })),
    );
    for (const c of [lapsedDestruction, open, confirmed, declined]) {
      await t.ctx.copies.destroy(actorOf(org.staff), await t.ctx.copies.loadBySerial(c.serial), { method: 'shredding', place: 'Service centre', witnessUserId: org.pm.id });
    }
    await t.ctx.copies.returnCopy(actorOf(org.staff), await t.ctx.copies.loadBySerial(lapsedReturn.serial), { keeperUserId: org.pm.id });
    await t.ctx.copies.decide(actorOf(org.pm), await t.ctx.copies.loadBySerial(confirmed.serial), 'destruction', 'confirmed');
    await t.ctx.copies.decide(actorOf(org.pm), await t.ctx.copies.loadBySerial(declined.serial), 'destruction', 'declined', 'not seen');
    for (const c of [lapsedDestruction, lapsedReturn]) await lapse(c.serial);
    const now = Date.now();
    const value = async (from: number, to: number, asOf: number) =>
      (await t.ctx.indicators.compute({ projectIds: [projectId] }, new Date(from), new Date(to), new Date(asOf))).find((i) => i.key === 'copy_confirmations_expired');
    expect(await value(now - 3_600_000, now + 3_600_000, now)).toEqual(expect.objectContaining({ value: 2, requirement: 'R-NO-PAPER' }));
    // Not yet lapsed as of an earlier moment; not in a period before the lapse.
    expect((await value(now - 3_600_000, now + 3_600_000, now - 30 * 60_000))!.value).toBe(0);
    expect((await value(now - 7_200_000, now - 3_600_000, now))!.value).toBe(0);
  });
});
