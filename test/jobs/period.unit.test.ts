import { claimKey, cronExpression, duePeriod, nextDueAt, periodFromKey, periodUnderWay, Timing, toDatePeriod } from '../../src/jobs/period';

const TZ = 'Asia/Shanghai';
const monthlyPrevious: Timing = { cadence: 'monthly', at: { day: 1, hour: 6, minute: 0 }, covers: 'previous' };
const bimonthlyCurrent: Timing = { cadence: 'bimonthly', at: { day: 1, hour: 7, minute: 0 }, covers: 'current' };
const daily: Timing = { cadence: 'daily', at: { hour: 8, minute: 30 }, covers: 'current' };
/** A local time in Shanghai (UTC+8) as an instant. */
const sh = (iso: string) => new Date(`${iso}+08:00`);

describe('job periods in the configured timezone', () => {
  test('R-RISK-MONTHLY periods: on the 1st at 06:00 Shanghai the previous month falls due, not a minute before', () => {
    expect(duePeriod(monthlyPrevious, sh('2026-12-01T05:59:00'), TZ).key).toBe('2026-10');
    const p = duePeriod(monthlyPrevious, sh('2026-12-01T06:00:00'), TZ);
    expect(p.key).toBe('2026-11');
    expect(p.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(p.dueAt.toISOString()).toBe('2026-11-30T22:00:00.000Z');
    // Across a year end.
    expect(duePeriod(monthlyPrevious, sh('2027-01-15T00:00:00'), TZ).key).toBe('2026-12');
    expect(nextDueAt(monthlyPrevious, sh('2026-11-28T12:00:00'), TZ).toISOString()).toBe('2026-11-30T22:00:00.000Z');
  });

  test('R-INSPECT periods: two-month blocks Jan–Feb … Nov–Dec, keyed YYYY-Bn', () => {
    const p = duePeriod(bimonthlyCurrent, sh('2026-12-20T10:00:00'), TZ);
    expect(p.key).toBe('2026-B6');
    expect(p.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(duePeriod(bimonthlyCurrent, sh('2026-11-01T06:59:00'), TZ).key).toBe('2026-B5');
    expect(duePeriod(bimonthlyCurrent, sh('2027-02-28T23:00:00'), TZ).key).toBe('2027-B1');
    expect(cronExpression(bimonthlyCurrent)).toBe('0 7 1 1,3,5,7,9,11 *');
  });

  test('daily reminder periods follow the local day, not the UTC day', () => {
    // 2026-11-28 00:30 UTC is 08:30 in Shanghai: the 28th is due.
    expect(duePeriod(daily, new Date('2026-11-28T00:30:00Z'), TZ).key).toBe('2026-11-28');
    expect(duePeriod(daily, new Date('2026-11-28T00:29:00Z'), TZ).key).toBe('2026-11-27');
    expect(cronExpression(daily)).toBe('30 8 * * *');
  });

  test('period keys: malformed or impossible keys are refused (null), valid ones map back to the same period', () => {
    for (const bad of ['2026-13', '2026-00', '26-11', '2026-11-01', 'latest']) expect(periodFromKey(monthlyPrevious, bad, TZ)).toBeNull();
    for (const bad of ['2026-02-30', '2026-11-31', '2026-11']) expect(periodFromKey(daily, bad, TZ)).toBeNull();
    for (const bad of ['2026-B0', '2026-B7', '2026-11']) expect(periodFromKey(bimonthlyCurrent, bad, TZ)).toBeNull();
    const p = periodFromKey(monthlyPrevious, '2026-11', TZ)!;
    expect(p.dueAt.toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(periodFromKey(bimonthlyCurrent, '2026-B6', TZ)!.dueAt.toISOString()).toBe('2026-10-31T23:00:00.000Z');
  });

  test('R-CASE-STATS periods: the month under way runs to date (its own claim key, "now" the time of the run) only for jobs that allow it, never before it begins', () => {
    const toDate: Timing = { ...monthlyPrevious, toDateRuns: true };
    const now = sh('2026-11-28T10:00:00');
    const p = periodUnderWay(toDate, now, TZ)!;
    expect(p).toMatchObject({ key: '2026-11', toDate: true, dueAt: now });
    expect(p.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(claimKey(p)).toBe('2026-11~to-date');
    expect(claimKey(periodFromKey(toDate, '2026-11', TZ)!)).toBe('2026-11');
    // Not for a job that does not allow it; not for a period not begun; not once the run is due.
    expect(periodUnderWay(monthlyPrevious, now, TZ)).toBeNull();
    expect(toDatePeriod(toDate, periodFromKey(toDate, '2026-12', TZ)!, now)).toBeNull();
    expect(toDatePeriod(toDate, periodFromKey(toDate, '2026-10', TZ)!, now)).toBeNull();
    // After the month ended but before its run is due (1 Dec 03:00): still to date, the 06:00 run does it whole.
    expect(toDatePeriod(toDate, periodFromKey(toDate, '2026-11', TZ)!, sh('2026-12-01T03:00:00'))).toMatchObject({ key: '2026-11', toDate: true });
    // R-INSPECT: a block is under way to date only before its run on its first morning.
    const block: Timing = { ...bimonthlyCurrent, toDateRuns: true };
    expect(periodUnderWay(block, sh('2026-11-01T03:00:00'), TZ)).toMatchObject({ key: '2026-B6', toDate: true });
    expect(periodUnderWay(block, sh('2026-11-01T07:00:00'), TZ)).toBeNull();
  });

  test('a DST timezone still gives the local wall-clock due time', () => {
    const t: Timing = { cadence: 'daily', at: { hour: 2, minute: 30 }, covers: 'current' };
    // Europe/Berlin: 2026-10-25 is the day clocks go back (CEST -> CET).
    expect(periodFromKey(t, '2026-10-25', 'Europe/Berlin')!.dueAt.toISOString()).toMatch(/^2026-10-25T0[01]:30:00.000Z$/);
    expect(periodFromKey(t, '2026-10-26', 'Europe/Berlin')!.dueAt.toISOString()).toBe('2026-10-26T01:30:00.000Z');
  });
});
