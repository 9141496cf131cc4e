import { FINE_BAND, REWARD_BAND, sanctionRulesSchema } from '../../src/features/sanctions/sanction-rules';
import { makeUser } from '../helpers/factories';
import { makeIncident } from '../helpers/sanctions-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * GET /api/v1/sanctions/rules (R-REWARD §5.3.3, R-PENALTY §5.3.4): the bands and grounds the
 * console shows beside the proposal form are the ones the register enforces.
 */
describe('the reward/penalty rules for the console', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('R-REWARD, R-PENALTY: the bands (100–1000, 300–2000 yuan), every ground with its kind, the registered source types', async () => {
    const qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const res = await t.http().get('/api/v1/sanctions/rules').set('Authorization', qi.auth);
    expect(res.status).toBe(200);
    const rules = sanctionRulesSchema.parse(res.body);
    expect(rules.rewardBand).toEqual({ min: 100, max: 1000, rid: 'R-REWARD' });
    expect(rules.fineBand).toEqual({ min: 300, max: 2000, rid: 'R-PENALTY' });
    expect(rules.grounds.filter((g) => g.kind === 'reward').map((g) => g.ground)).toEqual(['report', 'remedy']);
    expect(rules.grounds.find((g) => g.ground === 'selling_for_gain')).toEqual(expect.objectContaining({ kind: 'penalty', rid: 'R-PENALTY §5.3.4 (3)' }));
    expect(rules.judicialReferralRequiredFor).toEqual(['selling_for_gain']);
    expect(rules.sourceTypes).toEqual(expect.arrayContaining(['incident']));
  });

  test('R-PENALTY: the band the page shows is the one a proposal is held to (one yuan past it is 400 naming the band)', async () => {
    const qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const rules = sanctionRulesSchema.parse((await t.http().get('/api/v1/sanctions/rules').set('Authorization', qi.auth)).body);
    const culprit = await makeUser(t);
    const incident = await makeIncident(t, { concludedWith: [culprit.id] });
    const propose = (fine: number) =>
      t
        .http()
        .post('/api/v1/sanctions')
        .set('Authorization', qi.auth)
        .send({ source: { type: 'incident', id: incident.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine, reason: 'rules page check' });
    const over = await propose(rules.fineBand.max + 1);
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.body.error.details)).toContain(`${FINE_BAND.min}–${FINE_BAND.max}`);
    expect((await propose(rules.fineBand.max)).status).toBe(201);
    expect(REWARD_BAND).toEqual({ min: rules.rewardBand.min, max: rules.rewardBand.max });
  });

  test('R-SECRET: a user without sanction:read is refused (403 naming the permission)', async () => {
    const staff = await makeUser(t);
    const res = await t.http().get('/api/v1/sanctions/rules').set('Authorization', staff.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.details.permission).toBe('sanction:read');
  });
});
