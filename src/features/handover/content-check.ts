import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { AppError } from '../../errors';
import type { HandoverFormat } from '../../entities/HandoverFile';
import { stampPdf } from '../../lib/documents';
import { xlsxRows } from '../../lib/xlsx-cells';
import { checkXlsxArchive } from '../../lib/zip-directory';
import { decodeText } from './file-viewer';

/**
 * What a handover file is, decided by its content (R-HANDOVER-HOLD: only XLSX, CSV and PDF are
 * taken into custody, and a name cannot smuggle anything else in):
 * - "%PDF-" header → PDF, which must also open (not encrypted, has pages: it is stamped on view);
 * - a zip → XLSX, which must be a workbook and pass the zip-bomb guard (src/lib/zip-directory.ts,
 *   the same as for imports, applied in memory so the plaintext never touches the disk);
 * - UTF-8 or GB18030 text without control characters that parses as CSV → CSV;
 * - anything else → 415.
 * The extension of the given name must agree with the content (415 content_mismatch).
 */

const EXTENSIONS: Record<string, HandoverFormat> = { '.xlsx': 'xlsx', '.csv': 'csv', '.pdf': 'pdf' };

/** The format the file name claims (415 for anything but .xlsx, .csv, .pdf). */
export function formatOfName(name: string): HandoverFormat {
  const m = /\.[A-Za-z0-9]+$/.exec(name);
  const f = m ? EXTENSIONS[m[0].toLowerCase()] : undefined;
  if (!f) {
    throw new AppError(415, 'unsupported_file_type', 'Handover files are taken as XLSX, CSV or PDF: the name must end in .xlsx, .csv or .pdf', {
      name,
      accepted: Object.keys(EXTENSIONS),
    });
  }
  return f;
}

function sniff(buf: Buffer): HandoverFormat | 'zip' | 'text' | null {
  if (buf.subarray(0, Math.min(buf.length, 1024)).includes('%PDF-')) return 'pdf';
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) return 'zip';
  return decodeText(buf) === null ? null : 'text';
}

/** Checks the content and that the name agrees with it; returns the format. */
export async function checkContent(buf: Buffer, name: string): Promise<HandoverFormat> {
  const claimed = formatOfName(name);
  const kind = sniff(buf);
  const detected: HandoverFormat | null = kind === 'zip' ? 'xlsx' : kind === 'text' ? 'csv' : kind;
  if (detected === null) {
    throw new AppError(415, 'unrecognised_content', `The content of "${name}" is not an XLSX workbook, a CSV text or a PDF`, { name, claimed });
  }
  if (detected !== claimed) {
    throw new AppError(415, 'content_mismatch', `"${name}" is named as ${claimed.toUpperCase()} but its content is ${detected.toUpperCase()}`, { name, claimed, detected });
  }
  if (detected === 'pdf') await stampPdf(buf, 'upload check'); // InvalidPdfError (400 invalid_pdf) if it cannot be viewed
  if (detected === 'xlsx') await checkXlsx(buf);
  if (detected === 'csv') checkCsv(buf);
  return detected;
}

function checkCsv(buf: Buffer): void {
  const text = decodeText(buf)!;
  try {
    parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1 << 20 });
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      // From the error code and line only: the parser's message quotes cell values (personal data).
      throw new AppError(400, 'invalid_csv', `The CSV file cannot be read${line ? ` at line ${line}` : ''} (${err.code})`, { line: line ?? null, code: err.code });
    }
    throw err;
  }
}

async function checkXlsx(buf: Buffer): Promise<void> {
  await checkXlsxArchive(buf); // the zip-bomb guard, in memory
  // The workbook must open: read the first row of the first worksheet.
  for await (const _row of xlsxRows(buf, { sheet: 1 })) break;
}
