import { AuditEvent } from '../../src/entities/AuditEvent';
import type { IncidentType } from '../../src/entities/Incident';
import { Sanction } from '../../src/entities/Sanction';
import { pdfText } from '../../src/lib/documents';
import { makeProject, makeUser, MadeUser } from '../helpers/factories';
import { binary, makeIncident } from '../helpers/sanctions-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('R-REWARD, R-PENALTY: the reward/penalty register', () => {
  let t: TestApp;
  let projectCode: string;
  let qi: MadeUser;
  let gm: MadeUser;
  let gm2: MadeUser;
  let auditor: MadeUser;
  let staff: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    const p = await makeProject(t);
    projectCode = p.code;
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
    gm2 = await makeUser(t, { roles: [['general_manager', '*']] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    staff = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const propose = (body: Record<string, unknown>, who: MadeUser = qi) => t.http().post('/api/v1/sanctions').set('Authorization', who.auth).send(body);
  const approve = (id: number, who: MadeUser = gm) => t.http().post(`/api/v1/sanctions/${id}/approve`).set('Authorization', who.auth).send({});
  const count = () => t.ctx.db.manager.getRepository(Sanction).count();
  const auditCount = () => t.ctx.db.manager.getRepository(AuditEvent).count();
  const events = async (id: number) =>
    (await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'sanction', objectId: String(id) }, order: { seq: 'ASC' } })).map((e) => ({
      action: e.action,
      actorId: e.actorId,
      decision: e.decision,
    }));

  /** A reported incident in the project, reported by `reporter`. */
  const reportedBy = (reporter: MadeUser, type: IncidentType = 'negligent_leak') =>
    makeIncident(t, { project: projectCode, reporterId: reporter.id, type });

  /** Asserts a 400 that wrote nothing, naming `path` with `message`. */
  async function refused400(body: Record<string, unknown>, path: string, message: string | RegExp) {
    const [before, auditBefore] = [await count(), await auditCount()];
    const res = await propose(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const issue = (res.body.error.details as Array<{ path: string; message: string }>).find((d) => d.path === path);
    expect(issue).toBeDefined();
    if (typeof message === 'string') expect(issue!.message).toContain(message);
    else expect(issue!.message).toMatch(message);
    expect(await count()).toBe(before);
    expect(await auditCount()).toBe(auditBefore);
    return res;
  }

  test('R-REWARD: a reward for reporting goes to the reporter, is approved by the general manager, and its notice (獎罰通知單) is a PDF; every step audited', async () => {
    const reporter = await makeUser(t, { roles: [['staff', `project:${projectCode}`]] });
    const i = await reportedBy(reporter);
    const res = await propose({ source: { type: 'incident', id: i.id }, userId: reporter.id, kind: 'reward', ground: 'report', amount: 500, reason: 'Reported the list left on the printer at once' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'reward',
      ground: 'report',
      status: 'pending',
      rewardAmount: 500,
      fineAmount: null,
      project: projectCode,
      source: { type: 'incident', id: i.id, label: `incident #${i.id} (negligent_leak)` },
      person: { id: reporter.id, username: reporter.username },
      proposedBy: { id: qi.id },
    });
    // No notice before approval.
    const early = await t.http().get(`/api/v1/sanctions/${res.body.id}/notice`).set('Authorization', qi.auth);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_approved');

    const ok = await t.http().post(`/api/v1/sanctions/${res.body.id}/approve`).set('Authorization', gm.auth).send({ note: 'Well done' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', decidedBy: { id: gm.id }, decisionNote: 'Well done' });

    const pdf = await t.http().get(`/api/v1/sanctions/${res.body.id}/notice`).set('Authorization', auditor.auth).buffer(true).parse(binary as never);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(pdf.body as Buffer)).join('\n');
    expect(text).toContain('獎罰通知單');
    expect(text).toContain('JF-');
    expect(text).toContain(reporter.username);
    expect(text).toContain('500');
    expect(text.replace(/\s+/g, '')).toContain('R-REWARD§5.3.3(1)');

    expect(await events(res.body.id)).toEqual([
      { action: 'sanction.proposed', actorId: qi.id, decision: null },
      { action: 'sanction.approved', actorId: gm.id, decision: null },
      { action: 'sanction.notice_produced', actorId: auditor.id, decision: 'allow' },
    ]);
  });

  test('R-REWARD: a reward for stopping or reducing a leak (remedy) may go to anyone; the register lists it', async () => {
    const i = await reportedBy(staff);
    const helper = await makeUser(t);
    const res = await propose({ source: { type: 'incident', id: i.id }, userId: helper.id, kind: 'reward', ground: 'remedy', amount: 1000, reason: 'Retrieved the list before anyone read it' });
    expect(res.status).toBe(201);
    const list = await t.http().get('/api/v1/sanctions').query({ userId: String(helper.id) }).set('Authorization', auditor.auth);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({ id: res.body.id, ground: 'remedy', rewardAmount: 1000 });
  });

  test('R-REWARD: a reward of 99 or 1001 yuan is refused with the band (400), nothing written', async () => {
    const i = await reportedBy(staff);
    const base = { source: { type: 'incident', id: i.id }, userId: staff.id, kind: 'reward', ground: 'report', reason: 'Reported the leak' };
    const res = await refused400({ ...base, amount: 99 }, 'body.amount', 'a reward is 100–1000 yuan (R-REWARD)');
    expect(res.body.error.message).toContain('a reward is 100–1000 yuan (R-REWARD)');
    await refused400({ ...base, amount: 1001 }, 'body.amount', 'a reward is 100–1000 yuan (R-REWARD)');
    await refused400(base, 'body.amount', 'a reward is 100–1000 yuan');
    await refused400({ ...base, amount: 500, fine: 500 }, 'body.kind', 'a reward carries no fine');
    await refused400({ ...base, ground: 'negligent_leak', amount: 500 }, 'body.ground', 'a reward is for report or remedy');
  });

  test('R-REWARD: nobody is rewarded for reporting an anonymous report (the reporter is unknown): 400, nothing written', async () => {
    const i = await makeIncident(t, { project: projectCode, anonymous: true });
    await refused400(
      { source: { type: 'incident', id: i.id }, userId: staff.id, kind: 'reward', ground: 'report', amount: 300, reason: 'Claims to have reported it' },
      'body.ground',
      'reported anonymously',
    );
    // A remedy is not a report: whoever stopped the leak may still be rewarded.
    const remedy = await propose({ source: { type: 'incident', id: i.id }, userId: staff.id, kind: 'reward', ground: 'remedy', amount: 300, reason: 'Shredded the exposed list' });
    expect(remedy.status).toBe(201);
  });

  test('R-REWARD: a reward for reporting names the reporter, nobody else (400)', async () => {
    const i = await reportedBy(staff);
    const other = await makeUser(t);
    await refused400(
      { source: { type: 'incident', id: i.id }, userId: other.id, kind: 'reward', ground: 'report', amount: 300, reason: 'Not the reporter' },
      'body.userId',
      `goes to the reporter of incident #${i.id}`,
    );
    // Nor is anyone rewarded for an incident they were found responsible for.
    const own = await makeIncident(t, { project: projectCode, reporterId: staff.id, concludedWith: [staff.id] });
    await refused400(
      { source: { type: 'incident', id: own.id }, userId: staff.id, kind: 'reward', ground: 'remedy', amount: 300, reason: 'Found the list they had lost' },
      'body.userId',
      'was found responsible',
    );
  });

  test('R-PENALTY: a fine of 2001 yuan (or 299) is refused with the band (400), nothing written', async () => {
    const culprit = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const base = { source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', reason: 'Left the list on the printer' };
    const res = await refused400({ ...base, fine: 2001 }, 'body.fine', 'a fine is 300–2000 yuan (R-PENALTY)');
    expect(res.body.error.message).toContain('a fine is 300–2000 yuan (R-PENALTY)');
    await refused400({ ...base, fine: 299 }, 'body.fine', 'a fine is 300–2000 yuan (R-PENALTY)');
    await refused400(base, 'body.fine', 'at least one measure');
    await refused400({ ...base, compensation: 0 }, 'body.compensation', 'positive');
    await refused400({ ...base, fine: 500, amount: 500 }, 'body.amount', 'no reward amount');
    // Within the band: accepted, with dismissal and compensation for a serious case.
    const ok = await propose({ ...base, fine: 2000, dismissal: true, compensation: 15000 });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: 'penalty', fineAmount: 2000, dismissal: true, compensationAmount: 15000, judicialReferral: false });
  });

  test('R-PENALTY: a penalty names its source: none, an unknown type or a source that does not exist is a 400, nothing written', async () => {
    const culprit = await makeUser(t);
    const base = { userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 500, reason: 'Left the list on the printer' };
    await refused400(base, 'body.source', /./);
    await refused400({ ...base, source: { type: 'incident', id: 999999 } }, 'body.source.id', 'incident 999999 does not exist');
    await refused400({ ...base, source: { type: 'rumour', id: 1 } }, 'body.source.type', 'incident');
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    await refused400({ ...base, source: { type: 'incident', id: i.id }, userId: 999999 }, 'body.userId', 'user 999999 does not exist');
  });

  test('R-PENALTY: selling customer information must be referred to the judicial authorities (400 without the referral)', async () => {
    const seller = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, type: 'selling_for_gain', concludedWith: [seller.id] });
    const base = { source: { type: 'incident', id: i.id }, userId: seller.id, kind: 'penalty', ground: 'selling_for_gain', reason: 'Sold the owners list to an agency' };
    await refused400({ ...base, compensation: 50000 }, 'body.judicialReferral', 'judicial authorities (R-PENALTY)');
    // The incident's type decides too, whatever ground is given.
    await refused400({ ...base, ground: 'negligent_leak', fine: 2000 }, 'body.judicialReferral', 'selling customer information');
    const ok = await propose({ ...base, compensation: 50000, judicialReferral: true, dismissal: true });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ judicialReferral: true, dismissal: true, compensationAmount: 50000 });
  });

  test('R-PENALTY: penalties follow the findings: nobody before the incident is concluded, and only a person it found responsible (400)', async () => {
    const culprit = await makeUser(t);
    const open = await reportedBy(staff);
    const base = { kind: 'penalty', ground: 'negligent_leak', fine: 500, reason: 'Left the list on the printer' };
    await refused400({ ...base, source: { type: 'incident', id: open.id }, userId: culprit.id }, 'body.userId', 'has found nobody responsible');
    const concluded = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    await refused400({ ...base, source: { type: 'incident', id: concluded.id }, userId: staff.id }, 'body.userId', 'is not among the persons');
    await refused400({ ...base, ground: 'case_responsibility', source: { type: 'incident', id: concluded.id }, userId: culprit.id }, 'body.ground', 'complaint case');
  });

  test('R-PENALTY: one live record per person, source and ground (409); a rejected one may be proposed again', async () => {
    const culprit = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const body = { source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground: 'lost_written_list', fine: 300, reason: 'Lost the printed list' };
    const first = await propose(body);
    expect(first.status).toBe(201);
    const again = await propose(body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('duplicate_sanction');
    const noReason = await t.http().post(`/api/v1/sanctions/${first.body.id}/reject`).set('Authorization', gm.auth).send({});
    expect(noReason.status).toBe(400);
    const rejected = await t.http().post(`/api/v1/sanctions/${first.body.id}/reject`).set('Authorization', gm.auth).send({ reason: 'The list was found the next day' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionNote: 'The list was found the next day' });
    // No notice for a rejected record.
    expect((await t.http().get(`/api/v1/sanctions/${first.body.id}/notice`).set('Authorization', qi.auth)).status).toBe(409);
    expect((await propose(body)).status).toBe(201);
  });

  test('R-PENALTY: two identical proposals at once: exactly one is recorded, the other is a 409', async () => {
    const culprit = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const body = { source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 800, reason: 'Left the list on the printer' };
    const results = await Promise.all([propose(body), propose(body)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await t.ctx.db.manager.getRepository(Sanction).countBy({ sourceType: 'incident', sourceId: i.id })).toBe(1);
  });

  test('R-PENALTY: nobody approves their own proposal (403, audited); nor a record naming themselves', async () => {
    const both = await makeUser(t, { roles: [['quality_inspector', '*'], ['general_manager', '*']] });
    const culprit = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const res = await propose({ source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 500, reason: 'Left the list on the printer' }, both);
    expect(res.status).toBe(201);
    const own = await approve(res.body.id, both);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('own_proposal');
    const ownReject = await t.http().post(`/api/v1/sanctions/${res.body.id}/reject`).set('Authorization', both.auth).send({ reason: 'changed my mind' });
    expect(ownReject.status).toBe(403);
    expect((await t.ctx.db.manager.getRepository(Sanction).findOneByOrFail({ id: res.body.id })).status).toBe('pending');
    expect(await events(res.body.id)).toEqual([
      { action: 'sanction.proposed', actorId: both.id, decision: null },
      { action: 'sanction.approve_refused', actorId: both.id, decision: 'deny' },
      { action: 'sanction.reject_refused', actorId: both.id, decision: 'deny' },
    ]);

    // A general manager named in a record does not decide on it.
    const i2 = await reportedBy(gm2);
    const reward = await propose({ source: { type: 'incident', id: i2.id }, userId: gm2.id, kind: 'reward', ground: 'report', amount: 200, reason: 'Reported the leak' });
    expect(reward.status).toBe(201);
    const self = await approve(reward.body.id, gm2);
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('own_sanction');
    expect((await approve(reward.body.id, gm)).status).toBe(200);
  });

  test('R-PENALTY: approving twice is a 409; two general managers approving (or one rejecting) at once: exactly one wins', async () => {
    const culprit = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const mk = async (ground: string) =>
      (await propose({ source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground, fine: 600, reason: 'Left the list on the printer' })).body.id as number;

    const a = await mk('negligent_leak');
    expect((await approve(a)).status).toBe(200);
    const twice = await approve(a, gm2);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_pending');

    const b = await mk('lost_written_list');
    const both = await Promise.all([approve(b, gm), approve(b, gm2)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = both.find((r) => r.status === 200)!;
    const row = await t.ctx.db.manager.getRepository(Sanction).findOneByOrFail({ id: b });
    expect(row.status).toBe('approved');
    expect(row.decidedById).toBe(winner.body.decidedBy.id);
    expect((await events(b)).filter((e) => e.action === 'sanction.approved')).toHaveLength(1);

    const i2 = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const d = (await propose({ source: { type: 'incident', id: i2.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 600, reason: 'Left it again' })).body.id as number;
    const mixed = await Promise.all([approve(d, gm), t.http().post(`/api/v1/sanctions/${d}/reject`).set('Authorization', gm2.auth).send({ reason: 'not proven' })]);
    expect(mixed.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ objectType: 'sanction', objectId: String(d) })).toBe(2);
  });

  test('R-PENALTY: the quality department proposes, the general manager decides, auditors read: anyone else is refused (403)', async () => {
    const culprit = await makeUser(t);
    const i = await makeIncident(t, { project: projectCode, concludedWith: [culprit.id] });
    const body = { source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 500, reason: 'Left the list on the printer' };
    for (const who of [gm, auditor, staff]) {
      const res = await propose(body, who);
      expect(res.status).toBe(403);
      expect(res.body.error.details.permission).toBe('sanction:manage');
    }
    const res = await propose(body);
    for (const who of [qi, auditor, staff]) {
      const r = await approve(res.body.id, who);
      expect(r.status).toBe(403);
      expect(r.body.error.details.permission).toBe('sanction:approve');
    }
    expect((await t.http().get(`/api/v1/sanctions/${res.body.id}`).set('Authorization', auditor.auth)).status).toBe(200);
    expect((await t.http().get(`/api/v1/sanctions/${res.body.id}`).set('Authorization', staff.auth)).status).toBe(403);
    expect((await t.http().get('/api/v1/sanctions/999999').set('Authorization', auditor.auth)).status).toBe(404);
  });
});
