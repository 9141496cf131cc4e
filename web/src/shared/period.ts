import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { getCompanyTimeZone } from '../i18n/format';

dayjs.extend(utc);
dayjs.extend(timezone);

/** A RangePicker's value: calendar days, either end open. */
export type Period = [Dayjs | null, Dayjs | null] | null;

/**
 * The period picked (calendar days, both included) as the API's [from, to): from the start of the
 * first day to the start of the day after the last, in the company's time zone (not the browser's).
 */
export function periodQuery(p: Period): { from?: string; to?: string } {
  const zone = getCompanyTimeZone();
  const q: { from?: string; to?: string } = {};
  if (p?.[0]) q.from = dayjs.tz(p[0].format('YYYY-MM-DD'), zone).toISOString();
  if (p?.[1]) q.to = dayjs.tz(p[1].add(1, 'day').format('YYYY-MM-DD'), zone).toISOString();
  return q;
}
