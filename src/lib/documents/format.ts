import { localDate, pad, wallClock } from '../time';
import type { Cell } from './types';

/** The company works in China: forms show Beijing time unless the report says otherwise. */
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** 'YYYY-MM-DD HH:mm' in `tz`. */
export function formatDateTime(d: Date, tz: string = DEFAULT_TIMEZONE): string {
  const w = wallClock(d, tz);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}`;
}

/** 'YYYY-MM-DD' in `tz`. */
export function formatDate(d: Date, tz: string = DEFAULT_TIMEZONE): string {
  return localDate(d, tz);
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
