import { Readable } from 'node:stream';
import { exceljs } from './heavy-modules';
import { AppError } from '../errors';

/**
 * The one XLSX cell reader (customer imports read a temp file, the handover viewer a workbook held
 * in memory). Always after checkXlsxArchive (src/lib/zip-directory.ts): the zip-bomb guard.
 */

/** One non-empty row of a worksheet: its row number in the sheet and its cells as text. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** Excel's own limits: more rows or columns than a worksheet can hold is not a real workbook. */
export const XLSX_MAX_ROWS = 1_048_576;
export const XLSX_MAX_COLUMNS = 200;

/** A cell's value as text (numbers without exponent noise, dates as YYYY-MM-DD, formulas by their result). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
    if (o.error !== undefined) return '';
  }
  return String(v);
}

export interface XlsxReadOptions {
  /** The worksheet to read, 1-based (default 1). */
  sheet?: number;
  /** When given, every worksheet is walked and `counter.sheets` counts them; otherwise reading stops after `sheet`. */
  counter?: { sheets: number };
  /** Trim every cell (the import does; the viewer shows cells as they are). */
  trim?: boolean;
}

/**
 * Streams the non-empty rows of one worksheet (exceljs streaming reader: the workbook is never
 * held in memory as a model). Rows past Excel's row limit, or wider than XLSX_MAX_COLUMNS, refuse
 * the file (400 unsafe_xlsx; the stricter of the two former readers, customers/import); anything
 * exceljs cannot read is a 400 not_xlsx.
 */
export async function* xlsxRows(input: string | Buffer, opts: XlsxReadOptions = {}): AsyncGenerator<SheetRow> {
  const sheet = opts.sheet ?? 1;
  const source = typeof input === 'string' ? input : Readable.from([input]);
  const wb = new (exceljs().stream.xlsx.WorkbookReader)(source, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  let index = 0;
  try {
    for await (const ws of wb) {
      index++;
      if (opts.counter) opts.counter.sheets = index;
      for await (const row of ws) {
        if (row.number > XLSX_MAX_ROWS) throw new AppError(400, 'unsafe_xlsx', `The XLSX file is refused: more than ${XLSX_MAX_ROWS} rows`);
        const values = row.values as unknown[];
        if (values.length > XLSX_MAX_COLUMNS + 1) throw new AppError(400, 'unsafe_xlsx', `The XLSX file is refused: row ${row.number} has more than ${XLSX_MAX_COLUMNS} columns`);
        if (index !== sheet) continue;
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(opts.trim ? cellText(values[i]).trim() : cellText(values[i]));
        if (cells.every((c) => c.trim() === '')) continue;
        yield { row: row.number, cells };
      }
      if (index >= sheet && !opts.counter) break;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(400, 'not_xlsx', `The file is not a readable XLSX workbook (${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'})`);
  }
  if (index === 0) throw new AppError(400, 'not_xlsx', 'The file is not an XLSX workbook (no worksheet)');
}
