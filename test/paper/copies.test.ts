import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { Incident } from '../../src/entities/Incident';
import { Notification } from '../../src/entities/Notification';
import { PrintRequest } from '../../src/entities/PrintRequest';
import { TwoPersonConfirmation } from '../../src/entities/TwoPersonConfirmation';
import { User } from '../../src/entities/User';
import { pdfText } from '../../src/lib/documents';
import { makeUser, MadeUser } from '../helpers/factories';
import { actorOf, binary, makeCopy, makeCustomers, makeIssuedCopies, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let o: PaperOrg;
let inspector: MadeUser;
let adminUser: MadeUser;
beforeAll(async () => {
  t = await startTestApp();
  o = await makePaperOrg(t);
  inspector = await makeUser(t, { roles: [['quality_inspector', '*']] });
  adminUser = await makeUser(t, { roles: [['it_admin', '*']] });
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
const pdf = (serial: string, u: { auth: string }) => t.http().get(`/api/v1/copies/${serial}/pdf`).set('Authorization', u.auth).buffer(true).parse(binary as never);
const copyRow = (serial: string) => m().getRepository(ControlledCopy).findOneByOrFail({ serial });

/** Everything a refused call on a copy could have changed. */
async function snapshot(serial: string) {
  return {
    copy: await copyRow(serial),
    copies: await m().getRepository(ControlledCopy).count(),
    incidents: await m().getRepository(Incident).count(),
    seq: (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
  };
}
const eventsOf = (serial: string) => m().getRepository(AuditEvent).find({ where: { objectType: 'controlled_copy', objectId: serial }, order: { seq: 'ASC' } });
/** Only the audit head moved (a refusal's own event), nothing else. */
function unchangedBut(after: Awaited<ReturnType<typeof snapshot>>, before: Awaited<ReturnType<typeof snapshot>>, events = 0) {
  expect({ ...after, seq: after.seq - events }).toEqual(before);
}

describe('issue and printout (R-NO-PAPER)', () => {
  test('R-NO-PAPER: approval issues one copy per requested copy: unique serial CC-YYMM-NNNNN, recipient = requester, expiry = approval + usage days, awaiting signature', async () => {
    const { request, copies } = await makeIssuedCopies(t, o.staff, o.pm, o.project, { copies: 3, usageDays: 10 });
    expect(copies).toHaveLength(3);
    const approved = await m().getRepository(PrintRequest).findOneByOrFail({ id: request.id });
    for (const [i, c] of copies.entries()) {
      expect(c.serial).toMatch(/^CC-\d{2}\d{2}-\d{5}$/);
      expect(c).toMatchObject({ holderUserId: o.staff.id, status: 'awaiting_signature', copyNumber: i + 1, copiesTotal: 3, signedAt: null });
      expect(c.expiresAt.getTime() - approved.decidedAt!.getTime()).toBe(10 * 24 * 3600 * 1000);
      expect(c.issuedAt.getTime()).toBe(approved.decidedAt!.getTime());
      // Each copy has its own ledger history from the start.
      expect((await eventsOf(c.serial)).map((e) => e.action)).toEqual(['copy.issued']);
    }
    expect(new Set(copies.map((c) => c.serial)).size).toBe(3);
    // Consecutive numbers within the month.
    const nums = copies.map((c) => Number(c.serial.slice(-5)));
    expect(nums).toEqual([nums[0], nums[0] + 1, nums[0] + 2]);
    const res = await get(`/api/v1/copies/${copies[0].serial}`, o.staff);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ serial: copies[0].serial, status: 'awaiting_signature', project: o.project, holder: { id: o.staff.id }, printRequestId: request.id, recordCount: 2 });
  });

  test('R-NO-PAPER: every page of the printout carries 受控文件, the serial and the recipient\'s name (PDF text); personal fields masked unless the recipient may reveal them', async () => {
    const customers = await makeCustomers(t, o.project, 45, '周');
    const ids = customers.map((c) => c.id);
    // Staff asked for personal fields but may not reveal them: masked.
    const staffName = (await m().getRepository(User).findOneByOrFail({ id: o.staff.id })).displayName;
    const { copies } = await makeIssuedCopies(t, o.staff, o.pm, o.project, { customerIds: ids, includePersonal: true });
    const res = await pdf(copies[0].serial, o.staff);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pages = await pdfText(res.body as Buffer);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const text of pages) {
      const flat = text.replace(/\s+/g, '');
      expect(flat).toContain('受控文件');
      expect(flat).toContain(copies[0].serial);
      expect(flat).toContain(staffName);
    }
    const all = pages.join('\n').replace(/\s+/g, '');
    expect(all).toContain(customers[0].name);
    expect(all).not.toContain(customers[0].phone);
    expect(all).toContain(`${customers[0].phone.slice(0, 3)}****${customers[0].phone.slice(-4)}`);
    expect(all).not.toContain(customers[0].idNumber);

    // The clerk may reveal: with includePersonal the clear values are printed.
    const clerkName = (await m().getRepository(User).findOneByOrFail({ id: o.clerk.id })).displayName;
    const clerkCopy = (await makeIssuedCopies(t, o.clerk, o.pm, o.project, { customerIds: ids.slice(0, 3), includePersonal: true })).copies[0];
    const clear = (await pdfText((await pdf(clerkCopy.serial, o.clerk)).body as Buffer)).join('\n').replace(/\s+/g, '');
    expect(clear).toContain(clerkName);
    expect(clear).toContain(customers[0].phone);
    expect(clear).toContain(customers[0].idNumber);
    // Without includePersonal even the clerk's printout is masked.
    const maskedCopy = (await makeIssuedCopies(t, o.clerk, o.pm, o.project, { customerIds: ids.slice(0, 3) })).copies[0];
    const masked = (await pdfText((await pdf(maskedCopy.serial, o.clerk)).body as Buffer)).join('\n').replace(/\s+/g, '');
    expect(masked).not.toContain(customers[0].phone);

    // Each render is audited, saying whether personal fields were printed (never the values).
    const renders = (await eventsOf(clerkCopy.serial)).filter((e) => e.action === 'copy.rendered');
    expect(renders).toHaveLength(1);
    expect(renders[0].after).toMatchObject({ records: 3, personalPrinted: true });
    expect(JSON.stringify(renders[0].after)).not.toContain(customers[0].phone);
  });

  test('R-NO-PAPER: only the recipient downloads the printout (403 not_recipient, audited); not once destroyed (409); an unknown serial is 404', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    for (const u of [o.pm, adminUser]) {
      const before = await snapshot(c.serial);
      const res = await pdf(c.serial, u);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body.toString()).error.code).toBe('not_recipient');
      unchangedBut(await snapshot(c.serial), before, 1);
    }
    expect((await eventsOf(c.serial)).filter((e) => e.action === 'copy.render_refused' && e.decision === 'deny').map((e) => e.actorId)).toEqual([o.pm.id, adminUser.id]);
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, o.staff, { method: 'shredding', place: 'Service centre', witnessUserId: o.pm.id })).status).toBe(200);
    // While the witness has not confirmed, the copy is not destroyed, but it is not printed either.
    const pending = await pdf(c.serial, o.staff);
    expect({ status: pending.status, code: JSON.parse(pending.body.toString()).error.code }).toEqual({ status: 409, code: 'confirmation_pending' });
    expect((await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm)).status).toBe(200);
    const gone = await pdf(c.serial, o.staff);
    expect(gone.status).toBe(409);
    expect((await pdf('CC-0000-99999', o.staff)).status).toBe(404);
    expect((await get('/api/v1/copies/CC-0000-99999', o.staff)).status).toBe(404);
  });

  test('R-NO-PAPER: the expiry in the refusal of an expired printout and in the holdings that block offboarding is local time (Asia/Shanghai), not UTC', async () => {
    const holder = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const c = await makeCopy(t, holder, o.pm, o.project, { signed: true });
    // 2026-03-31 16:30 UTC is 1 April 00:30 in Shanghai.
    await m().getRepository(ControlledCopy).update({ id: c.id }, { expiresAt: new Date('2026-03-31T16:30:00Z') });
    const res = await pdf(c.serial, holder);
    expect(res.status).toBe(409);
    const error = JSON.parse((res.body as Buffer).toString()).error;
    expect(error.code).toBe('copy_expired');
    expect(error.message).toContain('2026-04-01 00:30');
    expect(error.message).not.toContain('2026-03-31T16:30');
    const holdings = await t.ctx.copies.heldBy(m(), holder.id);
    expect(holdings.map((h) => h.description)).toEqual([expect.stringContaining('expires 2026-04-01 00:30 Asia/Shanghai')]);
  });

  test('R-NO-PAPER: a reprint is allowed but never silent: each download is numbered on every page (第 n 次打印 / print n), on the copy and in its audit event; refused downloads take no number', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    const footer = async (n: number) => {
      const res = await pdf(c.serial, o.staff);
      expect(res.status).toBe(200);
      const pages = await pdfText(res.body as Buffer);
      for (const text of pages) {
        expect(text).toContain(`第 ${n} 次打印 print ${n}`);
        expect(text).toContain(`page ${pages.indexOf(text) + 1} / ${pages.length}`);
      }
    };
    await footer(1);
    // Someone else's attempt is refused and takes no number.
    expect((await pdf(c.serial, o.pm)).status).toBe(403);
    await footer(2);
    expect((await copyRow(c.serial)).printCount).toBe(2);
    expect((await get(`/api/v1/copies/${c.serial}`, o.staff)).body.printCount).toBe(2);
    const renders = (await eventsOf(c.serial)).filter((e) => e.action === 'copy.rendered');
    expect(renders.map((e) => (e.after as { print: number }).print)).toEqual([1, 2]);
    // Once returned it cannot be printed, and the count stays.
    expect((await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm.id })).status).toBe(200);
    expect((await pdf(c.serial, o.staff)).status).toBe(409);
    expect((await copyRow(c.serial)).printCount).toBe(2);
  });

  test('R-NO-PAPER: two simultaneous downloads get two different print numbers', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    const [a, b] = await Promise.all([pdf(c.serial, o.staff), pdf(c.serial, o.staff)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const numbers = [];
    for (const res of [a, b]) numbers.push(Number(/第 (\d+) 次打印/.exec((await pdfText(res.body as Buffer))[0])![1]));
    expect(numbers.sort()).toEqual([1, 2]);
    expect((await copyRow(c.serial)).printCount).toBe(2);
  });

  test('R-NO-PAPER: the recipient signs for the copy on receipt (→ issued); nobody else can (403); signing twice is 409', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    let before = await snapshot(c.serial);
    const other = await post(`/api/v1/copies/${c.serial}/sign`, o.pm);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('not_recipient');
    unchangedBut(await snapshot(c.serial), before, 1);

    const ok = await post(`/api/v1/copies/${c.serial}/sign`, o.staff);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('issued');
    expect(ok.body.signedAt).toBeTruthy();
    before = await snapshot(c.serial);
    const twice = await post(`/api/v1/copies/${c.serial}/sign`, o.staff);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_awaiting_signature');
    expect(await snapshot(c.serial)).toEqual(before);
    expect((await eventsOf(c.serial)).map((e) => e.action)).toEqual(['copy.issued', 'copy.sign_refused', 'copy.signed']);
  });

  test('R-NO-PAPER: a copy past its expiry and still out is listed as overdue everywhere; the printout is refused (409)', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    await m().getRepository(ControlledCopy).update({ id: c.id }, { expiresAt: new Date(Date.now() - 60_000) });
    expect((await get(`/api/v1/copies/${c.serial}`, o.staff)).body.status).toBe('overdue');
    const mine = await get('/api/v1/me/copies', o.staff);
    expect(mine.body.items.find((x: { serial: string }) => x.serial === c.serial).status).toBe('overdue');
    const ledger = await get('/api/v1/copies', o.pm, { project: o.project, status: 'overdue' });
    expect(ledger.status).toBe(200);
    expect(ledger.body.items.map((x: { serial: string }) => x.serial)).toContain(c.serial);
    expect(ledger.body.items.every((x: { status: string }) => x.status === 'overdue')).toBe(true);
    const issued = await get('/api/v1/copies', o.pm, { project: o.project, status: 'issued' });
    expect(issued.body.items.map((x: { serial: string }) => x.serial)).not.toContain(c.serial);
    expect((await pdf(c.serial, o.staff)).status).toBe(409);
  });

  test('R-NO-PAPER: the ledger is read by supervisors of the scope and auditors; staff are refused (403 naming controlled_copy:read)', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    for (const [u, q] of [
      [o.pm, { project: o.project }],
      [o.head, { department: o.dept }],
      [auditor, {}],
    ] as const) {
      const res = await get('/api/v1/copies', u, q);
      expect(res.status).toBe(200);
      expect(res.body.items.map((x: { serial: string }) => x.serial)).toContain(c.serial);
    }
    const holderFilter = await get('/api/v1/copies', o.pm, { project: o.project, holder: String(o.staff.id) });
    expect(holderFilter.body.items.every((x: { holder: { id: number } }) => x.holder.id === o.staff.id)).toBe(true);
    const refused = await get('/api/v1/copies', o.staff, { project: o.project });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.permission).toBe('controlled_copy:read');
    const pmWide = await get('/api/v1/copies', o.pm);
    expect(pmWide.status).toBe(403);
    // One copy: the recipient or a ledger reader; another staff member is refused.
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const one = await get(`/api/v1/copies/${c.serial}`, colleague);
    expect(one.status).toBe(403);
    expect(one.body.error.code).toBe('not_visible');
  });
});

