import { auditPageSchema, verifySchema } from '../../src/audit/audit.routes';
import { makeDepartment, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-AUDIT, what the console's audit page reads: the documented answers of the list and verify
 * hold for real answers, and the filters it sends (action, object, scope, decision, actor, time
 * range) narrow the list as the page says.
 */
describe('audit trail answers the console reads', () => {
  let t: TestApp;
  let P: string;
  let clerk: MadeUser;
  let auditor: MadeUser;
  let customerId: number;

  beforeAll(async () => {
    t = await startTestApp();
    const d = await makeDepartment(t);
    P = (await makeProject(t, { departmentCode: d.code })).code;
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const c = await t.http().post('/api/v1/customers').set('Authorization', clerk.auth).send({ project: P, name: '審計測試', unit: '1棟1室', phones: [makePhone()] });
    customerId = c.body.id;
    await t.http().post(`/api/v1/customers/${customerId}/reveal`).set('Authorization', clerk.auth).send({ fields: ['phones'], reason: 'returning a call' });
  });
  afterAll(async () => {
    await t.close();
  });

  const list = (query: Record<string, string | number>) => t.http().get('/api/v1/audit').query(query).set('Authorization', auditor.auth);

  it('the list answer matches its schema and filters by action, object, scope, decision, actor and time', async () => {
    const all = await list({ limit: 20 });
    expect(all.status).toBe(200);
    expect(auditPageSchema.safeParse(all.body).error).toBeUndefined();

    const revealed = await list({ action: 'customer.revealed', objectType: 'customer', objectId: String(customerId), scope: `project:${P}`, decision: 'allow', actor: clerk.username });
    expect(revealed.status).toBe(200);
    expect(revealed.body.total).toBe(1);
    expect(revealed.body.items[0]).toMatchObject({ action: 'customer.revealed', objectId: String(customerId), reason: 'returning a call', after: { fields: ['phones'] } });

    const future = await list({ action: 'customer.revealed', from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.body.total).toBe(0);
    const past = await list({ action: 'customer.revealed', objectId: String(customerId), to: new Date(Date.now() + 3_600_000).toISOString(), from: new Date(Date.now() - 3_600_000).toISOString() });
    expect(past.body.total).toBe(1);
  });

  it('verify answers ok with count and head, matching its schema', async () => {
    const res = await t.http().get('/api/v1/audit/verify').set('Authorization', auditor.auth);
    expect(res.status).toBe(200);
    expect(verifySchema.safeParse(res.body).error).toBeUndefined();
    expect(res.body).toMatchObject({ ok: true });
    expect(res.body.count).toBeGreaterThan(0);
  });

  it('a bad filter is a 400 beside the field (the page shows it next to the filter)', async () => {
    const res = await list({ decision: 'maybe' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.decision');
  });
});
