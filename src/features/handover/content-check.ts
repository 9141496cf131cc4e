import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { AppError } from '../../errors';
import type { HandoverFormat } from '../../entities/HandoverFile';
import { stampPdf } from '../../lib/documents';
import { decodeText, xlsxRows } from './file-viewer';

/**
 * What a handover file is, decided by its content (R-HANDOVER-HOLD: only XLSX, CSV and PDF are
 * taken into custody, and a name cannot smuggle anything else in):
 * - "%PDF-" header → PDF, which must also open (not encrypted, has pages: it is stamped on view);
 * - a zip → XLSX, which must be a workbook and pass the zip-bomb guard (the ideas of
 *   customers/import/zip-guard.ts, applied in memory so the plaintext never touches the disk);
 * - UTF-8 or GB18030 text without control characters that parses as CSV → CSV;
 * - anything else → 415.
 * The extension of the given name must agree with the content (415 content_mismatch).
 */

const EXTENSIONS: Record<string, HandoverFormat> = { '.xlsx': 'xlsx', '.csv': 'csv', '.pdf': 'pdf' };

/** Zip-bomb limits (as for imports): absolute inflated size, ratio past a floor, entry count. */
const ZIP_MAX_TOTAL = 1024 ** 3;
const ZIP_MAX_RATIO = 100;
const ZIP_RATIO_FLOOR = 10 * 1024 * 1024;
const ZIP_MAX_ENTRIES = 10_000;

const notXlsx = (why: string) => new AppError(400, 'not_xlsx', `The file is not an XLSX workbook (${why})`);
const unsafe = (why: string) => new AppError(400, 'unsafe_xlsx', `The XLSX file is refused: ${why}`);

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

interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
}

function zipEntries(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notXlsx('no zip directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw unsafe('ZIP64 archives are not accepted');
  if (cdOffset + cdSize > buf.length) throw notXlsx('the zip directory is damaged');
  if (count > ZIP_MAX_ENTRIES) throw unsafe(`it holds ${count} entries`);
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || buf.readUInt32LE(p) !== 0x02014b50) throw notXlsx('the zip directory is damaged');
    const nameLen = buf.readUInt16LE(p + 28);
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressed: buf.readUInt32LE(p + 20),
      uncompressed: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return entries;
}

/** Inflates one entry, counting (never keeping) the output; stops past what it declared or the budget. */
function inflatedSize(buf: Buffer, e: ZipEntry, budget: number): Promise<number> {
  if (e.localOffset + 30 > buf.length || buf.readUInt32LE(e.localOffset) !== 0x04034b50) throw notXlsx('the zip entries are damaged');
  const start = e.localOffset + 30 + buf.readUInt16LE(e.localOffset + 26) + buf.readUInt16LE(e.localOffset + 28);
  if (start + e.compressed > buf.length) throw notXlsx('the zip entries are damaged');
  if (e.method === 0) return Promise.resolve(e.compressed);
  if (e.method !== 8) throw notXlsx(`unsupported compression method ${e.method}`);
  if (e.compressed === 0) return Promise.resolve(0);
  const limit = Math.min(e.uncompressed, budget);
  return new Promise((resolve, reject) => {
    let n = 0;
    let done = false;
    const inflate = zlib.createInflateRaw();
    const stop = (err: AppError) => {
      if (done) return;
      done = true;
      inflate.destroy();
      reject(err);
    };
    inflate.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > limit) stop(n > e.uncompressed ? unsafe(`entry ${e.name} inflates to more than it declares`) : unsafe('it inflates beyond the size limit'));
    });
    inflate.on('end', () => {
      if (!done) resolve(n);
    });
    inflate.on('error', () => stop(notXlsx(`entry ${e.name} cannot be decompressed`)));
    Readable.from([buf.subarray(start, start + e.compressed)]).pipe(inflate);
  });
}

async function checkXlsx(buf: Buffer): Promise<void> {
  const entries = zipEntries(buf);
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) throw notXlsx('no workbook inside the zip archive');
  const total = entries.reduce((s, e) => s + e.uncompressed, 0);
  if (total > ZIP_MAX_TOTAL) throw unsafe(`it would inflate to ${total} bytes (limit ${ZIP_MAX_TOTAL})`);
  if (total > ZIP_RATIO_FLOOR && total > ZIP_MAX_RATIO * buf.length) throw unsafe(`it would inflate ${Math.round(total / buf.length)} times its size (a zip bomb?)`);
  let budget = Math.min(ZIP_MAX_TOTAL, Math.max(ZIP_RATIO_FLOOR, ZIP_MAX_RATIO * buf.length));
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    budget -= await inflatedSize(buf, e, budget);
  }
  // The workbook must open: read the first row of the first worksheet.
  for await (const _row of xlsxRows(buf, 1)) break;
}
