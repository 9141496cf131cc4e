import { AppError } from '../../../errors';
import type { ImportFormat } from '../../../entities/CustomerImport';
import { xlsxRows } from '../../../lib/xlsx-cells';
import { checkXlsxArchive } from '../../../lib/zip-directory';
import { ColumnIndex, mapHeader } from './columns';
import { detectEncoding, FileRow, readCsv, TextEncoding } from './csv-reader';
import type { Upload } from './upload';

/** What the checks before the import found out about the file. */
export interface Prepared {
  file: string;
  format: ImportFormat;
  encoding: TextEncoding;
  index: ColumnIndex;
  width: number;
  rows: number;
}

/** Format, encoding, header and safety checks; any failure is a 400 and nothing is recorded. */
export async function prepareImport(file: string, upload: Upload): Promise<Prepared> {
  if (upload.format === 'xlsx') {
    await checkXlsxArchive(file);
    const rows = xlsxRows(file, { trim: true });
    const header = await rows.next();
    if (header.done) throw new AppError(400, 'empty_file', 'The worksheet is empty: the first row must name the columns');
    const { index, width } = mapHeader(header.value.cells);
    let n = 0;
    for await (const _ of rows) n++;
    return { file, format: 'xlsx', encoding: 'utf-8', index, width, rows: n };
  }
  const encoding = await detectEncoding(file, upload.utf8);
  const rows = readCsv(file, encoding);
  const header = await rows.next();
  await rows.return(undefined);
  if (header.done) throw new AppError(400, 'empty_file', 'The file is empty: the first line must name the columns');
  const { index, width } = mapHeader(header.value.cells);
  // Data rows, counted from the line feeds (exact unless a quoted value spans lines); exact once run.
  const lines = upload.lineFeeds + (upload.endsWithLineFeed ? 0 : 1);
  return { file, format: 'csv', encoding, index, width, rows: Math.max(0, lines - header.value.row) };
}

/** The rows of the file, header first (XLSX cells are trimmed, as CSV cells are by the CSV reader). */
export function importRows(p: Prepared): AsyncGenerator<FileRow> {
  return p.format === 'xlsx' ? xlsxRows(p.file, { trim: true }) : readCsv(p.file, p.encoding);
}
