import { z } from 'zod';
import {
  confirmationListSchema,
  copyListSchema,
  copyPageSchema,
  copySchema,
  lostCopySchema,
  printRequestPageSchema,
  printRequestSchema,
} from '../../src/features/paper/paper.schemas';
import { makeProject, makeUser } from '../helpers/factories';
import { makeCopy, makeCustomers, makePaperOrg, makePrintRequest, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/*
 * The console is typed from the paper routes' response schemas (paper.schemas.ts): the real
 * answers of the print-request and copy routes must parse with them, through every state a copy
 * passes (R-PRINT-APPROVE, R-NO-PAPER), or the console's types would lie. Also the console's
 * "my requests" filter (mine=true).
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

const get = (path: string, u: { auth: string }) => t.http().get(path).set('Authorization', u.auth);
const post = (path: string, u: { auth: string }, body: object = {}) => t.http().post(path).set('Authorization', u.auth).send(body);

/** The body of a 2xx answer, parsed with the route's documented schema (strict: no undocumented field). */
function parsed<S extends z.ZodType>(res: { status: number; body: unknown; text: string }, schema: S, status = 200): z.infer<S> {
  expect([res.status, res.text.slice(0, 300)]).toEqual([status, expect.any(String)]);
  const r = schema.safeParse(res.body);
  if (!r.success) throw new Error(`response does not match its schema: ${JSON.stringify(r.error.issues.slice(0, 5))}`);
  return r.data;
}

describe('paper routes answer what their response schemas document (console types)', () => {
  test('R-PRINT-APPROVE: a print request created, listed, read, approved, rejected and cancelled parses with printRequestSchema', async () => {
    const [c1, c2] = await makeCustomers(t, o.project, 2);
    const created = parsed(await post('/api/v1/print-requests', o.staff, { project: o.project, purpose: 'visit list for the quarter', customerIds: [c1.id, c2.id], copies: 2, usageDays: 5 }), printRequestSchema, 201);
    expect(created).toMatchObject({ status: 'pending', copies: 2, recordIds: null, issuedCopies: [] });
    parsed(await get(`/api/v1/print-requests/${created.id}`, o.staff), printRequestSchema);
    const page = parsed(await get(`/api/v1/print-requests?project=${o.project}&limit=20`, o.pm), printRequestPageSchema);
    expect(page.items.map((r) => r.id)).toContain(created.id);
    const approved = parsed(await post(`/api/v1/print-requests/${created.id}/approve`, o.pm, { note: 'ok' }), printRequestSchema);
    expect(approved.issuedCopies).toHaveLength(2);
    expect(approved.decidedBy?.id).toBe(o.pm.id);

    const other = await makePrintRequest(t, o.staff, o.project);
    parsed(await post(`/api/v1/print-requests/${other.id}/reject`, o.pm, { reason: 'not needed' }), printRequestSchema);
    const third = await makePrintRequest(t, o.staff, o.project);
    parsed(await post(`/api/v1/print-requests/${third.id}/cancel`, o.staff), printRequestSchema);
  });

  test('R-NO-PAPER: a copy signed, returned to its keeper, confirmed, destroyed before a witness and confirmed parses with copySchema at every step; the ledger, my copies and my confirmations parse too', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    parsed(await get(`/api/v1/copies/${c.serial}`, o.staff), copySchema);
    parsed(await post(`/api/v1/copies/${c.serial}/sign`, o.staff), copySchema);
    const pendingReturn = parsed(await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm.id, note: 'back' }), copySchema);
    expect(pendingReturn.status).toBe('pending_receipt');
    expect(pendingReturn.confirmation).toMatchObject({ kind: 'copy_return', role: 'keeper', state: 'pending' });
    const waiting = parsed(await get('/api/v1/me/confirmations', o.pm), confirmationListSchema);
    expect(waiting.items.map((i) => i.serial)).toContain(c.serial);
    parsed(await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm), copySchema);
    const pendingDestruction = parsed(await post(`/api/v1/copies/${c.serial}/destroy`, o.pm, { method: 'shredding', place: 'office 3F', witnessUserId: o.head.id }), copySchema);
    expect(pendingDestruction.status).toBe('pending_witness');
    const destroyed = parsed(await post(`/api/v1/copies/${c.serial}/destruction/confirm`, o.head), copySchema);
    expect(destroyed).toMatchObject({ status: 'destroyed', destructionMethod: 'shredding', destructionPlace: 'office 3F' });
    expect(destroyed.witness?.id).toBe(o.head.id);

    const ledger = parsed(await get(`/api/v1/copies?project=${o.project}&limit=50`, o.pm), copyPageSchema);
    expect(ledger.items.map((i) => i.serial)).toContain(c.serial);
    parsed(await get('/api/v1/me/copies?all=true', o.staff), copyListSchema);
    parsed(await get('/api/v1/me/confirmations?all=true', o.head), confirmationListSchema);
  });

  test('R-PENALTY: a copy reported lost parses with lostCopySchema (the incident it opened)', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const lost = parsed(await post(`/api/v1/copies/${c.serial}/report-lost`, o.staff, { description: 'left on the bus' }), lostCopySchema);
    expect(lost.status).toBe('lost');
    expect(lost.incident.type).toBe('lost_written_list');
  });
});

