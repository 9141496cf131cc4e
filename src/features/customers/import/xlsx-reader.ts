import ExcelJS from 'exceljs';
import { AppError } from '../../../errors';
import type { FileRow } from './csv-reader';

/** Excel's own limits: more rows or columns than a worksheet can hold is not a real workbook. */
const MAX_ROWS = 1_048_576;
const MAX_COLUMNS = 200;

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return text(o.text);
    if (o.result !== undefined) return text(o.result);
    if (o.error !== undefined) return '';
  }
  return String(v);
}

/**
 * Streams the rows of the first worksheet (exceljs streaming reader: the workbook is never
 * held in memory). The archive has passed checkXlsxArchive first (zip-bomb guard).
 */
export async function* readXlsx(file: string): AsyncGenerator<FileRow> {
  const wb = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  let sheets = 0;
  try {
    for await (const ws of wb) {
      sheets++;
      for await (const row of ws) {
        if (row.number > MAX_ROWS) throw new AppError(400, 'unsafe_xlsx', `The XLSX file is refused: more than ${MAX_ROWS} rows`);
        const values = row.values as unknown[];
        if (values.length > MAX_COLUMNS + 1) throw new AppError(400, 'unsafe_xlsx', `The XLSX file is refused: row ${row.number} has more than ${MAX_COLUMNS} columns`);
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(text(values[i]).trim());
        if (cells.every((c) => c === '')) continue;
        yield { row: row.number, cells };
      }
      break; // the first worksheet only
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(400, 'not_xlsx', `The file is not a readable XLSX workbook (${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'})`);
  }
  if (!sheets) throw new AppError(400, 'not_xlsx', 'The file is not an XLSX workbook (no worksheet)');
}
