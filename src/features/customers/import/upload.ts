import fs from 'node:fs';
import type { Request } from 'express';
import { AppError } from '../../../errors';
import type { ImportFormat } from '../../../entities/CustomerImport';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel', 'text/comma-separated-values']);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export interface Upload {
  bytes: number;
  format: ImportFormat;
  /** Line feeds in the file: the row count of a CSV, before it is parsed. */
  lineFeeds: number;
  endsWithLineFeed: boolean;
  /** Whether the bytes are valid UTF-8 (checked while streaming). */
  utf8: boolean;
}

export function tooLarge(limit: number): AppError {
  return new AppError(413, 'payload_too_large', `The file is larger than the import limit of ${limit} bytes`, { limit });
}

/** The declared type must be a CSV or XLSX one (or octet-stream: the content decides). */
export function declaredFormat(req: Request): ImportFormat | 'sniff' {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === XLSX_TYPE) return 'xlsx';
  if (CSV_TYPES.has(type)) return 'csv';
  if (type === 'application/octet-stream') return 'sniff';
  throw new AppError(415, 'unsupported_media_type', `Send the file itself as the request body, with Content-Type text/csv or ${XLSX_TYPE}`, { contentType: type || null });
}

/**
 * What an upload's bytes tell, gathered chunk by chunk (bytes, line feeds, the zip magic, valid
 * UTF-8): one reader for a body streamed in and for a kept file read back.
 */
class UploadFacts {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  utf8 = true;
  bytes = 0;
  private lineFeeds = 0;
  private last = -1;
  private head = Buffer.alloc(0);

  observe(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.head.length < 4) this.head = Buffer.concat([this.head, chunk.subarray(0, 4)]);
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) this.lineFeeds++;
    this.last = chunk[chunk.length - 1] ?? this.last;
    if (this.utf8) {
      try {
        this.decoder.decode(chunk, { stream: true });
      } catch {
        this.utf8 = false;
      }
    }
  }

  get zip(): boolean {
    return this.head.subarray(0, 4).equals(ZIP_MAGIC);
  }

  /** After the last chunk: a sequence cut at the end is not UTF-8 either. */
  finish(): Upload {
    if (this.utf8) {
      try {
        this.decoder.decode();
      } catch {
        this.utf8 = false;
      }
    }
    return { bytes: this.bytes, format: this.zip ? 'xlsx' : 'csv', lineFeeds: this.lineFeeds, endsWithLineFeed: this.last === 0x0a, utf8: this.utf8 };
  }
}

/**
 * Streams the request body into `file`, counting bytes: past `limit` the file is removed and
 * the answer is 413 (the rest of the body is read and discarded, so the client gets the answer).
 * The content is sniffed: a zip (PK\x03\x04) is an XLSX, anything else is CSV text; a body
 * declared as XLSX that is not a zip is refused.
 */
export function receiveUpload(req: Request, file: string, limit: number): Promise<Upload> {
  const declared = declaredFormat(req);
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise<Upload>((resolve, reject) => {
    const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    const facts = new UploadFacts();
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.resume(); // drain and discard the rest
      out.destroy();
      fs.rm(file, { force: true }, () => reject(err));
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (facts.bytes + chunk.length > limit) return fail(tooLarge(limit));
      facts.observe(chunk);
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (failed) return;
      const upload = facts.finish();
      out.end(() => {
        if (failed) return;
        if (upload.bytes === 0) return fail(new AppError(400, 'empty_file', 'The request body is empty: send the CSV or XLSX file as the body'));
        if (declared === 'xlsx' && upload.format !== 'xlsx') return fail(new AppError(400, 'not_xlsx', 'The file is not an XLSX workbook (it is not a zip archive)'));
        resolve(upload);
      });
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new AppError(400, 'upload_aborted', 'The upload was interrupted')));
    out.on('error', fail);
  });
}

/** The same facts as receiveUpload, of a file already on disk (a kept dry run's file, committed later). */
export async function uploadOfFile(file: string): Promise<Upload> {
  const facts = new UploadFacts();
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) facts.observe(chunk);
  return facts.finish();
}
