import { rotateKeys } from '../../src/crypto/rotate';
import { Customer } from '../../src/entities/Customer';
import { makeIdNumber, makePhone, makeProject } from '../helpers/factories';
import { startTestApp, TEST_DATA_KEY } from '../helpers/test-app';

const NEW_KEY = `t2:${Buffer.alloc(32, 42).toString('base64')}`;

describe('data keys', () => {
  it('R-SECRET: keys:rotate re-encrypts every record under the new key; the old key can then be dropped', async () => {
    const a = await startTestApp({ keepDatabase: true });
    const P = (await makeProject(a)).code;
    const phone = makePhone();
    const idNumber = makeIdNumber();
    const created = await a.ctx.customers.create({ id: a.admin.id, username: 'admin' }, P, { name: '趙六', unit: '8棟808室', nationality: 'domestic', phones: [phone], idNumber, email: 'zhao@example.com' });
    const note = await a.ctx.surveys.create({ id: a.admin.id, username: 'admin' }, P, { source: 'census', text: `手機 ${phone}` });
    const dbUrl = a.dbUrl;
    await a.close();

    const b = await startTestApp({ dbUrl, keepDatabase: true, env: { DATA_KEY: NEW_KEY, DATA_KEYS_PREVIOUS: TEST_DATA_KEY } });
    const result = await rotateKeys(b.ctx);
    expect(result).toEqual({ to: 't2', customers: 1, surveyNotes: 1, handoverFileKeys: 0 });
    expect((await b.ctx.db.manager.getRepository(Customer).findOneByOrFail({ id: created.id })).keyId).toBe('t2');
    expect(await rotateKeys(b.ctx)).toEqual({ to: 't2', customers: 0, surveyNotes: 0, handoverFileKeys: 0 });
    await b.close();

    // Only the new key now: everything still decrypts, search still works.
    const c = await startTestApp({ dbUrl, env: { DATA_KEY: NEW_KEY } });
    try {
      const admin = { id: c.admin.id, username: 'admin' };
      const rv = await c.ctx.customers.reveal(admin, await c.ctx.customers.load(created.id), ['phones', 'idNumber', 'email'], 'rotation check');
      expect(rv).toMatchObject({ phones: [phone], idNumber, email: 'zhao@example.com' });
      expect((await c.ctx.customers.search(admin, P, 'phone', phone)).map((x) => x.id)).toEqual([created.id]);
      expect((await c.ctx.surveys.viewOriginal(admin, await c.ctx.surveys.load(note.id))).text).toContain(phone);
    } finally {
      await c.close();
    }
  });

  it('R-SECRET: a wrong DATA_KEY (same id, other bytes) is detected at start by its key check value', async () => {
    const a = await startTestApp({ keepDatabase: true });
    const dbUrl = a.dbUrl;
    await a.close();
    const wrong = `t1:${Buffer.alloc(32, 8).toString('base64')}`;
    await expect(startTestApp({ dbUrl, keepDatabase: true, env: { DATA_KEY: wrong } })).rejects.toThrow(/not the key this database was written with/);
    const wrongBlind = Buffer.alloc(32, 3).toString('base64');
    await expect(startTestApp({ dbUrl, keepDatabase: true, env: { BLIND_INDEX_KEY: wrongBlind } })).rejects.toThrow(/BLIND_INDEX_KEY/);
    // The right keys still start (and this app drops the database).
    const ok = await startTestApp({ dbUrl });
    await ok.close();
  });
});
