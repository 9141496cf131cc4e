import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../errors';

/**
 * The one ZIP directory reader and zip-bomb guard, for every XLSX the service takes in (the
 * customer import reads it from its temp file, a handover upload from memory so the plaintext
 * never touches the disk). It reads the central directory without decompressing anything,
 * checks the declared sizes, then inflates (and discards) every entry to prove that none is
 * larger than it declares: a lying header cannot get past.
 */

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

export interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
}

/** Random access to the archive's bytes: a file on disk or a buffer in memory. */
interface ZipSource {
  size: number;
  /** `length` bytes from `position` (fewer past the end). */
  read(position: number, length: number): Buffer;
  /** The bytes [start, start + length) as a stream. */
  stream(start: number, length: number): Readable;
  close(): void;
}

function bufferSource(buf: Buffer): ZipSource {
  return {
    size: buf.length,
    read: (position, length) => buf.subarray(position, position + length),
    stream: (start, length) => Readable.from([buf.subarray(start, start + length)]),
    close: () => undefined,
  };
}

function fileSource(file: string): ZipSource {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  return {
    size,
    read: (position, length) => {
      const out = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      if (out.length) fs.readSync(fd, out, 0, out.length, position);
      return out;
    },
    stream: (start, length) => fs.createReadStream(file, { start, end: start + length - 1 }),
    close: () => fs.closeSync(fd),
  };
}

/** Reads the zip's central directory (no decompression); refuses ZIP64 and too many entries before reading them. */
function centralDirectory(src: ZipSource, limits: ZipLimits): ZipEntry[] {
  const tailStart = Math.max(0, src.size - 65_557);
  const tail = src.read(tailStart, src.size - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notXlsx('no zip directory');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw unsafe('ZIP64 archives are not accepted');
  if (cdOffset + cdSize > src.size) throw notXlsx('the zip directory is damaged');
  // Before reading the entries (the stricter of the two former readers: handover/content-check).
  if (count > limits.maxEntries) throw unsafe(`it holds ${count} entries`);
  const cd = src.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
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

/** Inflates one entry, counting (never keeping) the output; stops past what it declared or the budget. */
function inflatedSize(src: ZipSource, e: ZipEntry, budget: number): Promise<number> {
  // Bounds of the local header and of the data are checked (an entry pointing past the end is damaged).
  const local = src.read(e.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw notXlsx('the zip entries are damaged');
  const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + e.compressed > src.size) throw notXlsx('the zip entries are damaged');
  if (e.method === 0) return Promise.resolve(e.compressed);
  if (e.method !== 8) throw notXlsx(`unsupported compression method ${e.method}`);
  if (e.compressed === 0) return Promise.resolve(0);
  const limit = Math.min(e.uncompressed, budget);
  return new Promise((resolve, reject) => {
    let n = 0;
    let done = false;
    const input = src.stream(start, e.compressed);
    const inflate = zlib.createInflateRaw();
    const stop = (err: AppError) => {
      if (done) return;
      done = true;
      input.destroy();
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
    input.on('error', () => stop(notXlsx('the file cannot be read')));
    input.pipe(inflate);
  });
}

/**
 * Zip-bomb and format guard, before any XLSX reader touches the archive (a path to a file, or the
 * bytes): the central directory must exist and name an XLSX workbook; the entry count, and the
 * declared uncompressed sizes, must stay under an absolute cap and a ratio of the file size; then
 * every entry is inflated (and discarded) to check that it really is no larger than declared.
 */
export async function checkXlsxArchive(input: string | Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const src = typeof input === 'string' ? fileSource(input) : bufferSource(input);
  try {
    const entries = centralDirectory(src, limits);
    const names = new Set(entries.map((e) => e.name));
    if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) throw notXlsx('no workbook inside the zip archive');
    const total = entries.reduce((s, e) => s + e.uncompressed, 0);
    if (total > limits.maxTotal) throw unsafe(`it would inflate to ${total} bytes (limit ${limits.maxTotal})`);
    if (total > limits.ratioFloor && total > limits.maxRatio * src.size) throw unsafe(`it would inflate ${Math.round(total / src.size)} times its size (a zip bomb?)`);
    let budget = Math.min(limits.maxTotal, Math.max(limits.ratioFloor, limits.maxRatio * src.size));
    for (const e of entries) {
      if (e.name.endsWith('/')) continue;
      budget -= await inflatedSize(src, e, budget);
    }
  } finally {
    src.close();
  }
}
