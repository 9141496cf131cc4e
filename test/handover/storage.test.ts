import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { handoverEnv, handoverSetup, heldFile, ownersCsv } from '../helpers/handover-factories';
import { startTestApp, TEST_DATA_KEY, TestApp } from '../helpers/test-app';

/**
 * R-HANDOVER-HOLD: the files are held in one controlled place. A store that is missing (when
 * files are recorded there), uncreatable or not writable stops the start with a clear message;
 * a store failing at run time refuses the upload and records nothing (no silent loss).
 */
describe('R-HANDOVER-HOLD: the handover file store at start and at run time', () => {
  const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-hf-store-'));

  test('R-HANDOVER-HOLD: a missing storage directory is created when no file is recorded yet', async () => {
    const dir = path.join(temp(), 'nested', 'files');
    const t = await startTestApp({ env: { HANDOVER_STORAGE_DIR: dir } });
    try {
      expect(fs.statSync(dir).isDirectory()).toBe(true);
    } finally {
      await t.close();
      fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
    }
  });

  test('R-HANDOVER-HOLD: a storage directory that cannot be created stops the start with a clear error', async () => {
    const base = temp();
    fs.writeFileSync(path.join(base, 'a-file'), 'not a directory');
    const dir = path.join(base, 'a-file', 'files');
    await expect(startTestApp({ env: { HANDOVER_STORAGE_DIR: dir } })).rejects.toThrow(`HANDOVER_STORAGE_DIR ${dir} does not exist and cannot be created`);
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('R-HANDOVER-HOLD: a storage directory that is not writable stops the start with a clear error', async () => {
    // /proc exists and refuses new files, even for root.
    await expect(startTestApp({ env: { HANDOVER_STORAGE_DIR: '/proc' } })).rejects.toThrow('HANDOVER_STORAGE_DIR /proc is not writable');
    const base = temp();
    const notDir = path.join(base, 'plain-file');
    fs.writeFileSync(notDir, 'x');
    await expect(startTestApp({ env: { HANDOVER_STORAGE_DIR: notDir } })).rejects.toThrow(`HANDOVER_STORAGE_DIR ${notDir} is not a directory`);
    fs.rmSync(base, { recursive: true, force: true });
  });

  describe('with files recorded', () => {
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

    test('R-HANDOVER-HOLD: the directory gone (or a file missing from it) while files are recorded as held → the start is refused, naming what is missing', async () => {
      const s = await handoverSetup(t);
      const f = await heldFile(t, s, s.lead);
      const moved = `${env.HANDOVER_STORAGE_DIR}.moved`;
      fs.renameSync(env.HANDOVER_STORAGE_DIR, moved);
      try {
        await expect(startTestApp({ dbUrl: t.dbUrl, env })).rejects.toThrow(/does not exist, but the database records \d+ handover file\(s\) as held there: refusing to start/);
        // Not silently recreated empty.
        expect(fs.existsSync(env.HANDOVER_STORAGE_DIR)).toBe(false);
        // An empty directory in its place: the held file is missing from it.
        fs.mkdirSync(env.HANDOVER_STORAGE_DIR);
        await expect(startTestApp({ dbUrl: t.dbUrl, env })).rejects.toThrow(new RegExp(`lacks \\d+ handover file\\(s\\) the database records as held \\(.*HF-${f.id}`));
        fs.rmdirSync(env.HANDOVER_STORAGE_DIR);
      } finally {
        fs.renameSync(moved, env.HANDOVER_STORAGE_DIR);
      }
      // Restored: the start succeeds again.
      const again = await startTestApp({ dbUrl: t.dbUrl, env });
      await again.close();
    });

    test('R-HANDOVER-HOLD: the store failing at run time → 503 storage_unavailable, nothing recorded', async () => {
      const s = await handoverSetup(t);
      const count = await t.ctx.db.manager.getRepository(HandoverFile).count();
      const moved = `${env.HANDOVER_STORAGE_DIR}.away`;
      fs.renameSync(env.HANDOVER_STORAGE_DIR, moved);
      fs.writeFileSync(env.HANDOVER_STORAGE_DIR, 'the directory was replaced by a file');
      try {
        const r = await t.http().post('/api/v1/handover-files').query({ project: s.project, name: 'owners.csv' }).set('Authorization', s.lead.auth).set('Content-Type', 'text/csv').send(ownersCsv());
        expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 503, code: 'storage_unavailable' });
        expect(await t.ctx.db.manager.getRepository(HandoverFile).count()).toBe(count);
      } finally {
        fs.rmSync(env.HANDOVER_STORAGE_DIR);
        fs.renameSync(moved, env.HANDOVER_STORAGE_DIR);
      }
    });

    test('R-HANDOVER-HOLD: after a DATA_KEY rotation the file keys are re-wrapped under the new key; the files still open, the bytes unchanged', async () => {
      const s = await handoverSetup(t);
      const f = await heldFile(t, s, s.lead);
      const storedBefore = fs.readFileSync(path.join(env.HANDOVER_STORAGE_DIR, f.storageName));
      const newKey = `t2:${crypto.randomBytes(32).toString('base64')}`;
      const rotated = await startTestApp({ dbUrl: t.dbUrl, env: { ...env, DATA_KEY: newKey, DATA_KEYS_PREVIOUS: TEST_DATA_KEY } });
      try {
        expect(await rotated.ctx.handover.rewrapKeys()).toBeGreaterThanOrEqual(1);
        const row = await rotated.ctx.db.manager.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
        expect(row.keyId).toBe('t2');
        expect(row.wrappedKey).not.toBe(f.wrappedKey);
        expect(await rotated.ctx.handover.rewrapKeys()).toBe(0);
        expect(fs.readFileSync(path.join(env.HANDOVER_STORAGE_DIR, f.storageName)).equals(storedBefore)).toBe(true);
        expect((await rotated.ctx.handover.store.open(row.storageName, row.wrappedKey!, row.keyId!)).equals(ownersCsv())).toBe(true);
      } finally {
        await rotated.close();
      }
    });
  });
});
