import { MoreThan } from 'typeorm';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { Incident } from '../../src/entities/Incident';
import { PrintRequest } from '../../src/entities/PrintRequest';
import { TwoPersonConfirmation } from '../../src/entities/TwoPersonConfirmation';
import { makePhone } from '../helpers/factories';
import { makeCopy, makeCustomers, makePaperOrg, makePrintRequest, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/*
 * R-AUDIT: the audit trail cannot be altered, so nothing a user types that may quote customer
 * data (a phone number in a note) goes into it verbatim. The free text stays in the record
 * (copy, incident, print request); the event says only that a text was given, or holds the
 * purpose with phone numbers, ID numbers and emails removed.
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
const post = (path: string, u: { auth: string }, body: object) => t.http().post(path).set('Authorization', u.auth).send(body);
const headSeq = async () => (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;
/** Every audit event written since `seq`, as the text an auditor could read out of the trail. */
const trailSince = async (seq: number) => JSON.stringify(await m().getRepository(AuditEvent).find({ where: { seq: MoreThan(seq) }, order: { seq: 'ASC' } }));
const eventsSince = (seq: number, objectId: string | number) => m().getRepository(AuditEvent).find({ where: { seq: MoreThan(seq), objectId: String(objectId) }, order: { seq: 'ASC' } });

describe('free text stays out of the audit trail (R-AUDIT)', () => {
  test('R-AUDIT: a phone number typed into a lost-copy description, a return note, a destruction note or place, or a witness\'s decline reason is kept on the record but never written to the audit trail', async () => {
    const phone = makePhone();
    const lost = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const destroyed = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const returned = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const seq = await headSeq();

    const l = await post(`/api/v1/copies/${lost.serial}/report-lost`, o.staff, { description: `lost on the bus; the owner ${phone} has been told` });
    expect(l.status).toBe(200);
    const d = await post(`/api/v1/copies/${destroyed.serial}/destroy`, o.staff, {
      method: 'shredding',
      witnessUserId: o.pm.id,
      note: `shredded; owner tel ${phone}`,
      place: `flat of owner ${phone}`,
    });
    expect(d.status).toBe(200);
    // R-NO-PAPER: the first witness named declines (saying why, with the phone again); the second confirms.
    expect((await post(`/api/v1/copies/${destroyed.serial}/destruction/decline`, o.pm, { reason: `I only saw the cover page; ask ${phone}` })).status).toBe(200);
    expect((await post(`/api/v1/copies/${destroyed.serial}/destroy`, o.staff, { method: 'shredding', witnessUserId: o.pm2.id, note: `shredded; owner tel ${phone}`, place: `flat of owner ${phone}` })).status).toBe(200);
    expect((await post(`/api/v1/copies/${destroyed.serial}/destruction/confirm`, o.pm2, {})).status).toBe(200);
    const r = await post(`/api/v1/copies/${returned.serial}/return`, o.staff, { keeperUserId: o.pm.id, note: `call ${phone} when destroyed` });
    expect(r.status).toBe(200);
    expect((await post(`/api/v1/copies/${returned.serial}/return/confirm`, o.pm, {})).status).toBe(200);

    // The records keep what was typed.
    expect((await m().getRepository(ControlledCopy).findOneByOrFail({ serial: destroyed.serial })).destructionNote).toContain(phone);
    expect((await m().getRepository(ControlledCopy).findOneByOrFail({ serial: destroyed.serial })).destructionPlace).toContain(phone);
    expect((await m().getRepository(TwoPersonConfirmation).findOneByOrFail({ objectId: destroyed.serial, state: 'declined' })).declineReason).toContain(phone);
    expect((await m().getRepository(Incident).findOneByOrFail({ id: l.body.incident.id })).description).toContain(phone);
    // The trail does not: not in the copies' events, not in the incident's, nowhere.
    expect(await trailSince(seq)).not.toContain(phone);
    // It records that a text was given.
    const [destroyEv] = (await eventsSince(seq, destroyed.serial)).filter((e) => e.action === 'copy.destroyed');
    expect(destroyEv.after).toMatchObject({ method: 'shredding', noteGiven: true, placeGiven: true });
    const [declineEv] = (await eventsSince(seq, destroyed.serial)).filter((e) => e.action === 'copy.destruction_declined');
    expect(declineEv.after).toMatchObject({ reasonGiven: true });
    expect(destroyEv.reason).toBeNull();
    const [returnEv] = (await eventsSince(seq, returned.serial)).filter((e) => e.action === 'copy.returned');
    expect(returnEv.after).toMatchObject({ noteGiven: true });
    const [lostEv] = (await eventsSince(seq, lost.serial)).filter((e) => e.action === 'copy.lost');
    expect(lostEv.reason).toBeNull();
    expect(lostEv.after).toMatchObject({ status: 'lost', incidentId: l.body.incident.id });
  });

  test('R-AUDIT: a print request\'s purpose reaches the trail only with the phone number removed; approval, rejection and cancellation notes only as "given"', async () => {
    const phone = makePhone();
    const customers = await makeCustomers(t, o.project, 1);
    const seq = await headSeq();
    const created = await post('/api/v1/print-requests', o.staff, {
      project: o.project,
      purpose: `回訪業主 call back owner on ${phone}`,
      customerIds: customers.map((c) => c.id),
      copies: 1,
      usageDays: 3,
      includePersonal: false,
    });
    expect(created.status).toBe(201);
    expect((await m().getRepository(PrintRequest).findOneByOrFail({ id: created.body.id })).purpose).toContain(phone);
    expect((await post(`/api/v1/print-requests/${created.body.id}/approve`, o.pm, { note: `ok, owner ${phone}` })).status).toBe(200);
    const rejected = await makePrintRequest(t, o.staff, o.project);
    expect((await post(`/api/v1/print-requests/${rejected.id}/reject`, o.pm, { reason: `ask the owner at ${phone} first` })).status).toBe(200);
    const cancelled = await makePrintRequest(t, o.staff, o.project);
    expect((await post(`/api/v1/print-requests/${cancelled.id}/cancel`, o.staff, { note: `owner ${phone} came in person` })).status).toBe(200);

    expect(await trailSince(seq)).not.toContain(phone);
    const [createdEv] = await eventsSince(seq, created.body.id);
    expect(createdEv.action).toBe('print_request.created');
    expect((createdEv.after as { purpose: string }).purpose).toBe('回訪業主 call back owner on [手機已刪除]');
    const decided = await m().getRepository(AuditEvent).find({ where: { seq: MoreThan(seq), objectType: 'print_request' }, order: { seq: 'ASC' } });
    const after = (action: string) => decided.find((e) => e.action === action)!.after;
    expect(after('print_request.approved')).toMatchObject({ status: 'approved', noteGiven: true });
    expect(after('print_request.rejected')).toMatchObject({ status: 'rejected', reasonGiven: true });
    expect(after('print_request.cancelled')).toMatchObject({ status: 'cancelled', noteGiven: true });
    expect(decided.every((e) => e.reason === null)).toBe(true);
  });
});
