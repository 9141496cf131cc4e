import { z } from 'zod';
import { localToUtc } from '../jobs/period';

/** A calendar date that exists (2026-02-30 does not). */
function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}

/**
 * "YYYY-MM-DD" (a whole local day in the company's timezone) or an ISO 8601 instant. A day is its
 * start as a start (`from`), and the start of the next day as an end (`to`): days given as days
 * are whole days, both included (R-LEDGER-FORM: to=2026-12-31 covers 31 December; from=to is that
 * one day). An instant is taken as it is, the end exclusive. Shared by the §7 form
 * (GET /api/v1/ledger/form) and the ledger's period filter (GET /api/v1/copies?from&to).
 */
export function dayOrInstant(tz: string, end: 'start' | 'end' = 'start') {
  return z
    .string()
    .trim()
    .refine((s) => isCalendarDate(s) || (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))), { message: 'a date YYYY-MM-DD or an ISO 8601 date-time' })
    .transform((s) => {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      // localToUtc normalises the day after the month's last (2026-12-32 is 2027-01-01).
      return day ? localToUtc(Number(day[1]), Number(day[2]), Number(day[3]) + (end === 'end' ? 1 : 0), 0, 0, tz) : new Date(s);
    });
}
