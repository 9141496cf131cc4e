import { AuditEvent } from '../../src/entities/AuditEvent';
import { SurveyNote } from '../../src/entities/SurveyNote';
import { makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('R-SURVEY-REDACT: survey and census notes', () => {
  let t: TestApp;
  let P: string;
  let Q: string;
  let cm: MadeUser;
  let clerk: MadeUser;
  let staff: MadeUser;
  let customerId: number;
  const newPhone = makePhone();
  const note = () =>
    `3棟1204室業主陳先生反映：廚房漏水，請安排維修；管理費已繳 1,200 元。新手機 ${newPhone.slice(0, 3)}-${newPhone.slice(3, 7)}-${newPhone.slice(7)}，` +
    `郵箱 chen.new@example.com，工作單位：華潤置地。另希望增加車位 B2-031。`;

  beforeAll(async () => {
    t = await startTestApp();
    P = (await makeProject(t)).code;
    Q = (await makeProject(t)).code;
    cm = await makeUser(t, { roles: [['customer_manager', `project:${P}`]] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    staff = await makeUser(t, { roles: [['staff', `project:${P}`]] });
    customerId = (await t.ctx.customers.create({ id: clerk.id, username: clerk.username }, P, { name: '陳大文', unit: '3棟1204室', nationality: 'domestic', phones: [makePhone()] })).id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('R-SURVEY-REDACT: a customer manager posts notes; what anyone lists is redacted, the original is stored only encrypted', async () => {
    const res = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'census', customerId, text: note() });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending_reconciliation');
    expect(res.body.text).not.toContain(newPhone.slice(7));
    expect(res.body.text).toContain('1,200 元');
    expect(res.body.removed).toMatchObject({ mobile: 1, email: 1, employer: 1 });
    const row = await t.ctx.db.manager.getRepository(SurveyNote).findOneByOrFail({ id: res.body.id });
    expect(JSON.stringify(row)).not.toContain('chen.new@example.com');
    // The customer manager cannot see the original or reconcile (R-SURVEY-REDACT: archives without private fields).
    expect((await t.http().get(`/api/v1/survey-notes/${res.body.id}/original`).set('Authorization', cm.auth)).status).toBe(403);
  });

  it('R-SURVEY-REDACT: the clerk reconciles into the control data, then archives: only the redacted text remains', async () => {
    const created = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'interview', customerId, text: note() });
    const id = created.body.id;
    const original = await t.http().get(`/api/v1/survey-notes/${id}/original`).set('Authorization', clerk.auth);
    expect(original.status).toBe(200);
    expect(original.body.text).toContain('chen.new@example.com');
    const rec = await t.http().post(`/api/v1/survey-notes/${id}/reconcile`).set('Authorization', clerk.auth).send({ customerId, changes: { phones: [newPhone], email: 'chen.new@example.com', employer: '華潤置地' } });
    expect(rec.status).toBe(200);
    expect(rec.body.note.reconciledCustomerIds).toEqual([customerId]);
    expect(rec.body.customer.email).toBe('c***@example.com');
    const arch = await t.http().post(`/api/v1/survey-notes/${id}/archive`).set('Authorization', clerk.auth);
    expect(arch.status).toBe(200);
    expect(arch.body).toMatchObject({ status: 'archived', removed: { mobile: 1, email: 1, employer: 1 } });
    expect(arch.body.text).toContain('[郵箱已刪除]');
    expect(arch.body.text).toContain('B2-031');
    const row = await t.ctx.db.manager.getRepository(SurveyNote).findOneByOrFail({ id });
    expect(row.rawEnc).toBeNull();
    expect(row.archivedText).not.toMatch(/chen\.new|華潤置地/);
    expect(row.archivedText).not.toContain(newPhone.slice(3, 7));
    // The original is gone; archiving twice is a conflict.
    expect((await t.http().get(`/api/v1/survey-notes/${id}/original`).set('Authorization', clerk.auth)).status).toBe(409);
    expect((await t.http().post(`/api/v1/survey-notes/${id}/archive`).set('Authorization', clerk.auth)).status).toBe(409);
    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'survey_note', objectId: String(id) }, order: { seq: 'ASC' } });
    expect(events.map((e) => e.action)).toEqual(['survey_note.created', 'survey_note.original_viewed', 'survey_note.reconciled', 'survey_note.archived']);
    expect(JSON.stringify(events)).not.toContain('chen.new@example.com');
  });

  // Issue 11 item 4: the archive step is the customer manager's (§5.2.2.4: 客戶經理 archives the other
  // requests, once the clerk has reconciled); it was refused them (403 survey_note:update).
  it('R-SURVEY-REDACT: the customer manager archives a note the clerk has reconciled (survey_note:archive), and still neither reads the original nor reconciles', async () => {
    const created = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'census', customerId, text: note() });
    const id = created.body.id;
    // Not before the clerk has reconciled: archiving destroys the original they reconcile from (409, nothing changed).
    const early = await t.http().post(`/api/v1/survey-notes/${id}/archive`).set('Authorization', cm.auth);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_reconciled');
    expect(await t.ctx.db.manager.getRepository(SurveyNote).findOneByOrFail({ id })).toMatchObject({ status: 'pending_reconciliation', rawEnc: expect.any(String) });
    // Neither the original nor reconciliation: both need survey_note:update, which archiving does not grant.
    const original = await t.http().get(`/api/v1/survey-notes/${id}/original`).set('Authorization', cm.auth);
    expect({ status: original.status, permission: original.body.error.details.permission }).toEqual({ status: 403, permission: 'survey_note:update' });
    const rec = await t.http().post(`/api/v1/survey-notes/${id}/reconcile`).set('Authorization', cm.auth).send({ customerId, changes: { unit: '3棟1205室' } });
    expect({ status: rec.status, permission: rec.body.error.details.permission }).toEqual({ status: 403, permission: 'survey_note:update' });
    // The clerk reconciles; then the customer manager archives: only the redacted text remains.
    expect((await t.http().post(`/api/v1/survey-notes/${id}/reconcile`).set('Authorization', clerk.auth).send({ customerId, changes: { email: 'chen.new@example.com' } })).status).toBe(200);
    const arch = await t.http().post(`/api/v1/survey-notes/${id}/archive`).set('Authorization', cm.auth);
    expect(arch.status).toBe(200);
    expect(arch.body).toMatchObject({ status: 'archived', removed: { mobile: 1, email: 1, employer: 1 } });
    expect(arch.body.text).not.toContain('chen.new@example.com');
    const row = await t.ctx.db.manager.getRepository(SurveyNote).findOneByOrFail({ id });
    expect(row).toMatchObject({ rawEnc: null, archivedById: cm.id });
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'survey_note.archived', objectId: String(id) });
    expect(ev).toMatchObject({ actorId: cm.id, scope: `project:${P}` });
    // Staff hold no archive permission.
    const other = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'census', text: note() });
    const denied = await t.http().post(`/api/v1/survey-notes/${other.body.id}/archive`).set('Authorization', staff.auth);
    expect({ status: denied.status, permission: denied.body.error.details.permission }).toEqual({ status: 403, permission: 'survey_note:archive' });
  });

  it('R-SURVEY-REDACT: the clerk (who reconciles) may archive a note that had nothing to reconcile', async () => {
    const created = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'interview', text: '業主希望增加車位' });
    const arch = await t.http().post(`/api/v1/survey-notes/${created.body.id}/archive`).set('Authorization', clerk.auth);
    expect(arch.status).toBe(200);
    expect(arch.body.status).toBe('archived');
  });

  it('R-SURVEY-REDACT: reconciliation only touches customers of the same project; staff cannot reconcile', async () => {
    const created = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'census', text: note() });
    const other = await t.ctx.customers.create({ id: t.admin.id, username: 'admin' }, Q, { name: 'X', unit: 'Y', nationality: 'domestic', phones: [makePhone()] });
    const wrong = await t.http().post(`/api/v1/survey-notes/${created.body.id}/reconcile`).set('Authorization', clerk.auth).send({ customerId: other.id, changes: { unit: 'Z' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].path).toBe('body.customerId');
    expect((await t.http().post(`/api/v1/survey-notes/${created.body.id}/reconcile`).set('Authorization', staff.auth).send({ customerId, changes: { unit: 'Z' } })).status).toBe(403);
  });
});