describe('no lending (R-NO-LEND)', () => {
  test('R-NO-LEND: a transfer or a change of the copy is refused for everyone, the IT admin included; each attempt is recorded with the attempted holder', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const bootstrapAdmin = { auth: `Bearer ${t.admin.token}`, id: t.admin.id };
    const callers = [o.staff, o.pm, o.head, adminUser, bootstrapAdmin];
    for (const u of callers) {
      const before = await snapshot(c.serial);
      const transfer = await post(`/api/v1/copies/${c.serial}/transfer`, u, { toUserId: colleague.id, reason: 'lend it for a day' });
      expect(transfer.status).toBe(403);
      expect(transfer.body.error.details.permission).toBe('controlled_copy:transfer');
      const patch = await t.http().patch(`/api/v1/copies/${c.serial}`).set('Authorization', u.auth).send({ holderUserId: colleague.id });
      expect(patch.status).toBe(403);
      expect(patch.body.error.details.permission).toBe('controlled_copy:transfer');
      const after = await snapshot(c.serial);
      expect(after.copy).toEqual(before.copy);
      expect(after.copy.holderUserId).toBe(o.staff.id);
      // Two events per attempt: the refused change (copy, attempted holder) and the denial naming the caller.
      expect(after.seq).toBe(before.seq + 4);
      const denials = await m().getRepository(AuditEvent).find({ where: { actorId: u.id, action: 'access.denied', objectType: 'controlled_copy' } });
      expect(denials.filter((e) => e.reason?.startsWith('controlled_copy:transfer ')).length).toBeGreaterThanOrEqual(2);
    }
    const attempts = (await eventsOf(c.serial)).filter((e) => e.action === 'copy.transfer_refused');
    expect(attempts).toHaveLength(callers.length * 2);
    for (const e of attempts) {
      expect(e.decision).toBe('deny');
      expect(e.reason).toContain('no_lending');
      expect(e.after).toMatchObject({ holderUserId: o.staff.id, attemptedHolderUserId: colleague.id });
    }
    expect(attempts.map((e) => (e.after as { via: string }).via)).toEqual(callers.flatMap(() => ['transfer', 'patch']));
    // An unknown copy is simply not found.
    expect((await post('/api/v1/copies/CC-0000-99998/transfer', o.staff, { toUserId: colleague.id })).status).toBe(404);
  });

  test('R-NO-LEND: the service refuses a change of holder with code no_lending whoever asks', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    await expect(t.ctx.copies.refuseChange(actorOf(t.admin), c, { via: 'transfer', toUserId: o.pm.id, fields: ['toUserId'] })).rejects.toMatchObject({ status: 403, code: 'no_lending' });
    expect((await copyRow(c.serial)).holderUserId).toBe(o.staff.id);
  });

  // Found by test/api/robustness.test.ts: a deeply nested toUserId overflowed the stack in the scope
  // resolver (Number() of the array), so the attempt went unrecorded and the scope was "unresolved".
  test('R-NO-LEND: a transfer whose toUserId is a deeply nested array is refused and recorded like any other attempt', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const body = `{"toUserId":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const res = await t.http().post(`/api/v1/copies/${c.serial}/transfer`).set('Authorization', o.staff.auth).set('Content-Type', 'application/json').send(body);
    expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'controlled_copy:transfer' });
    expect(res.body.error.details.reason).not.toBe('the authorization check failed');
    const attempts = (await eventsOf(c.serial)).filter((e) => e.action === 'copy.transfer_refused');
    expect(attempts).toHaveLength(1);
    expect(attempts[0].after).toMatchObject({ via: 'transfer', holderUserId: o.staff.id, attemptedHolderUserId: null, fields: ['toUserId'] });
  });
});

describe('return, destruction, loss', () => {
  test('R-NO-LEND: only the recipient returns the copy, to a keeper who supervises the project; the keeper then holds it until destruction; returning a destroyed copy is 409', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    let before = await snapshot(c.serial);
    const byOther = await post(`/api/v1/copies/${c.serial}/return`, o.pm, { keeperUserId: o.pm2.id });
    expect(byOther.status).toBe(403);
    expect(byOther.body.error.code).toBe('not_recipient');
    unchangedBut(await snapshot(c.serial), before, 1);

    before = await snapshot(c.serial);
    const notKeeper = await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.clerk.id });
    expect(notKeeper.status).toBe(403);
    expect(notKeeper.body.error.code).toBe('keeper_not_authorized');
    expect(notKeeper.body.error.details.permission).toBe('controlled_copy:witness');
    unchangedBut(await snapshot(c.serial), before, 1);

    const ok = await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm.id, note: 'meeting over' });
    expect(ok.status).toBe(200);
    // R-NO-PAPER (two-person rule): returned only when the keeper confirms receipt.
    expect(ok.body).toMatchObject({ status: 'pending_receipt', returnedTo: null, confirmation: { kind: 'copy_return', state: 'pending', confirmer: { id: o.pm.id } } });
    const received = await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm);
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ status: 'returned', returnedTo: { id: o.pm.id }, confirmation: null });
    expect(received.body.keeperConfirmedAt).toBeTruthy();
    // The keeper now keeps it (R-OFFBOARD holding), the recipient no longer does.
    expect((await t.ctx.copies.heldBy(m(), o.pm.id)).map((h) => h.id)).toContain(c.serial);
    expect((await t.ctx.copies.heldBy(m(), o.staff.id)).map((h) => h.id)).not.toContain(c.serial);

    // The keeper destroys it before another supervisor, who confirms.
    const destroyed = await post(`/api/v1/copies/${c.serial}/destroy`, o.pm, { method: 'pulping', place: 'Paper mill', witnessUserId: o.head.id });
    expect(destroyed.status).toBe(200);
    expect((await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.head)).status).toBe(200);
    before = await snapshot(c.serial);
    const again = await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_returnable');
    expect(await snapshot(c.serial)).toEqual(before);
    expect((await eventsOf(c.serial)).map((e) => e.action)).toEqual([
      'copy.issued',
      'copy.signed',
      'copy.return_refused',
      'copy.keeper_refused',
      'copy.return_requested',
      'copy.returned',
      'copy.destruction_requested',
      'copy.destroyed',
    ]);
  });

  test('R-NO-PAPER: destruction records the method, the time, the place, the destroyer and a witness who supervises the project and confirms it; a second destruction is 409', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    // Destroyed a moment after it was issued, recorded now.
    const at = new Date(c.issuedAt.getTime() + 5);
    const res = await post(`/api/v1/copies/${c.serial}/destroy`, o.staff, {
      method: 'other',
      note: 'cross-cut shredder of the service centre',
      place: 'Service centre, room 2',
      destroyedAt: at.toISOString(),
      witnessUserId: o.pm.id,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending_witness', destroyedAt: null, witness: null, confirmation: { method: 'other', place: 'Service centre, room 2', actedAt: at.toISOString() } });
    const confirmed = await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'destroyed',
      destructionMethod: 'other',
      destructionNote: 'cross-cut shredder of the service centre',
      destructionPlace: 'Service centre, room 2',
      destroyedAt: at.toISOString(),
      destroyedBy: { id: o.staff.id },
      witness: { id: o.pm.id },
    });
    const row = await copyRow(c.serial);
    expect(row.destroyedAt).toEqual(at);
    expect(row.witnessConfirmedAt!.getTime()).toBeGreaterThan(at.getTime());
    const before = await snapshot(c.serial);
    const twice = await post(`/api/v1/copies/${c.serial}/destroy`, o.pm2, { method: 'shredding', place: 'Service centre', witnessUserId: o.head.id });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_destroyable');
    expect(await snapshot(c.serial)).toEqual(before);
    expect((await eventsOf(c.serial)).filter((e) => e.action === 'copy.destroyed')).toHaveLength(1);
  });

  test('R-NO-PAPER: a supervisor may destroy a copy out with its recipient; someone who neither holds nor supervises it is refused (403)', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const before = await snapshot(c.serial);
    const refused = await post(`/api/v1/copies/${c.serial}/destroy`, colleague, { method: 'shredding', place: 'Service centre', witnessUserId: o.pm.id });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_holder_or_supervisor');
    unchangedBut(await snapshot(c.serial), before, 1);
    const ok = await post(`/api/v1/copies/${c.serial}/destroy`, o.head, { method: 'burning', place: 'Boiler room', witnessUserId: o.pm.id });
    expect(ok.status).toBe(200);
    expect(ok.body.confirmation.requestedBy.id).toBe(o.head.id);
    expect((await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.pm)).body.destroyedBy.id).toBe(o.head.id);
  });

  test('R-NO-PAPER: bad destruction input is refused and changes nothing: no witness (400), the holder or the destroyer as witness (400), a witness without the supervising role (403 naming controlled_copy:witness), method other without a note (400), an unknown witness (400), no place (400), a time in the future, before the copy or malformed (400)', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const place = 'Service centre';
    const cases: Array<[MadeUser, object, number, string]> = [
      [o.staff, { method: 'shredding', place }, 400, 'body.witnessUserId'],
      [o.staff, { method: 'shredding', place, witnessUserId: o.staff.id }, 400, 'body.witnessUserId'],
      [o.pm, { method: 'shredding', place, witnessUserId: o.pm.id }, 400, 'body.witnessUserId'],
      [o.pm, { method: 'shredding', place, witnessUserId: o.staff.id }, 400, 'body.witnessUserId'],
      [o.staff, { method: 'other', place, witnessUserId: o.pm.id }, 400, 'body.note'],
      [o.staff, { method: 'melting', place, witnessUserId: o.pm.id }, 400, 'body.method'],
      [o.staff, { method: 'shredding', place, witnessUserId: 99999999 }, 400, 'body.witnessUserId'],
      [o.staff, { method: 'shredding', witnessUserId: o.pm.id }, 400, 'body.place'],
      [o.staff, { method: 'shredding', place: ' ', witnessUserId: o.pm.id }, 400, 'body.place'],
      [o.staff, { method: 'shredding', place, destroyedAt: new Date(Date.now() + 86_400_000).toISOString(), witnessUserId: o.pm.id }, 400, 'body.destroyedAt'],
      [o.staff, { method: 'shredding', place, destroyedAt: '2020-01-01T00:00:00Z', witnessUserId: o.pm.id }, 400, 'body.destroyedAt'],
      [o.staff, { method: 'shredding', place, destroyedAt: 'yesterday', witnessUserId: o.pm.id }, 400, 'body.destroyedAt'],
      [o.staff, { method: 'shredding', place, destroyedAt: '2026-12-01', witnessUserId: o.pm.id }, 400, 'body.destroyedAt'],
    ];
    for (const [u, body, status, path] of cases) {
      const before = await snapshot(c.serial);
      const res = await post(`/api/v1/copies/${c.serial}/destroy`, u, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      expect(await snapshot(c.serial)).toEqual(before);
    }
    const before = await snapshot(c.serial);
    const noRole = await post(`/api/v1/copies/${c.serial}/destroy`, o.staff, { method: 'shredding', place, witnessUserId: o.clerk.id });
    expect(noRole.status).toBe(403);
    expect(noRole.body.error.code).toBe('witness_not_authorized');
    expect(noRole.body.error.details.permission).toBe('controlled_copy:witness');
    expect(noRole.body.error.message).toContain('controlled_copy:witness');
    unchangedBut(await snapshot(c.serial), before, 1);
    // Unknown serial: 404.
    expect((await post('/api/v1/copies/CC-0000-99997/destroy', o.staff, { method: 'shredding', place, witnessUserId: o.pm.id })).status).toBe(404);
  });

  test('R-NO-PAPER: two destructions recorded at once: exactly one succeeds, the other gets 409 confirmation_pending; one destruction awaiting one witness', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const [a, b] = await Promise.all([
      post(`/api/v1/copies/${c.serial}/destroy`, o.staff, { method: 'shredding', place: 'Service centre', witnessUserId: o.pm.id }),
      post(`/api/v1/copies/${c.serial}/destroy`, o.pm2, { method: 'pulping', place: 'Paper mill', witnessUserId: o.head.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('confirmation_pending');
    expect((await eventsOf(c.serial)).filter((e) => e.action === 'copy.destruction_requested')).toHaveLength(1);
    const row = await copyRow(c.serial);
    const winner = a.status === 200 ? a : b;
    expect(row).toMatchObject({ status: 'issued', pendingAct: 'destruction', confirmationId: winner.body.confirmation.id, destroyedAt: null });
    expect(await m().getRepository(TwoPersonConfirmation).countBy({ objectType: 'controlled_copy', objectId: c.serial })).toBe(1);
  });

  test('R-PENALTY: a lost copy becomes lost and opens a lost_written_list incident naming the copy and its holder; reporting it again is 409', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    let before = await snapshot(c.serial);
    const refused = await post(`/api/v1/copies/${c.serial}/report-lost`, colleague, { description: 'saw it missing' });
    expect(refused.status).toBe(403);
    unchangedBut(await snapshot(c.serial), before, 1);

    const res = await post(`/api/v1/copies/${c.serial}/report-lost`, o.staff, { description: 'left on the bus after the owners meeting' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'lost', lostReportedBy: { id: o.staff.id }, incident: { type: 'lost_written_list', status: 'reported' } });
    const incident = await m().getRepository(Incident).findOneByOrFail({ id: res.body.incident.id });
    expect(incident).toMatchObject({ type: 'lost_written_list', status: 'reported', copyId: c.id, holderUserId: o.staff.id, reporterId: o.staff.id, responsibleUserIds: [] });
    expect(incident.description).toContain(c.serial);
    expect((await copyRow(c.serial)).incidentId).toBe(incident.id);

    // The quality department reads it; staff cannot.
    const read = await get(`/api/v1/incidents/${incident.id}`, inspector);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: incident.id, type: 'lost_written_list', project: o.project, copyId: c.id, holderUserId: o.staff.id });
    const staffRead = await get(`/api/v1/incidents/${incident.id}`, o.staff);
    expect(staffRead.status).toBe(403);
    expect(staffRead.body.error.details.permission).toBe('incident:read');

    // The copy and the incident are audited in the same transaction.
    expect((await eventsOf(c.serial)).map((e) => e.action)).toContain('copy.lost');
    expect(await m().getRepository(AuditEvent).countBy({ objectType: 'incident', objectId: String(incident.id), action: 'incident.opened' })).toBe(1);
    // The quality department is told at once, in the same transaction (identifiers only).
    const told = await m().getRepository(Notification).findBy({ kind: 'incident.reported', objectId: String(incident.id) });
    expect(told.map((n) => n.recipientId)).toContain(inspector.id);
    expect(told.every((n) => !n.body.includes('bus'))).toBe(true);

    before = await snapshot(c.serial);
    const again = await post(`/api/v1/copies/${c.serial}/report-lost`, o.pm, { description: 'still missing' });
    expect(again.status).toBe(409);
    expect(await snapshot(c.serial)).toEqual(before);
    // A lost copy is no longer out with anyone: it is in the incident.
    expect((await t.ctx.copies.heldBy(m(), o.staff.id)).map((h) => h.id)).not.toContain(c.serial);
  });
});

describe('leaving (R-OFFBOARD)', () => {
  test('R-OFFBOARD: a holder of controlled copies cannot be offboarded (409 listing the serials), nor while their return and destruction await the keeper and the witness; once confirmed, they can', async () => {
    const leaver = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const { copies } = await makeIssuedCopies(t, leaver, o.pm, o.project, { copies: 2 });
    await t.ctx.copies.sign(actorOf(leaver), copies[0]);
    // One of them overdue.
    await m().getRepository(ControlledCopy).update({ id: copies[1].id }, { expiresAt: new Date(Date.now() - 1000) });
    const offboard = () => t.http().post(`/api/v1/users/${leaver.id}/offboard`).set('Authorization', `Bearer ${t.admin.token}`).send({ reason: 'left the company' });
    const refused = await offboard();
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('holdings_outstanding');
    const held = refused.body.error.details.holdings.filter((h: { kind: string }) => h.kind === 'controlled_copy');
    expect(held.map((h: { id: string }) => h.id).sort()).toEqual(copies.map((c) => c.serial).sort());
    expect(held.find((h: { id: string }) => h.id === copies[1].serial).description).toContain('overdue');
    expect((await m().getRepository(User).findOneByOrFail({ id: leaver.id })).status).toBe('active');

    expect((await post(`/api/v1/copies/${copies[0].serial}/return`, leaver, { keeperUserId: o.pm.id })).status).toBe(200);
    expect((await post(`/api/v1/copies/${copies[1].serial}/destroy`, leaver, { method: 'shredding', place: 'Service centre', witnessUserId: o.pm.id })).status).toBe(200);
    // R-NO-PAPER (two-person rule): recorded is not done. Until the keeper and the witness confirm, the copies still block.
    const pending = await offboard();
    expect(pending.status).toBe(409);
    const stillHeld = pending.body.error.details.holdings.filter((h: { kind: string }) => h.kind === 'controlled_copy');
    expect(stillHeld.map((h: { id: string }) => h.id).sort()).toEqual(copies.map((c) => c.serial).sort());
    expect(stillHeld.find((h: { id: string }) => h.id === copies[1].serial).description).toContain("awaits the witness's confirmation");
    expect((await post(`/api/v1/copies/${copies[0].serial}/return/confirm`, o.pm)).status).toBe(200);
    expect((await post(`/api/v1/copies/${copies[1].serial}/destruction/confirm`, o.pm)).status).toBe(200);
    const ok = await offboard();
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('offboarded');
  });
});
