import { formatDate, formatDateTime } from '../../src/lib/documents';

/* Every renderer (PDF, XLSX, CSV) formats dates through these two helpers. */

describe('date formatting on the forms', () => {
  test('dates are shown in Asia/Shanghai by default: 2026-11-27T16:30Z is 2026-11-28 00:30', () => {
    const d = new Date('2026-11-27T16:30:00Z');
    expect(formatDateTime(d)).toBe('2026-11-28 00:30');
    expect(formatDate(d)).toBe('2026-11-28');
    expect(formatDateTime(d, 'Asia/Shanghai')).toBe('2026-11-28 00:30');
  });

  test('another timezone can be asked for, daylight saving included', () => {
    const d = new Date('2026-11-27T16:30:00Z');
    expect(formatDateTime(d, 'UTC')).toBe('2026-11-27 16:30');
    expect(formatDate(d, 'UTC')).toBe('2026-11-27');
    expect(formatDateTime(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01 08:00');
    expect(formatDateTime(new Date('2026-01-01T12:00:00Z'), 'America/New_York')).toBe('2026-01-01 07:00');
  });

  test('midnight is 00:00, not 24:00', () => {
    expect(formatDateTime(new Date('2026-11-27T16:00:00Z'))).toBe('2026-11-28 00:00');
  });

  test('an unknown timezone is refused rather than silently shown as UTC', () => {
    expect(() => formatDateTime(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});
