import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { makeCopy, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
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
const ledger = (u: { auth: string }, query: Record<string, string>) => t.http().get('/api/v1/copies').query(query).set('Authorization', u.auth);
const serials = async (query: Record<string, string>) => {
  const res = await ledger(o.pm, { project: o.project, limit: '100', ...query });
  expect(res.status).toBe(200);
  expect(res.body.total).toBe(res.body.items.length);
  return (res.body.items as Array<{ serial: string }>).map((c) => c.serial).sort();
};

describe('the ledger by period (R-NO-PAPER)', () => {
  /** Copies of the project with their story set in time (the test clock is Asia/Shanghai, +08:00). */
  const made: Record<string, string> = {};
  beforeAll(async () => {
    const at = (s: string) => new Date(s);
    const stories: Record<string, Partial<ControlledCopy>> = {
      // Issued in October, held all November without a ledger event: was out in November.
      heldThrough: { issuedAt: at('2026-10-15T10:00:00+08:00'), status: 'issued', signedAt: at('2026-10-15T11:00:00+08:00') },
      issuedInNov: { issuedAt: at('2026-11-10T10:00:00+08:00') },
      // The last local minutes of 30 November (15:30 UTC) are in November…
      lastMinute: { issuedAt: at('2026-11-30T23:30:00+08:00') },
      // …and 1 December 00:10 local (still 30 November in UTC) is not.
      december: { issuedAt: at('2026-12-01T00:10:00+08:00') },
      destroyedBefore: { issuedAt: at('2026-09-01T10:00:00+08:00'), status: 'destroyed', destroyedAt: at('2026-10-20T10:00:00+08:00'), witnessConfirmedAt: at('2026-10-20T11:00:00+08:00') },
      destroyedInNov: { issuedAt: at('2026-09-01T10:00:00+08:00'), status: 'destroyed', destroyedAt: at('2026-11-05T10:00:00+08:00'), witnessConfirmedAt: at('2026-11-05T11:00:00+08:00') },
      // Lost at 23:30 local on 31 October (15:30 UTC): before the period.
      lostBefore: { issuedAt: at('2026-09-01T10:00:00+08:00'), status: 'lost', lostAt: at('2026-10-31T23:30:00+08:00') },
      // Returned in October and kept by its keeper: still a paper copy on the ledger in November.
      returnedBefore: { issuedAt: at('2026-09-01T10:00:00+08:00'), status: 'returned', returnedAt: at('2026-10-02T10:00:00+08:00'), keeperConfirmedAt: at('2026-10-02T11:00:00+08:00') },
    };
    for (const [name, story] of Object.entries(stories)) {
      const c = await makeCopy(t, o.staff, o.pm, o.project);
      await m().getRepository(ControlledCopy).update({ id: c.id }, { ...story, expiresAt: new Date(story.issuedAt!.getTime() + 90 * 86_400_000) });
      made[name] = c.serial;
    }
  });
  const of = (...names: string[]) => names.map((n) => made[n]).sort();

  test('R-NO-PAPER: from/to as local days list the copies on the ledger at some time in the period: issued before its end and not destroyed or lost before its start (both days included)', async () => {
    expect(await serials({ from: '2026-11-01', to: '2026-11-30' })).toEqual(of('heldThrough', 'issuedInNov', 'lastMinute', 'destroyedInNov', 'returnedBefore'));
    // One day: from = to.
    expect(await serials({ from: '2026-11-10', to: '2026-11-10' })).toEqual(of('heldThrough', 'issuedInNov', 'returnedBefore'));
    // Only a start: still on the ledger since then; only an end: issued by then.
    expect(await serials({ from: '2026-12-01' })).toEqual(of('heldThrough', 'issuedInNov', 'lastMinute', 'december', 'returnedBefore'));
    expect(await serials({ to: '2026-10-31' })).toEqual(of('heldThrough', 'destroyedBefore', 'destroyedInNov', 'lostBefore', 'returnedBefore'));
    // Without a period: all of them.
    expect(await serials({})).toHaveLength(Object.keys(made).length);
  });

  test('R-NO-PAPER: the period combines with the status filter and the paging (total counts the whole period)', async () => {
    expect(await serials({ from: '2026-11-01', to: '2026-11-30', status: 'destroyed' })).toEqual(of('destroyedInNov'));
    const page = await ledger(o.pm, { project: o.project, from: '2026-11-01', to: '2026-11-30', limit: '2', offset: '0', sort: 'issuedAt' });
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(5);
    expect(page.body.items.map((c: { serial: string }) => c.serial).sort()).toEqual([made.destroyedInNov, made.returnedBefore].sort());
  });

  test('R-NO-PAPER: ISO 8601 instants are taken as they are, the end exclusive', async () => {
    expect(await serials({ from: '2026-11-30T23:30:00+08:00', to: '2026-12-01T00:10:00+08:00' })).toEqual(of('heldThrough', 'issuedInNov', 'lastMinute', 'returnedBefore'));
  });

  test('R-NO-PAPER: a bad period is 400 naming the field: to before from, a malformed or impossible date', async () => {
    for (const [q, path] of [
      [{ from: '2026-12-01', to: '2026-11-01' }, 'query.to'],
      [{ from: '2026-13-45x' }, 'query.from'],
      [{ to: '2026-02-30' }, 'query.to'],
      [{ from: 'yesterday', to: '2026-11-01' }, 'query.from'],
    ] as const) {
      const res = await ledger(o.pm, { project: o.project, ...q });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  test('R-NO-PAPER: a copy carries the time of its print request (the first step of its timeline) without reading the request', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    const res = await t.http().get(`/api/v1/copies/${c.serial}`).set('Authorization', o.head.auth);
    expect(res.status).toBe(200);
    const req = await t.http().get(`/api/v1/print-requests/${c.printRequestId}`).set('Authorization', o.pm.auth);
    expect(res.body.requestedAt).toBe(req.body.createdAt);
    expect(new Date(res.body.requestedAt).getTime()).toBeLessThanOrEqual(new Date(res.body.issuedAt).getTime());
  });
});
