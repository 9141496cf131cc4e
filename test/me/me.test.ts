import { makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * GET /api/v1/me tells the console the company's time zone (JOBS_TIMEZONE): the console shows every
 * date in it, whatever the browser's zone.
 */
describe('GET /api/v1/me: the company time zone', () => {
  describe('configured (JOBS_TIMEZONE)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { JOBS_TIMEZONE: 'Asia/Taipei' } });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers the configured zone to any signed-in user, before the agreement too', async () => {
      const project = await makeProject(t);
      const u = await makeUser(t, { roles: [['staff', `project:${project.code}`]] });
      const me = await t.http().get('/api/v1/me').set('Authorization', u.auth).expect(200);
      expect(me.body.company).toEqual({ timeZone: 'Asia/Taipei' });

      const pending = await makeUser(t, { signed: false });
      const before = await t.http().get('/api/v1/me').set('Authorization', pending.auth).expect(200);
      expect(before.body.agreement.required).toBe(true);
      expect(before.body.company).toEqual({ timeZone: 'Asia/Taipei' });
    });
  });

  describe('default', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('is Asia/Shanghai when nothing is configured', async () => {
      const u = await makeUser(t);
      const me = await t.http().get('/api/v1/me').set('Authorization', u.auth).expect(200);
      expect(me.body.company).toEqual({ timeZone: 'Asia/Shanghai' });
    });
  });
});
