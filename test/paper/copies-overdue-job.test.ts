import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { Notification } from '../../src/entities/Notification';
import { copiesOverdueJob } from '../../src/features/paper/copy.job';
import { periodFromKey } from '../../src/jobs/period';
import { confirmedReturn, makeCopy, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let o: PaperOrg;
beforeAll(async () => {
  t = await startTestApp();
  o = await makePaperOrg(t);
});
afterAll(async () => {
  await t?.close();
});

const m = () => t.ctx.db.manager;
const period = (key: string) => periodFromKey(copiesOverdueJob, key, 'Asia/Shanghai')!;
const remindersFor = (serial: string) => m().getRepository(Notification).find({ where: { objectType: 'controlled_copy', objectId: serial, kind: 'copy.overdue' }, order: { id: 'ASC' } });

describe('copies-overdue job (R-NO-PAPER)', () => {
  test('R-NO-PAPER: the daily copies-overdue job reminds the holder, the project managers and the department head once per copy per day, even if it runs twice; never for returned (keeper-confirmed) or unexpired copies', async () => {
    expect(copiesOverdueJob).toMatchObject({ name: 'copies-overdue', cadence: 'daily', covers: 'current' });
    const issued = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const unsigned = await makeCopy(t, o.clerk, o.pm, o.project);
    const returned = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const valid = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    // R-NO-PAPER (two-person rule): a return the keeper has not confirmed has not happened: still reminded.
    const unconfirmed = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    await confirmedReturn(t, o.staff, o.pm, returned.serial);
    await t.ctx.copies.returnCopy({ id: o.staff.id, username: o.staff.username }, unconfirmed, { keeperUserId: o.pm.id });
    const expired = new Date('2026-12-05T00:00:00Z');
    for (const c of [issued, unsigned, returned, unconfirmed]) await m().getRepository(ControlledCopy).update({ id: c.id }, { expiresAt: expired });
    // Expires after the run's due time (10 December 08:30 in Shanghai): not overdue yet.
    await m().getRepository(ControlledCopy).update({ id: valid.id }, { expiresAt: new Date('2026-12-10T01:00:00Z') });

    const day1 = period('2026-12-10');
    const first = await t.ctx.jobs.find(copiesOverdueJob.name).run(day1);
    expect(first.overdueCopies).toBeGreaterThanOrEqual(2);
    const reminded = await remindersFor(issued.serial);
    // Holder, both project managers, the department head.
    expect(reminded.map((n) => n.recipientId).sort((a, b) => a - b)).toEqual([o.staff.id, o.pm.id, o.pm2.id, o.head.id].sort((a, b) => a - b));
    for (const n of reminded) {
      expect(n.kind).toBe('copy.overdue');
      expect(n.dedupeKey).toBe(`copy.overdue:${issued.serial}:2026-12-10:user:${n.recipientId}`);
      expect(n.subject).toContain(issued.serial);
      expect(n.body).toContain(issued.serial);
    }
    expect((await remindersFor(unsigned.serial)).map((n) => n.recipientId)).toContain(o.clerk.id);
    expect(await remindersFor(returned.serial)).toEqual([]);
    expect((await remindersFor(unconfirmed.serial)).map((n) => n.recipientId)).toContain(o.staff.id);
    expect(await remindersFor(valid.serial)).toEqual([]);

    // Twice the same day: nothing more.
    const total = await m().getRepository(Notification).count();
    const second = await t.ctx.jobs.find(copiesOverdueJob.name).run(day1);
    expect(second.remindersWritten).toBe(0);
    expect(await m().getRepository(Notification).count()).toBe(total);

    // The next day reminds again; by then the valid copy is overdue too; a copy returned meanwhile is not.
    await confirmedReturn(t, o.clerk, o.pm, unsigned.serial);
    await t.ctx.jobs.find(copiesOverdueJob.name).run(period('2026-12-11'));
    expect(await remindersFor(issued.serial)).toHaveLength(8);
    expect(await remindersFor(valid.serial)).toHaveLength(4);
    expect((await remindersFor(unsigned.serial)).filter((n) => n.dedupeKey.includes(':2026-12-11:'))).toEqual([]);
  });
});
