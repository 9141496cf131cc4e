/**
 * Wall-clock time in an IANA timezone. The Rules' dates are local (Asia/Shanghai by default):
 * serials and case numbers by local month, deadlines and due dates by local day, job periods,
 * and every date printed on a form all read the wall clock through this one function.
 */
export interface WallClock {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  mi: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts of an instant in `tz` (one cached formatter per zone; RangeError on an unknown zone). */
export function wallClock(date: Date, tz: string): WallClock {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute) };
}

export const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The local calendar date of an instant in `tz`: 'YYYY-MM-DD'. */
export function localDate(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether year, month (1-12) and day name a day of the calendar (2026-02-30 does not). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Whether a string is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  const m = CALENDAR_DATE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  return y >= 2000 && y <= 2999 && isRealDate(y, Number(m[2]), Number(m[3]));
}
