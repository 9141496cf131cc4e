/**
 * Periods and due times of scheduled jobs, in the configured timezone (default Asia/Shanghai).
 *
 * A job belongs to a cycle (a day, a month, or a two-month block Jan–Feb … Nov–Dec) and is due at
 * a fixed local time in it (e.g. the 1st at 06:00). A run covers either the cycle it is due in
 * (`current`: today's reminders, this block's inspections) or the cycle before (`previous`: on
 * 1 December the November risk assessment, R-RISK-MONTHLY). Period keys: `2026-11-28`,
 * `2026-11`, `2026-B6` (the sixth two-month block, November–December).
 */
import { pad, wallClock } from '../lib/time';

export type Cadence = 'daily' | 'monthly' | 'bimonthly';

export interface DueAt {
  /** Day of the cycle, 1-based (monthly and bimonthly; ignored for daily). Default 1. */
  day?: number;
  hour: number;
  minute: number;
}

export interface JobPeriod {
  key: string;
  cadence: Cadence;
  /** First instant of the period (local midnight of its first day). */
  start: Date;
  /** First instant after the period. */
  end: Date;
  /** When the run for this period became due: the job's "now" (reminders are computed as of this time). */
  dueAt: Date;
  /**
   * A run by hand before the period's run is due (the month under way): `dueAt` is then the time
   * of that run, and what the job computes covers the period to date only. It is never the
   * period's final result (see toDatePeriod).
   */
  toDate?: true;
}

interface LocalDate {
  y: number;
  m: number; // 1-12
  d: number;
}

/** The instant at which the wall clock in `tz` shows the given local time. */
export function localToUtc(y: number, m: number, d: number, h: number, mi: number, tz: string): Date {
  const asUtc = Date.UTC(y, m - 1, d, h, mi);
  let guess = asUtc;
  // Two passes settle the offset, DST transitions included.
  for (let i = 0; i < 2; i++) {
    const z = wallClock(new Date(guess), tz);
    const shown = Date.UTC(z.y, z.m - 1, z.d, z.h, z.mi);
    guess += asUtc - shown;
  }
  return new Date(guess);
}


