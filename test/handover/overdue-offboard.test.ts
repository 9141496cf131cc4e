import fs from 'node:fs';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { HandoverDelegation } from '../../src/entities/HandoverDelegation';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { Notification } from '../../src/entities/Notification';
import { handoverOverdueJob } from '../../src/features/handover/handover.job';
import { periodFromKey } from '../../src/jobs/period';
import { formatDate, formatDateTime } from '../../src/lib/documents';
import { makeUser, MadeUser } from '../helpers/factories';
import { actorOf, confirmedFile, delegatedFile, handoverEnv, HandoverSetup, handoverSetup, heldFile, witnessedDestruction } from '../helpers/handover-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;

describe('R-HANDOVER-DESTROY, R-HANDOVER-HOLD: overdue destructions and expired delegations are flagged daily and counted', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = handoverEnv();
    t = await startTestApp({ env });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(env.HANDOVER_STORAGE_DIR, { recursive: true, force: true });
  });

  /** The daily period `days` after `from` (local date in the jobs' timezone). */
  const periodAfter = (from: Date, days: number) => periodFromKey(handoverOverdueJob, formatDate(new Date(from.getTime() + days * DAY), TZ), TZ)!;
  const notes = (fileId: number, kind: string) => t.ctx.db.manager.getRepository(Notification).find({ where: { objectType: 'handover_file', objectId: String(fileId), kind }, order: { id: 'ASC' } });

  test('R-HANDOVER-DESTROY: a file past its destruction deadline is flagged to its holder once per day (a rerun adds nothing), and not before the deadline', async () => {
    const s = await handoverSetup(t);
    const f = await confirmedFile(t, s, s.lead, s.clerk);
    expect(handoverOverdueJob).toMatchObject({ name: 'handover-overdue', cadence: 'daily', covers: 'current' });
    // Before the deadline: nothing.
    await t.ctx.jobs.find(handoverOverdueJob.name).run(periodAfter(f.confirmedAt!, 2));
    expect(await notes(f.id, 'handover.destruction_overdue')).toHaveLength(0);
    // Past it: one reminder to the holder, naming the file by serial only.
    const day9 = periodAfter(f.confirmedAt!, 9);
    const r1 = await t.ctx.jobs.find(handoverOverdueJob.name).run(day9);
    expect(r1).toMatchObject({ reminders: expect.any(Number) });
    const first = await notes(f.id, 'handover.destruction_overdue');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ recipientId: s.lead.id, dedupeKey: `handover.destruction_overdue:HF-${f.id}:${day9.key}` });
    expect(first[0].body).toContain(`HF-${f.id}`);
    expect(first[0].body).not.toContain('owners.csv');
    // Times on the local wall clock of config.timezone, as the lead reads them; not UTC ISO strings.
    const tz = t.ctx.config.timezone;
    expect(first[0].body).toContain(`${formatDateTime(f.destructionDeadline!, tz)} (${tz})`);
    expect(first[0].body).toContain(formatDateTime(f.confirmedAt!, tz));
    expect(first[0].body).not.toContain(f.destructionDeadline!.toISOString());
    await t.ctx.jobs.find(handoverOverdueJob.name).run(day9);
    expect(await notes(f.id, 'handover.destruction_overdue')).toHaveLength(1);
    // The next day reminds again.
    await t.ctx.jobs.find(handoverOverdueJob.name).run(periodAfter(f.confirmedAt!, 10));
    expect(await notes(f.id, 'handover.destruction_overdue')).toHaveLength(2);
    // Once destroyed, no more reminders.
    await witnessedDestruction(t, s.lead, s.lead2, f);
    await t.ctx.jobs.find(handoverOverdueJob.name).run(periodAfter(f.confirmedAt!, 11));
    expect(await notes(f.id, 'handover.destruction_overdue')).toHaveLength(2);
  });

  test('R-HANDOVER-HOLD: a delegation past expiry that was not revoked is flagged to the holder (one message per file and day); a revoked one is not', async () => {
    const s = await handoverSetup(t);
    const { file, delegation } = await delegatedFile(t, s, s.lead, s.clerk, 2);
    const d2 = await t.ctx.handover.delegate(actorOf(s.lead), file, { clerkUserId: s.clerk2.id, days: 2 });
    const { file: other, delegation: revoked } = await delegatedFile(t, s, s.lead, s.clerk, 2);
    await t.ctx.handover.revoke(actorOf(s.lead), other, revoked.id);
    const day4 = periodAfter(delegation.grantedAt, 4);
    await t.ctx.jobs.find(handoverOverdueJob.name).run(day4);
    const n = await notes(file.id, 'handover.delegation_expired');
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ recipientId: s.lead.id, dedupeKey: `handover.delegation_expired:HF-${file.id}:${day4.key}` });
    // Params name the delegations and the (first) expiry on the local clock; the body is rendered from them.
    const tz = t.ctx.config.timezone;
    expect(JSON.parse(n[0].params!)).toMatchObject({ serial: `HF-${file.id}`, delegations: `${delegation.id}, ${d2.id}`, expiredAt: `${formatDateTime(delegation.expiresAt, tz)} (${tz})` });
    expect(n[0].body).toContain(`${formatDateTime(delegation.expiresAt, tz)} (${tz})`);
    expect(n[0].body).not.toContain(delegation.expiresAt.toISOString());
    expect(await notes(other.id, 'handover.delegation_expired')).toHaveLength(0);
    await t.ctx.jobs.find(handoverOverdueJob.name).run(day4);
    expect(await notes(file.id, 'handover.delegation_expired')).toHaveLength(1);
    // Revoking it (recording the end) stops the reminders.
    await t.ctx.handover.revoke(actorOf(s.lead), file, delegation.id);
    await t.ctx.handover.revoke(actorOf(s.lead), file, d2.id);
    await t.ctx.jobs.find(handoverOverdueJob.name).run(periodAfter(delegation.grantedAt, 5));
    expect(await notes(file.id, 'handover.delegation_expired')).toHaveLength(1);
  });

  test('R-HANDOVER-DESTROY: overdueCounts counts, as of a date, files past their deadline and delegations expired and not revoked, by department or projects', async () => {
    const s = await handoverSetup(t);
    const other = await handoverSetup(t);
    const f = await confirmedFile(t, s, s.lead, s.clerk); // its delegation (3 days) is never revoked
    await confirmedFile(t, other, other.lead, other.clerk);
    const dept = await t.ctx.org.getDepartment(s.dept);
    const before = new Date(f.confirmedAt!.getTime() + DAY);
    const after = new Date(f.confirmedAt!.getTime() + 9 * DAY);
    expect(await t.ctx.handover.overdueCounts({ projectIds: [s.projectId] }, before)).toEqual({ destructionOverdue: 0, delegationsExpiredUnrevoked: 0 });
    expect(await t.ctx.handover.overdueCounts({ projectIds: [s.projectId] }, after)).toEqual({ destructionOverdue: 1, delegationsExpiredUnrevoked: 1 });
    expect(await t.ctx.handover.overdueCounts({ departmentId: dept.id }, after)).toEqual({ destructionOverdue: 1, delegationsExpiredUnrevoked: 1 });
    expect(await t.ctx.handover.overdueCounts({ projectIds: [s.projectId, other.projectId] }, after)).toEqual({ destructionOverdue: 2, delegationsExpiredUnrevoked: 2 });
    expect(await t.ctx.handover.overdueCounts({ projectIds: [] }, after)).toEqual({ destructionOverdue: 0, delegationsExpiredUnrevoked: 0 });
    // Destroyed (late) afterwards: still overdue as of `after`, no longer as of a date after the destruction.
    await t.ctx.db.manager.getRepository(HandoverFile).update({ id: f.id }, { destructionDeadline: new Date(Date.now() - DAY) });
    await witnessedDestruction(t, s.lead, s.lead2, f);
    const destroyedAt = (await t.ctx.handover.load(f.id)).destroyedAt!;
    expect((await t.ctx.handover.overdueCounts({ projectIds: [s.projectId] }, new Date(destroyedAt.getTime() - 1))).destructionOverdue).toBe(1);
    expect(await t.ctx.handover.overdueCounts({ projectIds: [s.projectId] }, new Date(destroyedAt.getTime() + 9 * DAY))).toEqual({ destructionOverdue: 0, delegationsExpiredUnrevoked: 0 });
  });
});

