/**
 * R-CASE-SANCTION (第十二條): responsibility found on a case can lead to a reward/penalty notice
 * (獎罰通知單), recorded in the same register as the Rules' rewards and penalties and linked to
 * the case.
 */
import { advanceCase, CaseOrg, makeCaseOrg, registerCase } from '../helpers/case-factories';
import { makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let org: CaseOrg;
let qi: MadeUser;

beforeAll(async () => {
  t = await startTestApp();
  org = await makeCaseOrg(t);
  qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
});
afterAll(async () => {
  await t?.close();
});

const propose = (body: object) => t.http().post('/api/v1/sanctions').set('Authorization', qi.auth).send(body);

test('R-CASE-SANCTION: a penalty can be proposed for a person found responsible on a case; the record names the case and its department, and is listed with the case', async () => {
  const responsible = await makeUser(t);
  const c = await registerCase(t, org.staff, org.project, org.customerId);
  await advanceCase(t, org, c.id, 'closed', { responsibleUserIds: [responsible.id] });
  const res = await propose({
    source: { type: 'case', id: c.id },
    userId: responsible.id,
    kind: 'penalty',
    ground: 'case_responsibility',
    fine: 300,
    reason: `Responsible for the defect found on case ${c.caseNo}`,
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({
    kind: 'penalty',
    ground: 'case_responsibility',
    person: { id: responsible.id },
    source: { type: 'case', id: c.id, label: `case ${c.caseNo}` },
    project: org.project,
    department: org.dept,
    fineAmount: 300,
  });
  const forCase = await t.http().get('/api/v1/sanctions').query({ sourceType: 'case', sourceId: String(c.id) }).set('Authorization', qi.auth);
  expect(forCase.status).toBe(200);
  expect(forCase.body.items.map((s: { id: number }) => s.id)).toEqual([res.body.id]);
  expect(t.ctx.sanctions.sourceTypes()).toContain('case');
});

test('R-CASE-SANCTION: a penalty follows the findings: nobody found responsible yet, or a person not among them, is 400; an unknown case is 400 naming body.source.id', async () => {
  const someone = await makeUser(t);
  const open = await registerCase(t, org.staff, org.project, org.customerId);
  const before = await propose({ source: { type: 'case', id: open.id }, userId: someone.id, kind: 'penalty', ground: 'case_responsibility', fine: 500, reason: 'not investigated yet' });
  expect(before.status).toBe(400);
  expect(before.body.error.details).toEqual([expect.objectContaining({ path: 'body.userId', message: expect.stringContaining('found nobody responsible') })]);

  const responsible = await makeUser(t);
  const c = await registerCase(t, org.staff, org.project, org.customerId);
  await advanceCase(t, org, c.id, 'investigating', { responsibleUserIds: [responsible.id] });
  const wrong = await propose({ source: { type: 'case', id: c.id }, userId: someone.id, kind: 'penalty', ground: 'case_responsibility', fine: 500, reason: 'wrong person' });
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.details[0]).toMatchObject({ path: 'body.userId' });

  const unknown = await propose({ source: { type: 'case', id: 99_999_999 }, userId: responsible.id, kind: 'penalty', ground: 'case_responsibility', fine: 500, reason: 'no such case' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.details).toEqual([{ path: 'body.source.id', message: 'case 99999999 does not exist' }]);
});
