import type { Cell } from './types';

/** The company works in China: forms show Beijing time unless the report says otherwise. */
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export interface WallClock {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  mi: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts of an instant in an IANA timezone (one cached formatter per zone). */
export function wallClock(date: Date, tz: string = DEFAULT_TIMEZONE): WallClock {
  let f = formats.get(tz);
  if (!f) {
    // Throws RangeError on an unknown zone: better than silently printing UTC on a form.
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 'YYYY-MM-DD HH:mm' in `tz`. */
export function formatDateTime(d: Date, tz: string = DEFAULT_TIMEZONE): string {
  const w = wallClock(d, tz);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}`;
}

/** 'YYYY-MM-DD' in `tz`. */
export function formatDate(d: Date, tz: string = DEFAULT_TIMEZONE): string {
  const w = wallClock(d, tz);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
}

/**
 * A Date whose UTC fields equal the wall clock in `tz`. Spreadsheet dates have no zone, and
 * exceljs writes a Date by its UTC fields: this makes Excel show the same local time as the
 * PDF and CSV of the same report.
 */
export function asSpreadsheetDate(d: Date, tz: string = DEFAULT_TIMEZONE): Date {
  const w = wallClock(d, tz);
  return new Date(Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi));
}

/** A cell as text, for PDF and CSV: dates in `tz`, empty for null/undefined. */
export function cellText(value: Cell, tz: string = DEFAULT_TIMEZONE): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : formatDateTime(value, tz);
  return String(value);
}

/** What an empty table says, in every format. */
export const DEFAULT_EMPTY_TEXT = '（無記錄）No records';

/** "中文標題  English heading", skipping whichever is missing. */
export function headingText(zh?: string, en?: string): string {
  return [zh, en].filter((s) => s && s.trim() !== '').join('  ');
}
