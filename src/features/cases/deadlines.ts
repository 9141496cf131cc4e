import type { NationalityClass } from '../../entities/Customer';
import { localToUtc } from '../../jobs/period';
import { wallClock } from '../../lib/time';

/**
 * R-CASE-DEADLINE (第十條(一)): 處理期限自總經理室受理起國內十五天國外二十天內結案 — a case is closed
 * within 15 days of acceptance for a domestic customer, 20 for a foreign one.
 */
export const DEADLINE_DAYS: Readonly<Record<NationalityClass, number>> = { domestic: 15, foreign: 20 };

export interface Deadline {
  days: number;
  /** The last local day the case may be closed on (YYYY-MM-DD, configured timezone). */
  dueDate: string;
  /** The first instant after the due date (local midnight): open from then on = overdue; closed from then on = late. */
  dueAt: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Counted in calendar days from the local day of acceptance: accepted on 3 November (any
 * time), a domestic case is due on 18 November and overdue from 19 November 00:00.
 */
export function deadlineFor(acceptedAt: Date, nationality: NationalityClass, tz: string): Deadline {
  const days = DEADLINE_DAYS[nationality];
  const z = wallClock(acceptedAt, tz);
  const due = new Date(Date.UTC(z.y, z.m - 1, z.d + days));
  const after = new Date(Date.UTC(z.y, z.m - 1, z.d + days + 1));
  return {
    days,
    dueDate: `${due.getUTCFullYear()}-${pad(due.getUTCMonth() + 1)}-${pad(due.getUTCDate())}`,
    dueAt: localToUtc(after.getUTCFullYear(), after.getUTCMonth() + 1, after.getUTCDate(), 0, 0, tz),
  };
}

/** Whole and part days between acceptance and closing, one decimal (for the statistics). */
export function daysTaken(acceptedAt: Date, closedAt: Date): number {
  return Math.round(((closedAt.getTime() - acceptedAt.getTime()) / 86_400_000) * 10) / 10;
}
