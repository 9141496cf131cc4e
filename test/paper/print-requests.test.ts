import { In } from 'typeorm';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { Customer } from '../../src/entities/Customer';
import { PrintRequest } from '../../src/entities/PrintRequest';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { actorOf, makeCustomers, makePaperOrg, makePrintRequest, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const m = () => t.ctx.db.manager;
const post = (path: string, u: MadeUser, body?: object) => {
  const call = t.http().post(path).set('Authorization', u.auth);
  return body === undefined ? call : call.send(body);
};
const get = (path: string, u: MadeUser, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', u.auth);

/** Everything a refused print-request call could have changed. */
async function snapshot(requestId?: number) {
  const head = await m().getRepository(AuditHead).findOneByOrFail({ id: 1 });
  return {
    requests: await m().getRepository(PrintRequest).count(),
    copies: await m().getRepository(ControlledCopy).count(),
    request: requestId ? await m().getRepository(PrintRequest).findOneByOrFail({ id: requestId }) : null,
    seq: head.seq,
  };
}

async function events(objectType: string, objectId: string | number) {
  return m().getRepository(AuditEvent).find({ where: { objectType, objectId: String(objectId) }, order: { seq: 'ASC' } });
}

describe('print requests (R-PRINT-APPROVE)', () => {
  let o: PaperOrg;
  beforeAll(async () => {
    o = await makePaperOrg(t);
  });

  const requestBody = (customerIds: number[], extra: Record<string, unknown> = {}) => ({
    project: o.project,
    purpose: 'Owner meeting sign-in sheet',
    customerIds,
    copies: 2,
    usageDays: 7,
    ...extra,
  });

  test('R-PRINT-APPROVE: a staff member requests a printout (purpose, records, copies, usage days); it waits pending, audited', async () => {
    const customers = await makeCustomers(t, o.project, 2);
    const res = await post('/api/v1/print-requests', o.staff, requestBody(customers.map((c) => c.id), { includePersonal: true }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      project: o.project,
      status: 'pending',
      copies: 2,
      usageDays: 7,
      includePersonal: true,
      customerIds: customers.map((c) => c.id),
      recordIds: null,
      requestedBy: { id: o.staff.id },
      issuedCopies: [],
    });
    expect((await events('print_request', res.body.id)).map((e) => e.action)).toEqual(['print_request.created']);
    // Nothing is on paper before an approval (R-NO-PAPER).
    expect(await m().getRepository(ControlledCopy).countBy({ printRequestId: res.body.id })).toBe(0);
  });

  test('R-PRINT-APPROVE: the project manager approves; one controlled copy per requested copy is issued to the requester', async () => {
    const r = await makePrintRequest(t, o.staff, o.project, { copies: 3 });
    const res = await post(`/api/v1/print-requests/${r.id}/approve`, o.pm, { note: 'for the owners meeting' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'approved', decidedBy: { id: o.pm.id }, decisionNote: 'for the owners meeting' });
    expect(res.body.recordIds).toEqual(r.customerIds);
    expect(res.body.issuedCopies).toHaveLength(3);
    const copies = await m().getRepository(ControlledCopy).findBy({ printRequestId: r.id });
    expect(copies.map((c) => c.holderUserId)).toEqual([o.staff.id, o.staff.id, o.staff.id]);
    const actions = (await events('print_request', r.id)).map((e) => e.action);
    expect(actions).toEqual(['print_request.created', 'print_request.approved']);
  });

  test('R-PRINT-APPROVE: the head of the project\'s department approves; a head of another department and staff are refused (403 naming print_request:approve)', async () => {
    const otherDept = (await makeDepartment(t)).code;
    const otherHead = await makeUser(t, { roles: [['dept_head', `dept:${otherDept}`]] });
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const r = await makePrintRequest(t, o.staff, o.project);
    for (const u of [otherHead, colleague]) {
      const before = await snapshot(r.id);
      const res = await post(`/api/v1/print-requests/${r.id}/approve`, u, {});
      expect(res.status).toBe(403);
      expect(res.body.error.details.permission).toBe('print_request:approve');
      const after = await snapshot(r.id);
      expect(after.request).toEqual(before.request);
      expect(after.copies).toBe(before.copies);
    }
    const ok = await post(`/api/v1/print-requests/${r.id}/approve`, o.head, {});
    expect(ok.status).toBe(200);
    expect(ok.body.decidedBy.id).toBe(o.head.id);
  });

  test('R-PRINT-APPROVE: nobody approves or rejects their own request (403 own_request, audited as a denial); nothing changes', async () => {
    // The project manager may request too, but someone else must decide.
    const r = await makePrintRequest(t, o.pm, o.project);
    for (const [path, body, action] of [
      [`/api/v1/print-requests/${r.id}/approve`, {}, 'print_request.approve_refused'],
      [`/api/v1/print-requests/${r.id}/reject`, { reason: 'changed my mind' }, 'print_request.reject_refused'],
    ] as const) {
      const before = await snapshot(r.id);
      const res = await post(path, o.pm, body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('own_request');
      const after = await snapshot(r.id);
      expect(after.request).toEqual(before.request);
      expect(after.copies).toBe(before.copies);
      expect(after.seq).toBe(before.seq + 1);
      const denial = (await events('print_request', r.id)).find((e) => e.action === action);
      expect(denial).toMatchObject({ actorId: o.pm.id, decision: 'deny', scope: `project:${o.project}` });
    }
    // The other project manager may.
    expect((await post(`/api/v1/print-requests/${r.id}/approve`, o.pm2, {})).status).toBe(200);
  });

  test('R-PRINT-APPROVE: two approvers at once: exactly one decision stands, the other gets 409; one set of copies', async () => {
    const r = await makePrintRequest(t, o.staff, o.project, { copies: 2 });
    const [a, b] = await Promise.all([post(`/api/v1/print-requests/${r.id}/approve`, o.pm, {}), post(`/api/v1/print-requests/${r.id}/approve`, o.head, {})]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 409 ? a : b).body.error.code).toBe('not_pending');
    expect(await m().getRepository(ControlledCopy).countBy({ printRequestId: r.id })).toBe(2);
    expect((await events('print_request', r.id)).filter((e) => e.action === 'print_request.approved')).toHaveLength(1);

    // Approve and reject at once: one decision.
    const r2 = await makePrintRequest(t, o.staff, o.project, { copies: 1 });
    const [c, d] = await Promise.all([post(`/api/v1/print-requests/${r2.id}/approve`, o.pm, {}), post(`/api/v1/print-requests/${r2.id}/reject`, o.pm2, { reason: 'not needed' })]);
    expect([c.status, d.status].sort()).toEqual([200, 409]);
    const final = await m().getRepository(PrintRequest).findOneByOrFail({ id: r2.id });
    expect(await m().getRepository(ControlledCopy).countBy({ printRequestId: r2.id })).toBe(final.status === 'approved' ? 1 : 0);
  });

  test('R-NO-PAPER: approvals of different requests at once never share a serial', async () => {
    const rs = await Promise.all([1, 2, 3, 4].map(() => makePrintRequest(t, o.staff, o.project, { copies: 2 })));
    const results = await Promise.all(rs.map((r, i) => post(`/api/v1/print-requests/${r.id}/approve`, i % 2 ? o.pm : o.pm2, {})));
    expect(results.map((x) => x.status)).toEqual([200, 200, 200, 200]);
    const copies = await m().getRepository(ControlledCopy).findBy({ printRequestId: In(rs.map((r) => r.id)) });
    expect(copies).toHaveLength(8);
    expect(new Set(copies.map((c) => c.serial)).size).toBe(8);
    for (const c of copies) expect(c.serial).toMatch(/^CC-\d{4}-\d{5}$/);
  });

  test('R-PRINT-APPROVE: approving a rejected or cancelled request is 409 and changes nothing', async () => {
    const rejected = await makePrintRequest(t, o.staff, o.project);
    expect((await post(`/api/v1/print-requests/${rejected.id}/reject`, o.pm, { reason: 'no legitimate need' })).body.status).toBe('rejected');
    const cancelled = await makePrintRequest(t, o.staff, o.project);
    expect((await post(`/api/v1/print-requests/${cancelled.id}/cancel`, o.staff, { note: 'no longer needed' })).body.status).toBe('cancelled');
    for (const r of [rejected, cancelled]) {
      const before = await snapshot(r.id);
      const res = await post(`/api/v1/print-requests/${r.id}/approve`, o.pm2, {});
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('not_pending');
      expect(await snapshot(r.id)).toEqual(before);
    }
  });

  test('R-PRINT-APPROVE: a rejection needs a reason (400); only the requester cancels (403 not_requester), only while pending (409)', async () => {
    const r = await makePrintRequest(t, o.staff, o.project);
    let before = await snapshot(r.id);
    const noReason = await post(`/api/v1/print-requests/${r.id}/reject`, o.pm, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.map((d: { path: string }) => d.path)).toContain('body.reason');
    expect(await snapshot(r.id)).toEqual(before);

    const byOther = await post(`/api/v1/print-requests/${r.id}/cancel`, o.pm, {});
    expect(byOther.status).toBe(403);
    expect(byOther.body.error.code).toBe('not_requester');
    const after = await snapshot(r.id);
    expect(after.request).toEqual(before.request);

    expect((await post(`/api/v1/print-requests/${r.id}/cancel`, o.staff)).status).toBe(200);
    before = await snapshot(r.id);
    const again = await post(`/api/v1/print-requests/${r.id}/cancel`, o.staff);
    expect(again.status).toBe(409);
    expect(await snapshot(r.id)).toEqual(before);
  });

  test('R-PRINT-APPROVE: a usage period above the maximum is 400 naming the maximum; zero copies is 400; nothing is stored', async () => {
    const [c] = await makeCustomers(t, o.project, 1);
    const max = t.ctx.config.printMaxUsageDays;
    expect(max).toBe(30);
    const before = await snapshot();
    const tooLong = await post('/api/v1/print-requests', o.staff, requestBody([c.id], { usageDays: max + 1 }));
    expect(tooLong.status).toBe(400);
    const detail = tooLong.body.error.details.find((d: { path: string }) => d.path === 'body.usageDays');
    expect(detail.message).toContain(String(max));
    const zero = await post('/api/v1/print-requests', o.staff, requestBody([c.id], { copies: 0 }));
    expect(zero.status).toBe(400);
    expect(zero.body.error.details.map((d: { path: string }) => d.path)).toContain('body.copies');
    const neither = await post('/api/v1/print-requests', o.staff, { project: o.project, purpose: 'Owner meeting', copies: 1, usageDays: 3 });
    expect(neither.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  test('R-PRINT-APPROVE: customer ids outside the project (another project\'s, or unknown) are refused with 400 naming them', async () => {
    const other = (await makeProject(t, { departmentCode: o.dept })).code;
    const [mine] = await makeCustomers(t, o.project, 1);
    const [theirs] = await makeCustomers(t, other, 1);
    const unknown = theirs.id + 100000;
    const before = await snapshot();
    const res = await post('/api/v1/print-requests', o.staff, requestBody([mine.id, theirs.id, unknown]));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(`${theirs.id}, ${unknown}`);
    expect(res.body.error.details[0]).toMatchObject({ path: 'body.customerIds' });
    expect(res.body.error.details[0].message).toContain(String(theirs.id));
    expect(await snapshot()).toEqual(before);
  });

  test('R-PRINT-APPROVE: a saved filter (the customer list\'s) is resolved into the concrete records at approval; more than 500 matches is 400', async () => {
    const tag = `趙${Date.now() % 100000}`;
    const matching = await makeCustomers(t, o.project, 2, tag);
    await makeCustomers(t, o.project, 1, '錢');
    const req = await post('/api/v1/print-requests', o.staff, { project: o.project, purpose: 'Door-to-door visits', filter: { q: tag }, copies: 1, usageDays: 5 });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ filter: { q: tag }, customerIds: null, recordIds: null });
    // A matching customer added before the approval is included: the filter is resolved then.
    const [late] = await makeCustomers(t, o.project, 1, tag);
    const ok = await post(`/api/v1/print-requests/${req.body.id}/approve`, o.pm, {});
    expect(ok.status).toBe(200);
    expect(ok.body.recordIds).toEqual([...matching.map((c) => c.id), late.id].sort((a, b) => a - b));

    // 501 matches: refused at request time.
    const big = `孫${Date.now() % 100000}`;
    const projectId = (await m().getRepository(PrintRequest).findOneByOrFail({ id: req.body.id })).projectId;
    const now = new Date();
    const rows = Array.from({ length: 501 }, (_, i) => ({ projectId, name: `${big}${i}`, unit: `${i}室`, nationality: 'domestic' as const, keyId: 't1', createdAt: now, updatedAt: now }));
    for (let i = 0; i < rows.length; i += 100) await m().getRepository(Customer).insert(rows.slice(i, i + 100));
    const before = await snapshot();
    const tooMany = await post('/api/v1/print-requests', o.staff, { project: o.project, purpose: 'Everyone named Sun', filter: { q: big }, copies: 1, usageDays: 5 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('500');
    expect(await snapshot()).toEqual(before);
  });

  test('R-PRINT-APPROVE: a requester sees their own requests; supervisors see their project\'s; others get 403 on one request', async () => {
    const mine = await makePrintRequest(t, o.staff, o.project);
    const colleague = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    const theirs = await makePrintRequest(t, colleague, o.project);

    const own = await get('/api/v1/print-requests', colleague, { project: o.project });
    expect(own.status).toBe(200);
    expect(own.body.items.map((r: { id: number }) => r.id)).toEqual([theirs.id]);

    const pmList = await get('/api/v1/print-requests', o.pm, { project: o.project, status: 'pending' });
    const ids = pmList.body.items.map((r: { id: number }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(pmList.body.items.every((r: { status: string }) => r.status === 'pending')).toBe(true);

    expect((await get(`/api/v1/print-requests/${theirs.id}`, colleague)).status).toBe(200);
    expect((await get(`/api/v1/print-requests/${theirs.id}`, o.head)).status).toBe(200);
    const refused = await get(`/api/v1/print-requests/${mine.id}`, colleague);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_visible');
    expect((await get('/api/v1/print-requests/99999999', colleague)).status).toBe(404);
  });

  test('R-PRINT-APPROVE: approval time records still in the project are printed; a request none of whose records remain cannot be approved (409)', async () => {
    const [c] = await makeCustomers(t, o.project, 1);
    const r = await makePrintRequest(t, o.staff, o.project, { customerIds: [c.id] });
    await t.ctx.customers.remove(actorOf({ id: t.admin.id, username: 'admin' }), await t.ctx.customers.load(c.id));
    const before = await snapshot(r.id);
    const res = await post(`/api/v1/print-requests/${r.id}/approve`, o.pm, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('no_records');
    expect(await snapshot(r.id)).toEqual(before);
  });
});
