import { Customer } from '../../src/entities/Customer';
import { CustomerLookup } from '../../src/entities/CustomerLookup';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { makeDepartment, makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const nextPhone = makePhone;

describe('customer records (control data)', () => {
  let t: TestApp;
  let P: string;
  let Q: string;
  let staff: MadeUser;
  let clerk: MadeUser;
  let otherClerk: MadeUser;
  let admin: MadeUser;
  let cm: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    const d = await makeDepartment(t);
    P = (await makeProject(t, { departmentCode: d.code })).code;
    Q = (await makeProject(t)).code;
    staff = await makeUser(t, { roles: [['staff', `project:${P}`]] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    otherClerk = await makeUser(t, { roles: [['info_clerk', `project:${Q}`]] });
    admin = await makeUser(t, { roles: [['it_admin', '*']] });
    cm = await makeUser(t, { roles: [['customer_manager', `project:${P}`]] });
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (u: MadeUser, body: Record<string, unknown>) => t.http().post('/api/v1/customers').set('Authorization', u.auth).send(body);
  const sample = (extra: Record<string, unknown> = {}) => ({
    project: P,
    name: '陳大文',
    unit: '3棟1204室',
    phones: [nextPhone()],
    idNumber: null,
    employer: '華潤置地',
    email: 'chan@example.com',
    emergencyContact: '陳太 13911112222',
    ...extra,
  });

  it('R-CTRL-STAFF: staff create and read a customer; personal fields come back masked', async () => {
    const phone = nextPhone();
    const id = '11010519491231002X';
    const res = await create(staff, sample({ phones: [phone], idNumber: id }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      project: P,
      name: '陳大文',
      phones: [phone.slice(0, 3) + '****' + phone.slice(-4)],
      idNumber: '1101**********002X',
      employer: '***',
      emergencyContact: '***',
      email: 'c***@example.com',
      masked: true,
    });
    const got = await t.http().get(`/api/v1/customers/${res.body.id}`).set('Authorization', staff.auth);
    expect(got.status).toBe(200);
    expect(got.body.phones[0]).toContain('****');
    const list = await t.http().get(`/api/v1/customers?project=${P}`).set('Authorization', staff.auth);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(phone);
  });

  it('R-CTRL-STAFF: staff cannot update, delete or reveal', async () => {
    const c = (await create(clerk, sample())).body;
    expect((await t.http().patch(`/api/v1/customers/${c.id}`).set('Authorization', staff.auth).send({ unit: 'x' })).status).toBe(403);
    expect((await t.http().delete(`/api/v1/customers/${c.id}`).set('Authorization', staff.auth)).status).toBe(403);
    const rv = await t.http().post(`/api/v1/customers/${c.id}/reveal`).set('Authorization', staff.auth).send({ fields: ['phones'], reason: 'call about a leak' });
    expect(rv.status).toBe(403);
    expect(rv.body.error.details.permission).toBe('customer:reveal');
  });

  it('R-CTRL-CLERK: the clerk of the project updates, deletes and reveals; audit names fields, never values', async () => {
    const phone = nextPhone();
    const c = (await create(clerk, sample({ phones: [phone] }))).body;
    const upd = await t.http().patch(`/api/v1/customers/${c.id}`).set('Authorization', clerk.auth).send({ unit: '5棟0801室', employer: '萬科' });
    expect(upd.status).toBe(200);
    expect(upd.body.unit).toBe('5棟0801室');
    const rv = await t.http().post(`/api/v1/customers/${c.id}/reveal`).set('Authorization', clerk.auth).send({ fields: ['phones', 'employer'], reason: 'confirm repair appointment' });
    expect(rv.status).toBe(200);
    expect(rv.body).toEqual({ id: c.id, phones: [phone], employer: '萬科' });
    expect(rv.headers['cache-control']).toBe('no-store');
    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'customer', objectId: String(c.id) }, order: { seq: 'ASC' } });
    expect(events.map((e) => e.action)).toEqual(['customer.created', 'customer.updated', 'customer.revealed']);
    const reveal = events[2];
    expect(reveal.after).toEqual({ fields: ['phones', 'employer'] });
    expect(reveal.reason).toBe('confirm repair appointment');
    const all = JSON.stringify(events);
    for (const secret of [phone, '萬科', '華潤置地', 'chan@example.com']) expect(all).not.toContain(secret);
    expect((await t.http().delete(`/api/v1/customers/${c.id}`).set('Authorization', clerk.auth)).status).toBe(204);
    expect((await t.http().get(`/api/v1/customers/${c.id}`).set('Authorization', clerk.auth)).status).toBe(404);
  });

  it("R-SECRET: nobody reaches another project's customers without a role there", async () => {
    const c = (await create(clerk, sample())).body;
    expect((await t.http().get(`/api/v1/customers/${c.id}`).set('Authorization', otherClerk.auth)).status).toBe(403);
    expect((await t.http().get(`/api/v1/customers?project=${P}`).set('Authorization', otherClerk.auth)).status).toBe(403);
    expect((await create(otherClerk, sample())).status).toBe(403);
  });

  it('R-CTRL-IT: the IT admin does everything in every project, including reveal', async () => {
    const c = (await create(admin, sample({ project: Q }))).body;
    expect(c.project).toBe(Q);
    const rv = await t.http().post(`/api/v1/customers/${c.id}/reveal`).set('Authorization', admin.auth).send({ fields: ['email'], reason: 'data subject request' });
    expect(rv.status).toBe(200);
    expect(rv.body.email).toBe('chan@example.com');
  });

  it('R-SURVEY-REDACT: a customer manager views masked records and cannot reveal or change them', async () => {
    const c = (await create(clerk, sample())).body;
    expect((await t.http().get(`/api/v1/customers/${c.id}`).set('Authorization', cm.auth)).status).toBe(200);
    expect((await t.http().post(`/api/v1/customers/${c.id}/reveal`).set('Authorization', cm.auth).send({ fields: ['phones'], reason: 'want to call them' })).status).toBe(403);
    expect((await t.http().patch(`/api/v1/customers/${c.id}`).set('Authorization', cm.auth).send({ unit: 'x' })).status).toBe(403);
  });

  it('R-SECRET: personal fields are stored encrypted (AES-256-GCM) with a key id; a database dump holds no clear value', async () => {
    const phone = nextPhone();
    const ID = makeIdNumber();
    const c = (await create(clerk, sample({ phones: [phone], idNumber: ID }))).body;
    const row = await t.ctx.db.manager.getRepository(Customer).findOneByOrFail({ id: c.id });
    expect(row.keyId).toBe('t1');
    const dump = JSON.stringify(row) + JSON.stringify(await t.ctx.db.manager.getRepository(CustomerLookup).findBy({ customerId: c.id }));
    for (const secret of [phone, ID, '華潤置地', 'chan@example.com', '13911112222']) expect(dump).not.toContain(secret);
    expect(row.phonesEnc).toMatch(/^[A-Za-z0-9+/=]+$/);
  });

  it('R-SECRET: exact search by phone or ID number works through the blind index, however the number is typed, and is audited without the value', async () => {
    const phone = nextPhone();
    const ID = makeIdNumber();
    const c = (await create(clerk, sample({ phones: [phone], idNumber: ` ${ID.toLowerCase()} ` }))).body;
    const spaced = `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
    const byPhone = await t.http().get('/api/v1/customers/search').query({ project: P, phone: spaced }).set('Authorization', staff.auth);
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.items.map((x: { id: number }) => x.id)).toEqual([c.id]);
    const byId = await t.http().get('/api/v1/customers/search').query({ project: P, idNumber: ID }).set('Authorization', staff.auth);
    expect(byId.body.items.map((x: { id: number }) => x.id)).toContain(c.id);
    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'customer.searched' } });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(events)).not.toContain(phone);
  });

  it('duplicates on (project, phone) or (project, ID number) are refused with 409; another project may hold the same person', async () => {
    const phone = nextPhone();
    expect((await create(clerk, sample({ phones: [phone] }))).status).toBe(201);
    const dup = await create(clerk, sample({ phones: [phone] }));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('duplicate_customer');
    expect((await create(admin, sample({ project: Q, phones: [phone] }))).status).toBe(201);
  });

  it('bad input gets field-level 400 and writes nothing: bad checksum, bad phone, unknown field', async () => {
    const before = await t.ctx.db.manager.getRepository(Customer).count();
    const badId = await create(clerk, sample({ idNumber: '110105194912310021' }));
    expect(badId.status).toBe(400);
    expect(badId.body.error.details).toEqual([expect.objectContaining({ path: 'body.idNumber' })]);
    const badPhone = await create(clerk, sample({ phones: ['12345'] }));
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.details[0].path).toBe('body.phones.0');
    const unknown = await create(clerk, { ...sample(), vip: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body.vip');
    const noProject = await t.http().post('/api/v1/customers').set('Authorization', clerk.auth).send({ name: 'x', unit: 'y' });
    expect(noProject.status).toBe(400);
    expect(await t.ctx.db.manager.getRepository(Customer).count()).toBe(before);
  });

  it('a foreign customer carries a passport number instead of a resident ID', async () => {
    const res = await create(clerk, sample({ nationality: 'foreign', idNumber: 'E12345678' }));
    expect(res.status).toBe(201);
    expect(res.body.idNumber).toBe('E123*5678');
  });
});

describe('customer records: races and free notes', () => {
  let t: TestApp;
  let P: string;
  let clerk: MadeUser;
  beforeAll(async () => {
    t = await startTestApp();
    P = (await makeProject(t)).code;
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('R-SECRET: two creates with the same phone at once: exactly one record, the other 409', async () => {
    const phone = makePhone();
    const send = () => t.http().post('/api/v1/customers').set('Authorization', clerk.auth).send({ project: P, name: 'Race', unit: '1-101', phones: [phone] });
    const results = await Promise.all([send(), send(), send()]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const found = await t.ctx.customers.search({ id: clerk.id, username: clerk.username }, P, 'phone', phone);
    expect(found).toHaveLength(1);
  });

  it('R-AUDIT: free notes never enter the audit trail, and masked views show them redacted', async () => {
    const c = (await t.http().post('/api/v1/customers').set('Authorization', clerk.auth).send({ project: P, name: 'Notes', unit: '2-202', phones: [makePhone()] })).body;
    const secret = makePhone();
    const upd = await t.http().patch(`/api/v1/customers/${c.id}`).set('Authorization', clerk.auth).send({ notes: `new mobile ${secret}, 工作單位：某銀行` });
    expect(upd.status).toBe(200);
    expect(upd.body.notes).not.toContain(secret);
    expect(upd.body.notes).not.toContain('某銀行');
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'customer.updated', objectId: String(c.id) });
    expect(JSON.stringify(ev)).not.toContain(secret);
    expect(ev.after).toMatchObject({ notesChanged: true });
  });
});
