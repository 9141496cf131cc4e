import fs from 'node:fs';
import zlib from 'node:zlib';
import { AppError } from '../../../errors';

export interface ZipLimits {
  /** Largest total uncompressed size, in bytes. */
  maxTotal: number;
  /** Largest ratio of total uncompressed size to the file size (once past `ratioFloor`). */
  maxRatio: number;
  ratioFloor: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxTotal: 1024 ** 3, maxRatio: 100, ratioFloor: 10 * 1024 * 1024, maxEntries: 10_000 };

const notXlsx = (why: string) => new AppError(400, 'not_xlsx', `The file is not an XLSX workbook (${why})`);
const unsafe = (why: string) => new AppError(400, 'unsafe_xlsx', `The XLSX file is refused: ${why}`);

interface Entry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
}

/** Reads the zip's central directory (no decompression). */
function centralDirectory(fd: number, size: number): Entry[] {
  const tailLen = Math.min(size, 65_557);
  const tail = Buffer.alloc(tailLen);
  fs.readSync(fd, tail, 0, tailLen, size - tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notXlsx('no zip directory');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw unsafe('ZIP64 archives are not accepted for imports');
  if (cdOffset + cdSize > size) throw notXlsx('the zip directory is damaged');
  const cd = Buffer.alloc(cdSize);
  fs.readSync(fd, cd, 0, cdSize, cdOffset);
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw notXlsx('the zip directory is damaged');
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    entries.push({
      method: cd.readUInt16LE(p + 10),
      compressed: cd.readUInt32LE(p + 20),
      uncompressed: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Inflates one entry, counting bytes; stops as soon as it exceeds what it declared. */
function inflatedSize(file: string, fd: number, e: Entry, budget: number): Promise<number> {
  const local = Buffer.alloc(30);
  fs.readSync(fd, local, 0, 30, e.localOffset);
  if (local.readUInt32LE(0) !== 0x04034b50) throw notXlsx('the zip entries are damaged');
  const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (e.method === 0) return Promise.resolve(e.compressed);
  if (e.method !== 8) throw notXlsx(`unsupported compression method ${e.method}`);
  if (e.compressed === 0) return Promise.resolve(0);
  const limit = Math.min(e.uncompressed, budget);
  return new Promise((resolve, reject) => {
    let n = 0;
    const src = fs.createReadStream(file, { start, end: start + e.compressed - 1 });
    const inflate = zlib.createInflateRaw();
    const stop = (err: AppError) => {
      src.destroy();
      inflate.destroy();
      reject(err);
    };
    inflate.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > limit) stop(n > e.uncompressed ? unsafe(`entry ${e.name} inflates to more than it declares`) : unsafe('it inflates beyond the size limit'));
    });
    inflate.on('end', () => resolve(n));
    inflate.on('error', () => stop(notXlsx(`entry ${e.name} cannot be decompressed`)));
    src.on('error', () => stop(notXlsx('the file cannot be read')));
    src.pipe(inflate);
  });
}

/**
 * Zip-bomb and format guard, before the XLSX reader touches the file: the central directory
 * must exist and name an XLSX workbook; the declared uncompressed sizes must stay under an
 * absolute cap and a ratio of the file size; then every entry is inflated (and discarded) to
 * check that it really is no larger than declared, so a lying header cannot get past.
 */
export async function checkXlsxArchive(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const entries = centralDirectory(fd, size);
    if (entries.length > limits.maxEntries) throw unsafe(`it holds ${entries.length} entries`);
    const names = new Set(entries.map((e) => e.name));
    if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) throw notXlsx('no workbook inside the zip archive');
    const total = entries.reduce((s, e) => s + e.uncompressed, 0);
    if (total > limits.maxTotal) throw unsafe(`it would inflate to ${total} bytes (limit ${limits.maxTotal})`);
    if (total > limits.ratioFloor && total > limits.maxRatio * size) throw unsafe(`it would inflate ${Math.round(total / size)} times its size (a zip bomb?)`);
    let budget = Math.min(limits.maxTotal, Math.max(limits.ratioFloor, limits.maxRatio * size));
    for (const e of entries) {
      if (e.name.endsWith('/')) continue;
      budget -= await inflatedSize(file, fd, e, budget);
    }
  } finally {
    fs.closeSync(fd);
  }
}
