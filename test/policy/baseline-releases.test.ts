/**
 * R-IT-PERMS: a new version's policy lines reach an installation that already has its policy.
 * A fresh database gets every line of policies/policy.csv; an existing one gets each release's
 * lines (a `# @since` group) once, audited, on whichever instance starts first; a line the IT
 * admin removed afterwards is never brought back by a later start.
 */
import { verifyAuditChain } from '../../src/audit/verify';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { PolicyBaselineRelease } from '../../src/entities/PolicyBaselineRelease';
import { PolicyRule } from '../../src/entities/PolicyRule';
import { baselineReleases } from '../../src/policy/policy-files';
import { makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const RELEASE = '2026-12';

describe('baseline policy releases', () => {
  let t: TestApp;
  const others: TestApp[] = [];
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    for (const o of others) await o.close();
    await t.close();
  });

  const events = (action: string) => t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action }, order: { seq: 'ASC' } });
  const releaseLines = () => baselineReleases().get(RELEASE) ?? [];
  const linesPresent = async () => {
    const repo = t.ctx.db.manager.getRepository(PolicyRule);
    let n = 0;
    for (const [role, scope, object, action, effect] of releaseLines()) if (await repo.findOneBy({ ptype: 'p', v0: role, v1: scope, v2: object, v3: action, v4: effect })) n++;
    return n;
  };

  it('R-IT-PERMS: the baseline tags the lines this release added', () => {
    const lines = releaseLines().map((l) => l.join(', '));
    expect(lines).toEqual(expect.arrayContaining(['quality_inspector, *, risk_assessment, run, allow', 'customer_manager, *, survey_note, archive, allow', 'staff, *, user, pick, allow']));
  });

  it('R-IT-PERMS: a fresh database loads every line and is marked as having every release, with no upgrade event', async () => {
    expect(await linesPresent()).toBe(releaseLines().length);
    const releases = await t.ctx.db.manager.getRepository(PolicyBaselineRelease).find();
    // Every release, in whatever order the table lists them (its key is the tag).
    expect(releases.map((r) => r.tag).sort()).toEqual([...baselineReleases().keys()].sort());
    expect(await events('policy.baseline_loaded')).toHaveLength(1);
    expect(await events('policy.baseline_upgraded')).toHaveLength(0);
  });

  it('R-IT-PERMS: an installation of the previous version gets the release once at its next start, audited; a line removed later stays removed', async () => {
    // The database as the previous version left it: no record of the release, none of its lines.
    await t.ctx.db.tx(async (m) => {
      await m.getRepository(PolicyBaselineRelease).delete({ tag: RELEASE });
      for (const [role, scope, object, action, effect] of releaseLines()) await m.getRepository(PolicyRule).delete({ ptype: 'p', v0: role, v1: scope, v2: object, v3: action, v4: effect });
      await t.ctx.policyStore.bumpVersion(m);
    });
    await t.ctx.policy.reload();
    expect(await linesPresent()).toBe(0);
    const inspector = await makeUser(t, { roles: [['quality_inspector', '*']] });
    expect((await t.http().get('/api/v1/jobs').set('Authorization', inspector.auth)).status).toBe(403);

    // Two instances of the new version start at once on that database: one applies the release.
    const [a, b] = await Promise.all([startTestApp({ dbUrl: t.dbUrl, keepDatabase: true }), startTestApp({ dbUrl: t.dbUrl, keepDatabase: true })]);
    others.push(a, b);
    expect(await linesPresent()).toBe(releaseLines().length);
    const upgraded = await events('policy.baseline_upgraded');
    expect(upgraded).toHaveLength(1);
    expect(upgraded[0]).toEqual(expect.objectContaining({ objectType: 'policy', objectId: RELEASE, actorId: null }));
    expect((upgraded[0].after as { added: string[] }).added).toHaveLength(releaseLines().length);
    expect((await a.http().get('/api/v1/jobs').set('Authorization', inspector.auth)).status).toBe(200);

    // The IT admin removes one of the release's lines; a later start does not bring it back.
    const policy = await a.http().get('/api/v1/policy').set('Authorization', `Bearer ${a.admin.token}`);
    const line = (policy.body.lines as Array<{ id: number; role: string; object: string; action: string }>).find((l) => l.role === 'auditor' && l.object === 'case_stats' && l.action === 'run');
    expect(line).toBeDefined();
    expect((await a.http().delete(`/api/v1/policy/lines/${line!.id}`).set('Authorization', `Bearer ${a.admin.token}`)).status).toBe(204);
    const c = await startTestApp({ dbUrl: t.dbUrl, keepDatabase: true });
    others.push(c);
    expect(await linesPresent()).toBe(releaseLines().length - 1);
    expect(await events('policy.baseline_upgraded')).toHaveLength(1);
    expect(await verifyAuditChain(t.ctx.db.ds)).toEqual(expect.objectContaining({ ok: true }));
  });
});
