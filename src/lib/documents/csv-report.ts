import { csvField } from '../csv';
import { cellText, DEFAULT_TIMEZONE } from './format';
import { isTableSection, type Cell, type Report } from './types';

function field(value: Cell, tz: string): string {
  // A number cannot carry a formula; leave it bare so that -5 stays a number in Excel.
  if (typeof value === 'number') return String(value);
  return csvField(cellText(value, tz));
}

/**
 * The first table of a report as CSV (R-LEDGER-FORM and the other forms, for people who work
 * in a spreadsheet): row 1 the Chinese headers, row 2 the English ones, then the rows; dates
 * 'YYYY-MM-DD HH:mm' in the report's timezone; a UTF-8 BOM so that Excel reads the Chinese;
 * every text cell through the formula-injection guard of src/lib/csv.ts. A report without a
 * table gives a file holding only the BOM.
 */
export function reportToCsv(report: Report): string {
  const tz = report.timezone ?? DEFAULT_TIMEZONE;
  const table = report.sections.find(isTableSection);
  if (!table) return '\ufeff';
  const cols = table.columns;
  const lines = [cols.map((c) => csvField(c.zh)).join(','), cols.map((c) => csvField(c.en)).join(',')];
  for (const row of table.rows) lines.push(cols.map((c) => field(row[c.key], tz)).join(','));
  return `\ufeff${lines.join('\n')}\n`;
}
