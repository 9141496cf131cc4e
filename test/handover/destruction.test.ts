import fs from 'node:fs';
import path from 'node:path';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { HandoverDelegation } from '../../src/entities/HandoverDelegation';
import { HandoverDestruction } from '../../src/entities/HandoverDestruction';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { Notification } from '../../src/entities/Notification';
import { TwoPersonConfirmation } from '../../src/entities/TwoPersonConfirmation';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { confirmedFile, delegatedFile, handoverEnv, HandoverSetup, handoverSetup, heldFile, ownersCsv } from '../helpers/handover-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('R-HANDOVER-DESTROY: confirmation of the entry, then supervised, recorded destruction', () => {
  let t: TestApp;
  let s: HandoverSetup;
  let it: MadeUser;
  let env: Record<string, string>;

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

  const stored = (f: HandoverFile) => path.join(env.HANDOVER_STORAGE_DIR, f.storageName);
  const fileRow = (id: number) => t.ctx.db.manager.getRepository(HandoverFile).findOneByOrFail({ id });
  /** The holder records the destruction (naming the witness): nothing is destroyed yet. */
  const destroy = (u: MadeUser, id: number, body: Record<string, unknown> = { witnessUserId: s.lead2.id }) =>
    t.http().post(`/api/v1/handover-files/${id}/destroy`).set('Authorization', u.auth).send(body);
  /** The witness confirms (or declines) from their own session. */
  const confirm = (u: MadeUser, id: number) => t.http().post(`/api/v1/handover-files/${id}/destruction/confirm`).set('Authorization', u.auth).send({});
  const decline = (u: MadeUser, id: number, reason = 'I did not see it happen') =>
    t.http().post(`/api/v1/handover-files/${id}/destruction/decline`).set('Authorization', u.auth).send({ reason });
  /** Recorded by `holder`, confirmed by `witness`: the destruction record (or the failed response). */
  async function destroyWitnessed(holder: MadeUser, witness: MadeUser, id: number, body: Record<string, unknown> = { witnessUserId: witness.id }) {
    const recorded = await destroy(holder, id, body);
    expect(recorded.status).toBe(200);
    return confirm(witness, id);
  }
  const actions = async (id: number) =>
    (await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'handover_file', objectId: String(id) }, order: { seq: 'ASC' } })).map((e) => e.action);

  test('R-HANDOVER-DESTROY: the clerk reports the entry, the lead confirms (deadline starts), destroys with a witness; recorded; every access afterwards is 410 Gone', async () => {
    const { file, delegation } = await delegatedFile(t, s, s.lead, s.clerk, 5);
    const bytes = fs.readFileSync(stored(file));
    const entry = await t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.clerk.auth).send({ records: 3, note: 'all owners entered' });
    expect(entry.status).toBe(200);
    expect(entry.body.status).toBe('entry_reported');
    const conf = await t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.lead.auth).send({});
    expect(conf.status).toBe(200);
    expect(conf.body).toMatchObject({ status: 'pending_destruction', confirmedById: s.lead.id, entry: { reportedById: s.clerk.id, records: 3, note: 'all owners entered' } });
    expect(new Date(conf.body.destructionDeadline).getTime() - new Date(conf.body.confirmedAt).getTime()).toBe(7 * 86_400_000);

    // The lead records it; nothing is destroyed until the witness confirms (two-person rule).
    const recorded = await destroy(s.lead, file.id);
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ status: 'pending_destruction', destroyedAt: null, pendingDestruction: { state: 'pending' }, destructionRequest: { kind: 'handover_destruction', confirmer: { id: s.lead2.id } } });
    expect(await fileRow(file.id)).toMatchObject({ status: 'pending_destruction', wrappedKey: file.wrappedKey });
    expect(fs.existsSync(stored(file))).toBe(true);
    const res = await confirm(s.lead2, file.id);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      serial: `HF-${file.id}`,
      fileId: file.id,
      fileName: 'owners.csv',
      sha256: file.sha256,
      byteSize: file.byteSize,
      destroyedById: s.lead.id,
      supervisorId: s.lead.id,
      witnessId: s.lead2.id,
      statusBefore: 'pending_destruction',
      reason: null,
      method: expect.stringContaining('crypto-shred'),
      requestedAt: recorded.body.destructionRequest.requestedAt,
      witnessConfirmedAt: res.body.destroyedAt,
      confirmationId: recorded.body.destructionRequest.id,
    });
    expect(res.body.bytesShreddedAt).not.toBeNull();
    // Crypto-shredded: the wrapped key is gone and the bytes are overwritten and unlinked.
    const row = await fileRow(file.id);
    expect(row).toMatchObject({ status: 'destroyed', wrappedKey: null, keyId: null, destructionId: res.body.id });
    expect(fs.existsSync(stored(file))).toBe(false);
    expect(bytes.length).toBeGreaterThan(0);
    // Every delegated access ended with it.
    expect(await t.ctx.db.manager.getRepository(HandoverDelegation).findOneByOrFail({ id: delegation.id })).toMatchObject({ endReason: 'destroyed' });

    // Afterwards: 410 with the destruction record, for everyone and everything.
    const gone = [
      t.http().get(`/api/v1/handover-files/${file.id}`).set('Authorization', s.lead.auth),
      t.http().get(`/api/v1/handover-files/${file.id}`).set('Authorization', it.auth),
      t.http().get(`/api/v1/handover-files/${file.id}/view`).set('Authorization', s.lead.auth),
      t.http().get(`/api/v1/handover-files/${file.id}/view`).set('Authorization', s.clerk.auth),
      t.http().get(`/api/v1/handover-files/${file.id}/download`).set('Authorization', s.lead.auth),
      t.http().get(`/api/v1/handover-files/${file.id}/delegations`).set('Authorization', s.lead.auth),
      t.http().post(`/api/v1/handover-files/${file.id}/delegations`).set('Authorization', s.lead.auth).send({ clerkUserId: s.clerk.id, days: 1 }),
      t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.clerk.auth).send({ records: 1 }),
      t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.lead.auth).send({}),
      t.http().post(`/api/v1/handover-files/${file.id}/transfer`).set('Authorization', it.auth).send({ toUserId: s.lead2.id }),
    ];
    for (const r of await Promise.all(gone)) {
      expect({ status: r.status, code: r.body.error?.code, destructionId: r.body.error?.details?.destructionId }).toEqual({ status: 410, code: 'destroyed', destructionId: res.body.id });
    }
    // Destroying twice is a conflict; so is confirming twice.
    const twice = await destroy(s.lead, file.id);
    expect({ status: twice.status, code: twice.body.error.code }).toEqual({ status: 409, code: 'already_destroyed' });
    const confirmedTwice = await confirm(s.lead2, file.id);
    expect({ status: confirmedTwice.status, code: confirmedTwice.body.error.code }).toEqual({ status: 409, code: 'already_confirmed' });
    // The record itself stays readable.
    for (const u of [s.lead, it]) {
      const rec = await t.http().get(`/api/v1/handover-destructions/${res.body.id}`).set('Authorization', u.auth);
      expect(rec.status).toBe(200);
      expect(rec.body).toMatchObject({ id: res.body.id, sha256: file.sha256, witnessId: s.lead2.id });
    }
    expect(await actions(file.id)).toEqual([
      'handover_file.uploaded',
      'handover_file.delegated',
      'handover_file.entry_reported',
      'handover_file.confirmed',
      'handover_file.destruction_requested',
      'handover_file.destroyed',
      'handover_file.bytes_shredded',
    ]);
    // The lead's list no longer shows it, unless asked for destroyed files.
    const list = await t.http().get('/api/v1/handover-files').query({ project: s.project }).set('Authorization', s.lead.auth);
    expect(list.body.items.map((i: { id: number }) => i.id)).not.toContain(file.id);
    const past = await t.http().get('/api/v1/handover-files').query({ project: s.project, status: 'destroyed' }).set('Authorization', s.lead.auth);
    expect(past.body.items.map((i: { id: number }) => i.id)).toContain(file.id);
  });

  test('R-HANDOVER-DESTROY: the order of confirmation holds: no confirmation before the entry (409), the entry once (409), each by its own role (403)', async () => {
    const { file } = await delegatedFile(t, s, s.lead, s.clerk);
    const early = await t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.lead.auth).send({});
    expect({ status: early.status, code: early.body.error.code }).toEqual({ status: 409, code: 'entry_not_reported' });
    const byLead = await t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.lead.auth).send({ records: 3 });
    expect({ status: byLead.status, permission: byLead.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:confirm_entry' });
    const bad = await t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.clerk.auth).send({ records: -1 });
    expect(bad.status).toBe(400);
    expect((await fileRow(file.id)).status).toBe('held');
    expect((await t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.clerk.auth).send({ records: 3 })).status).toBe(200);
    const again = await t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.clerk.auth).send({ records: 4 });
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'entry_already_reported' });
    const byClerk = await t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.clerk.auth).send({});
    expect({ status: byClerk.status, permission: byClerk.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:confirm' });
    const byOtherLead = await t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.lead2.auth).send({});
    expect({ status: byOtherLead.status, code: byOtherLead.body.error.code }).toEqual({ status: 403, code: 'not_holder' });
    expect((await t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.lead.auth).send({})).status).toBe(200);
    const twice = await t.http().post(`/api/v1/handover-files/${file.id}/confirm`).set('Authorization', s.lead.auth).send({});
    expect({ status: twice.status, code: twice.body.error.code }).toEqual({ status: 409, code: 'already_confirmed' });
  });

  test('R-HANDOVER-DESTROY: destroying before confirmation → 409 not_confirmed, unless the lead gives a reason, which is recorded', async () => {
    const f = await heldFile(t, s, s.lead);
    const refused = await destroy(s.lead, f.id);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'not_confirmed' });
    expect(await fileRow(f.id)).toMatchObject({ status: 'held', wrappedKey: f.wrappedKey });
    expect(fs.existsSync(stored(f))).toBe(true);
    const ok = await destroyWitnessed(s.lead, s.lead2, f.id, { witnessUserId: s.lead2.id, reason: 'developer sent a corrupted duplicate' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ statusBefore: 'held', reason: 'developer sent a corrupted duplicate' });
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.destroyed', objectId: String(f.id) });
    expect(ev.reason).toBe('developer sent a corrupted duplicate');
    expect(ev.after).toMatchObject({ beforeConfirmation: true });
  });

  test('R-HANDOVER-DESTROY: the witness is a second person holding handover_file:witness in the project; otherwise 400 and nothing changes', async () => {
    const f = await confirmedFile(t, s, s.lead, s.clerk);
    const other = await handoverSetup(t);
    const cases: Array<[number, string]> = [
      [s.lead.id, 'witness_is_destroyer'],
      [s.clerk.id, 'witness_not_allowed'],
      [s.staff.id, 'witness_not_allowed'],
      [it.id, 'witness_not_allowed'],
      [other.lead.id, 'witness_not_allowed'],
      [99_999_999, 'witness_not_allowed'],
    ];
    for (const [witnessUserId, code] of cases) {
      const r = await destroy(s.lead, f.id, { witnessUserId });
      expect({ witnessUserId, status: r.status, code: r.body.error.code }).toEqual({ witnessUserId, status: 400, code });
    }
    expect((await destroy(s.lead, f.id, {})).status).toBe(400);
    expect(await fileRow(f.id)).toMatchObject({ status: 'pending_destruction', wrappedKey: f.wrappedKey, destructionId: null });
    expect(fs.existsSync(stored(f))).toBe(true);
    expect(await t.ctx.db.manager.getRepository(HandoverDestruction).countBy({ fileId: f.id })).toBe(0);
    // Only the holder destroys.
    const r2 = await destroy(s.lead2, f.id, { witnessUserId: s.lead.id });
    expect({ status: r2.status, code: r2.body.error.code }).toEqual({ status: 403, code: 'not_holder' });
    const rc = await destroy(s.clerk, f.id);
    expect({ status: rc.status, permission: rc.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:destroy' });
  });

  test("R-HANDOVER-DESTROY: in a project with a single lead, the head of the project's department witnesses the lead's destruction (§5.2.2.3); a head of another department cannot", async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const lead = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
    const clerk = await makeUser(t, { roles: [['info_clerk', `project:${p.code}`]] });
    const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
    const otherHead = await makeUser(t, { roles: [['dept_head', `dept:${s.dept}`]] });
    const f = await confirmedFile(t, { project: p.code }, lead, clerk);
    const wrong = await destroy(lead, f.id, { witnessUserId: otherHead.id });
    expect({ status: wrong.status, code: wrong.body.error.code }).toEqual({ status: 400, code: 'witness_not_allowed' });
    expect(await fileRow(f.id)).toMatchObject({ status: 'pending_destruction', wrappedKey: f.wrappedKey });
    const res = await destroyWitnessed(lead, head, f.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fileId: f.id, destroyedById: lead.id, supervisorId: lead.id, witnessId: head.id, statusBefore: 'pending_destruction' });
    expect(fs.existsSync(stored(f))).toBe(false);
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.destroyed', objectId: String(f.id) });
    expect(ev.after).toMatchObject({ supervisorId: lead.id, witnessId: head.id });
    // The witness's own act: the head is the actor of the destruction, the lead of its recording.
    expect(ev.actorId).toBe(head.id);
    expect((await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.destruction_requested', objectId: String(f.id) })).actorId).toBe(lead.id);
    // Witnessing gives the head nothing else: no reading, viewing or destroying of the files.
    expect((await t.http().get(`/api/v1/handover-destructions/${res.body.id}`).set('Authorization', head.auth)).status).toBe(403);
  });

  test('R-HANDOVER-DESTROY: two destructions at once: exactly one is recorded, the other gets 409; two confirmations at once: exactly one wins; one record, one event', async () => {
    const f = await confirmedFile(t, s, s.lead, s.clerk);
    const [r1, r2] = await Promise.all([destroy(s.lead, f.id), destroy(s.lead, f.id)]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    expect((r1.status === 409 ? r1 : r2).body.error.code).toBe('destruction_pending');
    expect(await t.ctx.db.manager.getRepository(TwoPersonConfirmation).countBy({ objectType: 'handover_file', objectId: String(f.id) })).toBe(1);
    const [a, b] = await Promise.all([confirm(s.lead2, f.id), confirm(s.lead2, f.id)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('already_confirmed');
    expect(await t.ctx.db.manager.getRepository(HandoverDestruction).countBy({ fileId: f.id })).toBe(1);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'handover_file.destroyed', objectId: String(f.id) })).toBe(1);
    expect(fs.existsSync(stored(f))).toBe(false);
  });

  describe('R-HANDOVER-DESTROY: a crash between the steps never leaves a file shredded but recorded as present, nor recorded as destroyed but readable', () => {
    afterEach(() => {
      for (const k of Object.keys(t.ctx.handover.faults)) delete t.ctx.handover.faults[k as keyof typeof t.ctx.handover.faults];
    });

    /** The invariant once a destruction is recorded: no key anywhere, the service cannot open it, every access is 410. */
    async function recordedAndUnreadable(f: HandoverFile) {
      const row = await fileRow(f.id);
      expect(row).toMatchObject({ status: 'destroyed', wrappedKey: null, keyId: null });
      const d = await t.ctx.db.manager.getRepository(HandoverDestruction).findOneByOrFail({ fileId: f.id });
      const view = await t.http().get(`/api/v1/handover-files/${f.id}/view`).set('Authorization', s.lead.auth);
      expect({ status: view.status, destructionId: view.body.error.details.destructionId }).toEqual({ status: 410, destructionId: d.id });
      // Whatever bytes remain are ciphertext: they hold nothing of the plaintext, and their key is gone.
      if (fs.existsSync(stored(f))) expect(fs.readFileSync(stored(f)).includes(ownersCsv().subarray(0, 20))).toBe(false);
      return d;
    }

    test('R-HANDOVER-DESTROY: crash right after the record (before overwriting): unreadable at once; a restart finishes overwriting and unlinking', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      const before = fs.readFileSync(stored(f));
      t.ctx.handover.faults.afterRecord = () => {
        throw new Error('power cut');
      };
      const res = await destroyWitnessed(s.lead, s.lead2, f.id);
      expect(res.status).toBe(500);
      const d = await recordedAndUnreadable(f);
      expect(d.bytesShreddedAt).toBeNull();
      expect(fs.readFileSync(stored(f)).equals(before)).toBe(true); // the bytes are still there, untouched (but keyless)
      delete t.ctx.handover.faults.afterRecord;

      // A restart (a second instance on the same database and store) runs the recovery sweep at bootstrap.
      const again = await startTestApp({ dbUrl: t.dbUrl, env });
      try {
        expect(fs.existsSync(stored(f))).toBe(false);
        expect((await t.ctx.db.manager.getRepository(HandoverDestruction).findOneByOrFail({ id: d.id })).bytesShreddedAt).not.toBeNull();
      } finally {
        await again.close();
      }
      expect(await actions(f.id)).toEqual(expect.arrayContaining(['handover_file.destroyed', 'handover_file.bytes_shredded']));
    });

    test('R-HANDOVER-DESTROY: crash after overwriting (before unlinking): the bytes are random, the record stands; the sweep unlinks', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      const before = fs.readFileSync(stored(f));
      t.ctx.handover.faults.afterOverwrite = () => {
        throw new Error('power cut');
      };
      expect((await destroyWitnessed(s.lead, s.lead2, f.id)).status).toBe(500);
      const d = await recordedAndUnreadable(f);
      const after = fs.readFileSync(stored(f));
      expect(after.length).toBe(before.length);
      expect(after.equals(before)).toBe(false);
      expect(d.bytesShreddedAt).toBeNull();
      delete t.ctx.handover.faults.afterOverwrite;
      expect(await t.ctx.handover.destructions.finishShredding()).toBeGreaterThanOrEqual(1);
      expect(fs.existsSync(stored(f))).toBe(false);
      expect((await t.ctx.db.manager.getRepository(HandoverDestruction).findOneByOrFail({ id: d.id })).bytesShreddedAt).not.toBeNull();
    });

    test('R-HANDOVER-DESTROY: crash after unlinking (before noting it): the sweep only notes it', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      t.ctx.handover.faults.afterUnlink = () => {
        throw new Error('power cut');
      };
      expect((await destroyWitnessed(s.lead, s.lead2, f.id)).status).toBe(500);
      const d = await recordedAndUnreadable(f);
      expect(fs.existsSync(stored(f))).toBe(false);
      delete t.ctx.handover.faults.afterUnlink;
      await t.ctx.handover.startUp();
      expect((await t.ctx.db.manager.getRepository(HandoverDestruction).findOneByOrFail({ id: d.id })).bytesShreddedAt).not.toBeNull();
      const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.bytes_shredded', objectId: String(f.id) });
      expect(ev.after).toMatchObject({ destructionId: d.id, overwritten: false });
    });

    test('R-HANDOVER-DESTROY: a failure before the record commits leaves the file held, keyed and readable (nothing shredded)', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      // A conflicting record for this file makes the destruction transaction fail at its insert (after the status update).
      await t.ctx.db.manager.getRepository(HandoverDestruction).insert({
        fileId: f.id, projectId: f.projectId, fileName: 'x', format: 'csv', sha256: f.sha256, byteSize: 1, destroyedById: s.lead.id, supervisorId: s.lead.id,
        witnessId: s.lead2.id, method: 'test', reason: null, statusBefore: 'x', destroyedAt: new Date(), bytesShreddedAt: new Date(),
      });
      const res = await destroyWitnessed(s.lead, s.lead2, f.id);
      expect(res.status).toBe(409);
      expect(await fileRow(f.id)).toMatchObject({ status: 'pending_destruction', wrappedKey: f.wrappedKey, destructionId: null });
      // The witness's confirmation did not commit either: it still waits.
      expect((await t.ctx.db.manager.getRepository(TwoPersonConfirmation).findOneByOrFail({ objectType: 'handover_file', objectId: String(f.id) })).state).toBe('pending');
      const view = await t.http().get(`/api/v1/handover-files/${f.id}/view`).set('Authorization', s.lead.auth);
      expect(view.status).toBe(200);
      expect(view.body.rows[1].cells[0]).toBe('業主1');
      await t.ctx.db.manager.getRepository(HandoverDestruction).delete({ fileId: f.id });
    });
  });

  describe('R-HANDOVER-DESTROY: the two-person rule, witnessed (issue 11)', () => {
    const pendingRow = (id: number) => t.ctx.db.manager.getRepository(TwoPersonConfirmation).findOneOrFail({ where: { objectType: 'handover_file', objectId: String(id) }, order: { id: 'DESC' } });
    /** Everything a refused call could have changed. */
    const snapshot = async (f: HandoverFile) => ({
      file: await fileRow(f.id),
      stored: fs.existsSync(stored(f)),
      confirmations: await t.ctx.db.manager.getRepository(TwoPersonConfirmation).find({ where: { objectType: 'handover_file', objectId: String(f.id) }, order: { id: 'ASC' } }),
      records: await t.ctx.db.manager.getRepository(HandoverDestruction).countBy({ fileId: f.id }),
    });

    test('R-HANDOVER-DESTROY: a recorded destruction leaves the file held, keyed and readable until the named witness confirms it from their own session; the witness is told (by serial, never the file name) and finds it among their confirmations', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      const rec = await destroy(s.lead, f.id);
      expect(rec.status).toBe(200);
      const c = await pendingRow(f.id);
      expect(c).toMatchObject({ kind: 'handover_destruction', state: 'pending', requestedById: s.lead.id, confirmerId: s.lead2.id, statusBefore: 'pending_destruction' });
      expect(c.dueAt.getTime() - c.requestedAt.getTime()).toBe(t.ctx.config.confirmationTtlHours * 3_600_000);
      // Still held and readable by its holder; the IT admin sees that a destruction awaits its witness.
      const view = await t.http().get(`/api/v1/handover-files/${f.id}/view`).set('Authorization', s.lead.auth);
      expect(view.status).toBe(200);
      expect(view.body.rows[1].cells[0]).toBe('業主1');
      const meta = await t.http().get(`/api/v1/handover-files/${f.id}`).set('Authorization', it.auth);
      expect(meta.body).toMatchObject({ status: 'pending_destruction', destroyedAt: null, pendingDestruction: { confirmationId: c.id, state: 'pending' } });
      // The witness is told: the serial and the project, not the file's (possibly personal) name.
      const note = await t.ctx.db.manager.getRepository(Notification).findOneByOrFail({ recipientId: s.lead2.id, kind: 'confirmation.requested', objectId: String(f.id) });
      expect(note.subject).toContain(`HF-${f.id}`);
      expect(note.body).toContain(s.project);
      expect(`${note.subject} ${note.body}`).not.toContain('owners.csv');
      const mine = await t.http().get('/api/v1/me/confirmations').set('Authorization', s.lead2.auth);
      expect(mine.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: c.id, serial: `HF-${f.id}`, kind: 'handover_destruction', role: 'witness', state: 'pending' })]));
      expect(JSON.stringify(mine.body)).not.toContain('owners.csv');
      // Recording it again meanwhile is a conflict.
      const again = await destroy(s.lead, f.id);
      expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'destruction_pending' });
      // Confirmed: destroyed now.
      expect((await confirm(s.lead2, f.id)).status).toBe(200);
      expect(await fileRow(f.id)).toMatchObject({ status: 'destroyed', wrappedKey: null, confirmationId: null });
      expect(fs.existsSync(stored(f))).toBe(false);
      expect((await pendingRow(f.id)).state).toBe('confirmed');
    });

    test('R-HANDOVER-DESTROY: only the named witness confirms or declines: the holder or another lead is refused (403 not_witness, audited), the clerk and the IT admin get 403 naming handover_file:witness; nothing changes', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      expect((await destroy(s.lead, f.id)).status).toBe(200);
      const lead3 = await makeUser(t, { roles: [['project_manager', `project:${s.project}`]] });
      for (const [u, call] of [
        [s.lead, confirm],
        [lead3, confirm],
        [lead3, decline],
      ] as const) {
        const before = await snapshot(f);
        const r = await call(u, f.id);
        expect({ user: u.id, status: r.status, code: r.body.error.code }).toEqual({ user: u.id, status: 403, code: 'not_witness' });
        expect(await snapshot(f)).toEqual(before);
        const denied = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'handover_file.denied', objectId: String(f.id), actorId: u.id } });
        expect(denied.at(-1)).toMatchObject({ decision: 'deny', reason: expect.stringContaining('not_witness') });
      }
      for (const u of [s.clerk, it, s.staff]) {
        const before = await snapshot(f);
        const r = await confirm(u, f.id);
        expect({ status: r.status, permission: r.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:witness' });
        expect(await snapshot(f)).toEqual(before);
      }
      expect((await confirm(s.lead2, 99_999_999)).status).toBe(404);
      // A file whose destruction nobody recorded has nothing to confirm.
      const other = await confirmedFile(t, s, s.lead, s.clerk);
      const nothing = await confirm(s.lead2, other.id);
      expect({ status: nothing.status, code: nothing.body.error.code }).toEqual({ status: 409, code: 'nothing_to_confirm' });
    });

    test('R-HANDOVER-DESTROY: a declined destruction leaves the file held as it was, keeps the reason on record and tells the holder; confirming it afterwards is 409; it can be recorded again', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      expect((await destroy(s.lead, f.id)).status).toBe(200);
      const bad = await t.http().post(`/api/v1/handover-files/${f.id}/destruction/decline`).set('Authorization', s.lead2.auth).send({});
      expect(bad.status).toBe(400);
      const r = await decline(s.lead2, f.id, 'I was not in the room when it was done');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ state: 'declined', declineReason: 'I was not in the room when it was done', confirmer: { id: s.lead2.id } });
      expect(await fileRow(f.id)).toMatchObject({ status: 'pending_destruction', wrappedKey: f.wrappedKey, confirmationId: null, destructionId: null });
      expect(fs.existsSync(stored(f))).toBe(true);
      const told = await t.ctx.db.manager.getRepository(Notification).findOneByOrFail({ recipientId: s.lead.id, kind: 'confirmation.declined', objectId: String(f.id) });
      expect(told.body).not.toContain('not in the room');
      const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.destruction_declined', objectId: String(f.id) });
      expect(ev).toMatchObject({ actorId: s.lead2.id });
      expect(JSON.stringify(ev)).not.toContain('not in the room');
      const late = await confirm(s.lead2, f.id);
      expect({ status: late.status, code: late.body.error.code }).toEqual({ status: 409, code: 'already_declined' });
      expect((await destroyWitnessed(s.lead, s.lead2, f.id)).status).toBe(200);
    });

    test('R-HANDOVER-DESTROY: a confirmation and a decline at the same moment: exactly one wins', async () => {
      const f = await confirmedFile(t, s, s.lead, s.clerk);
      expect((await destroy(s.lead, f.id)).status).toBe(200);
      const [a, b] = await Promise.all([confirm(s.lead2, f.id), decline(s.lead2, f.id)]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const won = a.status === 200 ? 'confirmed' : 'declined';
      expect((await pendingRow(f.id)).state).toBe(won);
      expect((await fileRow(f.id)).status).toBe(won === 'confirmed' ? 'destroyed' : 'pending_destruction');
      expect(await t.ctx.db.manager.getRepository(HandoverDestruction).countBy({ fileId: f.id })).toBe(won === 'confirmed' ? 1 : 0);
    });

    test('R-HANDOVER-DESTROY: an unconfirmed destruction lapses after CONFIRMATION_TTL_HOURS: shown as expired, no longer confirmable (409), counted in the monthly indicators; the holder records it again', async () => {
      const mine = await handoverSetup(t);
      const f = await confirmedFile(t, mine, mine.lead, mine.clerk);
      expect((await destroy(mine.lead, f.id, { witnessUserId: mine.lead2.id })).status).toBe(200);
      const c = await pendingRow(f.id);
      const past = new Date(Date.now() - 60_000);
      await t.ctx.db.manager.getRepository(TwoPersonConfirmation).update({ id: c.id }, { dueAt: past });
      await t.ctx.db.manager.getRepository(HandoverFile).update({ id: f.id }, { confirmationDueAt: past });
      const meta = await t.http().get(`/api/v1/handover-files/${f.id}`).set('Authorization', mine.lead.auth);
      expect(meta.body).toMatchObject({ status: 'pending_destruction', pendingDestruction: { confirmationId: c.id, state: 'expired' }, destructionRequest: { state: 'expired' } });
      const late = await confirm(mine.lead2, f.id);
      expect({ status: late.status, code: late.body.error.code }).toEqual({ status: 409, code: 'confirmation_expired' });
      expect(await fileRow(f.id)).toMatchObject({ status: 'pending_destruction', wrappedKey: f.wrappedKey });
      // The §7 form of the day shows it as lapsed, not destroyed.
      const rows = await t.ctx.handover.destructionsForLedger(new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000), [mine.projectId]);
      expect(rows).toEqual([expect.objectContaining({ serial: `HF-${f.id}`, status: '確認逾期 confirmation expired', destroyedAt: null, witnessConfirmedAt: null })]);
      // R-RISK-MONTHLY: counted where its lapse falls.
      const count = async (asOf: number) =>
        (await t.ctx.indicators.compute({ projectIds: [mine.projectId] }, new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000), new Date(asOf))).find((i) => i.key === 'handover_confirmations_expired');
      expect(await count(Date.now())).toEqual(expect.objectContaining({ value: 1, requirement: 'R-HANDOVER-DESTROY' }));
      expect((await count(past.getTime() - 1))!.value).toBe(0);
      // The holder records it again; the lapsed one is closed as expired.
      expect((await destroyWitnessed(mine.lead, mine.lead2, f.id)).status).toBe(200);
      expect((await t.ctx.db.manager.getRepository(TwoPersonConfirmation).findOneByOrFail({ id: c.id })).state).toBe('expired');
      expect((await count(Date.now()))!.value).toBe(1);
    });

    test('R-HANDOVER-DESTROY: a custody transfer closes a destruction the previous holder recorded: the witness can no longer confirm it (409), the new holder records their own', async () => {
      const mine = await handoverSetup(t);
      const lead3 = await makeUser(t, { roles: [['project_manager', `project:${mine.project}`]] });
      const f = await confirmedFile(t, mine, mine.lead, mine.clerk);
      expect((await destroy(mine.lead, f.id, { witnessUserId: mine.lead2.id })).status).toBe(200);
      const transfer = await t.http().post(`/api/v1/handover-files/${f.id}/transfer`).set('Authorization', it.auth).send({ toUserId: lead3.id, reason: 'lead leaves' });
      expect(transfer.status).toBe(200);
      expect(transfer.body.pendingDestruction).toBeNull();
      const late = await confirm(mine.lead2, f.id);
      expect({ status: late.status, code: late.body.error.code }).toEqual({ status: 409, code: 'confirmation_closed' });
      expect(await fileRow(f.id)).toMatchObject({ status: 'pending_destruction', holderId: lead3.id, wrappedKey: f.wrappedKey });
      const res = await destroyWitnessed(lead3, mine.lead2, f.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ destroyedById: lead3.id, witnessId: mine.lead2.id });
    });
  });

  test('R-HANDOVER-DESTROY: the start-up sweep removes stored files that have no record once they are old (an upload that never committed), not fresh ones', async () => {
    const orphanOld = path.join(env.HANDOVER_STORAGE_DIR, '00000000-0000-4000-8000-000000000001.hf');
    const orphanNew = path.join(env.HANDOVER_STORAGE_DIR, '00000000-0000-4000-8000-000000000002.hf');
    fs.writeFileSync(orphanOld, 'ciphertext nobody can read');
    fs.writeFileSync(orphanNew, 'an upload in flight');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(orphanOld, twoHoursAgo, twoHoursAgo);
    const live = await heldFile(t, s, s.lead);
    await t.ctx.handover.startUp();
    expect(fs.existsSync(orphanOld)).toBe(false);
    expect(fs.existsSync(orphanNew)).toBe(true);
    expect(fs.existsSync(stored(live))).toBe(true);
    fs.rmSync(orphanNew);
  });

  test('R-HANDOVER-DESTROY: destructions are rows of the §7 ledger (serial, holder, confirmer, issued, deadline, destroyed, method, witness), by period and project', async () => {
    const mine = await handoverSetup(t);
    const other = await handoverSetup(t);
    const from = new Date(Date.now() - 1000);
    const f = await confirmedFile(t, mine, mine.lead, mine.clerk);
    const g = await confirmedFile(t, other, other.lead, other.clerk);
    expect((await destroyWitnessed(mine.lead, mine.lead2, f.id)).status).toBe(200);
    expect((await destroyWitnessed(other.lead, other.lead2, g.id)).status).toBe(200);
    const to = new Date(Date.now() + 1000);
    const rows = await t.ctx.handover.destructionsForLedger(from, to, [mine.projectId]);
    expect(rows).toHaveLength(1);
    const fr = await fileRow(f.id);
    expect(rows[0]).toEqual({
      serial: `HF-${f.id}`,
      project: mine.project,
      contentSummary: expect.stringContaining('owners.csv'),
      requester: expect.stringContaining(mine.lead.username),
      approver: expect.stringContaining(mine.lead.username),
      approvedAt: fr.confirmedAt,
      issuedAt: fr.uploadedAt,
      signedBy: null,
      expiry: fr.destructionDeadline,
      returnedAt: null,
      destroyedAt: fr.destroyedAt,
      method: expect.stringContaining('crypto-shred'),
      witness: expect.stringContaining(mine.lead2.username),
      witnessConfirmedAt: fr.destroyedAt,
      status: '已銷毀 destroyed',
      at: fr.destroyedAt,
    });
    const all = await t.ctx.handover.destructionsForLedger(from, to, null);
    expect(all.map((r) => r.serial)).toEqual(expect.arrayContaining([`HF-${f.id}`, `HF-${g.id}`]));
    expect(await t.ctx.handover.destructionsForLedger(to, new Date(to.getTime() + 1000), null)).toEqual([]);
    expect(await t.ctx.handover.destructionsForLedger(from, to, [])).toEqual([]);
  });

  test('R-LEDGER-FORM: the §7 record form of a project lists its destroyed handover files beside the paper copies', async () => {
    const mine = await handoverSetup(t);
    const f = await confirmedFile(t, mine, mine.lead, mine.clerk);
    expect((await destroyWitnessed(mine.lead, mine.lead2, f.id)).status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const res = await t
      .http()
      .get('/api/v1/ledger/form')
      .query({ from: '2026-01-01', to: tomorrow > today ? tomorrow : today, scope: `project:${mine.project}`, format: 'csv' })
      .set('Authorization', mine.lead.auth);
    expect(res.status).toBe(200);
    const lines = res.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const line = lines.find((l) => l.startsWith(`HF-${f.id},`));
    expect(line).toBeDefined();
    expect(line).toContain('owners.csv');
    expect(line).toContain('已銷毀 destroyed');
    expect(line).toContain(mine.lead2.username);
  });
});
