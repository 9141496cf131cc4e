import type { Readable } from 'node:stream';
import { AppError } from '../../errors';

/** Content types a client may declare; the content itself decides what the file is. */
const ACCEPTED_TYPES = new Set([
  'application/octet-stream',
  'application/pdf',
  'text/csv',
  'application/csv',
  'text/plain',
  'text/comma-separated-values',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

export function tooLarge(limit: number): AppError {
  return new AppError(413, 'payload_too_large', `The file is larger than the handover file limit of ${limit} bytes`, { limit });
}

type Body = Readable & { headers: Record<string, string | string[] | undefined> };

/**
 * Reads the raw request body into memory, counting bytes (413 past `limit`, the rest drained so
 * the client gets the answer). The plaintext of a handover file never touches the disk: it is
 * checked, hashed and encrypted in memory (R-HANDOVER-HOLD).
 */
export function receiveBody(req: Body, limit: number): Promise<Buffer> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!ACCEPTED_TYPES.has(type)) {
    req.resume();
    return Promise.reject(
      new AppError(415, 'unsupported_media_type', 'Send the file itself as the request body (Content-Type application/octet-stream, or the file\'s own type)', { contentType: type || null }),
    );
  }
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      chunks.length = 0;
      req.resume();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      bytes += chunk.length;
      if (bytes > limit) return fail(tooLarge(limit));
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      if (bytes === 0) return fail(new AppError(400, 'empty_file', 'The request body is empty: send the file as the body'));
      resolve(Buffer.concat(chunks, bytes));
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new AppError(400, 'upload_aborted', 'The upload was interrupted')));
  });
}