/** Normalises y/m/d after adding days or months (via UTC calendar arithmetic). */
function addDays(x: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(x.y, x.m - 1, x.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
function addMonths(x: LocalDate, months: number): LocalDate {
  const t = new Date(Date.UTC(x.y, x.m - 1 + months, 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: 1 };
}

/** The first local day of the cycle containing the local date. */
function cycleStart(c: Cadence, x: LocalDate): LocalDate {
  if (c === 'daily') return x;
  if (c === 'monthly') return { y: x.y, m: x.m, d: 1 };
  return { y: x.y, m: x.m - ((x.m - 1) % 2), d: 1 };
}

function shiftCycle(c: Cadence, start: LocalDate, n: number): LocalDate {
  if (c === 'daily') return addDays(start, n);
  return addMonths(start, c === 'monthly' ? n : 2 * n);
}

function keyOf(c: Cadence, s: LocalDate): string {
  if (c === 'daily') return `${s.y}-${pad(s.m)}-${pad(s.d)}`;
  if (c === 'monthly') return `${s.y}-${pad(s.m)}`;
  return `${s.y}-B${(s.m + 1) / 2}`;
}

const KEY_PATTERNS: Record<Cadence, RegExp> = {
  daily: /^(\d{4})-(\d{2})-(\d{2})$/,
  monthly: /^(\d{4})-(\d{2})$/,
  bimonthly: /^(\d{4})-B([1-6])$/,
};

export const PERIOD_EXAMPLES: Record<Cadence, string> = { daily: '2026-11-28', monthly: '2026-11', bimonthly: '2026-B6 (November–December)' };

/** The first local day of the period named by a key, or null when the key is not one of this cadence. */
function parseKey(c: Cadence, key: string): LocalDate | null {
  const match = KEY_PATTERNS[c].exec(key);
  if (!match) return null;
  const y = Number(match[1]);
  if (y < 2000 || y > 2999) return null;
  if (c === 'bimonthly') return { y, m: Number(match[2]) * 2 - 1, d: 1 };
  const m = Number(match[2]);
  if (m < 1 || m > 12) return null;
  if (c === 'monthly') return { y, m, d: 1 };
  const d = Number(match[3]);
  const check = addDays({ y, m, d: 1 }, d - 1);
  if (d < 1 || check.m !== m) return null;
  return { y, m, d };
}

/** A job's timing: what it covers and when in its cycle it is due. */
export interface Timing {
  cadence: Cadence;
  at: DueAt;
  covers: 'current' | 'previous';
  /**
   * The job may also be run by hand for a period whose run is not due yet, once that period has
   * begun: a run "to date" (a month-to-date case table, this month's assessments on a new
   * installation). Default: only due periods run.
   */
  toDateRuns?: boolean;
}

function dueOfCycle(t: Timing, cycle: LocalDate, tz: string): Date {
  const day = t.cadence === 'daily' ? cycle : addDays(cycle, (t.at.day ?? 1) - 1);
  return localToUtc(day.y, day.m, day.d, t.at.hour, t.at.minute, tz);
}

function periodOfCycle(t: Timing, cycle: LocalDate, tz: string): JobPeriod {
  const covered = t.covers === 'previous' ? shiftCycle(t.cadence, cycle, -1) : cycle;
  const after = shiftCycle(t.cadence, covered, 1);
  return {
    key: keyOf(t.cadence, covered),
    cadence: t.cadence,
    start: localToUtc(covered.y, covered.m, covered.d, 0, 0, tz),
    end: localToUtc(after.y, after.m, after.d, 0, 0, tz),
    dueAt: dueOfCycle(t, cycle, tz),
  };
}

/** The latest period whose run is due at `now` (what a scheduled run or a catch-up at start runs). */
export function duePeriod(t: Timing, now: Date, tz: string): JobPeriod {
  const z = wallClock(now, tz);
  let cycle = cycleStart(t.cadence, z);
  if (dueOfCycle(t, cycle, tz).getTime() > now.getTime()) cycle = shiftCycle(t.cadence, cycle, -1);
  return periodOfCycle(t, cycle, tz);
}

/** When the next run after `now` is due. */
export function nextDueAt(t: Timing, now: Date, tz: string): Date {
  const z = wallClock(now, tz);
  let cycle = cycleStart(t.cadence, z);
  if (dueOfCycle(t, cycle, tz).getTime() <= now.getTime()) cycle = shiftCycle(t.cadence, cycle, 1);
  return dueOfCycle(t, cycle, tz);
}

/** The period a key names, with its due time; null when the key is malformed for this cadence. */
export function periodFromKey(t: Timing, key: string, tz: string): JobPeriod | null {
  const covered = parseKey(t.cadence, key);
  if (!covered) return null;
  const cycle = t.covers === 'previous' ? shiftCycle(t.cadence, covered, 1) : covered;
  return periodOfCycle(t, cycle, tz);
}

/**
 * A period whose run is not due yet, run by hand to date (R-RISK-MONTHLY, R-INSPECT,
 * R-CASE-STATS: the quality department and the auditors run their work for the period under
 * way): "now" is the time of the run. Null when the job does not allow it or the period has not
 * begun (a future period).
 */
export function toDatePeriod(t: Timing, p: JobPeriod, now: Date): JobPeriod | null {
  if (!t.toDateRuns || p.start.getTime() > now.getTime() || p.dueAt.getTime() <= now.getTime()) return null;
  return { ...p, dueAt: now, toDate: true };
}

/** The period that contains `now`, run to date, when the job allows it and its run is not due yet. */
export function periodUnderWay(t: Timing, now: Date, tz: string): JobPeriod | null {
  const p = periodFromKey(t, keyOf(t.cadence, cycleStart(t.cadence, wallClock(now, tz))), tz);
  return p && toDatePeriod(t, p, now);
}

/**
 * The key under which job_run claims a run: the period's own key, or a separate one for a run to
 * date. A run to date must never consume the once-per-period claim: the scheduled run after the
 * period ends still claims `2026-11` and does the whole month. (`~` is in no period key, so no
 * period can be named to take it.)
 */
export function claimKey(p: JobPeriod): string {
  return p.toDate ? `${p.key}~to-date` : p.key;
}

/** The node-cron expression that fires at the due time of every cycle. */
export function cronExpression(t: Timing): string {
  const { minute, hour } = t.at;
  if (t.cadence === 'daily') return `${minute} ${hour} * * *`;
  const day = t.at.day ?? 1;
  return t.cadence === 'monthly' ? `${minute} ${hour} ${day} * *` : `${minute} ${hour} ${day} 1,3,5,7,9,11 *`;
}
