import { parse } from 'csv-parse';
import { AppError } from '../../errors';
import { xlsxRows } from '../../lib/xlsx-cells';

/** One row of a spreadsheet or CSV as shown to a viewer: its row number in the file and its cells as text. */
export interface ViewRow {
  row: number;
  cells: string[];
}

export interface RowPage {
  rows: ViewRow[];
  /** Non-empty rows in the sheet (or the CSV file). */
  totalRows: number;
  /** XLSX only: worksheets in the workbook. */
  sheetCount: number | null;
}

const CONTROL = /[\x00-\x08\x0B\x0E-\x1F\x7F]/;

/**
 * The text of a CSV file: UTF-8 if its bytes are valid UTF-8, else GB18030 (what Excel on Chinese
 * Windows writes); null when it is neither, or holds control characters (then it is not text).
 */
export function decodeText(buf: Buffer): string | null {
  for (const encoding of ['utf-8', 'gb18030']) {
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(buf);
    } catch {
      continue;
    }
    return CONTROL.test(text) ? null : text;
  }
  return null;
}

async function* csvRows(buf: Buffer): AsyncGenerator<ViewRow> {
  const text = decodeText(buf);
  if (text === null) throw new AppError(400, 'invalid_csv', 'The CSV file is not readable text');
  const parser = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: 1 << 20 });
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (rec.record.every((c) => c.trim() === '')) continue;
      yield { row: rec.info.lines, cells: rec.record };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    // Never the parser's own message: it quotes cell values.
    throw new AppError(400, 'invalid_csv', 'The CSV file cannot be read');
  } finally {
    parser.destroy();
  }
}

/** One page of rows (1-based page), and the total; the whole file is read to count. */
export async function rowPage(buf: Buffer, format: 'xlsx' | 'csv', page: number, pageSize: number, sheet = 1): Promise<RowPage> {
  const counter = { sheets: 0 };
  const source = format === 'xlsx' ? xlsxRows(buf, { sheet, counter }) : csvRows(buf);
  const first = (page - 1) * pageSize;
  const rows: ViewRow[] = [];
  let total = 0;
  for await (const r of source) {
    if (total >= first && rows.length < pageSize) rows.push(r);
    total++;
  }
  if (format === 'xlsx' && sheet > counter.sheets) {
    throw new AppError(400, 'no_such_sheet', `The workbook has ${counter.sheets} worksheet(s); sheet ${sheet} does not exist`, { sheetCount: counter.sheets });
  }
  return { rows, totalRows: total, sheetCount: format === 'xlsx' ? counter.sheets : null };
}
