import { ROLES } from '../../src/policy/roles';
import { demoScope, seedDemo } from '../../src/seed/demo';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('demo organisation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('R-SCOPE: seed:demo creates one signed user per role, scoped where the role is held, and can log in', async () => {
    const first = await seedDemo(t.ctx, 'demo-password');
    expect(first.created).toHaveLength(ROLES.length);
    for (const role of ROLES) {
      const login = await t.http().post('/api/v1/auth/login').send({ username: `demo.${role.name}`, password: 'demo-password' });
      expect(login.status).toBe(200);
      const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${login.body.accessToken}`);
      expect(me.body.status).toBe('active');
      expect(me.body.assignments).toEqual([expect.objectContaining({ role: role.name, scope: demoScope(role.name) })]);
      // Issue 13: demo users get mail (at a test domain), in the default language.
      expect(me.body.user).toMatchObject({ email: `demo.${role.name}@demo.custodian.test`, language: 'zh-Hant' });
    }
    expect(demoScope('info_clerk')).toBe('project:SC-HARBOUR');
    expect(demoScope('dept_head')).toBe('dept:PM1');
    expect(demoScope('auditor')).toBe('*');
    // Running it again creates nothing twice.
    const again = await seedDemo(t.ctx, 'demo-password');
    expect(again.created).toEqual([]);
    expect(again.existing).toHaveLength(ROLES.length);
  });

  it('is refused in production', async () => {
    const prodCtx = { ...t.ctx, config: { ...t.ctx.config, nodeEnv: 'production' as const } };
    await expect(seedDemo(prodCtx, 'x')).rejects.toThrow(/refused in production/);
  });
});
