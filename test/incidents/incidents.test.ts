import { AuditEvent } from '../../src/entities/AuditEvent';
import { Incident } from '../../src/entities/Incident';
import { Notification } from '../../src/entities/Notification';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('R-PENALTY, R-REWARD: incidents are reported by anyone, investigated and concluded by the quality department', () => {
  let t: TestApp;
  const logLines: string[] = [];
  let projectCode: string;
  let deptCode: string;
  let qi: MadeUser;
  let qi2: MadeUser;
  let auditor: MadeUser;
  let staff: MadeUser;

  beforeAll(async () => {
    t = await startTestApp({ logSink: (line) => logLines.push(line) });
    const d = await makeDepartment(t);
    deptCode = d.code;
    projectCode = (await makeProject(t, { departmentCode: d.code })).code;
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    qi2 = await makeUser(t, { roles: [['quality_inspector', '*']] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    staff = await makeUser(t, { roles: [['staff', `project:${projectCode}`]] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const report = (who: MadeUser, body: Record<string, unknown>) => t.http().post('/api/v1/incidents').set('Authorization', who.auth).send(body);
  const investigate = (id: number, who: MadeUser = qi) => t.http().post(`/api/v1/incidents/${id}/investigate`).set('Authorization', who.auth).send({});
  const conclude = (id: number, body: Record<string, unknown>, who: MadeUser = qi) => t.http().post(`/api/v1/incidents/${id}/conclude`).set('Authorization', who.auth).send(body);
  const leak = () => ({ type: 'negligent_leak', description: 'An owners list was left on the lobby printer overnight', project: projectCode });
  const incidents = () => t.ctx.db.manager.getRepository(Incident).count();
  const audits = () => t.ctx.db.manager.getRepository(AuditEvent).count();
  const eventsOf = (id: number) => t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'incident', objectId: String(id) }, order: { seq: 'ASC' } });

  test('R-PENALTY: any signed-in employee, even without a role, reports; the quality department investigates and concludes with findings and the persons responsible; every step audited', async () => {
    const noRole = await makeUser(t);
    const culprit = await makeUser(t);
    const r = await report(noRole, leak());
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'negligent_leak', status: 'reported', project: projectCode, department: deptCode, reporterId: noRole.id, anonymous: false });
    // The quality department hears of it at once.
    expect(await t.ctx.db.manager.getRepository(Notification).countBy({ recipientId: qi.id, objectType: 'incident', objectId: String(r.body.id) })).toBe(1);

    const inv = await investigate(r.body.id);
    expect(inv.status).toBe(200);
    expect(inv.body).toMatchObject({ status: 'investigating', investigatorId: qi.id });
    const done = await conclude(r.body.id, { findings: 'The list was printed and forgotten by the night clerk', responsibleUserIds: [culprit.id, culprit.id], type: 'lost_written_list' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'concluded', type: 'lost_written_list', responsibleUserIds: [culprit.id], concludedById: qi.id });
    expect(done.body.concludedAt).not.toBeNull();

    const read = await t.http().get(`/api/v1/incidents/${r.body.id}`).set('Authorization', auditor.auth);
    expect(read.status).toBe(200);
    expect(read.body.findings).toContain('night clerk');
    const events = (await eventsOf(r.body.id)).map((e) => ({ action: e.action, actorId: e.actorId }));
    expect(events).toEqual([
      { action: 'incident.reported', actorId: noRole.id },
      { action: 'incident.investigating', actorId: qi.id },
      { action: 'incident.concluded', actorId: qi.id },
    ]);
    // The description (which may quote customer information) stays out of the trail.
    expect(JSON.stringify(await eventsOf(r.body.id))).not.toContain('lobby printer');
  });

  test('R-REWARD: an anonymous report stores no reporter, and its audit event names no actor, request or address; the request log line names no user', async () => {
    const whistle = await makeUser(t, { roles: [['staff', `project:${projectCode}`]] });
    const before = await t.ctx.db.manager.getRepository(AuditEvent).countBy({ actorId: whistle.id });
    const r = await report(whistle, { ...leak(), type: 'selling_for_gain', description: 'A colleague is selling owner phone lists to an agency', anonymous: true });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ reporterId: null, anonymous: true, type: 'selling_for_gain' });
    const row = await t.ctx.db.manager.getRepository(Incident).findOneByOrFail({ id: r.body.id });
    expect(row.reporterId).toBeNull();
    expect(Boolean(row.anonymous)).toBe(true);
    // R-AUDIT: the event exists, and nothing in it points back at the reporter.
    const [ev] = await eventsOf(r.body.id);
    expect(ev).toMatchObject({ action: 'incident.reported_anonymously', actorId: null, actorName: null, requestId: null, ip: null });
    expect(JSON.stringify(ev)).not.toContain(whistle.username);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ actorId: whistle.id })).toBe(before);
    // The investigators' view: no reporter.
    const seen = await t.http().get(`/api/v1/incidents/${r.body.id}`).set('Authorization', qi.auth);
    expect(seen.body.reporterId).toBeNull();
    const listed = await t.http().get('/api/v1/incidents').query({ type: 'selling_for_gain' }).set('Authorization', qi.auth);
    expect(listed.body.items.find((i: { id: number }) => i.id === r.body.id)).toMatchObject({ reporterId: null, anonymous: true });
    // The request log line of the report names no user (its request id is in no audit event).
    const requestId = r.headers['x-request-id'];
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.message === 'request' && l.requestId === requestId);
    expect(line).toMatchObject({ userId: null, status: 201 });
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ requestId })).toBe(0);

    // No reward for reporting it: the reporter is unknown (R-REWARD).
    const reward = await t
      .http()
      .post('/api/v1/sanctions')
      .set('Authorization', qi.auth)
      .send({ source: { type: 'incident', id: r.body.id }, userId: whistle.id, kind: 'reward', ground: 'report', amount: 1000, reason: 'Says they reported it' });
    expect(reward.status).toBe(400);
    expect(reward.body.error.details[0].message).toContain('reported anonymously');
  });

  test('R-PENALTY: bad reports are refused (400) and nothing is written', async () => {
    const other = await makeDepartment(t);
    const [n, a] = [await incidents(), await audits()];
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...leak(), type: 'gossip' }, 'body.type'],
      [{ ...leak(), description: 'short' }, 'body.description'],
      [{ ...leak(), project: 'NOPE-404' }, 'body.project'],
      [{ ...leak(), department: 'NODEPT-404' }, 'body.department'],
      [{ ...leak(), anonymous: 'yes' }, 'body.anonymous'],
      [{ ...leak(), reporterId: 5 }, 'body.reporterId'],
    ];
    for (const [body, path] of bad) {
      const res = await report(staff, body);
      expect(res.status).toBe(400);
      expect((res.body.error.details as Array<{ path: string }>).map((d) => d.path)).toContain(path);
    }
    const res = await report(staff, { ...leak(), department: other.code });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('body.department');
    expect(await incidents()).toBe(n);
    expect(await audits()).toBe(a);
  });

  test('R-PENALTY: the workflow runs reported → investigating → concluded, never out of order (409); concluding names existing persons (400)', async () => {
    const r = await report(staff, leak());
    const early = await conclude(r.body.id, { findings: 'Concluded without an investigation', responsibleUserIds: [] });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_investigating');
    expect((await investigate(r.body.id)).status).toBe(200);
    const again = await investigate(r.body.id, qi2);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_reported');
    const unknown = await conclude(r.body.id, { findings: 'Somebody we do not know', responsibleUserIds: [999999] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body.responsibleUserIds');
    expect((await t.ctx.db.manager.getRepository(Incident).findOneByOrFail({ id: r.body.id })).status).toBe('investigating');
    const ok = await conclude(r.body.id, { findings: 'Nobody was at fault: the list was shredded', responsibleUserIds: [] });
    expect(ok.status).toBe(200);
    expect((await conclude(r.body.id, { findings: 'Concluding a second time', responsibleUserIds: [] })).status).toBe(409);
  });

  test('R-PENALTY: two inspectors taking up (or concluding) the same incident at once: exactly one wins, the other gets a 409', async () => {
    const r = await report(staff, leak());
    const taken = await Promise.all([investigate(r.body.id, qi), investigate(r.body.id, qi2)]);
    expect(taken.map((x) => x.status).sort()).toEqual([200, 409]);
    const body = { findings: 'The list was printed and forgotten', responsibleUserIds: [staff.id] };
    const concluded = await Promise.all([conclude(r.body.id, body, qi), conclude(r.body.id, body, qi2)]);
    expect(concluded.map((x) => x.status).sort()).toEqual([200, 409]);
    const actions = (await eventsOf(r.body.id)).map((e) => e.action);
    expect(actions).toEqual(['incident.reported', 'incident.investigating', 'incident.concluded']);
  });

  test('R-PENALTY: only the quality department handles incidents and only it and auditors read them (403 for the rest)', async () => {
    const r = await report(staff, leak());
    for (const who of [staff, auditor]) {
      const res = await investigate(r.body.id, who);
      expect(res.status).toBe(403);
      expect(res.body.error.details.permission).toBe('incident:manage');
    }
    const peek = await t.http().get(`/api/v1/incidents/${r.body.id}`).set('Authorization', staff.auth);
    expect(peek.status).toBe(403);
    expect(peek.body.error.details.permission).toBe('incident:read');
    expect((await t.http().get('/api/v1/incidents').set('Authorization', staff.auth)).status).toBe(403);
    expect((await t.http().get('/api/v1/incidents/999999').set('Authorization', qi.auth)).status).toBe(404);
  });

  test('R-PENALTY: a concluded incident is the source of penalties for the persons it found responsible; a reward for reporting goes to its reporter', async () => {
    const culprit = await makeUser(t);
    const r = await report(staff, leak());
    await investigate(r.body.id);
    await conclude(r.body.id, { findings: 'The list was printed and forgotten', responsibleUserIds: [culprit.id] });
    const propose = (body: Record<string, unknown>) => t.http().post('/api/v1/sanctions').set('Authorization', qi.auth).send({ source: { type: 'incident', id: r.body.id }, reason: 'Per the findings', ...body });
    expect((await propose({ userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 500 })).status).toBe(201);
    expect((await propose({ userId: staff.id, kind: 'reward', ground: 'report', amount: 200 })).status).toBe(201);
    const list = await t.http().get('/api/v1/sanctions').query({ sourceType: 'incident', sourceId: String(r.body.id) }).set('Authorization', auditor.auth);
    expect(list.body.total).toBe(2);
  });
});