describe('GET /api/v1/print-requests?mine=true (the console\'s "my requests")', () => {
  test('R-PRINT-APPROVE: a supervisor who reads the project\'s requests sees only their own with mine=true; without it every request of the project', async () => {
    const others = await makePrintRequest(t, o.staff, o.project);
    const own = parsed(
      await post('/api/v1/print-requests', o.pm, { project: o.project, purpose: 'my own printout', customerIds: [(await makeCustomers(t, o.project, 1))[0].id], copies: 1, usageDays: 3 }),
      printRequestSchema,
      201,
    );
    const mine = parsed(await get('/api/v1/print-requests?mine=true&limit=100', o.pm), printRequestPageSchema);
    expect(mine.items.map((r) => r.id)).toContain(own.id);
    expect(mine.items.map((r) => r.id)).not.toContain(others.id);
    expect(mine.items.every((r) => r.requestedBy?.id === o.pm.id)).toBe(true);
    expect(mine.total).toBe(mine.items.length);
    const all = parsed(await get('/api/v1/print-requests?limit=100', o.pm), printRequestPageSchema);
    expect(all.items.map((r) => r.id)).toEqual(expect.arrayContaining([own.id, others.id]));
    // A requester without print_request:read sees the same with or without it: their own.
    const staffMine = parsed(await get('/api/v1/print-requests?mine=true&limit=100', o.staff), printRequestPageSchema);
    const staffAll = parsed(await get('/api/v1/print-requests?limit=100', o.staff), printRequestPageSchema);
    expect(staffMine.items.map((r) => r.id)).toEqual(staffAll.items.map((r) => r.id));
    expect((await get('/api/v1/print-requests?mine=yes', o.pm)).status).toBe(400);
  });
});

describe('GET /api/v1/copies/:serial/confirmations (the copy\'s timeline)', () => {
  test('R-NO-PAPER: every return and destruction recorded on the copy and how it ended, oldest first, with a decline\'s reason; for the recipient, the keeper and ledger readers; anyone else 403', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    expect(parsed(await get(`/api/v1/copies/${c.serial}/confirmations`, o.staff), confirmationListSchema).items).toEqual([]);
    expect((await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm.id })).status).toBe(200);
    expect((await post(`/api/v1/copies/${c.serial}/return/decline`, o.pm, { reason: 'not handed to me' })).status).toBe(200);
    expect((await post(`/api/v1/copies/${c.serial}/return`, o.staff, { keeperUserId: o.pm2.id })).status).toBe(200);
    expect((await post(`/api/v1/copies/${c.serial}/return/confirm`, o.pm2)).status).toBe(200);
    expect((await post(`/api/v1/copies/${c.serial}/destroy`, o.pm2, { method: 'pulping', place: 'paper mill', witnessUserId: o.head.id })).status).toBe(200);

    const history = parsed(await get(`/api/v1/copies/${c.serial}/confirmations`, o.staff), confirmationListSchema).items;
    expect(history.map((h) => [h.kind, h.state, h.confirmer?.id])).toEqual([
      ['copy_return', 'declined', o.pm.id],
      ['copy_return', 'confirmed', o.pm2.id],
      ['copy_destruction', 'pending', o.head.id],
    ]);
    expect(history[0].declineReason).toBe('not handed to me');
    expect(history[2]).toMatchObject({ method: 'pulping', place: 'paper mill', requestedBy: { id: o.pm2.id } });
    // The keeper, the witness asked, and a ledger reader see it too.
    for (const who of [o.pm2, o.head, o.pm]) expect((await get(`/api/v1/copies/${c.serial}/confirmations`, who)).status).toBe(200);
    // Someone else (another project's staff) is refused, as for the copy itself.
    const elsewhere = (await makeProject(t)).code;
    const outsider = await makeUser(t, { roles: [['staff', `project:${elsewhere}`]] });
    const refused = await get(`/api/v1/copies/${c.serial}/confirmations`, outsider);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'not_visible']);
    expect((await get('/api/v1/copies/CC-0000-00000/confirmations', o.pm)).status).toBe(404);
  });
});
