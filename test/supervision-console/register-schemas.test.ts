import { incidentListSchema, incidentSchema } from '../../src/features/incidents/incident.schemas';
import { portListSchema, portSchema } from '../../src/features/ports/port.schemas';
import { sanctionListSchema, sanctionSchema } from '../../src/features/sanctions/sanction.schemas';
import { makeDepartment, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * The response schemas the port register (R-PORTS), incidents and the reward/penalty register
 * (R-REWARD, R-PENALTY) document for the console match what the routes answer, along the
 * console's flows: register and verify a computer; report anonymously, investigate, conclude;
 * propose, approve and reject.
 */
describe('supervision registers: response schemas (console contract)', () => {
  let t: TestApp;
  let qi: MadeUser;
  let gm: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const http = () => t.http();
  const ok = <T>(res: { status: number; body: unknown }, schema: { parse: (v: unknown) => T }, status = 200): T => {
    expect(res.status).toBe(status);
    return schema.parse(res.body);
  };

  test('R-PORTS: register, list (all and open only), change, verify', async () => {
    const d = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
    const created = ok(
      await http()
        .post(`/api/v1/departments/${d.code}/ports`)
        .set('Authorization', head.auth)
        .send({ assetTag: `PC-${d.code}-1`, userName: 'Front desk', location: 'Lobby', usbStatus: 'sealed', burnerStatus: 'none', decision: 'All sealed', approvedById: head.id }),
      portSchema,
      201,
    );
    expect(created).toEqual(expect.objectContaining({ sealed: true, approvedBy: head.username, lastVerifiedAt: null }));
    const opened = ok(
      await http().patch(`/api/v1/ports/${created.id}`).set('Authorization', head.auth).send({ usbStatus: 'open', decision: 'Scanner needs USB', approvedById: head.id }),
      portSchema,
    );
    expect(opened.sealed).toBe(false);
    expect(ok(await http().get(`/api/v1/departments/${d.code}/ports`).query({ open: 'true' }).set('Authorization', qi.auth), portListSchema).items.map((p) => p.id)).toEqual([created.id]);
    const verified = ok(await http().post(`/api/v1/ports/${created.id}/verify`).set('Authorization', head.auth).send({}), portSchema);
    expect(verified.lastVerifiedAt).not.toBeNull();
  });

  test('R-REWARD, R-PENALTY: an anonymous report, investigated and concluded; a penalty proposed and approved, a reward rejected', async () => {
    const staff = await makeUser(t);
    const culprit = await makeUser(t);
    const reported = ok(
      await http().post('/api/v1/incidents').set('Authorization', staff.auth).send({ type: 'lost_written_list', description: 'A customer list was found by the copier', anonymous: true }),
      incidentSchema,
      201,
    );
    expect(reported).toEqual(expect.objectContaining({ anonymous: true, reporterId: null, status: 'reported' }));
    const list = ok(await http().get('/api/v1/incidents').query({ status: 'reported', limit: 100 }).set('Authorization', qi.auth), incidentListSchema);
    expect(list.items.map((i) => i.id)).toContain(reported.id);
    ok(await http().post(`/api/v1/incidents/${reported.id}/investigate`).set('Authorization', qi.auth).send({}), incidentSchema);
    const concluded = ok(
      await http().post(`/api/v1/incidents/${reported.id}/conclude`).set('Authorization', qi.auth).send({ findings: 'The list was left by the named person', responsibleUserIds: [culprit.id] }),
      incidentSchema,
    );
    expect(concluded).toEqual(expect.objectContaining({ status: 'concluded', responsibleUserIds: [culprit.id] }));
    expect(ok(await http().get(`/api/v1/incidents/${reported.id}`).set('Authorization', qi.auth), incidentSchema).id).toBe(reported.id);

    const penalty = ok(
      await http()
        .post('/api/v1/sanctions')
        .set('Authorization', qi.auth)
        .send({ source: { type: 'incident', id: reported.id }, userId: culprit.id, kind: 'penalty', ground: 'lost_written_list', fine: 500, reason: 'Lost the written list' }),
      sanctionSchema,
      201,
    );
    expect(penalty).toEqual(expect.objectContaining({ status: 'pending', fineAmount: 500, rewardAmount: null }));
    const approved = ok(await http().post(`/api/v1/sanctions/${penalty.id}/approve`).set('Authorization', gm.auth).send({}), sanctionSchema);
    expect(approved.status).toBe('approved');
    expect(ok(await http().get(`/api/v1/sanctions/${penalty.id}`).set('Authorization', qi.auth), sanctionSchema).decidedBy?.id).toBe(gm.id);

    const helper = await makeUser(t);
    const reward = ok(
      await http()
        .post('/api/v1/sanctions')
        .set('Authorization', qi.auth)
        .send({ source: { type: 'incident', id: reported.id }, userId: helper.id, kind: 'reward', ground: 'remedy', amount: 200, reason: 'Recovered the list at once' }),
      sanctionSchema,
      201,
    );
    const rejected = ok(await http().post(`/api/v1/sanctions/${reward.id}/reject`).set('Authorization', gm.auth).send({ reason: 'Part of the job' }), sanctionSchema);
    expect(rejected).toEqual(expect.objectContaining({ status: 'rejected', decisionNote: 'Part of the job' }));
    const register = ok(await http().get('/api/v1/sanctions').query({ sourceType: 'incident', sourceId: String(reported.id) }).set('Authorization', gm.auth), sanctionListSchema);
    expect(register.items.map((s) => s.id).sort()).toEqual([penalty.id, reward.id].sort());
  });
});
