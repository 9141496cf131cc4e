import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import 'dayjs/locale/zh-tw';

dayjs.extend(utc);
dayjs.extend(timezone);

// Dates are shown in the company's time zone, whatever the browser's: the server's JOBS_TIMEZONE,
// which GET /api/v1/me reports (company.timeZone; api/client.ts sets it from the answer). Until the
// first answer, the server's default.
let companyZone = 'Asia/Shanghai';
/** The company's zone, from GET /api/v1/me (api/client.ts). */
export function setCompanyTimeZone(zone: string): void {
  companyZone = zone;
}
export const getCompanyTimeZone = (): string => companyZone;

type DateInput = string | number | Date | null | undefined;

/** 2026-11-28 14:05 in the company's zone; '' for nothing. */
export function formatDateTime(v: DateInput): string {
  return v === null || v === undefined || v === '' ? '' : dayjs(v).tz(companyZone).format('YYYY-MM-DD HH:mm');
}

/** 2026-11-28 in the company's zone (a plain 'YYYY-MM-DD' is shown as is). */
export function formatDate(v: DateInput): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  return dayjs(v).tz(companyZone).format('YYYY-MM-DD');
}

const yuan = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** ¥1,234.50 (amounts arrive as numbers or decimal strings). */
export function formatYuan(amount: number | string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const n = typeof amount === 'number' ? amount : Number(amount);
  return Number.isFinite(n) ? `¥${yuan.format(n)}` : String(amount);
}
