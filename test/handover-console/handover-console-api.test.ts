import fs from 'node:fs';
import { makeProject, makeUser, MadeUser } from '../helpers/factories';
import { handoverEnv, HandoverSetup, handoverSetup, heldFile, ownersXlsx } from '../helpers/handover-factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { confirmationSchema } from '../../src/features/confirmations/confirmation.views';
import {
  clerksSchema,
  delegationListSchema,
  delegationSchema,
  destructionSchema,
  fileListSchema,
  fileMetaSchema,
  fileSchema,
  fileViewSchema,
  myDelegationsSchema,
  recordSchema,
  rowsViewSchema,
} from '../../src/features/handover/handover.schemas';

/**
 * What the console relies on (web/src/areas/handover): the documented response schemas match the
 * real answers along the whole R-HANDOVER-HOLD / R-HANDOVER-DESTROY flow, and the clerk picker
 * (GET /handover-files/:id/clerks) lists the project's active clerks to the holder only.
 */
describe('handover console API: response schemas and the clerk picker', () => {
  let t: TestApp;
  let s: HandoverSetup;
  let head: MadeUser;
  let otherClerk: MadeUser;
  let storageDir: string;

  beforeAll(async () => {
    const env = handoverEnv();
    storageDir = env.HANDOVER_STORAGE_DIR;
    t = await startTestApp({ env });
    s = await handoverSetup(t);
    head = await makeUser(t, { roles: [['dept_head', `dept:${s.dept}`]] });
    const elsewhere = await makeProject(t, { departmentCode: s.dept });
    otherClerk = await makeUser(t, { roles: [['info_clerk', `project:${elsewhere.code}`]] });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  const get = (u: MadeUser, path: string, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', u.auth);
  const post = (u: MadeUser, path: string, body: object = {}) => t.http().post(path).set('Authorization', u.auth).send(body);

  test('R-HANDOVER-HOLD: the holder lists the active clerks of the project; another lead is refused (recorded), a clerk has no delegate permission', async () => {
    const f = await heldFile(t, s, s.lead);
    const r = await get(s.lead, `/api/v1/handover-files/${f.id}/clerks`);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const body = clerksSchema.parse(r.body);
    expect(body.items.map((c) => c.id).sort()).toEqual([s.clerk.id, s.clerk2.id].sort());
    expect(body.items.map((c) => c.id)).not.toContain(otherClerk.id);

    const other = await get(s.lead2, `/api/v1/handover-files/${f.id}/clerks`);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('not_holder');
    const clerk = await get(s.clerk, `/api/v1/handover-files/${f.id}/clerks`);
    expect(clerk.status).toBe(403);
    expect(clerk.body.error.details.permission).toBe('handover_file:delegate');
  });

  test('R-HANDOVER-HOLD, R-HANDOVER-DESTROY: every answer of the flow the console walks matches its documented schema', async () => {
    const xlsx = await ownersXlsx(4);
    const up = await t
      .http()
      .post('/api/v1/handover-files')
      .query({ project: s.project, name: 'owners.xlsx' })
      .set('Authorization', s.lead.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(xlsx);
    expect(up.status).toBe(201);
    const file = fileViewSchema.parse(up.body);

    const list = await get(s.lead, '/api/v1/handover-files', { project: s.project, limit: '20', offset: '0' });
    expect(fileListSchema.parse(list.body).items.map((i) => i.id)).toContain(file.id);
    const one = await get(s.lead, `/api/v1/handover-files/${file.id}`);
    expect(fileViewSchema.parse(one.body).id).toBe(file.id);
    expect(fileSchema.safeParse(one.body).success).toBe(true);
    const live = recordSchema.parse((await get(s.lead, `/api/v1/handover-files/${file.id}/record`)).body);
    expect(live).toMatchObject({ destroyed: false, file: { id: file.id, status: 'held' } });

    const d = await post(s.lead, `/api/v1/handover-files/${file.id}/delegations`, { clerkUserId: s.clerk.id, days: 2 });
    expect(d.status).toBe(201);
    delegationSchema.parse(d.body);
    delegationListSchema.parse((await get(s.lead, `/api/v1/handover-files/${file.id}/delegations`)).body);
    const mine = myDelegationsSchema.parse((await get(s.clerk, '/api/v1/handover-delegations')).body);
    expect(mine.items.map((i) => i.file.id)).toContain(file.id);

    const view = await get(s.clerk, `/api/v1/handover-files/${file.id}/view`, { page: '1', pageSize: '2' });
    expect(view.status).toBe(200);
    const rows = rowsViewSchema.parse(view.body);
    expect(rows.totalRows).toBe(5);
    expect(rows.rows).toHaveLength(2);

    const entry = await post(s.clerk, `/api/v1/handover-files/${file.id}/entry-confirmation`, { records: 4, note: 'entered' });
    expect(entry.status).toBe(200);
    expect(fileMetaSchema.parse(entry.body).status).toBe('entry_reported');
    const confirmed = await post(s.lead, `/api/v1/handover-files/${file.id}/confirm`);
    expect(fileViewSchema.parse(confirmed.body).status).toBe('pending_destruction');

    // The witness list the console offers (people picker) names the head of the department.
    const picker = await get(s.lead, '/api/v1/people', { permission: 'handover_file:witness', scope: `project:${s.project}` });
    expect(picker.body.items.map((p: { id: number }) => p.id)).toContain(head.id);

    const recorded = await post(s.lead, `/api/v1/handover-files/${file.id}/destroy`, { witnessUserId: head.id });
    expect(recorded.status).toBe(200);
    const held = fileViewSchema.parse(recorded.body);
    expect(held.destructionRequest?.confirmer?.id).toBe(head.id);
    confirmationSchema.parse(held.destructionRequest);

    // The witness finds it among their confirmations, then confirms from their own session.
    const waiting = await get(head, '/api/v1/me/confirmations');
    expect(waiting.body.items.map((c: { serial: string }) => c.serial)).toContain(held.serial);
    const done = await post(head, `/api/v1/handover-files/${file.id}/destruction/confirm`);
    expect(done.status).toBe(200);
    const record = destructionSchema.parse(done.body);
    expect(record).toMatchObject({ fileId: file.id, witnessId: head.id, destroyedById: s.lead.id });

    const gone = await get(s.lead, `/api/v1/handover-files/${file.id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.details.destructionId).toBe(record.id);
    // The console's file page: 200 with the destruction record, where the file's own route answers 410.
    const after = await get(s.lead, `/api/v1/handover-files/${file.id}/record`);
    expect(after.status).toBe(200);
    expect(recordSchema.parse(after.body)).toEqual({ destroyed: true, destruction: record });
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    expect(recordSchema.parse((await get(auditor, `/api/v1/handover-files/${file.id}/record`)).body)).toMatchObject({ destroyed: true });
    const byRecord = await get(s.lead, `/api/v1/handover-destructions/${record.id}`);
    expect(destructionSchema.parse(byRecord.body).id).toBe(record.id);
    const destroyedList = await get(s.lead, '/api/v1/handover-files', { project: s.project, status: 'destroyed' });
    expect(fileListSchema.parse(destroyedList.body).items.map((i) => i.id)).toContain(file.id);
  });

  test('R-HANDOVER-HOLD: another lead of the project asking for the record of a file they do not hold is refused, as for the file itself', async () => {
    const f = await heldFile(t, s, s.lead);
    const r = await get(s.lead2, `/api/v1/handover-files/${f.id}/record`);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('not_holder');
  });

  test('R-HANDOVER-DESTROY: a declined destruction answers the confirmation as documented', async () => {
    const f = await heldFile(t, s, s.lead);
    const r = await post(s.lead, `/api/v1/handover-files/${f.id}/destroy`, { witnessUserId: head.id, reason: 'duplicate upload' });
    expect(r.status).toBe(200);
    const declined = await post(head, `/api/v1/handover-files/${f.id}/destruction/decline`, { reason: 'not present' });
    expect(declined.status).toBe(200);
    expect(confirmationSchema.parse(declined.body).state).toBe('declined');
    const meta = await get(head, '/api/v1/handover-files', { project: s.project });
    // The head of department witnesses but does not read the files (handover_file:read is not theirs).
    expect(meta.status).toBe(403);
  });
});
