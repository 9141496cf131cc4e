import { AuditEvent } from '../../src/entities/AuditEvent';
import { inventoryItemSchema, inventoryListSchema, inventoryPageSchema } from '../../src/features/inventory/inventory.responses';
import { surveyNotePageSchema, surveyNoteViewSchema, surveyOriginalSchema, surveyReconciledSchema } from '../../src/features/survey/survey.responses';
import { makeDepartment, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * What the survey and inventory pages of the console read: the documented answers hold for real
 * answers (R-SURVEY-REDACT, R-INVENTORY), and the original of a note is shown for a stated reason
 * that the audit trail keeps (never the text).
 */
describe('survey notes and inventory answers the console reads', () => {
  let t: TestApp;
  let D: string;
  let P: string;
  let cm: MadeUser;
  let clerk: MadeUser;
  let head: MadeUser;
  let auditor: MadeUser;
  let customerId: number;
  const phone = makePhone();

  beforeAll(async () => {
    t = await startTestApp();
    D = (await makeDepartment(t)).code;
    P = (await makeProject(t, { departmentCode: D })).code;
    cm = await makeUser(t, { roles: [['customer_manager', `project:${P}`]] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    head = await makeUser(t, { roles: [['dept_head', `dept:${D}`]] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    customerId = (await t.ctx.customers.create({ id: clerk.id, username: clerk.username }, P, { name: '王小明', unit: '3棟1204室', nationality: 'domestic', phones: [makePhone()] })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const schemaErrors = (schema: { safeParse: (v: unknown) => { error?: unknown } }, body: unknown) => schema.safeParse(body).error;

  it('R-SURVEY-REDACT: create, list, one, reconcile and archive answer their documented shapes', async () => {
    const created = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'census', text: `3棟1204室 業主 ${phone} 希望增加車位` });
    expect(created.status).toBe(201);
    expect(schemaErrors(surveyNoteViewSchema, created.body)).toBeUndefined();
    const id = created.body.id;

    const list = await t.http().get('/api/v1/survey-notes').query({ project: P, limit: 20, offset: 0 }).set('Authorization', cm.auth);
    expect(list.status).toBe(200);
    expect(schemaErrors(surveyNotePageSchema, list.body)).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(phone);

    const one = await t.http().get(`/api/v1/survey-notes/${id}`).set('Authorization', cm.auth);
    expect(schemaErrors(surveyNoteViewSchema, one.body)).toBeUndefined();

    const rec = await t.http().post(`/api/v1/survey-notes/${id}/reconcile`).set('Authorization', clerk.auth).send({ customerId, changes: { phones: [phone] } });
    expect(rec.status).toBe(200);
    expect(schemaErrors(surveyReconciledSchema, rec.body)).toBeUndefined();

    const arch = await t.http().post(`/api/v1/survey-notes/${id}/archive`).set('Authorization', cm.auth);
    expect(arch.status).toBe(200);
    expect(schemaErrors(surveyNoteViewSchema, arch.body)).toBeUndefined();
    expect(arch.body.status).toBe('archived');
  });

  it('R-SURVEY-REDACT: POST …/original answers the original for a reason, audited with the reason and without the text', async () => {
    const created = await t.http().post('/api/v1/survey-notes').set('Authorization', cm.auth).send({ project: P, source: 'interview', text: `業主手機 ${phone}` });
    const id = created.body.id;

    const short = await t.http().post(`/api/v1/survey-notes/${id}/original`).set('Authorization', clerk.auth).send({ reason: 'x' });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].path).toBe('body.reason');

    // The customer manager neither reads the original nor reconciles (survey_note:update is the clerk's).
    expect((await t.http().post(`/api/v1/survey-notes/${id}/original`).set('Authorization', cm.auth).send({ reason: 'checking the note' })).status).toBe(403);

    const res = await t.http().post(`/api/v1/survey-notes/${id}/original`).set('Authorization', clerk.auth).send({ reason: 'reconciling the census' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(schemaErrors(surveyOriginalSchema, res.body)).toBeUndefined();
    expect(res.body.text).toContain(phone);

    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'survey_note.original_viewed', objectId: String(id) } });
    expect(events).toHaveLength(1);
    expect(events[0].reason).toBe('reconciling the census');
    expect(JSON.stringify(events[0])).not.toContain(phone);

    // Archived: the original no longer exists.
    expect((await t.http().post(`/api/v1/survey-notes/${id}/archive`).set('Authorization', clerk.auth)).status).toBe(200);
    const gone = await t.http().post(`/api/v1/survey-notes/${id}/original`).set('Authorization', clerk.auth).send({ reason: 'reconciling the census' });
    expect(gone.status).toBe(409);
  });

  it('R-INVENTORY: list, create, update, review and the company list answer their documented shapes', async () => {
    const created = await t.http().post(`/api/v1/departments/${D}/inventory`).set('Authorization', head.auth).send({ infoClass: 'paper_archive', description: 'Owner archives', keeperName: 'Archive room clerk', location: 'Room 101', approxCount: 300 });
    expect(created.status).toBe(201);
    expect(schemaErrors(inventoryItemSchema, created.body)).toBeUndefined();

    const list = await t.http().get(`/api/v1/departments/${D}/inventory`).set('Authorization', head.auth);
    expect(schemaErrors(inventoryListSchema, list.body)).toBeUndefined();
    expect(list.body.items).toHaveLength(1);

    const patched = await t.http().patch(`/api/v1/inventory/${created.body.id}`).set('Authorization', head.auth).send({ keeperUserId: head.id });
    expect(patched.status).toBe(200);
    expect(schemaErrors(inventoryItemSchema, patched.body)).toBeUndefined();
    expect(patched.body).toMatchObject({ keeperUserId: head.id, keeperUsername: head.username, keeperName: null });

    const reviewed = await t.http().post(`/api/v1/inventory/${created.body.id}/review`).set('Authorization', head.auth).send({});
    expect(schemaErrors(inventoryItemSchema, reviewed.body)).toBeUndefined();
    expect(reviewed.body.lastReviewedAt).not.toBeNull();

    const all = await t.http().get('/api/v1/inventory').query({ department: D, limit: 20, offset: 0 }).set('Authorization', auditor.auth);
    expect(all.status).toBe(200);
    expect(schemaErrors(inventoryPageSchema, all.body)).toBeUndefined();
    expect(all.body.total).toBe(1);
  });
});