describe('R-OFFBOARD: a lead holding handover files is not offboarded until the IT admin transfers them', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let s: HandoverSetup;
  let it: MadeUser;

  beforeAll(async () => {
    env = handoverEnv();
    t = await startTestApp({ env });
    s = await handoverSetup(t);
    it = await makeUser(t, { roles: [['it_admin', '*']] });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(env.HANDOVER_STORAGE_DIR, { recursive: true, force: true });
  });

  const offboard = (id: number) => t.http().post(`/api/v1/users/${id}/offboard`).set('Authorization', it.auth).send({ reason: 'leaves the company' });
  const transfer = (u: MadeUser, fileId: number, body: Record<string, unknown>) => t.http().post(`/api/v1/handover-files/${fileId}/transfer`).set('Authorization', u.auth).send(body);

  test('R-OFFBOARD: offboarding a holder → 409 listing the files; the IT admin transfers each to another lead of the project (delegations end); then offboarding succeeds', async () => {
    const leaver = await makeUser(t, { roles: [['project_manager', `project:${s.project}`]] });
    const { file, delegation } = await delegatedFile(t, s, leaver, s.clerk);
    const pending = await confirmedFile(t, s, leaver, s.clerk);
    const refused = await offboard(leaver.id);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'holdings_outstanding' });
    const kinds = refused.body.error.details.holdings.filter((h: { kind: string }) => h.kind === 'handover_file').map((h: { id: string }) => h.id);
    expect(kinds.sort()).toEqual([String(file.id), String(pending.id)].sort());

    for (const f of [file, pending]) {
      const r = await transfer(it, f.id, { toUserId: s.lead2.id, reason: 'lead leaves' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: f.id, holderId: s.lead2.id });
    }
    expect(await t.ctx.db.manager.getRepository(HandoverDelegation).findOneByOrFail({ id: delegation.id })).toMatchObject({ endReason: 'transferred' });
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.transferred', objectId: String(file.id) });
    expect(ev).toMatchObject({ actorId: it.id, reason: 'lead leaves', before: { holderId: leaver.id }, after: { holderId: s.lead2.id, delegationsEnded: 1 } });
    // The clerk's access ended with the custody change; the new holder decides again.
    const v = await t.http().get(`/api/v1/handover-files/${file.id}/view`).set('Authorization', s.clerk.auth);
    expect({ status: v.status, code: v.body.error.code }).toEqual({ status: 403, code: 'delegation_ended' });
    expect((await t.http().get(`/api/v1/handover-files/${file.id}/view`).set('Authorization', s.lead2.auth)).status).toBe(200);
    // The new holder carries on: destroys the confirmed one.
    expect((await t.http().post(`/api/v1/handover-files/${pending.id}/destroy`).set('Authorization', s.lead2.auth).send({ witnessUserId: s.lead.id })).status).toBe(200);
    expect((await offboard(leaver.id)).status).toBe(200);
  });

  test('R-OFFBOARD: custody passes only to an active project manager of the project, only by the IT admin; nothing changes otherwise', async () => {
    const f = await heldFile(t, s, s.lead);
    const other = await handoverSetup(t);
    const cases: Array<[number, number, string]> = [
      [s.clerk.id, 400, 'not_project_manager'],
      [s.staff.id, 400, 'not_project_manager'],
      [other.lead.id, 400, 'not_project_manager'],
      [it.id, 403, 'own_transfer'],
      [99_999_999, 400, 'not_project_manager'],
      [s.lead.id, 400, 'same_holder'],
    ];
    for (const [toUserId, status, code] of cases) {
      const r = await transfer(it, f.id, { toUserId });
      expect({ toUserId, status: r.status, code: r.body.error.code }).toEqual({ toUserId, status, code });
    }
    for (const u of [s.lead, s.lead2, s.clerk]) {
      const r = await transfer(u, f.id, { toUserId: s.lead2.id });
      expect({ status: r.status, permission: r.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:transfer' });
    }
    expect((await t.ctx.handover.load(f.id)).holderId).toBe(s.lead.id);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'handover_file.transferred', objectId: String(f.id) })).toBe(0);
  });

  test('R-OFFBOARD R-HANDOVER-HOLD: an IT admin who also leads the project cannot transfer a file to themselves (403 own_transfer, recorded); the file stays with its holder', async () => {
    const itLead = await makeUser(t, { roles: [['it_admin', '*'], ['project_manager', `project:${s.project}`]] });
    const f = await heldFile(t, s, s.lead);
    const r = await transfer(itLead, f.id, { toUserId: itLead.id, reason: 'taking it over' });
    expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 403, code: 'own_transfer' });
    expect((await t.ctx.handover.load(f.id)).holderId).toBe(s.lead.id);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'handover_file.transferred', objectId: String(f.id) })).toBe(0);
    const denied = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.denied', objectId: String(f.id), actorId: itLead.id });
    expect(denied).toMatchObject({ decision: 'deny', scope: `project:${s.project}`, reason: expect.stringContaining('own_transfer') });
    // So the content stays out of their reach.
    const v = await t.http().get(`/api/v1/handover-files/${f.id}/view`).set('Authorization', itLead.auth);
    expect({ status: v.status, code: v.body.error.code }).toEqual({ status: 403, code: 'no_delegation' });
    // Passing it to another lead remains theirs to do.
    const ok = await transfer(itLead, f.id, { toUserId: s.lead2.id, reason: 'lead leaves' });
    expect({ status: ok.status, holderId: ok.body.holderId }).toEqual({ status: 200, holderId: s.lead2.id });
  });

  test('R-OFFBOARD: destroyed files are not holdings; a file whose destruction awaits its witness still is', async () => {
    const leaver = await makeUser(t, { roles: [['project_manager', `project:${s.project}`]] });
    const f = await confirmedFile(t, s, leaver, s.clerk);
    expect((await t.ctx.users.holdingsOf(leaver.id)).filter((h) => h.kind === 'handover_file')).toHaveLength(1);
    await t.ctx.handover.destroy(actorOf(leaver), f, { witnessUserId: s.lead.id });
    // R-HANDOVER-DESTROY: recorded is not destroyed until the witness confirms.
    expect((await t.ctx.users.holdingsOf(leaver.id)).filter((h) => h.kind === 'handover_file')).toHaveLength(1);
    expect((await offboard(leaver.id)).status).toBe(409);
    await t.ctx.handover.confirmDestruction(actorOf(s.lead), await t.ctx.handover.load(f.id));
    expect((await t.ctx.users.holdingsOf(leaver.id)).filter((h) => h.kind === 'handover_file')).toHaveLength(0);
    expect((await offboard(leaver.id)).status).toBe(200);
  });
});
