import { AuditEvent } from '../../src/entities/AuditEvent';
import { customerMatchesSchema, customerPageSchema, revealedSchema } from '../../src/features/customers/customer.responses';
import { customerViewSchema } from '../../src/features/customers/customer.views';
import { makeDepartment, makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * POST /api/v1/customers/search: the console's exact search with the phone or ID number in the
 * body, so the value never sits in a URL, a proxy or an access log (R-SECRET); masked results and
 * one audit event without the value, like the GET. Plus the response schemas the console is typed from.
 */
describe('customer search with the value in the body (console)', () => {
  let t: TestApp;
  let P: string;
  let Q: string;
  let staff: MadeUser;
  let clerk: MadeUser;
  let outsider: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    const d = await makeDepartment(t);
    P = (await makeProject(t, { departmentCode: d.code })).code;
    Q = (await makeProject(t)).code;
    staff = await makeUser(t, { roles: [['staff', `project:${P}`]] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    outsider = await makeUser(t, { roles: [['info_clerk', `project:${Q}`]] });
  });
  afterAll(async () => {
    await t.close();
  });

  const search = (u: MadeUser, body: unknown) => t.http().post('/api/v1/customers/search').set('Authorization', u.auth).send(body as object);

  it('R-SECRET: finds by phone (as typed, spaced, +86) and by ID number; results masked; audited without the value', async () => {
    const phone = makePhone();
    const idNumber = makeIdNumber();
    const created = await t.http().post('/api/v1/customers').set('Authorization', clerk.auth).send({ project: P, name: '林小姐', unit: '2棟808室', phones: [phone], idNumber });
    expect(created.status).toBe(201);

    const spaced = `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
    for (const body of [{ project: P, phone }, { project: P, phone: spaced }, { project: P, idNumber }]) {
      const res = await search(staff, body);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.items.map((c: { id: number }) => c.id)).toEqual([created.body.id]);
      expect(res.body.items[0]).toMatchObject({ masked: true, phones: [phone.slice(0, 3) + '****' + phone.slice(-4)] });
      expect(JSON.stringify(res.body)).not.toContain(phone);
      expect(JSON.stringify(res.body)).not.toContain(idNumber);
    }

    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'customer.searched', actorId: staff.id } });
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e.scope).toBe(`project:${P}`);
      expect(JSON.stringify(e)).not.toContain(phone.slice(3));
      expect(JSON.stringify(e)).not.toContain(idNumber);
    }
  });

  it('no match: an empty list', async () => {
    const res = await search(staff, { project: P, phone: makePhone() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it('400 beside the field: neither or both values, unknown fields, no project', async () => {
    const neither = await search(staff, { project: P });
    expect(neither.status).toBe(400);
    expect(neither.body.error.details).toEqual([{ path: 'body.phone', message: 'give exactly one of phone or idNumber' }]);
    const both = await search(staff, { project: P, phone: makePhone(), idNumber: makeIdNumber() });
    expect(both.status).toBe(400);
    const unknown = await search(staff, { project: P, phone: makePhone(), name: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: 'body.name', message: 'unknown field' }]);
    const noProject = await search(staff, { phone: makePhone() });
    expect(noProject.status).toBe(400);
    expect(noProject.body.error.details[0].path).toBe('body.project');
  });

  it('R-CTRL-STAFF: another project\'s clerk is refused (403 naming customer:read), and the refusal names no value', async () => {
    const phone = makePhone();
    const res = await search(outsider, { project: P, phone });
    expect(res.status).toBe(403);
    expect(res.body.error.details.permission).toBe('customer:read');
    const denials = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { actorId: outsider.id, decision: 'deny' } });
    expect(denials.length).toBeGreaterThan(0);
    expect(JSON.stringify(denials)).not.toContain(phone.slice(3));
  });

  it('the documented response schemas hold for real answers (list, one, create, update, reveal, search)', async () => {
    const phone = makePhone();
    const created = await t.http().post('/api/v1/customers').set('Authorization', clerk.auth).send({ project: P, name: '王先生', unit: '5棟101室', phones: [phone], email: 'w@example.com', employer: '某公司' });
    expect(customerViewSchema.safeParse(created.body).error).toBeUndefined();
    const one = await t.http().get(`/api/v1/customers/${created.body.id}`).set('Authorization', staff.auth);
    expect(customerViewSchema.safeParse(one.body).error).toBeUndefined();
    const list = await t.http().get('/api/v1/customers').query({ project: P, limit: 5 }).set('Authorization', staff.auth);
    expect(customerPageSchema.safeParse(list.body).error).toBeUndefined();
    const patched = await t.http().patch(`/api/v1/customers/${created.body.id}`).set('Authorization', clerk.auth).send({ unit: '5棟102室' });
    expect(customerViewSchema.safeParse(patched.body).error).toBeUndefined();
    const found = await search(clerk, { project: P, phone });
    expect(customerMatchesSchema.safeParse(found.body).error).toBeUndefined();
    const revealed = await t.http().post(`/api/v1/customers/${created.body.id}/reveal`).set('Authorization', clerk.auth).send({ fields: ['phones', 'email'], reason: 'calling back about a complaint' });
    expect(revealed.status).toBe(200);
    expect(revealedSchema.safeParse(revealed.body).error).toBeUndefined();
    expect(revealed.body).toEqual({ id: created.body.id, phones: [phone], email: 'w@example.com' });
  });

  it('the API document types the customer and audit answers the console reads', async () => {
    const doc = (await t.http().get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };
    const schemaOf = (path: string, method: string, status = '200') => doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    for (const [path, method, status] of [
      ['/api/v1/customers', 'get', '200'],
      ['/api/v1/customers', 'post', '201'],
      ['/api/v1/customers/search', 'post', '200'],
      ['/api/v1/customers/search', 'get', '200'],
      ['/api/v1/customers/{id}', 'get', '200'],
      ['/api/v1/customers/{id}', 'patch', '200'],
      ['/api/v1/customers/{id}/reveal', 'post', '200'],
      ['/api/v1/audit', 'get', '200'],
      ['/api/v1/audit/verify', 'get', '200'],
    ] as const) {
      expect([path, method, schemaOf(path, method, status)]).toEqual([path, method, expect.objectContaining({})]);
    }
  });
});
