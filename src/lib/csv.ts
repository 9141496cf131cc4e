/**
 * Spreadsheet formula injection: a cell starting with = + - @ or a control character is
 * prefixed with ' so that Excel/WPS shows it as text instead of evaluating it. Every file the
 * service writes for people to open (audit export, customer export) goes through this.
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One CSV field: neutralised, and quoted when it holds a quote, comma, line break or # (our comment marker). */
export function csvField(value: string): string {
  const s = neutralise(value);
  return /[",\n\r#]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
