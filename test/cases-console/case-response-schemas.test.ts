/**
 * The response schemas the case routes document (src/features/cases/case.schemas.ts) are what the
 * console's typed client is generated from: real answers over HTTP must match them exactly (no
 * field missing, none undocumented), for every step of the workflow and the statistics.
 * R-CASE-CONFIDENTIAL: the documented case is the redacted one with the customer masked.
 */
import { z } from 'zod';
import { caseListSchema, caseStatisticsListSchema, caseStatisticsSchema, caseViewSchema } from '../../src/features/cases/case.schemas';
import { CaseOrg, makeCaseOrg } from '../helpers/case-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let org: CaseOrg;
beforeAll(async () => {
  t = await startTestApp();
  org = await makeCaseOrg(t);
});
afterAll(async () => {
  await t?.close();
});

/** Parses with every object of the schema's top level strict: an undocumented field fails. */
function exactly<S extends z.ZodObject>(schema: S, body: unknown): z.infer<S> {
  return schema.strict().parse(body) as z.infer<S>;
}

type Who = 'staff' | 'pm' | 'head' | 'gm';
const post = (who: Who, path: string, body: object) => t.http().post(path).set('Authorization', org[who].auth).send(body);
const get = (who: Who, path: string) => t.http().get(path).set('Authorization', org[who].auth);

describe('R-CASE-CONFIDENTIAL: case answers match their documented response schemas', () => {
  test('R-CASE-CONFIDENTIAL: register, list, read, every workflow step and the reopened case answer the documented case view (customer masked, text redacted)', async () => {
    const created = await post('staff', '/api/v1/cases', {
      project: org.project,
      customerId: org.customerId,
      channel: 'phone',
      type: 'quality_complaint',
      request: 'Cracked tiles; call back on 13812345678',
      items: [{ product: 'Floor tile', quantity: 10, defectiveQuantity: 2 }],
    });
    expect(created.status).toBe(201);
    const c = exactly(caseViewSchema, created.body);
    expect(c.customer?.masked).toBe(true);
    expect(c.request).not.toContain('13812345678');

    const list = await get('staff', `/api/v1/cases?project=${org.project}&limit=20&offset=0`);
    expect(list.status).toBe(200);
    const page = exactly(caseListSchema, list.body);
    for (const item of page.items) exactly(caseViewSchema, item);
    expect(page.items.map((i) => i.id)).toContain(c.id);

    const steps: Array<[Who, string, object, string]> = [
      ['pm', 'investigate', { department: org.dept, cause: 'quality', findings: 'glaze defect', responsibleUserIds: [org.pm.id] }, 'investigating'],
      ['pm', 'propose', { proposal: 'discount', amount: 120.5 }, 'proposed'],
      ['pm', 'decide', { approve: true, note: 'ok' }, 'decided'],
      ['pm', 'communicate', { result: 'Told by phone' }, 'communicated'],
      ['pm', 'close', {}, 'closed'],
    ];
    for (const [who, step, body, status] of steps) {
      const res = await post(who, `/api/v1/cases/${c.id}/${step}`, body);
      expect(res.status).toBe(200);
      expect(exactly(caseViewSchema, res.body).status).toBe(status);
    }

    const one = await get('staff', `/api/v1/cases/${c.id}`);
    const view = exactly(caseViewSchema, one.body);
    expect(view.history?.map((h) => h.step)).toEqual(['registered', 'investigated', 'proposed', 'decided', 'communicated', 'closed']);
    expect(view.amount).toBe(120.5);

    const reopened = await post('staff', `/api/v1/cases/${c.id}/reopen`, { request: 'The customer does not accept' });
    expect(reopened.status).toBe(200);
    expect(exactly(caseViewSchema, reopened.body).reopenedFrom).toEqual({ id: c.id, caseNo: c.caseNo });
  });

  test('R-CASE-STATS: the month to date and the list of stored months answer their documented schemas', async () => {
    const current = await get('gm', '/api/v1/case-statistics/current');
    expect(current.status).toBe(200);
    const s = exactly(caseStatisticsSchema, current.body);
    expect(s.final).toBe(false);
    expect(s.caseCount).toBeGreaterThanOrEqual(1);
    for (const row of s.cases) expect(Object.keys(row).sort()).toEqual(Object.keys(caseStatisticsSchema.shape.cases.element.shape).sort());

    const run = await t.http().post('/api/v1/jobs/case-statistics/run').set('Authorization', `Bearer ${t.admin.token}`).send({ period: '2025-07' });
    expect(run.status).toBe(200);
    const list = await get('gm', '/api/v1/case-statistics?limit=20&offset=0');
    expect(list.status).toBe(200);
    const page = exactly(caseStatisticsListSchema, list.body);
    expect(page.items.map((i) => i.period)).toContain('2025-07');
    for (const item of page.items) exactly(caseStatisticsListSchema.shape.items.element, item);
    exactly(caseStatisticsSchema, (await get('gm', '/api/v1/case-statistics/2025-07')).body);
  });
});
