import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Notice } from '../../src/entities/Notice';
import { makeUser, MadeUser } from '../helpers/factories';
import { makeInspectedProject, makeInspection } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-INSPECT (§5.3.2): notices of the quality department. A public criticism (通報批評) names the
 * project; a notice is published to the whole company (every signed-in user reads it) and kept;
 * only the quality department publishes (notice:publish).
 */
describe('notices', () => {
  let t: TestApp;
  let qi: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const publish = (auth: string, body: unknown) => t.http().post('/api/v1/notices').set('Authorization', auth).send(body as object);
  const state = async () => ({
    notices: await t.ctx.db.manager.getRepository(Notice).count(),
    seq: (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
  });

  test('R-INSPECT: the quality department publishes a notice by hand; every signed-in user reads it; it is audited', async () => {
    const o = await makeInspectedProject(t);
    const { inspection } = await makeInspection(t, o.projectId);
    const res = await publish(qi.auth, {
      project: o.project,
      inspectionId: inspection.id,
      title: `通報批評：${o.project} 客戶名單外泄`,
      body: 'A customer list was found outside the office area.',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(
      expect.objectContaining({ kind: 'public_criticism', project: o.project, inspectionId: inspection.id, automatic: false, publishedBy: expect.objectContaining({ id: qi.id }) }),
    );
    const [event] = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'notice.published', objectId: String(res.body.id) } });
    expect(event).toEqual(expect.objectContaining({ actorId: qi.id, scope: `project:${o.project}` }));

    // An announcement needs no project; every reader sees both, newest first.
    const ann = await publish(qi.auth, { kind: 'announcement', title: 'Inspection calendar', body: 'The next inspections start on the 1st.' });
    expect(ann.status).toBe(201);
    expect(ann.body.project).toBeNull();
    for (const reader of [await makeUser(t), o.pm]) {
      const list = await t.http().get('/api/v1/notices').set('Authorization', reader.auth);
      expect(list.status).toBe(200);
      const ids = list.body.items.map((n: { id: number }) => n.id);
      expect(ids.indexOf(ann.body.id)).toBeLessThan(ids.indexOf(res.body.id));
      expect((await t.http().get(`/api/v1/notices/${res.body.id}`).set('Authorization', reader.auth)).body.body).toBe('A customer list was found outside the office area.');
    }
    const kinds = await t.http().get('/api/v1/notices').query({ kind: 'announcement' }).set('Authorization', o.pm.auth);
    expect(kinds.body.items.every((n: { kind: string }) => n.kind === 'announcement')).toBe(true);
    expect((await t.http().get('/api/v1/notices/99999999').set('Authorization', o.pm.auth)).status).toBe(404);
    expect((await t.http().get('/api/v1/notices')).status).toBe(401);
  });

  test('R-INSPECT: only the quality department publishes (403 notice:publish), nothing is written', async () => {
    const o = await makeInspectedProject(t);
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const nobody = await makeUser(t);
    const before = await state();
    for (const u of [o.pm, gm, nobody]) {
      const res = await publish(u.auth, { project: o.project, title: 'Criticism', body: 'Criticism text' });
      expect(res.status).toBe(403);
      expect(res.body.error.details.permission).toBe('notice:publish');
    }
    const after = await state();
    expect(after.notices).toBe(before.notices);
    // Only the three refusals were recorded.
    expect(after.seq).toBe(before.seq + 3);
  });

  test('R-INSPECT: a public criticism names a project, and an inspection of that project (400 otherwise); nothing is written', async () => {
    const o = await makeInspectedProject(t);
    const other = await makeInspectedProject(t);
    const { inspection } = await makeInspection(t, other.projectId);
    const before = await state();
    const cases: Array<[unknown, string]> = [
      [{ title: 'Criticism', body: 'Criticism text' }, 'body.project'],
      [{ project: o.project, inspectionId: inspection.id, title: 'Criticism', body: 'Criticism text' }, 'body.inspectionId'],
      [{ project: 'NO-SUCH-PROJECT', title: 'Criticism', body: 'Criticism text' }, 'body.project'],
      [{ inspectionId: 99999999, title: 'Criticism', body: 'Criticism text' }, 'body.inspectionId'],
      [{ project: o.project, title: '', body: 'Criticism text' }, 'body.title'],
      [{ project: o.project, kind: 'praise', title: 'Well done', body: 'Well done text' }, 'body.kind'],
      [{ project: o.project, title: 'Criticism', body: 'Criticism text', publishedAt: '2020-01-01' }, 'body.publishedAt'],
    ];
    for (const [body, path] of cases) {
      const res = await publish(qi.auth, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect(await state()).toEqual(before);
    // Naming only the inspection takes its project.
    const res = await publish(qi.auth, { inspectionId: inspection.id, title: 'Criticism', body: 'Criticism text' });
    expect(res.status).toBe(201);
    expect(res.body.project).toBe(other.project);
  });
});
